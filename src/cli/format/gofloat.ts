/**
 * Go's float formatting (strconv.FormatFloat, https://pkg.go.dev/strconv#FormatFloat) over a
 * decimal model like strconv's: value = 0.digits × 10^dp, rounded half to even on exact ties,
 * so `%.3g` of 1.125 is "1.12" as in Go, not "1.13" as Number.prototype.toPrecision gives.
 */

interface Decimal {
  digits: string;
  dp: number;
}

function trimZeros(digits: string): string {
  let end = digits.length;
  while (end > 0 && digits.charCodeAt(end - 1) === 0x30) end--;
  return digits.slice(0, end);
}

function fromExponential(s: string): Decimal {
  const e = s.indexOf('e');
  const digits = trimZeros(s.slice(0, e).replace('.', ''));
  return digits === '' ? { digits: '', dp: 0 } : { digits, dp: Number(s.slice(e + 1)) + 1 };
}

/** The exact decimal digits of |x| (to 101 significant digits, enough to see ties). */
function exactDecimal(a: number): Decimal {
  if (a === 0) return { digits: '', dp: 0 };
  if (Number.isInteger(a)) {
    const digits = BigInt(a).toString();
    return { digits: trimZeros(digits), dp: digits.length };
  }
  return fromExponential(a.toExponential(100));
}

/** strconv's decimal.Round: keep `nd` digits, rounding half to even. */
function roundDecimal(d: Decimal, nd: number): Decimal {
  const { digits, dp } = d;
  if (nd < 0 || nd >= digits.length) return d;
  const next = digits.charCodeAt(nd);
  let up = next > 0x35;
  if (next === 0x35) {
    const exactHalf = nd + 1 === digits.length;
    up = !exactHalf || (nd > 0 && (digits.charCodeAt(nd - 1) - 0x30) % 2 === 1);
  }
  if (!up) return { digits: trimZeros(digits.slice(0, nd)), dp };
  for (let i = nd - 1; i >= 0; i--) {
    if (digits[i] !== '9') return { digits: digits.slice(0, i) + String.fromCharCode(digits.charCodeAt(i) + 1), dp };
  }
  return { digits: '1', dp: dp + 1 };
}

function formatE(d: Decimal, prec: number, letter: string): string {
  let out = d.digits[0] ?? '0';
  if (prec > 0) out += '.' + d.digits.slice(1, prec + 1).padEnd(prec, '0');
  const exp = d.digits === '' ? 0 : d.dp - 1;
  return `${out}${letter}${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
}

function formatF(d: Decimal, prec: number): string {
  let out = d.dp > 0 ? d.digits.slice(0, d.dp).padEnd(d.dp, '0') : '0';
  if (prec > 0) {
    out += '.';
    for (let i = 1; i <= prec; i++) {
      const j = d.dp + i - 1;
      out += j >= 0 && j < d.digits.length ? d.digits[j] : '0';
    }
  }
  return out;
}

/**
 * strconv.FormatFloat(x, verb, prec, 64) for verb e, E, f, F, g, G; prec -1 means the shortest
 * representation that reads back as x.
 */
export function formatFloat(x: number, verb: string, prec: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '+Inf' : '-Inf';
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  const a = Math.abs(x);
  const lower = verb.toLowerCase();
  let d: Decimal;
  const shortest = prec < 0;
  if (shortest) {
    d = fromExponential(a.toExponential());
    const nd = d.digits.length;
    prec = lower === 'e' ? Math.max(nd - 1, 0) : lower === 'f' ? Math.max(nd - d.dp, 0) : nd;
  } else {
    d = exactDecimal(a);
    if (lower === 'e') d = roundDecimal(d, prec + 1);
    else if (lower === 'f') d = roundDecimal(d, d.dp + prec);
    else {
      if (prec === 0) prec = 1;
      d = roundDecimal(d, prec);
    }
  }
  const eLetter = verb === 'E' || verb === 'G' ? 'E' : 'e';
  if (lower === 'e') return sign + formatE(d, prec, eLetter);
  if (lower === 'f') return sign + formatF(d, prec);
  const nd = d.digits.length;
  let eprec = prec;
  if (eprec > nd && nd >= d.dp) eprec = nd;
  if (shortest) eprec = 6;
  const exp = d.dp - 1;
  if (nd > 0 && (exp < -4 || exp >= eprec)) return sign + formatE(d, Math.min(prec, nd) - 1, eLetter);
  return sign + formatF(d, prec > d.dp ? Math.max(nd - d.dp, 0) : 0);
}
