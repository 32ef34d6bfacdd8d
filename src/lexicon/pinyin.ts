/**
 * Pinyin data for phonetic matching, taken from pinyin-pro once per compile and turned into flat tables:
 * - `syllableOf[code]`: the toneless default reading of every CJK code unit (U+3400..U+9FFF);
 * - `canonical[code]`: one representative character per toneless syllable, so that the automaton sees
 *   same-sound characters as equal (微/薇/威 → one class) and the matcher verifies afterwards which differ;
 * - `pinyinForms(term)`: the Latin spellings of a CJK term (`网赌` → `wangdu`, with syllable starts so a gap
 *   is only accepted between syllables), heteronyms included.
 */
import { convert, pinyin, polyphonic } from 'pinyin-pro';

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
  /** Syllable id → its representative code unit (what `canonical` maps the syllable's characters to). */
  readonly representative: Uint16Array;
  /** All toneless readings of a code unit, default first (heteronyms: 行 → xing, hang, heng). */
  readings(code: number): readonly number[];
  /** Code unit → 1 when it has several readings (readings(code).length > 1), else 0. */
  readonly polyphonic: Uint8Array;
  /** Id of a toneless syllable, 0 if unknown. */
  syllableId(syllable: string): number;
  /** Id of a syllable as pinyin-pro writes it with tone marks (`xíng`), 0 if unknown. */
  tonedSyllableId(syllable: string): number;
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
  for (const [from, to] of CJK_RANGES) all += rangeString(from, to);
  // Toned readings, stripped here once per distinct syllable (toneType 'none' would run pinyin-pro's nine
  // regex replacements on every one of the ~33k readings).
  const readingsOf = polyphonic(all, { toneType: 'symbol', type: 'array' });
  const toneless = new TonelessCache();
  // Toned reading → syllable id (0: not a toneless syllable), so each distinct reading is stripped and
  // tested once; ids are still handed out in order of first occurrence.
  const idOfToned = new Map<string, number>();
  const syllableOf = new Uint16Array(CODE_UNITS);
  const several = new Map<number, readonly number[]>();
  const polyphonicCodes = new Uint8Array(CODE_UNITS);
  const list: number[] = [];
  for (let k = 0; k < all.length; k++) {
    const code = all.charCodeAt(k);
    const readings = readingsOf[k];
    if (readings === undefined) continue;
    list.length = 0;
    for (let r = 0; r < readings.length; r++) {
      let id = idOfToned.get(readings[r]);
      if (id === undefined) {
        const plain = toneless.strip(readings[r]);
        id = TONELESS.test(plain) ? idOf(plain) : 0;
        idOfToned.set(readings[r], id);
      }
      if (id !== 0 && !list.includes(id)) list.push(id);
    }
    if (list.length === 0) continue;
    syllableOf[code] = list[0];
    if (list.length > 1) {
      several.set(code, list.slice());
      polyphonicCodes[code] = 1;
    }
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
    representative,
    readings: (code) => several.get(code) ?? single[syllableOf[code]],
    polyphonic: polyphonicCodes,
    syllableId: (syllable) => ids.get(syllable) ?? 0,
    tonedSyllableId: (syllable) => {
      let id = idOfToned.get(syllable);
      if (id === undefined) {
        id = ids.get(toneless.strip(syllable)) ?? 0;
        idOfToned.set(syllable, id);
      }
      return id;
    },
  };
}

function rangeString(from: number, to: number): string {
  const codes = new Uint16Array(to - from + 1);
  for (let code = from; code <= to; code++) codes[code - from] = code;
  let out = '';
  for (let i = 0; i < codes.length; i += 4096) {
    out += String.fromCharCode.apply(null, codes.subarray(i, i + 4096) as unknown as number[]);
  }
  return out;
}

/**
 * pinyin-pro's own tone removal (`convert(…, { format: 'toneNone' })`, what its toneType 'none' applies to
 * every reading), memoised: a few thousand distinct toned syllables stand for every reading.
 */
class TonelessCache {
  readonly #memo = new Map<string, string>();

  strip(toned: string): string {
    let plain = this.#memo.get(toned);
    if (plain === undefined) {
      plain = convert(toned, { format: 'toneNone' });
      this.#memo.set(toned, plain);
    }
    return plain;
  }
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
  const codes = Uint16Array.from(units);
  return [...new PinyinSpeller(tables, options).spell(codes, undefined, 0, codes.length)];
}

/**
 * pinyinForms for many terms in a row (the compiler's loop): the per-term scratch lives here, so spelling a
 * term allocates only its spellings.
 */
export class PinyinSpeller {
  readonly #tables: PhoneticTables;
  readonly #options: PinyinFormOptions;
  #units = new Uint16Array(16);
  #defaults = new Int32Array(16);
  #sequence = new Int32Array(16);
  /** The last spell() found a reading in context that differs from the default readings. */
  #contextDiffers = false;
  /** The last spell()'s result, reused. */
  readonly #forms: PinyinForm[] = [];

  constructor(tables: PhoneticTables, options: PinyinFormOptions) {
    this.#tables = tables;
    this.#options = options;
  }

  /**
   * The spellings (see pinyinForms) of the term whose folded units are codes[from..to), each repeated as
   * often as `run` says (run absent: once). The array is reused by the next call.
   */
  spell(codes: Uint16Array, run: Uint16Array | undefined, from: number, to: number): readonly PinyinForm[] {
    const forms = this.#forms;
    forms.length = 0;
    this.#contextDiffers = false;
    const n = this.#expand(codes, run, from, to);
    if (n === 0) return forms;
    const tables = this.#tables;
    const units = this.#units;
    const defaults = this.#defaults;
    let polyphonic = false;
    for (let i = 0; i < n; i++) {
      const id = tables.syllableOf[units[i]];
      if (id === 0) return forms;
      defaults[i] = id;
      if (tables.polyphonic[units[i]] === 1) polyphonic = true;
    }
    if (polyphonic) this.#spellInContext(n);
    this.#spellInto(defaults, n);
    if (forms.length > this.#options.maxForms) forms.length = this.#options.maxForms;
    return forms;
  }

  /**
   * The syllable ids of the last spelled term read in context (its units, runs expanded), when that reading
   * differs from the default readings (炸弹: zha dan, where 弹 alone reads tan); else null. Valid until the
   * next spell().
   */
  contextReading(): Int32Array | null {
    return this.#contextDiffers ? this.#sequence : null;
  }

  /** Copies the units, runs expanded, into #units; returns their count. */
  #expand(codes: Uint16Array, run: Uint16Array | undefined, from: number, to: number): number {
    let n = 0;
    for (let i = from; i < to; i++) n += run === undefined ? 1 : Math.max(1, run[i]);
    if (n > this.#units.length) {
      const size = Math.max(n, this.#units.length * 2);
      this.#units = new Uint16Array(size);
      this.#defaults = new Int32Array(size);
      this.#sequence = new Int32Array(size);
    }
    const units = this.#units;
    for (let i = from, at = 0; i < to; i++) {
      const times = run === undefined ? 1 : Math.max(1, run[i]);
      for (let r = 0; r < times; r++) units[at++] = codes[i];
    }
    return n;
  }

  /** pinyin-pro's reading in context, spelled first when it differs from the default readings. */
  #spellInContext(n: number): void {
    const tables = this.#tables;
    const inContext = pinyin(String.fromCharCode.apply(null, this.#units.subarray(0, n) as never), {
      toneType: 'symbol',
      type: 'array',
    });
    if (inContext.length !== n) return;
    const sequence = this.#sequence;
    const defaults = this.#defaults;
    let same = true;
    for (let i = 0; i < n; i++) {
      sequence[i] = tables.tonedSyllableId(inContext[i]) || defaults[i];
      if (sequence[i] !== defaults[i]) same = false;
    }
    if (!same) {
      this.#contextDiffers = true;
      this.#spellInto(sequence, n);
    }
  }

  /** Appends the spelling(s) of one reading sequence: one, or two when a syllable has `ü`. */
  #spellInto(sequence: Int32Array, n: number): void {
    const syllables = this.#tables.syllables;
    let letters = '';
    let umlaut = false;
    const syllableStarts: number[] = new Array(n);
    for (let i = 0; i < n; i++) {
      syllableStarts[i] = letters.length;
      const syllable = syllables[sequence[i]];
      letters += syllable;
      if (syllable.includes('ü')) umlaut = true;
    }
    if (!umlaut) {
      this.#offer(letters, syllableStarts);
      return;
    }
    this.#offer(letters.replaceAll('ü', 'v'), syllableStarts);
    this.#offer(letters.replaceAll('ü', 'u'), syllableStarts);
  }

  #offer(letters: string, syllableStarts: readonly number[]): void {
    const options = this.#options;
    if (letters.length < options.minLetters || options.stoplist.has(letters)) return;
    const forms = this.#forms;
    for (let k = 0; k < forms.length; k++) if (forms[k].letters === letters) return;
    forms.push({ letters, syllableStarts });
  }
}
