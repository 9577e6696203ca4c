// The Docker backend's event stream when the connection is cut: it is reopened with backoff, from the
// time of the last event seen, and a `reconnected` event tells the view to refresh. Cutting a real
// dockerd's stream at will is not possible without restarting it, so the engine here is a FAKE: a
// node:http server on a unix socket answering GET /version and GET /v1.41/events in the Engine API's
// shapes (one JSON object per line). What is checked is Berth's side: the requests and the events.
// The real dockerd's events are tested in docker-backend.test.ts ("tag is seen in the event stream").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { DockerEngine } from '../../src/engine/docker/docker-engine';
import type { EngineImageEvent } from '../../src/engine/docker/events';
import { tempDir } from '../helpers/tmp';

test('an ended event stream is reopened from the last event\'s time, and says it reconnected', async () => {
  const dir = tempDir('berth-docker-events-');
  const socket = join(dir.path, 'engine.sock');
  const eventQueries: URLSearchParams[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url!, 'http://engine');
    if (url.pathname === '/version') {
      res.end(JSON.stringify({ ApiVersion: '1.43', Version: '24.0.0' }));
      return;
    }
    assert.equal(url.pathname, '/v1.41/events');
    eventQueries.push(url.searchParams);
    res.writeHead(200, { 'Content-Type': 'application/json' });
    const n = eventQueries.length;
    res.write(`${JSON.stringify({ Type: 'image', Action: 'tag', Actor: { ID: `sha256:${String(n).repeat(64)}`, Attributes: { name: `app:${n}` } }, time: 1_700_000_000 + n })}\n`);
    if (n === 1) res.end(); // the first stream ends after one event, as when the engine restarts
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  const engine = await DockerEngine.open({ host: `unix://${socket}`, env: {} });
  const controller = new AbortController();
  const seen: EngineImageEvent[] = [];
  const disconnects: number[] = [];
  try {
    for await (const e of engine.events({ signal: controller.signal, backoffMs: { first: 10, max: 40 }, onDisconnect: (_err, ms) => disconnects.push(ms) })) {
      seen.push(e);
      if (seen.length === 3) break;
    }
  } finally {
    controller.abort();
    await engine.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    dir.cleanup();
  }
  assert.deepEqual(seen.map((e) => [e.action, e.name, e.time]), [['tag', 'app:1', 1_700_000_001], ['reconnected', undefined, 1_700_000_001], ['tag', 'app:2', 1_700_000_002]]);
  assert.deepEqual(disconnects, [10]);
  assert.deepEqual(eventQueries.map((q) => [q.get('filters'), q.get('since')]), [['{"type":["image"]}', null], ['{"type":["image"]}', '1700000001']]);
});
