/**
 * Every RUN of a Dockerfile with what its checks need to know: the stage it is in, the SHELL in effect
 * (inherited from the stage it is built FROM), whether the stage looks like a Windows image (whose
 * default shell is `cmd`), the text of the commands before it that may have configured apt or pip, and
 * its scripts cut into command calls. Computed once per parse tree.
 * https://docs.docker.com/reference/dockerfile/#shell
 */
import { argScope } from '../../arg-scope';
import type { DockerfileAst, Heredoc, Instruction, Stage } from '../../ast';
import { callOf, type CommandCall } from './command-call';
import { runScripts, type RunScript } from './run-script';
import type { SimpleCommand } from './script';

/** A command call of a RUN and the script it is in. */
export interface LocatedCall {
  call: CommandCall;
  command: SimpleCommand;
  script: RunScript;
}

/**
 * Settings that earlier commands may have written (an apt.conf.d file, `pip config`, an exported
 * variable), found in the text of RUN commands and COPY/ADD here-documents, so that checks stay quiet.
 */
export interface ToolConfig {
  /** `APT::Get::Assume-Yes` */
  aptAssumeYes: boolean;
  /** `APT::Install-Recommends` */
  aptInstallRecommends: boolean;
  /** `PIP_NO_CACHE_DIR`, `no-cache-dir = ...` in a pip.conf, `pip config set global.no-cache-dir` */
  pipNoCacheDir: boolean;
}

const NO_CONFIG: ToolConfig = { aptAssumeYes: false, aptInstallRecommends: false, pipNoCacheDir: false };

/** Every setting `configIn` looks for has one of these in it: most texts are passed over in one scan. */
const MAY_CONFIGURE = /APT::|cache[-_]dir/i;

function configIn(text: string, before: ToolConfig): ToolConfig {
  if (!MAY_CONFIGURE.test(text)) return before;
  return {
    aptAssumeYes: before.aptAssumeYes || /APT::Get::Assume-Yes/i.test(text),
    aptInstallRecommends: before.aptInstallRecommends || /APT::Install-Recommends/i.test(text),
    pipNoCacheDir: before.pipNoCacheDir || /PIP_NO_CACHE_DIR|no[-_]cache[-_]dir\s*=|global\.no-cache-dir/i.test(text),
  };
}

/** A RUN instruction in its context. */
export interface RunSite {
  /** The RUN, or the RUN an ONBUILD triggers. */
  instruction: Instruction;
  /** The instruction of the stage: the RUN itself, or the ONBUILD. */
  owner: Instruction;
  /** Its here-documents (an ONBUILD holds those of its trigger). */
  heredocs: readonly Heredoc[];
  /** Set for the trigger of an ONBUILD, which runs in another build. */
  onbuild: boolean;
  stage: Stage;
  /** The SHELL in effect, e.g. `["/bin/sh", "-c"]` (`["cmd", "/S", "/C"]` by default on Windows). */
  shell: readonly string[];
  /** The stage looks like a Windows image (`# escape=\``, a windows/servercore/nanoserver base). */
  windows: boolean;
  /** What the commands and files of the stage (and the stages it is built FROM) set up to this RUN, itself included. */
  config: ToolConfig;
  scripts: RunScript[];
  /** The command calls of all scripts, in order. */
  calls: LocatedCall[];
}

const POSIX_SHELL = ['/bin/sh', '-c'];
const WINDOWS_SHELL = ['cmd', '/S', '/C'];
const WINDOWS_IMAGE = /windows|servercore|nanoserver/i;

interface StageState {
  shell: readonly string[];
  windows: boolean;
  config: ToolConfig;
}

/** The instructions whose text (and here-documents) may configure apt or pip for the commands after them. */
const CONFIGURING = new Set(['RUN', 'COPY', 'ADD']);

function instructionText(instruction: Instruction, heredocs: readonly Heredoc[]): string {
  if (heredocs.length === 0) return instruction.argsText;
  return [instruction.argsText, ...heredocs.map((h) => h.content)].join('\n');
}

/** The site of a RUN, or of an ONBUILD's RUN; `state` is the stage's up to this instruction, a RUN's own text included. */
function siteOf(owner: Instruction, stage: Stage, state: StageState): RunSite {
  const onbuild = owner.keyword === 'ONBUILD';
  const instruction = onbuild ? owner.onbuild! : owner;
  const heredocs = owner.heredocs;
  const scripts = runScripts(instruction, heredocs);
  const calls: LocatedCall[] = [];
  for (const script of scripts) {
    for (const command of script.script.commands) {
      const call = callOf(command);
      if (call) calls.push({ call, command, script });
    }
  }
  // a RUN's own text is in `state` already; an ONBUILD's trigger configures only the build it runs in
  const config = onbuild ? configIn(instructionText(instruction, heredocs), state.config) : state.config;
  return { instruction, owner, heredocs, onbuild, stage, ...state, config, scripts, calls };
}

function initialState(ast: DockerfileAst, stage: Stage, finals: readonly StageState[]): StageState {
  const parent = argScope(ast).stages[stage.index]?.parent;
  if (parent !== undefined) return finals[parent]!;
  const windows = ast.escapeChar === '`' || WINDOWS_IMAGE.test(stage.image);
  return { shell: windows ? WINDOWS_SHELL : POSIX_SHELL, windows, config: NO_CONFIG };
}

function collectSites(ast: DockerfileAst): RunSite[] {
  const sites: RunSite[] = [];
  const finals: StageState[] = [];
  for (const stage of ast.stages) {
    let state = initialState(ast, stage, finals);
    for (const instruction of stage.instructions) {
      if (CONFIGURING.has(instruction.keyword)) {
        const config = configIn(instructionText(instruction, instruction.heredocs), state.config);
        if (config !== state.config) state = { ...state, config };
      }
      const trigger = instruction.keyword === 'ONBUILD' ? instruction.onbuild : undefined;
      if (instruction.keyword === 'RUN' || trigger?.keyword === 'RUN') sites.push(siteOf(instruction, stage, state));
      if (instruction.keyword === 'SHELL' && instruction.json && instruction.json.length > 0) {
        state = { ...state, shell: instruction.json };
      }
    }
    finals.push(state);
  }
  return sites;
}

const cache = new WeakMap<DockerfileAst, RunSite[]>();

/** The RUN instructions of the stages (ONBUILD triggers included), in document order. */
export function runSites(ast: DockerfileAst): RunSite[] {
  let sites = cache.get(ast);
  if (!sites) {
    sites = collectSites(ast);
    cache.set(ast, sites);
  }
  return sites;
}

function mountFields(value: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const field of value.split(',')) {
    const eq = field.indexOf('=');
    if (eq < 0) fields.set(field.toLowerCase(), 'true');
    else fields.set(field.slice(0, eq).toLowerCase(), field.slice(eq + 1));
  }
  return fields;
}

/** The targets of the RUN's `--mount` flags of the given types (`cache`, `tmpfs`...). */
export function mountTargets(instruction: Instruction, types: readonly string[]): string[] {
  const targets: string[] = [];
  for (const flag of instruction.flags) {
    if (flag.name !== 'mount' || flag.value === undefined) continue;
    const fields = mountFields(flag.value);
    const target = fields.get('target') ?? fields.get('dst') ?? fields.get('destination');
    if (target !== undefined && types.includes(fields.get('type') ?? 'bind')) targets.push(target);
  }
  return targets;
}
