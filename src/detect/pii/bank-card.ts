/**
 * Payment card numbers: the Luhn check plus the issuer prefixes and lengths of the networks in use, so that
 * a Luhn-valid order number (one in ten is) is not a card unless it also starts like one. Order numbers
 * that start with a date (2024…, 2025…) fall outside every range below.
 */

/** Luhn (mod 10) over `d[at..at+n)`. */
export function luhnValid(d: ArrayLike<number>, at: number, n: number): boolean {
  let sum = 0;
  for (let i = 0; i < n; i++) {
    let v = d[at + n - 1 - i];
    if (v > 9) return false;
    if (i % 2 === 1) {
      v *= 2;
      if (v > 9) v -= 9;
    }
    sum += v;
  }
  return sum % 10 === 0;
}

// [first prefix, last prefix, digits in the prefix, shortest length, longest length]
const RANGES: readonly (readonly [number, number, number, number, number])[] = [
  [4, 4, 1, 13, 13], // Visa: 13, 16 or 19 digits
  [4, 4, 1, 16, 16],
  [4, 4, 1, 19, 19],
  [51, 55, 2, 16, 16], // Mastercard
  [2221, 2720, 4, 16, 16], // Mastercard 2-series
  [2200, 2204, 4, 16, 19], // Mir
  [34, 34, 2, 15, 15], // American Express
  [37, 37, 2, 15, 15],
  [300, 305, 3, 14, 19], // Diners Club
  [36, 36, 2, 14, 19],
  [38, 39, 2, 16, 19],
  [3528, 3589, 4, 16, 19], // JCB
  [62, 62, 2, 16, 19], // China UnionPay
  [60, 69, 2, 16, 19], // Discover 6011/644-649/65, Maestro 6x, Chinese bank debit cards (60xxxx, 68xxxx)
  [50, 50, 2, 16, 19], // Maestro
  [56, 58, 2, 16, 19],
  [95, 95, 2, 16, 19], // older Chinese bank cards (9558 ICBC, 9559x)
];

/** Whether `n` digits at `d[at..]` start with a known issuer prefix that issues that length. */
export function hasCardPrefix(d: ArrayLike<number>, at: number, n: number): boolean {
  for (const [lo, hi, digits, min, max] of RANGES) {
    if (n < min || n > max) continue;
    let prefix = 0;
    for (let i = 0; i < digits; i++) prefix = prefix * 10 + d[at + i];
    if (prefix >= lo && prefix <= hi) return true;
  }
  return false;
}

export function isPlausibleCard(d: ArrayLike<number>, at: number, n: number): boolean {
  return n >= 13 && n <= 19 && hasCardPrefix(d, at, n) && luhnValid(d, at, n);
}

/** Convenience for tests and tools: a card number written as plain digits. */
export function isValidCardNumber(s: string): boolean {
  if (!/^[0-9]{13,19}$/.test(s)) return false;
  const d = [...s].map((c) => c.charCodeAt(0) - 48);
  return isPlausibleCard(d, 0, d.length);
}
