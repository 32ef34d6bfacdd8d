/**
 * Pinyin data for phonetic matching, taken from pinyin-pro once per compile and turned into flat tables:
 * - `syllableOf[code]`: the toneless default reading of every CJK code unit (U+3400..U+9FFF);
 * - `canonical[code]`: one representative character per toneless syllable, so that the automaton sees
 *   same-sound characters as equal (微/薇/威 → one class) and the matcher verifies afterwards which differ;
 * - `pinyinForms(term)`: the Latin spellings of a CJK term (`网赌` → `wangdu`, with syllable starts so a gap
 *   is only accepted between syllables), heteronyms included.
 */
import { pinyin, polyphonic } from 'pinyin-pro';

const CJK_RANGES: readonly (readonly [number, number])[] = [
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
];
const CODE_UNITS = 0x10000;
const TONELESS = /^[a-zü]+$/;

export interface PhoneticTables {
  /** Syllable id → toneless syllable (`ü` kept, e.g. `lü`); id 0 is "no reading". */
  readonly syllables: readonly string[];
  /** Code unit → id of its default toneless reading; 0 for anything that is not a CJK character. */
  readonly syllableOf: Uint16Array;
  /** Code unit → representative code unit of its default syllable; identity for non-CJK units. */
  readonly canonical: Uint16Array;
  /** All toneless readings of a code unit, default first (heteronyms: 行 → xing, hang, heng). */
  readings(code: number): readonly number[];
  /** Id of a toneless syllable, 0 if unknown. */
  syllableId(syllable: string): number;
}

/** One Latin spelling of a term, with the offsets in `letters` where each syllable starts. */
export interface PinyinForm {
  letters: string;
  syllableStarts: readonly number[];
}

export function isCjkUnit(code: number): boolean {
  return (code >= 0x4e00 && code <= 0x9fff) || (code >= 0x3400 && code <= 0x4dbf);
}

/**
 * Reads pinyin-pro's per-character data into tables: one `polyphonic()` call over every CJK character lists
 * each one's readings, most common first (about 0.1 s; build once and share per process).
 */
export function createPhoneticTables(): PhoneticTables {
  const syllables: string[] = [''];
  const ids = new Map<string, number>();
  const idOf = (syllable: string): number => {
    let id = ids.get(syllable);
    if (id === undefined) {
      id = syllables.length;
      syllables.push(syllable);
      ids.set(syllable, id);
    }
    return id;
  };

  let all = '';
  for (const [from, to] of CJK_RANGES)
    for (let code = from; code <= to; code++) all += String.fromCharCode(code);
  const readingsOf = polyphonic(all, { toneType: 'none', type: 'array' });
  const syllableOf = new Uint16Array(CODE_UNITS);
  const several = new Map<number, readonly number[]>();
  for (let k = 0; k < all.length; k++) {
    const code = all.charCodeAt(k);
    const list: number[] = [];
    for (const reading of readingsOf[k] ?? []) {
      if (!TONELESS.test(reading)) continue;
      const id = idOf(reading);
      if (!list.includes(id)) list.push(id);
    }
    if (list.length === 0) continue;
    syllableOf[code] = list[0];
    if (list.length > 1) several.set(code, list);
  }

  const single: (readonly number[])[] = syllables.map((_, id) => (id === 0 ? [] : [id]));
  const representative = new Uint16Array(syllables.length);
  const canonical = new Uint16Array(CODE_UNITS);
  for (let code = 0; code < CODE_UNITS; code++) {
    const id = syllableOf[code];
    if (id === 0) {
      canonical[code] = code;
      continue;
    }
    if (representative[id] === 0) representative[id] = code;
    canonical[code] = representative[id];
  }

  return {
    syllables,
    syllableOf,
    canonical,
    readings: (code) => several.get(code) ?? single[syllableOf[code]],
    syllableId: (syllable) => ids.get(syllable) ?? 0,
  };
}

export interface PinyinFormOptions {
  /** English words that must not become patterns (see english-stoplist.ts). */
  stoplist: ReadonlySet<string>;
  /** Spellings shorter than this are dropped: short Latin strings hit too much ordinary text. */
  minLetters: number;
  /** At most this many spellings per term (context reading, default reading, then heteronyms). */
  maxForms: number;
}

/**
 * The Latin spellings of a term made only of CJK characters (`units`: its folded code units, repeats
 * expanded). Returns [] when some unit has no reading. Heteronyms: when a character has several readings,
 * pinyin-pro's reading in context comes first (its word data: 银行 → yin hang, 重庆 → chong qing), then the
 * per-character default reading if it differs. Other readings of single characters are not spelled out:
 * measured on the Konsheng list, they added mostly rare readings (毒 → dai made `xidai` a spelling of 吸毒)
 * while the reading in context already covers the heteronyms people type. `ü` is spelled both `v` (as typed)
 * and `u` (what folding makes of a typed `ü`).
 */
export function pinyinForms(
  units: ArrayLike<number>,
  tables: PhoneticTables,
  options: PinyinFormOptions,
): PinyinForm[] {
  const n = units.length;
  if (n === 0) return [];
  const defaults: number[] = new Array(n);
  let polyphonic = false;
  for (let i = 0; i < n; i++) {
    const id = tables.syllableOf[units[i]];
    if (id === 0) return [];
    defaults[i] = id;
    if (!polyphonic && tables.readings(units[i]).length > 1) polyphonic = true;
  }
  const forms: PinyinForm[] = [];
  if (polyphonic) {
    let text = '';
    for (let i = 0; i < n; i++) text += String.fromCharCode(units[i]);
    const inContext = pinyin(text, { toneType: 'none', type: 'array' });
    if (inContext.length === n) {
      const sequence = inContext.map((syllable, i) => tables.syllableId(syllable) || defaults[i]);
      if (!sameSequence(sequence, defaults)) spellInto(forms, sequence, tables, options);
    }
  }
  spellInto(forms, defaults, tables, options);
  return forms.length > options.maxForms ? forms.slice(0, options.maxForms) : forms;
}

function sameSequence(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Appends the spelling(s) of one reading sequence: one, or two when a syllable has `ü`. */
function spellInto(
  forms: PinyinForm[],
  sequence: readonly number[],
  tables: PhoneticTables,
  options: PinyinFormOptions,
): void {
  let letters = '';
  let umlaut = false;
  const syllableStarts: number[] = new Array(sequence.length);
  for (let i = 0; i < sequence.length; i++) {
    syllableStarts[i] = letters.length;
    const syllable = tables.syllables[sequence[i]];
    letters += syllable;
    if (syllable.includes('ü')) umlaut = true;
  }
  if (!umlaut) {
    offerForm(forms, letters, syllableStarts, options);
    return;
  }
  offerForm(forms, letters.replaceAll('ü', 'v'), syllableStarts, options);
  offerForm(forms, letters.replaceAll('ü', 'u'), syllableStarts, options);
}

function offerForm(
  forms: PinyinForm[],
  letters: string,
  syllableStarts: readonly number[],
  options: PinyinFormOptions,
): void {
  if (letters.length < options.minLetters || options.stoplist.has(letters)) return;
  for (const form of forms) if (form.letters === letters) return;
  forms.push({ letters, syllableStarts });
}
