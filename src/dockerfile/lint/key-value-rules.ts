/**
 * Checks of the `key=value` pairs of ENV, LABEL and ARG: the modern form, no blank keys, closed
 * quotes, no label set twice in a stage, and no secrets in ARG or ENV.
 * https://docs.docker.com/reference/dockerfile/#env https://docs.docker.com/reference/dockerfile/#label
 * https://docs.docker.com/reference/build-checks/secrets-used-in-arg-or-env/
 */
import type { Instruction } from '../ast';
import { expand } from '../expand';
import type { KeyValue } from '../key-values';
import { keyValuesOf } from './facts';
import { asOneWord } from './quote';
import { headRange } from './ranges';
import type { LintContext, Rule } from './types';

const PAIR_INSTRUCTIONS = new Set(['ENV', 'LABEL', 'ARG']);

/** Each ENV, LABEL and ARG instruction with its pairs. */
function pairInstructions(ctx: LintContext, keywords = PAIR_INSTRUCTIONS): { i: Instruction; pairs: KeyValue[]; legacy: boolean }[] {
  const out: { i: Instruction; pairs: KeyValue[]; legacy: boolean }[] = [];
  for (const i of ctx.ast.instructions) {
    if (!keywords.has(i.keyword)) continue;
    const kv = keyValuesOf(ctx, i);
    out.push({ i, pairs: kv.pairs, legacy: kv.legacy });
  }
  return out;
}

const LEGACY_KEY_VALUE_FORMAT = {
  code: 'LegacyKeyValueFormat',
  defaultSeverity: 'warning',
  description: 'Legacy key/value format with whitespace separator should not be used',
  check(ctx, report) {
    for (const { i, pairs, legacy } of pairInstructions(ctx, new Set(['ENV', 'LABEL']))) {
      const pair = pairs[0];
      if (!legacy || !pair || pair.rawValue === undefined || !pair.valueRange) continue;
      const word = asOneWord(pair.rawValue, ctx.ast.escapeChar);
      const newText = `${pair.rawKey}=${word}`;
      const fixes = word === undefined ? [] : [{ title: `Write ${i.keyword} ${newText}`, edits: [{ range: pair.range, newText }], preferred: true }];
      report({
        message: `"${i.keyword} key=value" should be used instead of legacy "${i.keyword} key value" format`,
        range: headRange(i),
        fixes,
      });
    }
  },
} satisfies Rule;

const EMPTY_KEY = {
  code: 'EmptyKey',
  defaultSeverity: 'error',
  description: 'ENV, LABEL and ARG names cannot be blank',
  check(ctx, report) {
    for (const { i, pairs } of pairInstructions(ctx)) {
      for (const pair of pairs) {
        if (pair.key !== '') continue;
        report({ message: `${i.keyword} names can not be blank; write ${i.keyword} name=value`, range: pair.range });
      }
    }
  },
} satisfies Rule;

const UNTERMINATED_QUOTE = {
  code: 'UnterminatedQuote',
  defaultSeverity: 'error',
  description: 'A quote in an ENV, LABEL or ARG is never closed',
  check(ctx, report) {
    const escape = ctx.ast.escapeChar;
    for (const { i, pairs } of pairInstructions(ctx)) {
      for (const pair of pairs) {
        for (const raw of [pair.rawKey, pair.rawValue]) {
          if (raw === undefined || (!raw.includes('"') && !raw.includes("'"))) continue;
          const problem = expand(raw, () => '', escape).problems.find((p) => p.code === 'unterminated-quote');
          if (!problem) continue;
          report({ message: `${i.keyword} ${pair.key}: ${problem.message}; close the quote`, range: pair.range });
          break;
        }
      }
    }
  },
} satisfies Rule;

const DUPLICATE_LABEL = {
  code: 'DuplicateLabel',
  defaultSeverity: 'warning',
  description: 'A label is set twice in one stage; the earlier value is overridden',
  check(ctx, report) {
    for (const stage of ctx.ast.stages) {
      const latest = new Map<string, KeyValue>();
      const overridden: { pair: KeyValue; by: KeyValue }[] = [];
      for (const i of stage.instructions) {
        if (i.keyword !== 'LABEL') continue;
        for (const pair of keyValuesOf(ctx, i).pairs) {
          if (pair.key === '' || pair.key.includes('$')) continue;
          const before = latest.get(pair.key);
          if (before) overridden.push({ pair: before, by: pair });
          latest.set(pair.key, pair);
        }
      }
      for (const { pair, by } of overridden) {
        report({
          message: `Label "${pair.key}" is set again on line ${by.range.start.line + 1}, which overrides this value; remove one of them`,
          range: pair.range,
          tags: ['unnecessary'],
        });
      }
    }
  },
} satisfies Rule;

/** BuildKit's tokens: a name is sensitive when one of its `_`-separated parts is one of them. */
const SECRET_TOKENS = new Set(['apikey', 'auth', 'credential', 'credentials', 'key', 'password', 'pword', 'passwd', 'secret', 'token']);
/** Parts that make a name public (BuildKit), and public-key names that official images use. */
const PUBLIC_TOKENS = new Set(['public']);
const PUBLIC_NAMES = new Set(['gpg_key', 'gpg_keys', 'pgp_key', 'pgp_keys']);

/** Whether a variable name suggests it holds a secret, as BuildKit guesses. */
export function isSecretName(name: string): boolean {
  const lower = name.toLowerCase();
  if (PUBLIC_NAMES.has(lower)) return false;
  const parts = lower.split('_');
  return !parts.some((p) => PUBLIC_TOKENS.has(p)) && parts.some((p) => SECRET_TOKENS.has(p));
}

const SECRETS_USED_IN_ARG_OR_ENV = {
  code: 'SecretsUsedInArgOrEnv',
  defaultSeverity: 'warning',
  description: 'Sensitive data should not be used in the ARG or ENV commands',
  check(ctx, report) {
    for (const { i, pairs } of pairInstructions(ctx, new Set(['ARG', 'ENV']))) {
      for (const pair of pairs) {
        if (!isSecretName(pair.key)) continue;
        report({
          message: `Do not use ARG or ENV instructions for sensitive data (${i.keyword} "${pair.key}"): the value stays in the image's history and metadata; pass it with a secret mount instead (RUN --mount=type=secret,id=${pair.key.toLowerCase()} ...)`,
          range: pair.keyRange,
        });
      }
    }
  },
} satisfies Rule;

/** The key-value checks, in order. */
export const KEY_VALUE_RULES: Rule[] = [LEGACY_KEY_VALUE_FORMAT, EMPTY_KEY, UNTERMINATED_QUOTE, DUPLICATE_LABEL, SECRETS_USED_IN_ARG_OR_ENV];
