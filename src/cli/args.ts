/**
 * Command-line flags with the docker CLI's (pflag) rules: `--name value`, `--name=value`, `-n value`,
 * `-nvalue`, `-n=value`, grouped booleans `-aq`, `--bool=false`, repeated flags for lists, `--` ending
 * the flags, and flags between arguments.
 */

/** How a flag takes its value. */
export type FlagKind = 'bool' | 'string' | 'list' | 'int';

/** One flag a command accepts. */
export interface FlagSpec {
  name: string;
  short?: string;
  kind: FlagKind;
  /** The value's placeholder in help (`string`, `filter`, `list`). */
  valueName?: string;
  description: string;
  /** Default shown in help, and used when the flag is absent. */
  default?: string | boolean | number;
  /** Hidden from help (old spellings kept for compatibility). */
  hidden?: boolean;
}

/** Parsed flag values by flag name. */
export type FlagValues = Record<string, string | boolean | number | string[] | undefined>;

/** A command-line mistake; the CLI prints it with a pointer to --help and exits 125. */
export class UsageError extends Error {
  override name = 'UsageError';
}

function setValue(values: FlagValues, spec: FlagSpec, raw: string, shown: string): void {
  if (spec.kind === 'list') {
    const list = (values[spec.name] as string[] | undefined) ?? [];
    list.push(raw);
    values[spec.name] = list;
  } else if (spec.kind === 'int') {
    if (!/^-?\d+$/.test(raw)) throw new UsageError(`invalid argument "${raw}" for "${shown}" flag: strconv.ParseInt: parsing "${raw}": invalid syntax`);
    values[spec.name] = Number.parseInt(raw, 10);
  } else if (spec.kind === 'bool') {
    if (!['true', 'false', '1', '0', 't', 'f', 'TRUE', 'FALSE', 'True', 'False'].includes(raw)) {
      throw new UsageError(`invalid argument "${raw}" for "${shown}" flag: strconv.ParseBool: parsing "${raw}": invalid syntax`);
    }
    values[spec.name] = ['true', '1', 't', 'TRUE', 'True'].includes(raw);
  } else {
    values[spec.name] = raw;
  }
}

/** Parses `argv` against `specs`; stops at the first argument when `interspersed` is false. */
export function parseFlags(argv: string[], specs: FlagSpec[], interspersed = true): { values: FlagValues; args: string[] } {
  const values: FlagValues = {};
  for (const s of specs) if (s.default !== undefined) values[s.name] = s.default;
  const args: string[] = [];
  const long = new Map(specs.map((s) => [s.name, s]));
  const short = new Map(specs.filter((s) => s.short).map((s) => [s.short!, s]));
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      args.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--') && a.length > 2) {
      const eq = a.indexOf('=');
      const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
      const spec = long.get(name);
      if (!spec) throw new UsageError(`unknown flag: --${name}`);
      if (eq >= 0) setValue(values, spec, a.slice(eq + 1), `--${name}`);
      else if (spec.kind === 'bool') values[spec.name] = true;
      else if (i + 1 < argv.length) setValue(values, spec, argv[++i]!, `--${name}`);
      else throw new UsageError(`flag needs an argument: --${name}`);
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const c = a[j]!;
        const spec = short.get(c);
        if (!spec) throw new UsageError(`unknown shorthand flag: '${c}' in ${a}`);
        if (spec.kind === 'bool') {
          if (a[j + 1] === '=') {
            setValue(values, spec, a.slice(j + 2), `-${c}, --${spec.name}`);
            break;
          }
          values[spec.name] = true;
          continue;
        }
        const rest = a.slice(j + 1);
        if (rest.length) setValue(values, spec, rest.startsWith('=') ? rest.slice(1) : rest, `-${c}, --${spec.name}`);
        else if (i + 1 < argv.length) setValue(values, spec, argv[++i]!, `-${c}, --${spec.name}`);
        else throw new UsageError(`flag needs an argument: '${c}' in -${c}`);
        break;
      }
      continue;
    }
    args.push(a);
    if (!interspersed) {
      args.push(...argv.slice(i + 1));
      break;
    }
  }
  return { values, args };
}

/** The Options section of a command's help, aligned as the docker CLI prints it. */
export function formatFlagHelp(specs: FlagSpec[]): string {
  const rows = specs.filter((s) => !s.hidden).map((s) => {
    const left = `${s.short ? `-${s.short}, ` : '    '}--${s.name}${s.kind === 'bool' ? '' : ` ${s.valueName ?? (s.kind === 'list' ? 'list' : s.kind === 'int' ? 'int' : 'string')}`}`;
    const def = s.default !== undefined && s.default !== false && s.default !== '' ? ` (default ${s.kind === 'string' ? `"${s.default}"` : s.default})` : '';
    return [left, s.description + def] as const;
  });
  const width = Math.max(0, ...rows.map(([l]) => l.length)) + 3;
  return rows.map(([l, r]) => `  ${l.padEnd(width)}${r}`).join('\n');
}
