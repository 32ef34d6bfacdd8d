/**
 * Traditional → simplified Chinese at the character level, from the dictionaries behind opencc-js (OpenCC's
 * maintained data, not a hand list):
 *   - HKVariantsRev / TWVariantsRev: Hong Kong and Taiwan variant characters → OpenCC standard traditional;
 *   - TSCharacters: standard traditional → simplified.
 * Only one-character-to-one-character entries are used, so every folded unit still maps to exactly one
 * original character (phrase dictionaries such as TSPhrases are skipped on purpose: they would change
 * lengths and need segmentation). Chains are followed (啟 → 啓 → 启).
 *
 * The regional variant tables are meant for text already known to be traditional; read from simplified text
 * they would rewrite ordinary simplified characters (TWVariantsRev's 著 → 着 turns 著名 into 着名). So a
 * variant that mainland simplified text itself uses — one of the GB 2312 characters, read from the
 * platform's GBK decoder — is never folded through them. TSCharacters' own entries are kept as they are:
 * their sources are OpenCC's traditional forms (後 → 后, 於 → 于, 乾 → 干), which is what they are in
 * traditional text, and the variants that are TSCharacters targets were already kept (么, 才, 群).
 */
import { createHash } from 'node:crypto';
import { from, to } from 'opencc-js/preset/t2cn';
import type { DictGroup, DictLike } from 'opencc-js/core';

/** Entries of one opencc-js dictionary: "a b|c d" strings or [source, target] pairs. */
function entriesOf(dict: DictLike): readonly (readonly [string, string])[] {
  if (typeof dict !== 'string') return dict;
  const out: [string, string][] = [];
  for (const entry of dict.split('|')) {
    const space = entry.indexOf(' ');
    if (space <= 0) continue;
    // A target may list alternatives separated by spaces; the first is OpenCC's default.
    const rest = entry.slice(space + 1);
    const next = rest.indexOf(' ');
    out.push([entry.slice(0, space), next < 0 ? rest : rest.slice(0, next)]);
  }
  return out;
}

function singleCodePoint(s: string): number {
  const cp = s.codePointAt(0);
  if (cp === undefined) return -1;
  return s.length === (cp > 0xffff ? 2 : 1) ? cp : -1;
}

function addCharacterEntries(
  groups: readonly DictGroup[] | undefined,
  into: Map<number, number>,
  override: boolean,
): void {
  for (const group of groups ?? []) {
    for (const dict of group) {
      for (const [source, target] of entriesOf(dict)) {
        const s = singleCodePoint(source);
        const t = singleCodePoint(target);
        if (s < 0 || t < 0 || s === t) continue;
        if (override || !into.has(s)) into.set(s, t);
      }
    }
  }
}

export interface TraditionalTables {
  /** Code point → simplified code point, for every character OpenCC converts one-to-one. */
  toSimplified: Map<number, number>;
  /**
   * Regional variants left alone because simplified text uses them too, with the simplified character they
   * stand for in regional traditional text (著 → 着: 躺著 is Taiwan's 躺着, 著名 is 著名 everywhere). The
   * lexicon compiler spells terms with them as well, so both readings are matched.
   */
  keptVariants: Map<number, number>;
}

/** A hash of the OpenCC dictionaries the tables are built from (for the folding tables' snapshot). */
export function traditionalSourceFingerprint(): string {
  const hash = createHash('sha256');
  for (const groups of [to.cn, from.hk, from.tw]) {
    hash.update('\u0001');
    for (const group of groups ?? []) {
      for (const dict of group) {
        hash.update('\u0002');
        if (typeof dict === 'string') hash.update(dict);
        else for (const [source, target] of dict) hash.update(`${source} ${target}|`);
      }
    }
  }
  return hash.digest('hex').slice(0, 16);
}

/** Code point → simplified code point, for every character OpenCC converts one-to-one. */
export function buildTraditionalToSimplified(): Map<number, number> {
  return buildTraditionalTables().toSimplified;
}

export function buildTraditionalTables(): TraditionalTables {
  const toSimplified = new Map<number, number>();
  addCharacterEntries(to.cn, toSimplified, true);
  const variants = new Map<number, number>();
  addCharacterEntries(from.hk, variants, false);
  addCharacterEntries(from.tw, variants, false);
  // A "variant" that is itself simplified Chinese (么 → 幺, 才 → 纔, 群 → 羣 in the reverse tables, 著 → 着)
  // must stay.
  const simplified = new Set(toSimplified.values());
  const mainland = gb2312Characters();
  const kept = new Map<number, number>();
  for (const [variant, standard] of variants) {
    if (toSimplified.has(variant) || simplified.has(variant)) continue;
    const target = toSimplified.get(standard) ?? standard;
    if (target === variant) continue;
    if (mainland.has(variant)) kept.set(variant, target);
    else toSimplified.set(variant, target);
  }
  // Follow chains so one lookup is enough; a cycle (none in the data today) stops after a few steps.
  const resolve = (source: number, target: number): number => {
    let final = target;
    for (let step = 0; step < 4; step++) {
      const next = toSimplified.get(final);
      if (next === undefined || next === final || next === source) break;
      final = next;
    }
    return final;
  };
  for (const [source, target] of toSimplified) {
    const final = resolve(source, target);
    if (final !== target) toSimplified.set(source, final);
  }
  const keptVariants = new Map<number, number>();
  for (const [variant, target] of kept) keptVariants.set(variant, resolve(variant, target));
  return { toSimplified, keptVariants };
}

/**
 * Every hanzi of GB 2312, the mainland simplified character set (rows 0xB0–0xF7), decoded in one call with the
 * platform's GBK decoder (part of Node's ICU data). Without ICU's legacy encodings, the one variant known to be
 * affected today is listed instead.
 */
function gb2312Characters(): Set<number> {
  const bytes: number[] = [];
  for (let row = 0xb0; row <= 0xf7; row++) {
    for (let cell = 0xa1; cell <= 0xfe; cell++) bytes.push(row, cell);
  }
  let text: string;
  try {
    text = new TextDecoder('gbk').decode(Uint8Array.from(bytes));
  } catch {
    return new Set(['著'.codePointAt(0)!]);
  }
  const set = new Set<number>();
  for (const ch of text) if (ch !== '\ufffd') set.add(ch.codePointAt(0)!);
  return set;
}
