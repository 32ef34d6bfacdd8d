/**
 * Latin look-alikes: a deliberate subset of Unicode's confusables (UTS #39) limited to letters that pass for
 * a Latin letter in ordinary chat fonts, and that NFKC leaves alone. Spammers swap them in (`fսсk`, `vіаgrа`)
 * to slip past word lists. Both cases are listed because some capitals look like a different letter than
 * their lower case (Greek Η looks like H, η like n). Values are lower-case ASCII.
 *
 * Not here on purpose: letters that only look Latin in some fonts or in italics (Cyrillic п, и, л, д),
 * and Latin-script letters with diacritics (NFD + mark stripping handles those as "width" folding).
 */
// prettier-ignore
export const LATIN_LOOKALIKES: Readonly<Record<string, string>> = {
  // Cyrillic
  А: 'a', а: 'a',
  В: 'b', в: 'b',
  Ь: 'b', ь: 'b',
  С: 'c', с: 'c',
  Ԁ: 'd', ԁ: 'd',
  Е: 'e', е: 'e',
  Һ: 'h', һ: 'h',
  Н: 'h', н: 'h',
  І: 'i', і: 'i',
  Ӏ: 'l', ӏ: 'l',
  Ј: 'j', ј: 'j',
  К: 'k', к: 'k',
  М: 'm', м: 'm',
  О: 'o', о: 'o',
  Р: 'p', р: 'p',
  Ԛ: 'q', ԛ: 'q',
  Г: 'r', г: 'r',
  Ѕ: 's', ѕ: 's',
  Т: 't', т: 't',
  Ц: 'u', ц: 'u',
  Ѵ: 'v', ѵ: 'v',
  Ԝ: 'w', ԝ: 'w',
  Ѡ: 'w', ѡ: 'w',
  Х: 'x', х: 'x',
  У: 'y', у: 'y',
  Ү: 'y', ү: 'y',
  // Greek
  Α: 'a', α: 'a',
  Β: 'b', β: 'b',
  Ϲ: 'c', ϲ: 'c',
  Ε: 'e', ε: 'e',
  Η: 'h', η: 'n',
  Ι: 'i', ι: 'i',
  Ϳ: 'j', ϳ: 'j',
  Κ: 'k', κ: 'k',
  Μ: 'm', μ: 'u',
  Ν: 'n', ν: 'v',
  Ο: 'o', ο: 'o',
  Ρ: 'p', ρ: 'p',
  Τ: 't', τ: 't',
  Υ: 'y', υ: 'u',
  Χ: 'x', χ: 'x',
  Ζ: 'z',
  γ: 'y',
  ω: 'w',
  // Latin-script letters that are not "accented" versions of a base letter (no decomposition)
  ı: 'i', ȷ: 'j', ɑ: 'a', ɡ: 'g', ɩ: 'i', ƅ: 'b', ʏ: 'y',
  // Small capitals (IPA and phonetic extensions), as "fancy text" generators write them: ꜰᴜᴄᴋ
  ᴀ: 'a', ʙ: 'b', ᴄ: 'c', ᴅ: 'd', ᴇ: 'e', ꜰ: 'f', ɢ: 'g', ʜ: 'h', ɪ: 'i', ᴊ: 'j', ᴋ: 'k', ʟ: 'l', ᴍ: 'm',
  ɴ: 'n', ᴏ: 'o', ᴘ: 'p', ǫ: 'q', ʀ: 'r', ꜱ: 's', ᴛ: 't', ᴜ: 'u', ᴠ: 'v', ᴡ: 'w', ᴢ: 'z',
  // Armenian letters commonly used the same way
  օ: 'o', ս: 'u', հ: 'h', ո: 'n', ց: 'g',
};

/**
 * Latin letters with a stroke, bar or hook have no Unicode decomposition, so NFD cannot strip them like an
 * accent; they fold to their base letter as part of "width" (compatibility/accent) folding. The hooked ones
 * are what "fancy text" generators write (ƒυ¢ƙ, ɓιт¢н).
 */
// prettier-ignore
export const STROKED_LATIN: Readonly<Record<string, string>> = {
  ø: 'o', Ø: 'o',
  đ: 'd', Đ: 'd',
  ħ: 'h', Ħ: 'h',
  ł: 'l', Ł: 'l',
  ŧ: 't', Ŧ: 't',
  ƀ: 'b', Ƀ: 'b',
  ɨ: 'i', Ɨ: 'i',
  ʉ: 'u', Ʉ: 'u',
  ƶ: 'z', Ƶ: 'z',
  ǥ: 'g', Ǥ: 'g',
  // with a hook
  ƒ: 'f', Ƒ: 'f',
  ɓ: 'b', Ɓ: 'b',
  ƈ: 'c', Ƈ: 'c',
  ɗ: 'd', Ɗ: 'd',
  ɠ: 'g', Ɠ: 'g',
  ɦ: 'h',
  ƙ: 'k', Ƙ: 'k',
  ɱ: 'm',
  ɲ: 'n', Ɲ: 'n',
  ƥ: 'p', Ƥ: 'p',
  ʠ: 'q',
  ʂ: 's',
  ƭ: 't', Ƭ: 't',
  ʋ: 'v', Ʋ: 'v',
  ƴ: 'y', Ƴ: 'y',
  ȥ: 'z', Ȥ: 'z',
  ʐ: 'z',
};
