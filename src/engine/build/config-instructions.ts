/**
 * The Dockerfile instructions that change only an image's runtime config (no filesystem): CMD,
 * ENTRYPOINT, ENV, EXPOSE, HEALTHCHECK, LABEL, MAINTAINER, ONBUILD, SHELL, STOPSIGNAL, USER, VOLUME,
 * WORKDIR. One implementation serves `berth build` and `berth import -c` (docker's commit changes),
 * both reading instructions through the one Dockerfile parser. https://docs.docker.com/reference/dockerfile/
 */
import { expand, parseKeyValues, type EscapeChar, type Instruction } from '../../dockerfile/index';
import type { ContainerConfig } from '../oci/types';
import { parseHealthcheck } from './healthcheck';
import { cleanPath } from './dockerignore';

/** What the config instructions change, and the facts they depend on. */
export interface ConfigState {
  config: ContainerConfig;
  /** CMD was set in this stage (an ENTRYPOINT then keeps it; else it clears the base image's CMD). */
  cmdSet: boolean;
  /** MAINTAINER, for the image's `author`. */
  author?: string;
}

/** Looks a variable up: `undefined` means unset. */
export type Lookup = (name: string) => string | undefined;

/** The keywords this module handles. */
export const CONFIG_INSTRUCTIONS = ['CMD', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'HEALTHCHECK', 'LABEL', 'MAINTAINER', 'ONBUILD', 'SHELL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR'] as const;

const DEFAULT_SHELL = ['/bin/sh', '-c'];

/** A lookup over `KEY=value` entries (an image's Env). */
export function envLookup(env: readonly string[] | null | undefined): Lookup {
  const map = new Map<string, string>();
  for (const e of env ?? []) {
    const eq = e.indexOf('=');
    if (eq > 0) map.set(e.slice(0, eq), e.slice(eq + 1));
  }
  return (name) => map.get(name);
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

/** One word expanded; an expansion error (unset `${v:?msg}`, a bad substitution) is thrown. */
function word(raw: string, lookup: Lookup, escape: EscapeChar): string {
  const r = expand(raw, lookup, escape);
  if (r.problems.length) throw new Error(r.problems[0]!.message);
  return r.value;
}

function commandOf(inst: Instruction, config: ContainerConfig): string[] {
  if (inst.json) return inst.json;
  if (inst.argsText.trim() === '') throw new Error(`${inst.keyword} requires at least one argument`);
  return [...(config.Shell ?? DEFAULT_SHELL), inst.argsText];
}

/** `name=value` pairs, or the legacy `name value` form, expanded. */
function nameValues(inst: Instruction, lookup: Lookup, escape: EscapeChar): [string, string][] {
  if (inst.argsText.trim() === '') throw new Error(`${inst.keyword} requires at least one argument`);
  const { pairs, legacy, problems } = parseKeyValues(inst, escape);
  if (legacy && pairs[0]?.rawValue === undefined) throw new Error(`${inst.keyword} must have two arguments`);
  const missing = problems.find((p) => p.code === 'missing-equals');
  if (missing) throw new Error(`Syntax error - can't find = in "${inst.args.find((a) => !a.rawText.includes('='))?.rawText ?? inst.argsText}". Must be of the form: name=value`);
  return pairs.map((p) => {
    const key = word(p.rawKey, lookup, escape);
    if (key === '') throw new Error(`${inst.keyword} names can not be blank`);
    return [key, word(p.rawValue ?? '', lookup, escape)] as [string, string];
  });
}

function oneArgument(inst: Instruction, lookup: Lookup, escape: EscapeChar): string {
  if (inst.argsText.trim() === '') throw new Error(`${inst.keyword} requires exactly one argument`);
  return word(inst.argsText.trim(), lookup, escape);
}

const PROTOCOLS = new Set(['tcp', 'udp', 'sctp']);

/**
 * `80`, `80/udp`, `8000-8010/tcp` into config keys (`80/tcp`), as go-connections `nat.ParsePortSpecs`. A host
 * part (`8080:80`, `127.0.0.1:8080:80`) is accepted and dropped, as BuildKit does (its ExposeInvalidFormat check
 * warns about it): an image only records the container port.
 */
export function exposedPorts(spec: string): string[] {
  const slash = spec.lastIndexOf('/');
  const mapping = slash < 0 ? spec : spec.slice(0, slash);
  const portPart = mapping.slice(mapping.lastIndexOf(':') + 1);
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

/** Go's `filepath.Clean` for an absolute slash path. */
function cleanAbsolute(p: string): string {
  const clean = cleanPath(`/${p}`);
  return clean === '.' ? '/' : `/${clean}`;
}

const SIGNALS = new Set(['ABRT', 'ALRM', 'BUS', 'CHLD', 'CLD', 'CONT', 'FPE', 'HUP', 'ILL', 'INT', 'IO', 'IOT', 'KILL', 'PIPE', 'POLL', 'PROF', 'PWR', 'QUIT', 'SEGV', 'STKFLT', 'STOP', 'SYS', 'TERM', 'TRAP', 'TSTP', 'TTIN', 'TTOU', 'URG', 'USR1', 'USR2', 'VTALRM', 'WINCH', 'XCPU', 'XFSZ']);

/** Throws unless `s` is a signal name (`SIGTERM`, `TERM`, `RTMIN+3`) or number 1-64, as Docker checks STOPSIGNAL. */
export function checkSignal(s: string): void {
  if (/^\d+$/.test(s)) {
    if (Number(s) >= 1 && Number(s) <= 64) return;
  } else {
    const name = s.toUpperCase().replace(/^SIG/, '');
    if (SIGNALS.has(name) || /^RTM(IN|AX)([+-]\d+)?$/.test(name)) return;
  }
  throw new Error(`Invalid signal: ${s}`);
}

type Handler = (state: ConfigState, inst: Instruction, lookup: Lookup, escape: EscapeChar) => void;

const HANDLERS: Record<string, Handler> = {
  CMD(state, inst) {
    state.config.Cmd = commandOf(inst, state.config);
    state.cmdSet = true;
  },
  ENTRYPOINT(state, inst) {
    state.config.Entrypoint = commandOf(inst, state.config);
    if (!state.cmdSet) delete state.config.Cmd;
  },
  ENV(state, inst, lookup, escape) {
    const env = [...(state.config.Env ?? [])];
    for (const [k, v] of nameValues(inst, lookup, escape)) {
      const i = env.findIndex((e) => e.slice(0, e.indexOf('=')) === k);
      if (i >= 0) env[i] = `${k}=${v}`;
      else env.push(`${k}=${v}`);
    }
    state.config.Env = env;
  },
  EXPOSE(state, inst, lookup, escape) {
    if (inst.args.length === 0) throw new Error('EXPOSE requires at least one argument');
    const ports = { ...(state.config.ExposedPorts ?? {}) };
    for (const a of inst.args) for (const p of exposedPorts(word(a.rawText, lookup, escape))) ports[p] = {};
    state.config.ExposedPorts = ports;
  },
  HEALTHCHECK(state, inst) {
    state.config.Healthcheck = parseHealthcheck(inst.text.slice(inst.text.search(/\s|$/)).trim(), parseCommandForm);
  },
  LABEL(state, inst, lookup, escape) {
    const labels = { ...(state.config.Labels ?? {}) };
    for (const [k, v] of nameValues(inst, lookup, escape)) labels[k] = v;
    state.config.Labels = labels;
  },
  MAINTAINER(state, inst) {
    if (inst.argsText.trim() === '') throw new Error('MAINTAINER requires exactly one argument');
    state.author = inst.argsText.trim();
  },
  ONBUILD(state, inst) {
    const trigger = inst.onbuild?.keyword;
    if (!trigger) throw new Error('ONBUILD requires at least one argument');
    if (trigger === 'ONBUILD') throw new Error('Chaining ONBUILD via `ONBUILD ONBUILD` isn\'t allowed');
    if (trigger === 'FROM' || trigger === 'MAINTAINER') throw new Error(`${trigger} isn't allowed as an ONBUILD trigger`);
    state.config.OnBuild = [...(state.config.OnBuild ?? []), inst.onbuild!.text];
  },
  SHELL(state, inst) {
    if (!inst.json || inst.json.length === 0) throw new Error('SHELL requires the arguments to be in JSON form');
    state.config.Shell = inst.json;
  },
  STOPSIGNAL(state, inst, lookup, escape) {
    const sig = oneArgument(inst, lookup, escape);
    checkSignal(sig);
    state.config.StopSignal = sig;
  },
  USER(state, inst, lookup, escape) {
    state.config.User = oneArgument(inst, lookup, escape);
  },
  VOLUME(state, inst, lookup, escape) {
    const list = inst.json ?? inst.args.map((a) => word(a.rawText, lookup, escape));
    if (list.length === 0) throw new Error('VOLUME requires at least one argument');
    const volumes = { ...(state.config.Volumes ?? {}) };
    for (const v of list) {
      if (v.trim() === '') throw new Error('VOLUME specified can not be an empty string');
      volumes[v] = {};
    }
    state.config.Volumes = volumes;
  },
  WORKDIR(state, inst, lookup, escape) {
    const dir = oneArgument(inst, lookup, escape);
    state.config.WorkingDir = dir.startsWith('/') ? cleanAbsolute(dir) : cleanAbsolute(`${state.config.WorkingDir || '/'}/${dir}`);
  },
};

/** True when `keyword` is one of the config-only instructions. */
export function isConfigInstruction(keyword: string): boolean {
  return keyword in HANDLERS;
}

/**
 * Applies one config instruction to `state` (changing it in place). Variables are expanded with
 * `lookup` where the Dockerfile reference says they are. Throws an Error with Docker's wording when
 * the instruction is malformed; the caller adds where it came from.
 */
export function applyConfigInstruction(state: ConfigState, inst: Instruction, lookup: Lookup, escape: EscapeChar = '\\'): void {
  const handler = HANDLERS[inst.keyword];
  if (!handler) throw new Error(`${inst.keyword} does not change the image config`);
  handler(state, inst, lookup, escape);
}
