/**
 * Chinese resident identity numbers (GB 11643-1999): 6-digit region code, 8-digit birth date, 3-digit
 * sequence, 1 check character (ISO 7064 MOD 11-2; 10 is written X). The legacy 15-digit form (6 region +
 * YYMMDD + 3 sequence, no check character) was withdrawn in 2013.
 *
 * Digits are passed as numbers 0..9, with X as 10, so callers can read ASCII and full-width text alike.
 */

/** Province-level codes: mainland provinces, 71 Taiwan, 81 Hong Kong, 82 Macao, 83 (residence permits). */
const PROVINCES = new Set([
  11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61,
  62, 63, 64, 65, 71, 81, 82, 83,
]);

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/** Check value for each remainder of the weighted sum mod 11 (10 = X). */
const CHECK = [1, 0, 10, 9, 8, 7, 6, 5, 4, 3, 2];
export const ID_X = 10;

export function isRealDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days =
    month === 2 ? (leap ? 29 : 28) : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
  return day <= days;
}

/** Today as the number YYYYMMDD (local time): no one is born after it. */
export function todayNumber(now: Date = new Date()): number {
  return now.getFullYear() * 10000 + (now.getMonth() + 1) * 100 + now.getDate();
}

function regionOk(d: ArrayLike<number>, at: number): boolean {
  const province = d[at] * 10 + d[at + 1];
  if (!PROVINCES.has(province)) return false;
  // Residence permits of HK/Macao/Taiwan residents use 810000/820000/830000; elsewhere the prefecture is set.
  return province >= 81 || d[at + 2] * 10 + d[at + 3] !== 0;
}

function birthOk(year: number, month: number, day: number, maxBirth: number): boolean {
  return year >= 1900 && isRealDate(year, month, day) && year * 10000 + month * 100 + day <= maxBirth;
}

function num(d: ArrayLike<number>, at: number, len: number): number {
  let v = 0;
  for (let i = 0; i < len; i++) v = v * 10 + d[at + i];
  return v;
}

/** The check value (0..10, 10 = X) of the first 17 digits of `d` from `at`. */
export function cnIdCheckValue(d: ArrayLike<number>, at = 0): number {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += d[at + i] * WEIGHTS[i];
  return CHECK[sum % 11];
}

/** An 18-character ID at `d[at..at+18)`: X only last, real region and birth date, correct check value. */
export function isValidCnId18(d: ArrayLike<number>, at: number, maxBirth: number): boolean {
  for (let i = 0; i < 17; i++) if (d[at + i] > 9) return false;
  if (!regionOk(d, at)) return false;
  if (!birthOk(num(d, at + 6, 4), num(d, at + 10, 2), num(d, at + 12, 2), maxBirth)) return false;
  return cnIdCheckValue(d, at) === d[at + 17];
}

/** A legacy 15-digit ID at `d[at..at+15)`: real region and 19YYMMDD birth date (there is no check value). */
export function isValidCnId15(d: ArrayLike<number>, at: number, maxBirth: number): boolean {
  for (let i = 0; i < 15; i++) if (d[at + i] > 9) return false;
  if (!regionOk(d, at)) return false;
  return birthOk(1900 + num(d, at + 6, 2), num(d, at + 8, 2), num(d, at + 10, 2), maxBirth);
}

/** Convenience for tests and tools: validates an ID written as a plain string. */
export function isValidCnId(id: string, maxBirth = todayNumber()): boolean {
  const d: number[] = [];
  for (const ch of id)
    d.push(ch === 'X' || ch === 'x' ? ID_X : ch >= '0' && ch <= '9' ? ch.charCodeAt(0) - 48 : -1);
  if (d.includes(-1)) return false;
  if (d.length === 18) return isValidCnId18(d, 0, maxBirth);
  if (d.length === 15) return isValidCnId15(d, 0, maxBirth);
  return false;
}
