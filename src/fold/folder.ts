/**
 * The folding hot loop: one pass over the UTF-16 text, one table lookup per character, writing into a
 * reusable FoldBuffer. Everything Unicode-aware was settled when the tables were built (tables.ts); the loop
 * only dispatches on the entry's class and keeps a little state for gaps, repeats and leetspeak.
 *
 * Leetspeak needs to know what follows a digit (`f4ck` vs `1000`, `a55` vs `qq123`), so a group of leet
 * characters is not emitted when it is met: the loop remembers where it began, reads on to its end, decides,
 * then rewinds and replays the group with the decision made. Groups are short, and a text is still read
 * once plus the digits in it.
 */
import { createFoldBuffer, growFoldBuffer } from './buffer.js';
import {
  CLASS_MASK,
  CLASS_SHIFT,
  CODE_MASK,
  C_DIGIT,
  C_EXPAND,
  C_EXPAND_LETTERS,
  C_GLUE,
  C_HARD,
  C_HIGH,
  C_INVISIBLE,
  C_LEET,
  C_LETTER,
  C_LONE,
  C_MARK,
  C_PAIR,
  C_SOFT,
  C_SPACE,
  C_UNIT,
  FLAG_MASK,
  FLAG_SHIFT,
  LEET_LETTER_CODES,
  LEET_SHIFT,
  packEntry,
} from './entry.js';
import { resolveFolderOptions } from './options.js';
import { snapshotTables } from './snapshot.js';
import { buildFoldTables } from './tables.js';
import {
  EV_INVISIBLE,
  EV_LEET,
  EV_REPEATS,
  EV_SEPARATORS,
  FLAG_MARKED,
  GAP_HARD,
  GAP_SOFT,
  GAP_SPACE,
} from './types.js';
import type { FoldBuffer, FoldedTerm, Folder, FolderOptions } from './types.js';

const PAIR_ENTRY = packEntry(C_PAIR, 0, 0);
const LONE_ENTRY = packEntry(C_LONE, 0, 0);
const LEET_LETTERS = Uint16Array.from(LEET_LETTER_CODES);
const EXCLAMATION = 0x21;
const AT_SIGN = 0x40;
const DOLLAR = 0x24;
const MAX_RUN = 0xffff;
/** Entries below this are C_UNIT or C_LETTER (class in bits 24..27, no leet bits): the fast path. */
const FAST_LIMIT = (C_LETTER + 1) << CLASS_SHIFT;

// Word state for leetspeak: outside a Latin word, inside one without a real letter yet, inside one with.
// (WORD_LETTERS equals C_LETTER so the fast path can take the word state straight from the entry's class.)
const WORD_NONE = 0;
const WORD_LETTERS = 1;
const WORD_DIGITS = 2;
// Leet group state: none, pending (pure so far, not emitted yet), impure (has 2/6/8/9: digits stay digits).
const GROUP_NONE = 0;
const GROUP_PENDING = 1;
const GROUP_NUMBER = 2;

/**
 * Returns a Folder with its tables: decoded from the precomputed snapshot for the default options on the
 * runtime it was made for (a few milliseconds, see snapshot.ts), else built (about 0.2 s).
 */
export function createFolder(options: FolderOptions = {}): Folder {
  return new TableFolder(resolveFolderOptions(options));
}

class TableFolder implements Folder {
  readonly options: Readonly<Required<FolderOptions>>;
  readonly keptVariants: ReadonlyMap<number, number>;
  readonly #bmp: Int32Array;
  readonly #plane1: Int32Array;
  readonly #astral: ReadonlyMap<number, number>;
  readonly #expansions: readonly Uint16Array[];
  /** 0 when repeats collapse, -1 when they never do (ORed into the "previous code" so it never matches). */
  readonly #noCollapse: number;
  #scratch: FoldBuffer | undefined;

  constructor(options: Required<FolderOptions>) {
    this.options = Object.freeze({ ...options });
    const tables = snapshotTables(options) ?? buildFoldTables(options);
    this.#bmp = tables.bmp;
    this.#plane1 = tables.plane1;
    this.#astral = tables.astral;
    this.#expansions = tables.expansions;
    this.keptVariants = tables.keptVariants;
    this.#noCollapse = options.repeats ? 0 : -1;
  }

  fold(text: string, buf: FoldBuffer): FoldBuffer {
    return this.#fold(text, buf, true);
  }

  /** `leet` false reads every digit as a digit (a lexicon term's literal form, see foldTermForms). */
  #fold(text: string, buf: FoldBuffer, leet: boolean): FoldBuffer {
    const len = text.length;
    buf.length = 0;
    // Only expansions (⑩ → 1 0) can produce more units than code units; they grow the buffer themselves.
    if (buf.codes.length < len) growFoldBuffer(buf, len);
    let codes = buf.codes;
    let start = buf.start;
    let end = buf.end;
    let gap = buf.gap;
    let flags = buf.flags;
    let run = buf.run;
    const bmp = this.#bmp;
    const noCollapse = this.#noCollapse;

    let n = 0;
    let lettersGlued = false; // see FoldBuffer.lettersGlued
    let pendGap = 0; // strongest gap dropped since the last unit
    let pendFlags = 0; // evasion bits for the next unit (invisible characters)
    let prevCode = -1; // last unit's code when a repeat may collapse into it, else -1
    let afterSymbol = false; // the last character was a dropped symbol (emoji glue is part of it)
    let word = WORD_NONE;
    let group = GROUP_NONE;
    let groupStart = 0; // where the pending leet group began
    let groupFirstNonBang = -1; // first leet character in it that is not '!'
    let groupBang = -1; // where its trailing run of '!' began
    let groupOpensText = false; // it follows white space or starts the text: a leading '!' may be leet
    let groupSpelled = false; // it follows a letter standing alone after a gap: a spelled-out word (m=0=r)
    let groupAlone = false; // nothing of a Latin word before it: text start, a gap, or a CJK character
    let replayEnd = -1; // replaying [groupStart, replayEnd) with the decision below
    let convertStart = 0; // leet characters in [convertStart, convertEnd) become letters
    let convertEnd = 0;

    let i = 0;
    for (;;) {
      if (i >= len) {
        if (group === GROUP_PENDING) {
          // A group ending the text is trailing: a letter in the word before it makes it leet (`hell0`).
          convertStart = groupStart;
          convertEnd = trailingLeetEnd(word, groupBang, groupSpelled, groupStart, i);
          replayEnd = i;
          i = groupStart;
          group = GROUP_NONE;
          continue;
        }
        break;
      }
      const c = text.charCodeAt(i);
      let e = bmp[c];
      if (e < FAST_LIMIT && group === GROUP_NONE) {
        // Fast path, most characters: a unit (CJK, other scripts) or a letter, outside any leet group.
        const code = e & CODE_MASK;
        const kind = e >>> CLASS_SHIFT; // C_UNIT → WORD_NONE, C_LETTER → WORD_LETTERS
        // A letter glued to a unit or a unit glued to letters: WORD_NONE and WORD_LETTERS meet with no gap
        // between (after a gap `word` is WORD_NONE too, but pendGap is set).
        if (kind !== word && (kind | word) === WORD_LETTERS && pendGap === 0 && n > 0) lettersGlued = true;
        word = kind;
        if (code === prevCode && (pendGap === 0 || this.#repeatAcrossGap(text, i + 1, pendGap))) {
          const last = n - 1;
          if (run[last] !== MAX_RUN) run[last]++;
          end[last] = i + 1;
          flags[last] |=
            ((e >>> FLAG_SHIFT) & FLAG_MASK) | pendFlags | EV_REPEATS | (pendGap !== 0 ? EV_SEPARATORS : 0);
        } else {
          codes[n] = code;
          start[n] = i;
          end[n] = i + 1;
          gap[n] = pendGap;
          flags[n] = ((e >>> FLAG_SHIFT) & FLAG_MASK) | pendFlags;
          run[n] = 1;
          n++;
          prevCode = code | noCollapse;
        }
        pendGap = 0;
        pendFlags = 0;
        afterSymbol = false;
        i++;
        continue;
      }
      let w = 1;
      let cls = (e >>> CLASS_SHIFT) & CLASS_MASK;
      if (cls === C_HIGH) {
        e = this.#pairEntry(c, text.charCodeAt(i + 1));
        if (e !== LONE_ENTRY) w = 2;
        cls = (e >>> CLASS_SHIFT) & CLASS_MASK;
      }

      if (
        group === GROUP_PENDING &&
        cls !== C_LEET &&
        cls !== C_INVISIBLE &&
        cls !== C_GLUE &&
        cls !== C_MARK
      ) {
        // The pending leet group ends here: decide, then replay it.
        if (cls === C_LETTER || cls === C_EXPAND_LETTERS) {
          // Followed by a letter (`f4ck`, `5hit`, `sh!t`, ` !diot`): leet, except a '!' that opens a word
          // right after other text (`好!ok`, `ok.!yes`): that one is punctuation.
          convertStart =
            word === WORD_LETTERS || groupOpensText
              ? groupStart
              : groupFirstNonBang >= 0
                ? groupFirstNonBang
                : i;
          convertEnd = i;
          group = GROUP_NONE;
        } else if (cls === C_DIGIT) {
          // A 2, 6, 8 or 9 makes the group a number (`qq123`, `wx5201314`): nothing converts.
          convertStart = convertEnd = groupStart;
          group = GROUP_NUMBER;
        } else {
          // Trailing (`a55`, `hell0!`): leet after a real letter; a trailing '!' stays punctuation. A lone
          // one starts a spelled-out word when a letter standing alone follows (`5.h.1.7`, `$|b`).
          const spelled =
            groupSpelled ||
            (groupAlone &&
              (cls === C_SOFT || cls === C_SPACE) &&
              this.#spelledAhead(text, i, cls === C_SPACE));
          convertStart = groupStart;
          convertEnd = trailingLeetEnd(word, groupBang, spelled, groupStart, i);
          group = GROUP_NONE;
        }
        replayEnd = i;
        i = groupStart;
        continue;
      }

      let code: number;
      let f: number;
      switch (cls) {
        case C_UNIT:
          code = e & CODE_MASK;
          f = (e >>> FLAG_SHIFT) & FLAG_MASK;
          if (word === WORD_LETTERS && pendGap === 0) lettersGlued = true; // as on the fast path
          word = WORD_NONE;
          group = GROUP_NONE;
          break;
        case C_LETTER:
          code = e & CODE_MASK;
          f = (e >>> FLAG_SHIFT) & FLAG_MASK;
          if (word === WORD_NONE && pendGap === 0 && n > 0) lettersGlued = true; // an astral letter (`约𝐩𝐚𝐨`)
          word = WORD_LETTERS;
          group = GROUP_NONE;
          break;
        case C_DIGIT:
          code = e & CODE_MASK;
          f = (e >>> FLAG_SHIFT) & FLAG_MASK;
          if (word === WORD_NONE) word = WORD_DIGITS;
          group = GROUP_NUMBER;
          break;
        case C_LEET:
          if (i < replayEnd) {
            if (i >= convertStart && i < convertEnd) {
              code = LEET_LETTERS[e >>> LEET_SHIFT];
              f = ((e >>> FLAG_SHIFT) & FLAG_MASK) | EV_LEET;
              break;
            }
          } else if (group !== GROUP_NUMBER && leet) {
            if (group === GROUP_NONE) {
              group = GROUP_PENDING;
              groupStart = i;
              groupFirstNonBang = -1;
              groupBang = -1;
              groupOpensText = n === 0 || pendGap === GAP_SPACE;
              groupAlone =
                n === 0 || pendGap === GAP_SOFT || pendGap === GAP_SPACE || !isAsciiWord(codes[n - 1]);
              groupSpelled =
                (pendGap === GAP_SOFT || pendGap === GAP_SPACE) &&
                n > 0 &&
                isAsciiLetter(codes[n - 1]) &&
                // the letter stands alone: a gap or no Latin word before it (`是m.0.r.0.n`)
                (n === 1 || gap[n - 1] !== 0 || !isAsciiWord(codes[n - 2])) &&
                (run[n - 1] === 1 || (flags[n - 1] & EV_SEPARATORS) !== 0); // `QQ` is a word, `u u` not
            }
            if ((e & CODE_MASK) === EXCLAMATION) {
              if (groupBang < 0) groupBang = i;
            } else {
              groupBang = -1;
              if (groupFirstNonBang < 0) groupFirstNonBang = i;
            }
            if (word === WORD_NONE) word = WORD_DIGITS;
            i += w;
            continue;
          }
          // Not leetspeak: a digit stays a digit, '!' ends a sentence, '@' and '$' are noise.
          code = e & CODE_MASK;
          if (code === EXCLAMATION || code === AT_SIGN || code === DOLLAR) {
            if (code === EXCLAMATION) pendGap = GAP_HARD;
            else if (pendGap < GAP_SOFT) pendGap = GAP_SOFT;
            afterSymbol = true;
            word = WORD_NONE;
            group = GROUP_NONE;
            i += w;
            continue;
          }
          f = (e >>> FLAG_SHIFT) & FLAG_MASK;
          break;
        case C_INVISIBLE:
          if (group !== GROUP_PENDING) pendFlags |= EV_INVISIBLE;
          i += w;
          continue;
        case C_MARK:
          // Right after a unit: part of its character (every unit sharing that character's range grows).
          // After a gap or at the start it belongs to nothing kept: an invisible like any other.
          if (group !== GROUP_PENDING) {
            if (n > 0 && pendGap === 0) {
              const from = start[n - 1];
              for (let k = n - 1; k >= 0 && start[k] === from; k--) {
                end[k] = i + w;
                flags[k] |= FLAG_MARKED;
              }
            } else pendFlags |= EV_INVISIBLE;
          }
          i += w;
          continue;
        case C_GLUE:
          if (group !== GROUP_PENDING && !afterSymbol) pendFlags |= EV_INVISIBLE;
          i += w;
          continue;
        case C_SOFT:
          if (pendGap < GAP_SOFT) pendGap = GAP_SOFT;
          afterSymbol = true;
          word = WORD_NONE;
          group = GROUP_NONE;
          i += w;
          continue;
        case C_SPACE:
          if (pendGap < GAP_SPACE) pendGap = GAP_SPACE;
          afterSymbol = false;
          word = WORD_NONE;
          group = GROUP_NONE;
          i += w;
          continue;
        case C_HARD:
          pendGap = GAP_HARD;
          afterSymbol = true; // ‼️ ⁉️: punctuation with emoji presentation
          word = WORD_NONE;
          group = GROUP_NONE;
          i += w;
          continue;
        case C_PAIR:
          // Kept astral character: both code units, both mapping to the whole pair.
          codes[n] = c;
          codes[n + 1] = text.charCodeAt(i + 1);
          start[n] = start[n + 1] = i;
          end[n] = end[n + 1] = i + 2;
          gap[n] = pendGap;
          gap[n + 1] = 0;
          flags[n] = flags[n + 1] = pendFlags;
          run[n] = run[n + 1] = 1;
          n += 2;
          prevCode = -1;
          pendGap = 0;
          pendFlags = 0;
          afterSymbol = false;
          word = WORD_NONE;
          group = GROUP_NONE;
          i += 2;
          continue;
        case C_LONE:
          // Malformed text (a lone surrogate): keep it as it is rather than lose an offset.
          codes[n] = c;
          start[n] = i;
          end[n] = i + 1;
          gap[n] = pendGap;
          flags[n] = pendFlags;
          run[n] = 1;
          n++;
          prevCode = -1;
          pendGap = 0;
          pendFlags = 0;
          afterSymbol = false;
          word = WORD_NONE;
          group = GROUP_NONE;
          i += 1;
          continue;
        case C_EXPAND:
        case C_EXPAND_LETTERS: {
          const units = this.#expansions[e & CODE_MASK];
          const k = units.length;
          // Room for these units and one per code unit still to come (only expansions emit more).
          const needed = n + k + (len - i - w);
          if (needed > codes.length) {
            buf.length = n;
            growFoldBuffer(buf, needed);
            codes = buf.codes;
            start = buf.start;
            end = buf.end;
            gap = buf.gap;
            flags = buf.flags;
            run = buf.run;
          }
          f = ((e >>> FLAG_SHIFT) & FLAG_MASK) | pendFlags;
          for (let u = 0; u < k; u++) {
            codes[n] = units[u];
            start[n] = i;
            end[n] = i + w;
            gap[n] = u === 0 ? pendGap : 0;
            flags[n] = f;
            run[n] = 1;
            n++;
          }
          prevCode = -1; // units sharing one source character never absorb repeats
          pendGap = 0;
          pendFlags = 0;
          afterSymbol = false;
          word = cls === C_EXPAND_LETTERS ? WORD_LETTERS : WORD_NONE;
          group = GROUP_NONE;
          i += w;
          continue;
        }
        default:
          i += w;
          continue;
      }

      // Emit one unit, or fold a repeat of the previous unit into it (see #repeatAcrossGap for gaps).
      if (code === prevCode && (pendGap === 0 || this.#repeatAcrossGap(text, i + w, pendGap))) {
        const last = n - 1;
        if (run[last] !== MAX_RUN) run[last]++;
        end[last] = i + w;
        flags[last] |= f | pendFlags | EV_REPEATS | (pendGap !== 0 ? EV_SEPARATORS : 0);
      } else {
        codes[n] = code;
        start[n] = i;
        end[n] = i + w;
        gap[n] = pendGap;
        flags[n] = f | pendFlags;
        run[n] = 1;
        n++;
        prevCode = code | noCollapse;
      }
      pendGap = 0;
      pendFlags = 0;
      afterSymbol = false;
      i += w;
    }
    buf.length = n;
    buf.lettersGlued = lettersGlued;
    return buf;
  }

  /**
   * Whether a character equal to the last unit, after a gap, folds into it as a repeat. Never across
   * sentence punctuation. Across a space or a soft separator only when the character stands alone, as in a
   * spelled-out `f u u c k` or `加 加 微 信`: when a word goes on from it (`fuck kids`, `this shit`, `傻逼
   * 逼迫`), it begins that word, and folding it into the previous one would both hide the boundary between
   * them and stretch the first word's span over it. `next` is the index after the character.
   */
  #repeatAcrossGap(text: string, next: number, gap: number): boolean {
    if (gap === GAP_HARD) return false;
    let cls = C_MARK;
    // Marks on the character itself (`k̶`) say nothing: look past them.
    for (let j = next; cls === C_MARK;) {
      if (j >= text.length) return true;
      // A lone surrogate is kept as a unit (C_LONE): a word goes on.
      const e = this.#entryAt(text, j);
      cls = (e >>> CLASS_SHIFT) & CLASS_MASK;
      j += this.#widthAt(text, j);
      // `!`, `@` and `$` go on a word only as leetspeak inside one (`sh!t`); after a repeat they are noise.
      if (cls === C_LEET && ((e & CODE_MASK) < 0x30 || (e & CODE_MASK) > 0x39)) return true;
    }
    return cls === C_SPACE || cls === C_SOFT || cls === C_HARD || cls === C_INVISIBLE || cls === C_GLUE;
  }

  /**
   * Whether a lone leet character ending at `from` (where a soft gap or a space follows it) begins a word
   * spelled out one character at a time: past the gap comes a letter or leet character standing alone (a
   * gap or the end after it). After a space, two such characters must follow, each followed by a space or
   * the end (`5 h i t`), so that a number before a one-letter word (`room 5 b`) or an abbreviation
   * (`7 a.m.`) stays a number.
   */
  #spelledAhead(text: string, from: number, spaced: boolean): boolean {
    let k = from;
    for (let needed = spaced ? 2 : 1; needed > 0; needed--) {
      k = this.#pastGap(text, k);
      if (k < 0 || k >= text.length) return false;
      const cls = this.#classAt(text, k);
      if (cls !== C_LETTER && cls !== C_LEET) return false;
      // Digits apart by number punctuation are a number (`1.0`, `3/4`, `5-7`), not a spelled word.
      if (isDigit(text.charCodeAt(k)) && NUMBER_PUNCTUATION.includes(text[k - 1])) return false;
      k += this.#widthAt(text, k);
      if (k >= text.length) return needed === 1;
      const next = this.#classAt(text, k);
      if (spaced ? next !== C_SPACE : this.#pastGap(text, k) === k) return false;
    }
    return true;
  }

  /**
   * The index of the first character at or after `k` that is not a gap (soft, space, invisible, glue or
   * mark): text.length at the end, -1 at a sentence break.
   */
  #pastGap(text: string, k: number): number {
    while (k < text.length) {
      const cls = this.#classAt(text, k);
      if (cls === C_HARD) return -1;
      if (cls !== C_SOFT && cls !== C_SPACE && cls !== C_INVISIBLE && cls !== C_GLUE && cls !== C_MARK)
        return k;
      k += this.#widthAt(text, k);
    }
    return k;
  }

  /** The class of the character at k (a surrogate pair read whole). */
  #classAt(text: string, k: number): number {
    return (this.#entryAt(text, k) >>> CLASS_SHIFT) & CLASS_MASK;
  }

  /** The table entry of the character at k: a surrogate pair read whole, a lone one as LONE_ENTRY. */
  #entryAt(text: string, k: number): number {
    const c = text.charCodeAt(k);
    const e = this.#bmp[c];
    return ((e >>> CLASS_SHIFT) & CLASS_MASK) === C_HIGH ? this.#pairEntry(c, text.charCodeAt(k + 1)) : e;
  }

  /** 2 at a surrogate pair, else 1. */
  #widthAt(text: string, k: number): number {
    const c = text.charCodeAt(k);
    return (c & 0xfc00) === 0xd800 && (text.charCodeAt(k + 1) & 0xfc00) === 0xdc00 ? 2 : 1;
  }

  /** The entry of the pair high + low, or LONE_ENTRY when `low` is not a low surrogate (NaN past the end). */
  #pairEntry(high: number, low: number): number {
    if ((low & 0xfc00) !== 0xdc00) return LONE_ENTRY;
    const cp = ((high - 0xd800) << 10) + (low - 0xdc00) + 0x10000;
    return cp < 0x20000 ? this.#plane1[cp - 0x10000] : (this.#astral.get(cp) ?? PAIR_ENTRY);
  }

  foldTerm(term: string): FoldedTerm {
    return copyTerm(this.fold(term, this.#scratchBuffer(term.length)));
  }

  foldTermForms(term: string): FoldedTerm[] {
    const folded = this.foldTerm(term);
    if (!this.options.leet || !/[0-9]/.test(term)) return [folded];
    // Digits glued to letters read as leet (`betfast74` → betfasta), but the same digits split off by
    // separators or spaces (`b*e*t*f*a*s*t*7*4`, `betfast 74`) stay digits: offer both spellings.
    const literal = copyTerm(this.#fold(term, this.#scratchBuffer(term.length), false));
    if (literal.text === folded.text || literal.length < folded.length) return [folded];
    return [folded, literal];
  }

  foldToString(text: string): string {
    const buf = this.fold(text, this.#scratchBuffer(text.length));
    return unitsToString(buf.codes, buf.length);
  }

  #scratchBuffer(capacity: number): FoldBuffer {
    this.#scratch ??= createFoldBuffer(Math.max(64, capacity));
    return this.#scratch;
  }
}

function isAsciiLetter(code: number): boolean {
  return code >= 0x61 && code <= 0x7a;
}

/** What stands between the digits of a number: `1.0`, `1,000`, `3/4`, `5-7`, `1:0`. */
const NUMBER_PUNCTUATION = '.,/-:';

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

/** A folded unit a Latin word is made of: an ASCII letter or digit. */
function isAsciiWord(code: number): boolean {
  return (code >= 0x61 && code <= 0x7a) || (code >= 0x30 && code <= 0x39);
}

/**
 * Where the leet characters of a group followed by no letter stop converting (`groupStart` for none): after
 * a real letter in the same word, all of them but a trailing run of '!' (`a55`, `hell0!`); in a word
 * spelled out one character at a time (`m=0=r=0=n`, `c u n 7`, `c u n 7!`), a lone digit, @ or $ too.
 */
function trailingLeetEnd(
  word: number,
  groupBang: number,
  groupSpelled: boolean,
  groupStart: number,
  end: number,
): number {
  const beforeBangs = groupBang >= 0 ? groupBang : end;
  if (word === WORD_LETTERS) return beforeBangs;
  return groupSpelled && beforeBangs === groupStart + 1 ? beforeBangs : groupStart;
}

/** A trimmed copy of the folded units in `buf`. */
function copyTerm(buf: FoldBuffer): FoldedTerm {
  const n = buf.length;
  return {
    text: unitsToString(buf.codes, n),
    length: n,
    codes: buf.codes.slice(0, n),
    run: buf.run.slice(0, n),
    flags: buf.flags.slice(0, n),
    gap: buf.gap.slice(0, n),
    start: buf.start.slice(0, n),
    end: buf.end.slice(0, n),
  };
}

const CHUNK = 4096;

function unitsToString(codes: Uint16Array, length: number): string {
  let out = '';
  for (let i = 0; i < length; i += CHUNK) {
    out += String.fromCharCode(...codes.subarray(i, Math.min(length, i + CHUNK)));
  }
  return out;
}
