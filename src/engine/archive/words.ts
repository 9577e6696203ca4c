/**
 * The Dockerfile word rules that `--change` lines need: splitting `ENV a="x y" b=z` into words as
 * the Dockerfile parser does (buildkit `parseWords`), and processing one word as its shell lexer does
 * (quotes removed, `$VAR`, `${VAR}`, `${VAR:-default}` and `${VAR:+alternative}` expanded).
 * https://docs.docker.com/reference/dockerfile/#environment-replacement
 */

const ESCAPE = '\\';

/** Splits on whitespace outside quotes; quotes and escapes stay in the words (they are processed later). */
export function splitWords(rest: string): string[] {
  const words: string[] = [];
  let word = '';
  let quote = '';
  let inWord = false;
  for (let i = 0; i < rest.length; i++) {
    const ch = rest[i]!;
    if (!inWord) {
      if (/\s/.test(ch)) continue;
      inWord = true;
    }
    if (quote === '' && /\s/.test(ch)) {
      words.push(word);
      word = '';
      inWord = false;
      continue;
    }
    if (ch === ESCAPE && quote !== "'" && i + 1 < rest.length) {
      word += ch + rest[i + 1];
      i++;
      continue;
    }
    if (quote === '' && (ch === '"' || ch === "'")) quote = ch;
    else if (ch === quote) quote = '';
    word += ch;
  }
  if (inWord) words.push(word);
  return words;
}

/** Looks a variable up; undefined when it is not set. */
export type Lookup = (name: string) => string | undefined;

/** Processes one word: removes quotes, applies escapes, expands variables. Throws a plain Error on bad syntax. */
export function processWord(word: string, lookup: Lookup): string {
  let out = '';
  let i = 0;
  while (i < word.length) {
    const ch = word[i]!;
    if (ch === "'") {
      const end = word.indexOf("'", i + 1);
      if (end < 0) throw new Error('unexpected end of statement while looking for matching single-quote');
      out += word.slice(i + 1, end);
      i = end + 1;
    } else if (ch === '"') {
      const r = doubleQuoted(word, i + 1, lookup);
      out += r.text;
      i = r.next;
    } else if (ch === ESCAPE) {
      out += word[i + 1] ?? '';
      i += 2;
    } else if (ch === '$') {
      const r = dollar(word, i + 1, lookup);
      out += r.text;
      i = r.next;
    } else {
      out += ch;
      i++;
    }
  }
  return out;
}

interface Piece {
  text: string;
  next: number;
}

function doubleQuoted(word: string, start: number, lookup: Lookup): Piece {
  let text = '';
  let i = start;
  while (i < word.length) {
    const ch = word[i]!;
    if (ch === '"') return { text, next: i + 1 };
    if (ch === '$') {
      const r = dollar(word, i + 1, lookup);
      text += r.text;
      i = r.next;
    } else if (ch === ESCAPE && i + 1 < word.length && '"$\\'.includes(word[i + 1]!)) {
      text += word[i + 1];
      i += 2;
    } else {
      text += ch;
      i++;
    }
  }
  throw new Error('unexpected end of statement while looking for matching double-quote');
}

const NAME_CHAR = /[A-Za-z0-9_]/;

function dollar(word: string, start: number, lookup: Lookup): Piece {
  if (word[start] === '{') return braced(word, start + 1, lookup);
  let end = start;
  while (end < word.length && NAME_CHAR.test(word[end]!)) end++;
  if (end === start) return { text: '$', next: start };
  return { text: lookup(word.slice(start, end)) ?? '', next: end };
}

function braced(word: string, start: number, lookup: Lookup): Piece {
  const close = word.indexOf('}', start);
  if (close < 0) throw new Error(`missing '}' in "${word}"`);
  const body = word.slice(start, close);
  const m = /^([A-Za-z0-9_]+)(?::([-+?])(.*))?$/s.exec(body);
  if (!m) throw new Error(`bad substitution: \${${body}}`);
  const value = lookup(m[1]!);
  const set = value !== undefined && value !== '';
  const arg = m[3] !== undefined ? processWord(m[3], lookup) : '';
  switch (m[2]) {
    case '-':
      return { text: set ? value! : arg, next: close + 1 };
    case '+':
      return { text: set ? arg : '', next: close + 1 };
    case '?':
      if (!set) throw new Error(`${m[1]}: ${arg || 'is not allowed to be unset'}`);
      return { text: value!, next: close + 1 };
    default:
      return { text: value ?? '', next: close + 1 };
  }
}

/** A lookup over a config's `Env` list (`KEY=value`; the last one of a key wins). */
export function envLookup(env: readonly string[] | null | undefined): Lookup {
  const map = new Map<string, string>();
  for (const kv of env ?? []) {
    const eq = kv.indexOf('=');
    if (eq > 0) map.set(kv.slice(0, eq), kv.slice(eq + 1));
  }
  return (name) => map.get(name);
}
