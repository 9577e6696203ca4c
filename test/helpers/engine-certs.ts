/**
 * TLS material for a Docker engine on TCP, made with openssl as Docker's "Protect the Docker daemon
 * socket" guide does: a CA, a server certificate for 127.0.0.1 and a client certificate, both signed
 * by it. The client side is laid out as DOCKER_CERT_PATH expects (`ca.pem`, `cert.pem`, `key.pem`).
 * https://docs.docker.com/engine/security/protect-access/
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The files made by {@link makeEngineCerts}. */
export interface EngineCerts {
  /** The daemon's side: `--tlscacert`, `--tlscert`, `--tlskey`. */
  server: { ca: string; cert: string; key: string };
  /** A DOCKER_CERT_PATH folder with the client pair and the CA. */
  clientDir: string;
}

async function sign(dir: string, name: string, subject: string, extensions: string[], ca: { cert: string; key: string }): Promise<{ cert: string; key: string }> {
  const key = join(dir, `${name}-key.pem`);
  const csr = join(dir, `${name}.csr`);
  const cert = join(dir, `${name}.pem`);
  const ext = join(dir, `${name}.ext`);
  await writeFile(ext, ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature', ...extensions].join('\n') + '\n');
  await run('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', subject, '-keyout', key, '-out', csr]);
  await run('openssl', ['x509', '-req', '-in', csr, '-CA', ca.cert, '-CAkey', ca.key, '-CAcreateserial', '-days', '2', '-extfile', ext, '-out', cert]);
  return { cert, key };
}

/** Makes the CA, the server pair (127.0.0.1) and the client pair under `dir`. */
export async function makeEngineCerts(dir: string): Promise<EngineCerts> {
  await mkdir(dir, { recursive: true });
  const ca = { cert: join(dir, 'ca.pem'), key: join(dir, 'ca-key.pem') };
  await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', '/CN=berth-engine-ca', '-keyout', ca.key, '-out', ca.cert]);
  const server = await sign(dir, 'server', '/CN=127.0.0.1', ['subjectAltName=IP:127.0.0.1', 'extendedKeyUsage=serverAuth'], ca);
  const client = await sign(dir, 'client', '/CN=berth-engine-client', ['extendedKeyUsage=clientAuth'], ca);
  const clientDir = join(dir, 'client');
  await mkdir(clientDir);
  await copyFile(ca.cert, join(clientDir, 'ca.pem'));
  await copyFile(client.cert, join(clientDir, 'cert.pem'));
  await copyFile(client.key, join(clientDir, 'key.pem'));
  return { server: { ca: ca.cert, ...server }, clientDir };
}
