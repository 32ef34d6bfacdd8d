/**
 * Hand-picked character sets the folding tables are built from. Unicode's own properties (general category,
 * NFKC) decide almost everything; these lists only pin down what the properties cannot express: which
 * punctuation ends a sentence, which invisible characters are emoji glue, and enclosed alphanumerics that
 * Unicode gives no compatibility decomposition.
 */

/** [first, last] code point ranges. */
export type Ranges = readonly (readonly [number, number])[];

export function inRanges(cp: number, ranges: Ranges): boolean {
  for (const [first, last] of ranges) if (cp >= first && cp <= last) return true;
  return false;
}

/**
 * Characters dropped without a trace except EV_INVISIBLE. Every Cf (format) and non-white-space Cc is
 * invisible anyway, and every Mn/Me mark (variation selectors and the grapheme joiner included) is dropped
 * too, as part of the character before it (C_MARK); this list names the ones the issue calls out so the
 * intent survives a Unicode update.
 */
export const INVISIBLE_RANGES: Ranges = [
  [0x00ad, 0x00ad], // soft hyphen
  [0x034f, 0x034f], // combining grapheme joiner
  [0x061c, 0x061c], // Arabic letter mark (bidi)
  [0x180b, 0x180f], // Mongolian free variation selectors and vowel separator
  [0x200b, 0x200f], // zero width space / non-joiner / joiner, LRM, RLM
  [0x202a, 0x202e], // bidi embeddings and overrides
  [0x2060, 0x2064], // word joiner, invisible operators
  [0x2066, 0x206f], // bidi isolates, deprecated format characters
  [0xfe00, 0xfe0f], // variation selectors
  [0xfeff, 0xfeff], // zero width no-break space / BOM
  [0xfff9, 0xfffb], // interlinear annotation
  [0x1d173, 0x1d17a], // musical format characters
  [0xe0001, 0xe0001], // language tag
  [0xe0020, 0xe007f], // tag characters (emoji flag sequences)
  [0xe0100, 0xe01ef], // variation selectors supplement
];

/**
 * Invisible characters that hold an emoji together (ZWJ sequences, VS15/VS16 presentation, keycaps, tag
 * sequences). Right after a dropped symbol they are part of that symbol, not an evasion.
 */
export const GLUE_RANGES: Ranges = [
  [0x200d, 0x200d],
  [0xfe0e, 0xfe0f],
  [0x20e3, 0x20e3],
  [0xe0020, 0xe007f],
];

/** Line breaks end a sentence: GAP_HARD. */
export const LINE_BREAKS: Ranges = [
  [0x000a, 0x000d], // LF VT FF CR
  [0x0085, 0x0085],
  [0x2028, 0x2029],
];

/** Blank-looking letters (Hangul fillers, braille blank) used as spaces in names and spam: GAP_SPACE. */
export const BLANK_LETTERS: Ranges = [
  [0x115f, 0x1160],
  [0x2800, 0x2800],
  [0x3164, 0x3164],
  [0xffa0, 0xffa0],
];

/**
 * Modifier letters used as decoration between Chinese characters: the bopomofo tone marks ˇ ˉ ˊ ˋ ˙ (加ˉ微ˉ信,
 * and kaomoji such as (ˉ▽ˉ)). Unicode calls them letters (Lm), so they would otherwise stay units and split
 * a term; here they are noise, a soft gap like any symbol.
 */
export const NOISE_LETTERS: Ranges = [
  [0x02c7, 0x02c7],
  [0x02c9, 0x02cb],
  [0x02d9, 0x02d9],
];

/**
 * Sentence punctuation: a character whose NFKC form consists only of these is GAP_HARD, so a term never
 * matches across it (`…再增加，微信群里…`). Full-width ，！？；： fold to the ASCII ones through NFKC.
 * `.` is deliberately not here: it is the most common noise separator (`f.u.c.k`, `加.微.信`).
 */
// prettier-ignore
export const SENTENCE_PUNCTUATION = new Set<string>([
  ',', ';', '!', '?', ':',
  '。', '、', '｡', '､',
  '¡', '¿',
  '،', '؛', '؟', // Arabic
  '।', '॥', // Devanagari danda
  '։', // Armenian full stop
  '።', '፣', '፤', // Ethiopic
]);

/**
 * Enclosed alphanumerics that Unicode gives NO compatibility decomposition (negative/dingbat circled digits,
 * negative circled/squared capitals), so NFKC cannot fold them. [first, last, value of first]: digits
 * count up from the value; letter ranges count up from 'a'.
 */
export const ENCLOSED_WITHOUT_DECOMPOSITION: readonly (readonly [number, number, string])[] = [
  [0x24eb, 0x24f4, '11'], // ⓫..⓴ negative circled 11..20
  [0x24f5, 0x24fe, '1'], // ⓵..⓾ double circled 1..10
  [0x24ff, 0x24ff, '0'], // ⓿
  [0x2776, 0x277f, '1'], // ❶..❿ dingbat negative circled
  [0x2780, 0x2789, '1'], // ➀..➉ dingbat circled sans-serif
  [0x278a, 0x2793, '1'], // ➊..➓ dingbat negative circled sans-serif
  [0x1f10b, 0x1f10b, '0'], // 🄋 dingbat circled sans-serif zero
  [0x1f10c, 0x1f10c, '0'], // 🄌 dingbat negative circled sans-serif zero
  [0x1f150, 0x1f169, 'a'], // 🅐..🅩 negative circled capitals
  [0x1f170, 0x1f189, 'a'], // 🅰..🆉 negative squared capitals
];

/** Scripts whose letters carry accents as decomposable marks (Latin, Greek, Cyrillic): NFD + strip marks. */
export const ACCENT_STRIP_RANGES: Ranges = [
  [0x00c0, 0x052f],
  [0x1e00, 0x1fff],
];
