/**
 * Checks of single commands in RUN: sudo, cd where WORKDIR belongs, pip's download cache, and two
 * download tools in one stage. https://docs.docker.com/build/building/best-practices/
 */
import { variablesAt, type VisibleVariable } from '../../arg-scope';
import type { Rule } from '../types';
import { commandName, optionsMayHide, type CommandCall } from './command-call';
import { mountTargets, runSites, type LocatedCall, type RunSite } from './run-site';
import type { ShellWord } from './script';

/** `sudo` running a command in RUN. */
export const sudoInRun: Rule = {
  code: 'SudoInRun',
  defaultSeverity: 'warning',
  description: 'sudo in RUN: RUN already runs as the USER; switch with USER root instead.',
  check(ctx, report) {
    for (const site of runSites(ctx.ast)) {
      for (const { call, script } of site.calls) {
        const sudo = [...call.wrappers, call.name].find((w) => commandName(w) === 'sudo' && !w.expands);
        if (!sudo) continue;
        report({
          message: 'RUN already runs as the current USER, and sudo may be missing or ask for a password: put "USER root" before this RUN (and switch back after) instead of sudo.',
          range: script.rangeOf(sudo.start, sudo.end),
        });
      }
    }
  },
};

/** The `cd` that starts a script, when its target is a plain path. */
function leadingCd(site: RunSite): { cd: LocatedCall; alone: boolean } | undefined {
  for (const script of site.scripts) {
    if (script.source === 'exec') continue;
    const first = script.script.commands[0];
    const located = site.calls.find((c) => c.command === first);
    if (!first || !located || first.after || commandName(located.call.name) !== 'cd' || located.call.name.quoted) continue;
    const args = located.call.args;
    if (args.length !== 1 || args[0]!.expands || args[0]!.value.startsWith('-')) continue;
    return { cd: located, alone: script.script.commands.length === 1 };
  }
  return undefined;
}

/** A RUN that starts with `cd /path`. */
export const cdInsteadOfWorkdir: Rule = {
  code: 'CdInsteadOfWorkdir',
  defaultSeverity: 'information',
  description: 'A RUN that starts with cd: WORKDIR sets the directory for the instructions that follow.',
  check(ctx, report) {
    for (const site of runSites(ctx.ast)) {
      const found = leadingCd(site);
      if (!found) continue;
      const { call, script } = found.cd;
      const path = call.args[0]!.value;
      report({
        message: found.alone
          ? `"cd" alone has no effect: every RUN starts in the WORKDIR. Use "WORKDIR ${path}".`
          : `"cd" lasts only for this RUN; use "WORKDIR ${path}" to set the directory of the instructions that follow.`,
        range: script.rangeOf(call.name.start, call.name.end),
      });
    }
  },
};

/** The `install` word of `pip install` or `python -m pip install`, and pip's own arguments. */
function pipInstall(call: CommandCall): { install: ShellWord; args: ShellWord[] } | undefined {
  const name = commandName(call.name);
  let args = call.args;
  if (/^python[\d.]*$/.test(name)) {
    const m = args.findIndex((a) => a.value === '-m');
    if (m < 0 || !/^pip[\d.]*$/.test(args[m + 1]?.value ?? '')) return undefined;
    args = args.slice(m + 2);
  } else if (!/^pip[\d.]*$/.test(name)) return undefined;
  const install = args.find((a) => !a.value.startsWith('-'));
  return install?.value === 'install' && !install.expands ? { install, args } : undefined;
}

/**
 * pip's cache is off or wanted: PIP_NO_CACHE_DIR set by ENV or ARG (only ENV reaches the build an ONBUILD
 * runs in) or by the commands, or a cache mount that is there to keep it.
 */
function pipCacheConfigured(site: RunSite, visible: ReadonlyMap<string, VisibleVariable>): boolean {
  const variable = visible.get('PIP_NO_CACHE_DIR');
  if ((variable && (!site.onbuild || variable.kind === 'env')) || site.config.pipNoCacheDir) return true;
  return mountTargets(site.instruction, ['cache']).length > 0;
}

/** `pip install` without `--no-cache-dir`. */
export const pipMissingNoCacheDir: Rule = {
  code: 'PipMissingNoCacheDir',
  defaultSeverity: 'warning',
  description: "pip install without --no-cache-dir keeps pip's download cache in the image.",
  check(ctx, report) {
    for (const site of runSites(ctx.ast)) {
      let configured: boolean | undefined;
      for (const { call, script } of site.calls) {
        const pip = pipInstall(call);
        if (!pip || pip.args.some((a) => /^--(no-)?cache-dir/.test(a.value)) || optionsMayHide(pip.args, pip.install)) continue;
        // the variables in scope are looked up only for a RUN that has such a pip install
        configured ??= pipCacheConfigured(site, variablesAt(ctx.scope, site.owner));
        if (configured) break;
        report({
          message: `pip keeps the packages it downloads in a cache that stays in the image: add --no-cache-dir ("pip install --no-cache-dir ...") or set ENV PIP_NO_CACHE_DIR=1.`,
          range: script.rangeOf(pip.install.start, pip.install.end),
          fixes: [{ title: 'Add --no-cache-dir', edits: [script.insertAfter(pip.install, '--no-cache-dir')], preferred: true }],
        });
      }
    }
  },
};

const DOWNLOADERS = new Set(['curl', 'wget']);

/** Both curl and wget in one stage. */
export const curlAndWget: Rule = {
  code: 'CurlAndWget',
  defaultSeverity: 'information',
  description: 'A stage that uses both curl and wget: one download tool is enough.',
  check(ctx, report) {
    const firstUse = new Map<string, LocatedCall>();
    for (const site of runSites(ctx.ast)) {
      if (site.onbuild) continue;
      for (const located of site.calls) {
        const tool = commandName(located.call.name);
        if (!DOWNLOADERS.has(tool) || located.call.name.expands) continue;
        const key = `${site.stage.index}:${tool}`;
        if (firstUse.has(key)) continue;
        firstUse.set(key, located);
        const other = firstUse.get(`${site.stage.index}:${tool === 'curl' ? 'wget' : 'curl'}`);
        if (!other) continue;
        const otherLine = other.script.rangeOf(other.call.name.start, other.call.name.end).start.line + 1;
        report({
          message: `This stage already uses ${commandName(other.call.name)} (line ${otherLine}); use one download tool, not both, so that the image needs only one.`,
          range: located.script.rangeOf(located.call.name.start, located.call.name.end),
        });
      }
    }
  },
};

/** The rules of single commands, in the order they run. */
export const COMMAND_RULES: readonly Rule[] = [sudoInRun, cdInsteadOfWorkdir, pipMissingNoCacheDir, curlAndWget];
