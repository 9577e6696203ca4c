/**
 * The parts of undici that Berth uses (request, Agent, EnvHttpProxyAgent, buildConnector, the redirect
 * interceptor), loaded without undici's index: that one loads fetch, WebSockets, cookies, caches and mocks
 * too, about 60 ms of start-up before a pull's first request. The deep paths are undici 7's own files;
 * package-lock.json pins the version, and the registry tests exercise every member.
 */
import type * as Undici from 'undici';

/* eslint-disable @typescript-eslint/no-require-imports */
const Dispatcher = require('undici/lib/dispatcher/dispatcher') as { prototype: object };
const api = require('undici/lib/api') as { request: (this: Undici.Dispatcher, opts: object) => Promise<Undici.Dispatcher.ResponseData> };
// What undici's index does, so that every dispatcher has request() and friends.
Object.assign(Dispatcher.prototype, api);

/** The members Berth uses, typed as undici's own. */
export interface UndiciLite {
  request: typeof Undici.request;
  Agent: typeof Undici.Agent;
  EnvHttpProxyAgent: typeof Undici.EnvHttpProxyAgent;
  buildConnector: typeof Undici.buildConnector;
  interceptors: { redirect: typeof Undici.interceptors.redirect };
}

let fallback: Undici.Dispatcher | undefined;

/** undici's `request(url, options)`, sent through `options.dispatcher` (a shared Agent when none). */
const request = ((url: string | URL, options: { dispatcher?: Undici.Dispatcher; method?: string; [key: string]: unknown } = {}) => {
  const u = new URL(url);
  const { dispatcher, ...rest } = options;
  fallback ??= new (require('undici/lib/dispatcher/agent') as typeof Undici.Agent)();
  return api.request.call(dispatcher ?? fallback, { ...rest, origin: u.origin, path: `${u.pathname}${u.search}`, method: rest.method ?? 'GET' });
}) as unknown as typeof Undici.request;

/** The lite undici. */
export const undici: UndiciLite = {
  request,
  Agent: require('undici/lib/dispatcher/agent') as typeof Undici.Agent,
  EnvHttpProxyAgent: require('undici/lib/dispatcher/env-http-proxy-agent') as typeof Undici.EnvHttpProxyAgent,
  buildConnector: require('undici/lib/core/connect') as typeof Undici.buildConnector,
  interceptors: { redirect: require('undici/lib/interceptor/redirect') as typeof Undici.interceptors.redirect },
};
