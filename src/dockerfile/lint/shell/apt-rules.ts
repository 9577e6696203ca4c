/**
 * Checks of apt-get in RUN: answering its prompts, recommended packages, package lists that go stale in
 * the layer cache or stay in the image, and `apt` (made for people) in scripts.
 * https://docs.docker.com/build/building/best-practices/#apt-get
 */
import type { Rule } from '../types';
import type { Stage } from '../../ast';
import { parentStage } from '../facts';
import { commandName, optionsMayHide, type CommandCall } from './command-call';
import { mountTargets, runSites, type LocatedCall, type RunSite } from './run-site';
import type { ShellWord } from './script';

/** An apt call and its subcommand. */
interface AptCall {
  tool: string;
  subcommand: ShellWord;
  located: LocatedCall;
}

const APT_TOOLS = new Set(['apt-get', 'apt']);
/** Options of apt-get that take the next word as their value. */
const VALUED_OPTIONS = new Set(['-o', '-c', '-t', '--option', '--config-file', '--target-release', '--default-release']);
/** Subcommands that ask "Do you want to continue? [Y/n]". */
const PROMPTING = new Set(['install', 'reinstall', 'upgrade', 'dist-upgrade', 'full-upgrade', 'remove', 'purge', 'autoremove', 'autopurge', 'build-dep', 'satisfy']);
/** Subcommands that read the package lists to install something. */
const INSTALLING = new Set(['install', 'reinstall', 'upgrade', 'dist-upgrade', 'full-upgrade', 'build-dep', 'satisfy', 'source', 'download']);
/** Subcommands that apt-get has too, so `apt X` can become `apt-get X`. */
const APT_GET_SUBCOMMANDS = new Set([...PROMPTING, 'update', 'clean', 'autoclean', 'source', 'download', 'check']);
/** Other commands that install Debian packages from the lists. */
const OTHER_INSTALLERS = new Set(['aptitude', 'apt-fast', 'install_packages']);

function subcommandOf(call: CommandCall): ShellWord | undefined {
  const args = call.args;
  for (let i = 0; i < args.length; i++) {
    const value = args[i]!.value;
    if (!value.startsWith('-')) return args[i];
    if (VALUED_OPTIONS.has(value)) i++;
  }
  return undefined;
}

function aptCalls(site: RunSite): AptCall[] {
  const calls: AptCall[] = [];
  for (const located of site.calls) {
    const tool = commandName(located.call.name);
    const subcommand = APT_TOOLS.has(tool) ? subcommandOf(located.call) : undefined;
    if (subcommand && !subcommand.expands) calls.push({ tool, subcommand, located });
  }
  return calls;
}

function mayHoldOptions(apt: AptCall): boolean {
  return optionsMayHide(apt.located.call.args, apt.subcommand);
}

/** `-y`, `--yes`, `--assume-yes`, `-qq`, `-q=2`, or a group of short options with `y` in it. */
function answersYes(args: readonly ShellWord[]): boolean {
  return args.some((a) => {
    const v = a.value;
    if (['--yes', '--assume-yes', '-q=2', '--quiet=2'].includes(v)) return true;
    return /^-[a-zA-Z]+$/.test(v) && (v.includes('y') || (v.match(/q/g)?.length ?? 0) >= 2);
  });
}

function eachApt(site: RunSite, subcommands: ReadonlySet<string>, fn: (apt: AptCall) => void): void {
  for (const apt of aptCalls(site)) if (subcommands.has(apt.subcommand.value)) fn(apt);
}

/** `apt-get install` without `-y`. */
export const aptGetMissingYes: Rule = {
  code: 'AptGetMissingYes',
  defaultSeverity: 'warning',
  description: 'apt-get install (and other subcommands that ask for confirmation) without -y.',
  check(ctx, report) {
    for (const site of runSites(ctx.ast)) {
      if (site.config.aptAssumeYes) continue;
      eachApt(site, PROMPTING, (apt) => {
        if (answersYes(apt.located.call.args) || mayHoldOptions(apt)) return;
        const { subcommand, located } = apt;
        report({
          message: `"${apt.tool} ${subcommand.value}" asks for confirmation and a build cannot answer: add -y (${apt.tool} ${subcommand.value} -y ...).`,
          range: located.script.rangeOf(subcommand.start, subcommand.end),
          fixes: [{ title: 'Add -y', edits: [located.script.insertAfter(subcommand, '-y')], preferred: true }],
        });
      });
    }
  },
};

/** `apt-get install` without `--no-install-recommends`. */
export const aptGetInstallRecommends: Rule = {
  code: 'AptGetInstallRecommends',
  defaultSeverity: 'information',
  description: 'apt-get install without --no-install-recommends installs recommended packages too.',
  check(ctx, report) {
    for (const site of runSites(ctx.ast)) {
      if (site.config.aptInstallRecommends) continue;
      eachApt(site, new Set(['install']), (apt) => {
        if (apt.located.call.args.some((a) => a.value === '--no-install-recommends') || mayHoldOptions(apt)) return;
        const { subcommand, located } = apt;
        report({
          message: `"${apt.tool} install" also installs the packages recommended by those named; add --no-install-recommends to keep the image small.`,
          range: located.script.rangeOf(subcommand.start, subcommand.end),
          fixes: [{ title: 'Add --no-install-recommends', edits: [located.script.insertAfter(subcommand, '--no-install-recommends')] }],
        });
      });
    }
  },
};

function installsPackages(site: RunSite): boolean {
  if (aptCalls(site).some((apt) => INSTALLING.has(apt.subcommand.value))) return true;
  return site.calls.some((c) => OTHER_INSTALLERS.has(commandName(c.call.name)));
}

/** `apt-get update` in a RUN that installs nothing. */
export const aptGetUpdateAlone: Rule = {
  code: 'AptGetUpdateAlone',
  defaultSeverity: 'warning',
  description: 'apt-get update in a RUN without apt-get install: the cached layer keeps stale package lists.',
  check(ctx, report) {
    for (const site of runSites(ctx.ast)) {
      const update = aptCalls(site).find((apt) => apt.subcommand.value === 'update');
      if (!update || installsPackages(site)) continue;
      const { subcommand, located } = update;
      report({
        message: `"${update.tool} update" in a RUN of its own is cached as a layer, so a later install uses stale package lists (and fails once the mirror moves on): run it in the same RUN as the install (${update.tool} update && ${update.tool} install -y ...).`,
        range: located.script.rangeOf(subcommand.start, subcommand.end),
      });
    }
  },
};

function removesLists(located: LocatedCall): boolean {
  const { call } = located;
  const name = commandName(call.name);
  const listsArg = call.args.some((a) => a.value.startsWith('/var/lib/apt/lists'));
  if (name === 'rm' || name === 'find') return listsArg;
  return APT_TOOLS.has(name) && call.args.some((a) => a.value === 'distclean' || a.value === 'dist-clean');
}

function listsMounted(site: RunSite): boolean {
  const targets = mountTargets(site.instruction, ['cache', 'tmpfs']).map((t) => t.replace(/\/+$/, ''));
  return targets.some((t) => t === '/var/lib/apt' || t === '/var/lib/apt/lists');
}

/** apt-get install without removing `/var/lib/apt/lists/*` afterwards in the same RUN. */
export const aptListsNotRemoved: Rule = {
  code: 'AptListsNotRemoved',
  defaultSeverity: 'information',
  description: 'apt-get install without rm -rf /var/lib/apt/lists/* in the same RUN leaves the package lists in the built image.',
  check(ctx, report) {
    // only the layers of the built image matter: the last stage and the stages it is built FROM (a
    // builder stage that is only copied from leaves its package lists behind)
    const shipped = new Set<number>();
    for (let s: Stage | undefined = ctx.ast.stages[ctx.ast.stages.length - 1]; s && !shipped.has(s.index); s = parentStage(ctx, s)) shipped.add(s.index);
    for (const site of runSites(ctx.ast)) {
      if (!site.onbuild && !shipped.has(site.stage.index)) continue;
      const installs = aptCalls(site).filter((apt) => apt.subcommand.value === 'install');
      const last = installs[installs.length - 1];
      if (!last || listsMounted(site)) continue;
      const after = site.calls.slice(site.calls.indexOf(last.located) + 1);
      if (after.some(removesLists)) continue;
      const { subcommand, located } = last;
      report({
        message: `The package lists stay in this layer: end the RUN with "&& rm -rf /var/lib/apt/lists/*" after "${last.tool} install".`,
        range: located.script.rangeOf(located.call.name.start, subcommand.end),
      });
    }
  },
};

/** `apt` in a RUN, where `apt-get` is the stable interface. */
export const aptInsteadOfAptGet: Rule = {
  code: 'AptInsteadOfAptGet',
  defaultSeverity: 'warning',
  description: 'apt in RUN: its command line is not stable for scripts; use apt-get.',
  check(ctx, report) {
    for (const site of runSites(ctx.ast)) {
      for (const apt of aptCalls(site)) {
        if (apt.tool !== 'apt' || !APT_GET_SUBCOMMANDS.has(apt.subcommand.value)) continue;
        const { name } = apt.located.call;
        report({
          message: '"apt" is made for people at a terminal and warns that its command line may change; use "apt-get" in a Dockerfile.',
          range: apt.located.script.rangeOf(name.start, name.end),
          fixes: [{ title: 'Use apt-get', edits: [apt.located.script.replace(name, `${name.value}-get`)], preferred: true }],
        });
      }
    }
  },
};

/** The apt rules, in the order they run. */
export const APT_RULES: readonly Rule[] = [aptGetMissingYes, aptGetInstallRecommends, aptGetUpdateAlone, aptListsNotRemoved, aptInsteadOfAptGet];
