/** Codes shared by the lexicon compiler (which writes them into LexiconTables) and the matcher. */

export const KIND_TERM = 0;
export const KIND_PINYIN = 1;
export const KIND_ALIAS = 2;
export const KIND_ALLOW = 3;
export const KIND_WORD = 4;

export const BOUNDARY_NONE = 0;
/** The neighbour must not be a Latin letter/digit (or there must be a gap). */
export const BOUNDARY_LATIN = 1;
/** The neighbour must not be a CJK character (or there must be a gap): `boundary=word` on a CJK end. */
export const BOUNDARY_CJK = 2;

/**
 * `mark` bits. PINYIN: a syllable starts at this unit; ALIAS: a Latin stand-in replaces a character; TERM: the
 * unit stands for the character's reading in context (弹 read dan in 炸弹), never for the character itself.
 */
export const MARK_SYLLABLE = 1;
export const MARK_ALIAS = 1;
export const MARK_READING = 1;
/** Any kind: the term itself breaks words before this unit (`piss off`); the text may or may not. */
export const MARK_WORD_BREAK = 2;

/** `termFlags` bits. */
export const TERM_DRY_RUN = 1;
export const TERM_PHONETIC = 2;
/** `plain=off`: only pinyin / same-sound / stand-in spellings count. */
export const TERM_NOT_PLAIN = 4;
