/**
 * `docker import -c/--change` and `docker commit -c`: Dockerfile instructions applied to an image's
 * runtime config. Docker accepts CMD, ENTRYPOINT, ENV, EXPOSE, HEALTHCHECK, LABEL, ONBUILD,
 * STOPSIGNAL, USER, VOLUME and WORKDIR (builder/dockerfile `validCommitCommands`), each with the
 * semantics it has in a Dockerfile: https://docs.docker.com/reference/dockerfile/
 */
import { BerthError } from '../errors';
import type { ContainerConfig } from '../oci/types';
import { parseHealthcheck } from './healthcheck';
import { envLookup, processWord, splitWords, type Lookup } from './words';

/** The instructions a change line may use. */
export const CHANGE_INSTRUCTIONS = ['CMD', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'HEALTHCHECK', 'LABEL', 'ONBUILD', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR'] as const;

const DEFAULT_SHELL = ['/bin/sh', '-c'];

interface State {
  config: ContainerConfig;
  cmdSet: boolean;
}

type Handler = (state: State, rest: string, lookup: Lookup) => void;

/**
 * Applies change lines to a copy of `base` (empty for an import) and returns it. Blank lines and
 * `#` comments are skipped. Throws INVALID_ARGUMENT naming the line: `invalid -c/--change "X": ...`.
 */
export function applyChanges(changes: readonly string[], base: ContainerConfig = {}): ContainerConfig {
  const state: State = { config: structuredClone(base), cmdSet: false };
  for (const line of changes) {
    const text = line.trim();
    if (text === '' || text.startsWith('#')) continue;
    const m = /^(\S+)\s*(.*)$/s.exec(text)!;
    const name = m[1]!.toUpperCase();
    const handler = HANDLERS[name];
    if (!handler) {
      throw new BerthError('INVALID_ARGUMENT', `invalid -c/--change "${line}": "${m[1]}" is not a valid change command; use one of ${CHANGE_INSTRUCTIONS.join(', ')}`);
    }
    try {
      handler(state, m[2]!.trim(), envLookup(state.config.Env));
    } catch (e) {
      throw new BerthError('INVALID_ARGUMENT', `invalid -c/--change "${line}": ${(e as Error).message}`, { cause: e });
    }
  }
  return state.config;
}

/** A command in exec (JSON array) or shell form, as the Dockerfile parser reads CMD and ENTRYPOINT. */
export function parseCommandForm(rest: string): { json?: string[]; shell?: string } {
  if (rest.startsWith('[')) {
    try {
      const v: unknown = JSON.parse(rest);
      if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return { json: v as string[] };
    } catch {
      // not JSON: the shell form, as Docker falls back to it
    }
  }
  return rest === '' ? {} : { shell: rest };
}

function commandOf(name: string, rest: string, config: ContainerConfig): string[] {
  const form = parseCommandForm(rest);
  if (form.json) return form.json;
  if (form.shell === undefined) throw new Error(`${name} requires at least one argument`);
  return [...(config.Shell ?? DEFAULT_SHELL), form.shell];
}

/** `name=value` pairs, or the legacy `name value` form; both sides processed as shell words. */
function nameValues(name: string, rest: string, lookup: Lookup): [string, string][] {
  const words = splitWords(rest);
  if (words.length === 0) throw new Error(`${name} requires at least one argument`);
  if (!words[0]!.includes('=')) {
    const legacy = /^(\S+)\s+(.*)$/s.exec(rest);
    if (!legacy) throw new Error(`${name} must have two arguments`);
    return [[processWord(legacy[1]!, lookup), processWord(legacy[2]!, lookup)]];
  }
  return words.map((w) => {
    const eq = w.indexOf('=');
    if (eq < 0) throw new Error(`Syntax error - can't find = in "${w}". Must be of the form: name=value`);
    const key = processWord(w.slice(0, eq), lookup);
    if (key === '') throw new Error(`${name} names can not be blank`);
    return [key, processWord(w.slice(eq + 1), lookup)] as [string, string];
  });
}

function oneArgument(name: string, rest: string, lookup: Lookup): string {
  if (rest === '') throw new Error(`${name} requires exactly one argument`);
  return processWord(rest, lookup);
}

const PROTOCOLS = new Set(['tcp', 'udp', 'sctp']);

/** `80`, `80/udp`, `8000-8010/tcp` into config keys (`80/tcp`), as go-connections `nat.ParsePortSpecs`. */
function exposedPorts(spec: string): string[] {
  const slash = spec.lastIndexOf('/');
  const portPart = slash < 0 ? spec : spec.slice(0, slash);
  const proto = (slash < 0 ? 'tcp' : spec.slice(slash + 1)).toLowerCase();
  if (!PROTOCOLS.has(proto)) throw new Error(`invalid proto: ${proto}`);
  const m = /^(\d+)(?:-(\d+))?$/.exec(portPart);
  if (!m) throw new Error(`invalid containerPort: ${portPart}`);
  const start = Number(m[1]);
  const end = m[2] === undefined ? start : Number(m[2]);
  if (start > 65535 || end > 65535) throw new Error(`invalid containerPort: ${portPart}`);
  if (end < start) throw new Error(`invalid range specified for container port: ${portPart}`);
  const out: string[] = [];
  for (let p = start; p <= end; p++) out.push(`${p}/${proto}`);
  return out;
}

/** Go's `filepath.Clean` for absolute slash paths. */
function cleanPath(p: string): string {
  const parts: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return '/' + parts.join('/');
}

const SIGNALS = new Set(['ABRT', 'ALRM', 'BUS', 'CHLD', 'CLD', 'CONT', 'FPE', 'HUP', 'ILL', 'INT', 'IO', 'IOT', 'KILL', 'PIPE', 'POLL', 'PROF', 'PWR', 'QUIT', 'SEGV', 'STKFLT', 'STOP', 'SYS', 'TERM', 'TRAP', 'TSTP', 'TTIN', 'TTOU', 'URG', 'USR1', 'USR2', 'VTALRM', 'WINCH', 'XCPU', 'XFSZ']);

function checkSignal(s: string): void {
  if (/^\d+$/.test(s)) {
    if (Number(s) >= 1 && Number(s) <= 64) return;
  } else {
    const name = s.toUpperCase().replace(/^SIG/, '');
    if (SIGNALS.has(name) || /^RTM(IN|AX)([+-]\d+)?$/.test(name)) return;
  }
  throw new Error(`Invalid signal: ${s}`);
}

const HANDLERS: Record<string, Handler> = {
  CMD(state, rest) {
    state.config.Cmd = commandOf('CMD', rest, state.config);
    state.cmdSet = true;
  },
  ENTRYPOINT(state, rest) {
    state.config.Entrypoint = commandOf('ENTRYPOINT', rest, state.config);
    if (!state.cmdSet) delete state.config.Cmd;
  },
  ENV(state, rest, lookup) {
    const env = [...(state.config.Env ?? [])];
    for (const [k, v] of nameValues('ENV', rest, lookup)) {
      const i = env.findIndex((e) => e.slice(0, e.indexOf('=')) === k);
      if (i >= 0) env[i] = `${k}=${v}`;
      else env.push(`${k}=${v}`);
    }
    state.config.Env = env;
  },
  EXPOSE(state, rest, lookup) {
    const words = rest.split(/\s+/).filter((w) => w !== '');
    if (words.length === 0) throw new Error('EXPOSE requires at least one argument');
    const ports = { ...(state.config.ExposedPorts ?? {}) };
    for (const w of words) for (const p of exposedPorts(processWord(w, lookup))) ports[p] = {};
    state.config.ExposedPorts = ports;
  },
  HEALTHCHECK(state, rest) {
    state.config.Healthcheck = parseHealthcheck(rest, parseCommandForm);
  },
  LABEL(state, rest, lookup) {
    const labels = { ...(state.config.Labels ?? {}) };
    for (const [k, v] of nameValues('LABEL', rest, lookup)) labels[k] = v;
    state.config.Labels = labels;
  },
  ONBUILD(state, rest) {
    const trigger = /^\S+/.exec(rest)?.[0].toUpperCase();
    if (!trigger) throw new Error('ONBUILD requires at least one argument');
    if (trigger === 'ONBUILD') throw new Error('Chaining ONBUILD via `ONBUILD ONBUILD` isn\'t allowed');
    if (trigger === 'FROM' || trigger === 'MAINTAINER') throw new Error(`${trigger} isn't allowed as an ONBUILD trigger`);
    state.config.OnBuild = [...(state.config.OnBuild ?? []), rest];
  },
  STOPSIGNAL(state, rest, lookup) {
    const sig = oneArgument('STOPSIGNAL', rest, lookup);
    checkSignal(sig);
    state.config.StopSignal = sig;
  },
  USER(state, rest, lookup) {
    state.config.User = oneArgument('USER', rest, lookup);
  },
  VOLUME(state, rest, lookup) {
    const form = parseCommandForm(rest);
    const list = form.json ?? rest.split(/\s+/).filter((w) => w !== '').map((w) => processWord(w, lookup));
    if (list.length === 0) throw new Error('VOLUME requires at least one argument');
    const volumes = { ...(state.config.Volumes ?? {}) };
    for (const v of list) {
      if (v.trim() === '') throw new Error('VOLUME specified can not be an empty string');
      volumes[v] = {};
    }
    state.config.Volumes = volumes;
  },
  WORKDIR(state, rest, lookup) {
    const dir = oneArgument('WORKDIR', rest, lookup);
    state.config.WorkingDir = dir.startsWith('/') ? cleanPath(dir) : cleanPath(`${state.config.WorkingDir || '/'}/${dir}`);
  },
};
