/**
 * The engine's image events (`GET /events` filtered to `type=image`: pull, tag, untag, delete, import,
 * load, save, push) as an async iterator, for a view that follows the engine without polling. A cut
 * connection is reopened with a growing backoff (from `since` the last event seen, so little is missed)
 * and a `reconnected` event tells the consumer to refresh whatever it may have missed meanwhile.
 * https://docs.docker.com/engine/api/v1.41/#operation/SystemEvents
 */
import { setTimeout as wait } from 'node:timers/promises';
import type { DockerClient } from './client';
import { jsonMessages } from './messages';

/** One image event; `reconnected` after the stream was reopened. */
export interface EngineImageEvent {
  action: string;
  /** The image ID (or the name, for some actions). */
  id: string;
  /** The image name the event is about, when the engine says. */
  name?: string;
  /** Seconds since the epoch, as the engine reports. */
  time: number;
}

/** Options of {@link engineEvents}. */
export interface EngineEventsOptions {
  signal: AbortSignal;
  /** Seconds since the epoch: also the events since then (default: only new ones). */
  since?: number;
  /** Told when the stream is cut and about to be reopened (for logs). */
  onDisconnect?: (error: Error, retryInMs: number) => void;
  /** First and largest wait between reconnects. */
  backoffMs?: { first: number; max: number };
}

interface RawEvent {
  Type?: string;
  Action?: string;
  status?: string;
  id?: string;
  time?: number;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
}

/** Image events until `signal` aborts; reconnects forever with backoff. */
export async function* engineEvents(client: DockerClient, options: EngineEventsOptions): AsyncGenerator<EngineImageEvent> {
  const { first, max } = options.backoffMs ?? { first: 250, max: 10_000 };
  let since = options.since;
  let delay = first;
  let opened = false;
  while (!options.signal.aborted) {
    try {
      const res = await client.request('GET', '/events', {
        query: { filters: JSON.stringify({ type: ['image'] }), since },
        signal: options.signal, what: 'following the engine\'s events',
      });
      if (opened) yield { action: 'reconnected', id: '', time: since ?? 0 };
      opened = true;
      delay = first;
      for await (const raw of jsonMessages<RawEvent>(res.body)) {
        if (raw.Type && raw.Type !== 'image') continue;
        since = raw.time ?? since;
        yield { action: raw.Action ?? raw.status ?? '', id: raw.Actor?.ID ?? raw.id ?? '', name: raw.Actor?.Attributes?.name, time: raw.time ?? 0 };
      }
      throw new Error('the engine closed the event stream');
    } catch (e) {
      if (options.signal.aborted) return;
      options.onDisconnect?.(e as Error, delay);
      await wait(delay, undefined, { signal: options.signal }).catch(() => undefined);
      delay = Math.min(max, delay * 2);
    }
  }
}
