/**
 * Here-documents: finding `<<EOF`, `<<-EOF`, `<<"EOF"`, `3<<EOF` in an instruction line as BuildKit's
 * `heredocsFromLine` does (shell words of the line, each matched against `^(\d*)<<(-?)([^<]*)$`).
 * https://docs.docker.com/reference/dockerfile/#here-documents
 */
import { processShellWord } from './shell-word';

/** The instructions whose lines may carry here-documents (BuildKit's `heredocDirectives`). */
export const HEREDOC_INSTRUCTIONS: ReadonlySet<string> = new Set(['ADD', 'COPY', 'RUN']);

/** A heredoc opener found in a line, `[start, end)` in that line. */
export interface HeredocMarker {
  name: string;
  quoted: boolean;
  chomp: boolean;
  fileDescriptor: number;
  start: number;
  end: number;
}

/** A heredoc opener that cannot be read (e.g. `<<'EOF` inside otherwise balanced quotes). */
export interface HeredocMarkerProblem {
  message: string;
  start: number;
  end: number;
}

const noVariables = (): undefined => undefined;

function countQuotes(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) if (s[i] === '"' || s[i] === "'") n++;
  return n;
}

/** Reads one shell word as a heredoc opener (BuildKit's `ParseHeredoc`); undefined when it is not one. */
export function heredocMarkerOf(word: string): Omit<HeredocMarker, 'start' | 'end'> | { error: string } | undefined {
  let i = 0;
  while (i < word.length && word.charCodeAt(i) >= 48 && word.charCodeAt(i) <= 57) i++;
  const fdText = word.slice(0, i);
  if (!word.startsWith('<<', i)) return undefined;
  i += 2;
  const chomp = word[i] === '-';
  if (chomp) i++;
  const rest = word.slice(i);
  if (rest.length === 0 || rest.includes('<')) return undefined;
  const opts = { escape: '\\' as const, lookup: noVariables, keepUnset: true, words: true };
  const plain = processShellWord(rest, opts);
  if (plain.problems.length > 0) return { error: `failed to process "${rest}": ${plain.problems[0]!.message}` };
  if (plain.words.length !== 1) return undefined;
  const raw = processShellWord(rest, { ...opts, rawQuotes: true });
  if (raw.words.length !== 1) {
    return { error: `internal lexing of heredoc produced inconsistent results: ${rest}` };
  }
  const name = plain.words[0]!.text;
  const fd = fdText === '' ? 0 : Number(fdText);
  return {
    name,
    quoted: countQuotes(name) !== countQuotes(raw.words[0]!.text),
    chomp,
    fileDescriptor: Number.isSafeInteger(fd) ? fd : 0,
  };
}

/** The heredoc openers of an instruction line (the whole line, keyword included), in order. */
export function heredocMarkers(line: string): { markers: HeredocMarker[]; problems: HeredocMarkerProblem[] } {
  const markers: HeredocMarker[] = [];
  const problems: HeredocMarkerProblem[] = [];
  if (!line.includes('<<')) return { markers, problems };
  const words = processShellWord(line, {
    escape: '\\',
    lookup: noVariables,
    keepUnset: true,
    rawQuotes: true,
    rawEscapes: true,
    words: true,
  });
  if (words.problems.length > 0) return { markers, problems };
  for (const w of words.words) {
    const m = heredocMarkerOf(w.text);
    if (m === undefined) continue;
    if ('error' in m) problems.push({ message: m.error, start: w.start, end: w.end });
    else markers.push({ ...m, start: w.start, end: w.end });
  }
  return { markers, problems };
}

/** Removes the leading tabs of every line, as `<<-` asks (BuildKit's `ChompHeredocContent`). */
export function chompHeredocContent(content: string): string {
  let out = '';
  let atLineStart = true;
  let run = 0;
  for (let i = 0; i < content.length; i++) {
    const c = content.charCodeAt(i);
    if (atLineStart && c === 9) {
      out += content.slice(run, i);
      run = i + 1;
      continue;
    }
    atLineStart = c === 10;
  }
  return out + content.slice(run);
}
