/**
 * The `key=value` pairs of ENV, LABEL and ARG, with the legacy `ENV key value` form, cut as BuildKit's
 * `parseNameVal` and `parseNameOrNameVal` cut them. https://docs.docker.com/reference/dockerfile/#env
 * https://docs.docker.com/reference/dockerfile/#label https://docs.docker.com/reference/dockerfile/#arg
 */
import type { EscapeChar, Instruction, ParseProblem } from './ast';
import { argsRange } from './args-position';
import { isSplitSpace } from './chars';
import { unquote } from './expand';
import { sharedPosition, type Range } from './position';

/** One pair. */
export interface KeyValue {
  /** Quotes removed, not expanded. */
  key: string;
  rawKey: string;
  keyRange: Range;
  /** Quotes removed, not expanded; absent for `ARG name` without a default (and a legacy ENV without value). */
  value?: string;
  rawValue?: string;
  valueRange?: Range;
  range: Range;
}

/** The pairs of one instruction and what is wrong with them. */
export interface KeyValues {
  pairs: KeyValue[];
  /** `ENV key value` (one pair, the value being the rest of the line). */
  legacy: boolean;
  problems: ParseProblem[];
}

/** `range`, or `same` when it spans the same places; else `range` sharing the positions it has in common with `same`. */
function sharedRange(range: Range, same: Range | undefined): Range {
  if (!same) return range;
  const start = sharedPosition(range.start, same.start);
  const end = sharedPosition(range.end, same.end);
  return start === same.start && end === same.end ? same : { start, end };
}

/** A pair at `k` (and `v`) of the arguments; `word` is the range of the word it was cut from, if any. */
function pair(instruction: Instruction, escape: EscapeChar, k: [number, number], v?: [number, number], word?: Range): KeyValue {
  const text = instruction.argsText;
  const rawKey = text.slice(k[0], k[1]);
  const range = sharedRange(argsRange(instruction, k[0], v ? v[1] : k[1]), word);
  const kv: KeyValue = {
    key: unquote(rawKey, escape),
    rawKey,
    keyRange: sharedRange(argsRange(instruction, k[0], k[1]), range),
    range,
  };
  if (v) {
    kv.rawValue = text.slice(v[0], v[1]);
    kv.value = unquote(kv.rawValue, escape);
    kv.valueRange = sharedRange(argsRange(instruction, v[0], v[1]), range);
  }
  return kv;
}

function legacyPair(instruction: Instruction, escape: EscapeChar): KeyValues {
  const text = instruction.argsText;
  let i = 0;
  while (i < text.length && !isSplitSpace(text.charCodeAt(i))) i++;
  if (i === text.length) {
    const problem: ParseProblem = {
      range: instruction.argsRange,
      message: `${instruction.keyword} must have two arguments`,
      code: 'missing-value',
    };
    return { pairs: [pair(instruction, escape, [0, i])], legacy: true, problems: [problem] };
  }
  let j = i;
  while (j < text.length && isSplitSpace(text.charCodeAt(j))) j++;
  return { pairs: [pair(instruction, escape, [0, i], [j, text.length])], legacy: true, problems: [] };
}

/**
 * The pairs of an ENV, LABEL or ARG instruction (`escapeChar` is the file's, `DockerfileAst.escapeChar`).
 * Any other instruction is read as ENV is.
 */
export function parseKeyValues(instruction: Instruction, escapeChar: EscapeChar = '\\'): KeyValues {
  // the parser, the builder and several checks ask for the same instruction's pairs: read them once
  const memo = pairsMemo.get(instruction);
  if (memo && memo.escape === escapeChar) return memo.result;
  const result = readKeyValues(instruction, escapeChar);
  pairsMemo.set(instruction, { escape: escapeChar, result });
  return result;
}

const pairsMemo = new WeakMap<Instruction, { escape: EscapeChar; result: KeyValues }>();

function readKeyValues(instruction: Instruction, escapeChar: EscapeChar): KeyValues {
  const words = instruction.json ? [] : instruction.args;
  const isArg = instruction.keyword === 'ARG';
  if (words.length === 0) return { pairs: [], legacy: false, problems: [] };
  if (!isArg && !words[0]!.rawText.includes('=')) return legacyPair(instruction, escapeChar);
  const pairs: KeyValue[] = [];
  const problems: ParseProblem[] = [];
  for (const w of words) {
    const eq = w.rawText.indexOf('=');
    if (eq >= 0) pairs.push(pair(instruction, escapeChar, [w.start, w.start + eq], [w.start + eq + 1, w.end], w.range));
    else if (isArg) pairs.push(pair(instruction, escapeChar, [w.start, w.end], undefined, w.range));
    else {
      problems.push({
        range: w.range,
        message: `Syntax error - can't find = in ${JSON.stringify(w.rawText)}. Must be of the form: name=value`,
        code: 'missing-equals',
      });
    }
  }
  return { pairs, legacy: false, problems };
}
