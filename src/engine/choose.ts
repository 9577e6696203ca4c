/**
 * Which backend drives the images: the bundled engine (the default, no daemon) or a Docker or Podman
 * engine through its API. The CLI (`--engine`, `BERTH_ENGINE`) and the extension (`berth.engine`) both
 * open their engine here.
 */
import { BerthError } from './errors';
import { BundledEngine, type EngineOptions, type ImageEngine } from './engine';
import { DockerEngine } from './docker/docker-engine';

/** The backends. */
export const ENGINE_KINDS = ['bundled', 'docker'] as const;

/** A backend's name. */
export type EngineKind = (typeof ENGINE_KINDS)[number];

/** Checks a backend name from a flag, variable or setting (`from` names it in the message). */
export function parseEngineKind(value: string, from: string): EngineKind {
  const v = value.trim().toLowerCase();
  if ((ENGINE_KINDS as readonly string[]).includes(v)) return v as EngineKind;
  throw new BerthError('INVALID_ARGUMENT', `${from} "${value}" is not an engine; use one of: ${ENGINE_KINDS.join(', ')}`);
}

/** Options of {@link openEngine}. */
export interface OpenEngineOptions extends EngineOptions {
  /** The bundled engine's store folder (its default when absent). */
  root?: string;
  /** The Docker engine's address (DOCKER_HOST and the usual sockets when absent). */
  host?: string;
}

/** Opens the chosen backend; a Docker engine that does not answer fails with ENGINE_UNREACHABLE. */
export function openEngine(kind: EngineKind, options: OpenEngineOptions = {}): Promise<ImageEngine> {
  const { root, host, ...rest } = options;
  return kind === 'docker' ? DockerEngine.open({ ...rest, host }) : BundledEngine.open(root, rest);
}
