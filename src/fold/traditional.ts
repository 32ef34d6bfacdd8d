/**
 * Traditional → simplified Chinese at the character level, from the dictionaries behind opencc-js (OpenCC's
 * maintained data, not a hand list):
 *   - HKVariantsRev / TWVariantsRev: Hong Kong and Taiwan variant characters → OpenCC standard traditional;
 *   - TSCharacters: standard traditional → simplified.
 * Only one-character-to-one-character entries are used, so every folded unit still maps to exactly one
 * original character (phrase dictionaries such as TSPhrases are skipped on purpose: they would change
 * lengths and need segmentation). Chains are followed (啟 → 啓 → 启).
 */
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

/** Code point → simplified code point, for every character OpenCC converts one-to-one. */
export function buildTraditionalToSimplified(): Map<number, number> {
  const toSimplified = new Map<number, number>();
  addCharacterEntries(to.cn, toSimplified, true);
  const variants = new Map<number, number>();
  addCharacterEntries(from.hk, variants, false);
  addCharacterEntries(from.tw, variants, false);
  // A "variant" that is itself simplified Chinese (么 → 幺, 才 → 纔, 群 → 羣 in the reverse tables) must stay.
  const simplified = new Set(toSimplified.values());
  for (const [variant, standard] of variants) {
    if (toSimplified.has(variant) || simplified.has(variant)) continue;
    const target = toSimplified.get(standard) ?? standard;
    if (target !== variant) toSimplified.set(variant, target);
  }
  // Follow chains so one lookup is enough; a cycle (none in the data today) stops after a few steps.
  for (const [source, target] of toSimplified) {
    let final = target;
    for (let step = 0; step < 4; step++) {
      const next = toSimplified.get(final);
      if (next === undefined || next === final || next === source) break;
      final = next;
    }
    if (final !== target) toSimplified.set(source, final);
  }
  return toSimplified;
}
