// Property tests of the image reference parser (fast-check): for any string, parseReference returns a
// reference or throws INVALID_REFERENCE with a message, never anything else, and each case takes little
// time; for references built from the grammar's own parts, the normal form and the familiar form parse
// back to the same reference, and a changed tag, digest or host is still a valid reference.
//
// BERTH_FUZZ_CASES sets the number of cases per property (default 2000 for CI; the long mode, BERTH_LONG=1, runs
// 100000). BERTH_FUZZ_SEED replays a run; a failure prints the seed, the path and the shrunk case.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isBerthError } from '../../src/engine/errors';
import { familiarString, formatReference, parseReference, tryParseReference, type ImageReference } from '../../src/engine/ref/reference';

const CASES = Number(process.env.BERTH_FUZZ_CASES ?? (process.env.BERTH_LONG ? 100_000 : 2000));
const SEED = Number(process.env.BERTH_FUZZ_SEED ?? 0x5eed);
/** Milliseconds one parse may take; generous for slow CI machines (a parse takes microseconds). */
const CASE_BUDGET_MS = 200;

const params = { numRuns: CASES, seed: SEED, endOnFailure: true, includeErrorInReport: true };

/** Parses `s`; returns the reference, or the error when it is the documented one; throws otherwise. */
function parseOrRefuse(s: string): ImageReference | Error {
  const started = performance.now();
  try {
    return parseReference(s);
  } catch (e) {
    if (!isBerthError(e, 'INVALID_REFERENCE')) throw new Error(`parseReference(${JSON.stringify(s).slice(0, 200)}) threw ${String(e)}`, { cause: e });
    // Docker's own words, one line: "invalid reference format: ...", "repository name must be lowercase", ...
    assert.match(e.message, /^[a-z][^\n]{5,300}$/);
    return e;
  } finally {
    const took = performance.now() - started;
    if (took > CASE_BUDGET_MS) throw new Error(`parseReference took ${Math.round(took)} ms on ${JSON.stringify(s).slice(0, 200)}`);
  }
}

const lower = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789');
const component = fc.tuple(fc.array(lower, { minLength: 1, maxLength: 8 }), fc.array(fc.tuple(fc.constantFrom('.', '_', '__', '-', '--'), fc.array(lower, { minLength: 1, maxLength: 6 })), { maxLength: 2 }))
  .map(([head, rest]) => head.join('') + rest.map(([sep, part]) => sep + part.join('')).join(''));
const label = fc.tuple(fc.array(lower, { minLength: 1, maxLength: 6 }), fc.option(fc.array(fc.constantFrom(...'abc123-'), { maxLength: 4 }).map((a) => a.join('')), { nil: undefined }), lower)
  .map(([a, mid, z]) => (mid === undefined ? a.join('') : `${a.join('')}${mid}${z}`));
const domain = fc.oneof(
  fc.tuple(label, fc.array(label, { minLength: 1, maxLength: 2 })).map(([a, rest]) => [a, ...rest].join('.')),
  fc.constant('localhost'),
  fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 })).map(([a, b]) => `10.${a}.${b}.1`),
  fc.constant('[::1]'),
);
const host = fc.tuple(domain, fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined })).map(([d, p]) => (p === undefined ? d : `${d}:${p}`));
const tag = fc.tuple(fc.constantFrom(...'abcXYZ019_'), fc.array(fc.constantFrom(...'abcXYZ019_.-'), { maxLength: 20 })).map(([a, rest]) => a + rest.join(''));
const digest = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => `sha256:${Buffer.from(b).toString('hex')}`);
/** References built from the grammar of distribution/reference. */
/** A first path component when no host is given: without "." or ":", which would make it a host. */
const firstComponent = component.map((c) => c.replace(/\./g, '_')).filter((c) => c !== 'localhost');
const validReference = fc.record({
  host: fc.option(host, { nil: undefined }),
  path: fc.tuple(firstComponent, fc.array(component, { maxLength: 2 })).map(([a, rest]) => [a, ...rest]),
  tag: fc.option(tag, { nil: undefined }),
  digest: fc.option(digest, { nil: undefined }),
}).map(({ host: h, path, tag: t, digest: d }) => `${h ? `${h}/` : ''}${path.join('/')}${t ? `:${t}` : ''}${d ? `@${d}` : ''}`);

/** Valid references with a few characters changed, dropped or doubled: the inputs near the edge of the grammar. */
const mutated = fc.tuple(validReference, fc.array(fc.tuple(fc.nat(), fc.constantFrom('replace', 'delete', 'double'), fc.constantFrom(...':/@.-_[]A Z\u0000\u00e9\ud800%#')), { maxLength: 4 }))
  .map(([s, edits]) => {
    let out = s;
    for (const [at, kind, c] of edits) {
      const i = at % Math.max(1, out.length);
      out = kind === 'replace' ? out.slice(0, i) + c + out.slice(i + 1) : kind === 'delete' ? out.slice(0, i) + out.slice(i + 1) : out.slice(0, i) + out[i] + out.slice(i);
    }
    return out;
  });

test(`parseReference: ${CASES} arbitrary strings return a reference or INVALID_REFERENCE, promptly (seed ${SEED})`, () => {
  fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 300 }), fc.string({ unit: fc.constantFrom(...'a:/@.-_[]0'), maxLength: 400 })), (s) => {
    parseOrRefuse(s);
    const r = tryParseReference(s);
    assert.equal(typeof r.ok, 'boolean');
  }), params);
});

test(`parseReference: ${CASES} references built from the grammar parse, and both printed forms parse back to the same reference (seed ${SEED})`, () => {
  fc.assert(fc.property(validReference, (s) => {
    const r = parseOrRefuse(s);
    assert.ok(!(r instanceof Error), `${s}: ${(r as Error).message}`);
    assert.deepEqual(parseReference(formatReference(r)), r);
    const familiar = familiarString(r);
    // The familiar form of docker.io/library/<64 hex> is an image ID, not a name (as in Docker).
    if (!/^[a-f0-9]{64}$/.test(familiar)) assert.deepEqual(parseReference(familiar), r);
  }), params);
});

test(`parseReference: ${CASES} mutated references return a reference or INVALID_REFERENCE, and what parses prints back the same (seed ${SEED})`, () => {
  fc.assert(fc.property(mutated, (s) => {
    const r = parseOrRefuse(s);
    if (!(r instanceof Error)) assert.deepEqual(parseReference(formatReference(r)), r);
  }), params);
});

test('the property itself fails on a parser that throws something else (the check can fail)', () => {
  assert.throws(() => fc.assert(fc.property(fc.constant('x'), () => {
    try {
      throw new TypeError('not documented');
    } catch (e) {
      if (!isBerthError(e, 'INVALID_REFERENCE')) throw e;
    }
  }), { numRuns: 1 }), (e: Error) => /not documented/.test(String(e.cause)));
});
