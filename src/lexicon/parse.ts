/**
 * Parses one lexicon file from its raw bytes. Never throws on content: every oddity (BOM, CRLF, blank or
 * duplicate lines, invalid UTF-8, bad attributes) becomes a warning and the line is skipped or repaired.
 *
 * Line format:  term [TAB attributes]   — attributes separated by spaces, commas or further tabs:
 *   severity=1..5   phonetic=on|off   plain=on|off   boundary=word|any   dryRun (or dryRun=true|false)
 * A line whose first non-blank character is `#` is a comment; ` #` after a term starts a trailing comment.
 */
import type { BoundaryMode, LexiconWarning, LexiconWarningCode, TermAttributes } from './types.js';
import { MAX_SEVERITY, MIN_SEVERITY } from './types.js';

export interface ParsedLine {
  text: string;
  /** NO_ATTRIBUTES (shared, frozen) when the line has none. */
  attributes: Readonly<TermAttributes>;
  line: number;
}

export interface ParsedFile {
  lines: ParsedLine[];
  warnings: LexiconWarning[];
}

/**
 * The attributes of every line that has none (nearly all): one shared, frozen object instead of one each.
 * Readers can test for it to skip copying attributes.
 */
export const NO_ATTRIBUTES: Readonly<TermAttributes> = Object.freeze({});

/** At most this many warnings of one code per file; the rest are summed up in one more warning. */
const WARNINGS_PER_CODE = 20;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Collects warnings for one file, capping each code so a 50k-line CRLF file does not flood the CLI. */
class FileWarnings {
  readonly list: LexiconWarning[] = [];
  readonly #counts = new Map<LexiconWarningCode, number>();
  readonly #file: string;

  constructor(file: string) {
    this.#file = file;
  }

  add(code: LexiconWarningCode, line: number, message: string): void {
    const count = (this.#counts.get(code) ?? 0) + 1;
    this.#counts.set(code, count);
    if (count <= WARNINGS_PER_CODE) this.list.push({ file: this.#file, line, code, message });
  }

  finish(): LexiconWarning[] {
    for (const [code, count] of this.#counts) {
      if (count > WARNINGS_PER_CODE) {
        this.list.push({
          file: this.#file,
          line: 0,
          code,
          message: `${count - WARNINGS_PER_CODE} more ${code} warnings in this file (${count} in all)`,
        });
      }
    }
    return this.list;
  }
}

/**
 * `withAttributes` false (allow-lists, third-party word lists read as plain words) still splits off a TAB
 * tail, but warns that it is ignored.
 */
export function parseLexiconFile(bytes: Uint8Array, file: string, withAttributes = true): ParsedFile {
  const lines: ParsedLine[] = [];
  const warnings = forEachLexiconLine(bytes, file, withAttributes, (text, attributes, line) => {
    lines.push({ text, attributes, line });
  });
  return { lines, warnings };
}

/**
 * parseLexiconFile without the line objects: `onLine` gets each kept line in order (what a loader of 100k
 * terms wants, making its own objects straight away). Returns the warnings.
 */
export function forEachLexiconLine(
  bytes: Uint8Array,
  file: string,
  withAttributes: boolean,
  onLine: (text: string, attributes: Readonly<TermAttributes>, line: number) => void,
): LexiconWarning[] {
  const warnings = new FileWarnings(file);
  const found: FoundAttributes = { attributes: NO_ATTRIBUTES };
  const firstLineOf = new Map<string, number>();
  let offset = 0;
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    warnings.add('BOM', 1, 'file starts with a UTF-8 byte order mark (ignored)');
    offset = 3;
  }
  let crlfLines = 0;
  let firstCrlf = 0;
  const take = (line: string, lineNumber: number): void => {
    if (line.endsWith('\r')) {
      line = line.slice(0, -1);
      if (crlfLines++ === 0) firstCrlf = lineNumber;
    }
    const text = parseLine(line, lineNumber, withAttributes, warnings, found);
    if (text === null) return;
    const previous = firstLineOf.get(text);
    if (previous !== undefined) {
      warnings.add('DUPLICATE', lineNumber, `"${text}" repeats line ${previous} (skipped)`);
      return;
    }
    firstLineOf.set(text, lineNumber);
    onLine(text, found.attributes, lineNumber);
  };

  const body = bytes.subarray(offset);
  let whole: string | undefined;
  try {
    whole = strictUtf8.decode(body); // the common case: one decode for the whole file
  } catch {
    whole = undefined;
  }
  if (whole !== undefined) {
    const split = whole.split('\n');
    if (split.length > 0 && split[split.length - 1] === '') split.pop(); // the newline that ends the file
    for (let k = 0; k < split.length; k++) take(split[k], k + 1);
  } else {
    // Some line is not UTF-8: decode line by line so only the bad lines are lost.
    let lineNumber = 0;
    let at = 0;
    while (at < body.length) {
      let stop = body.indexOf(0x0a, at);
      if (stop < 0) stop = body.length;
      lineNumber++;
      try {
        take(strictUtf8.decode(body.subarray(at, stop)), lineNumber);
      } catch {
        warnings.add('INVALID_UTF8', lineNumber, 'line is not valid UTF-8 (skipped)');
      }
      at = stop + 1;
    }
  }
  if (crlfLines > 0) {
    warnings.add('CRLF', firstCrlf, `${crlfLines} line(s) end in CRLF (the CR is ignored)`);
  }
  return warnings.finish();
}

/** The attributes parseLine found on its line: one object reused for every line of a file. */
interface FoundAttributes {
  attributes: Readonly<TermAttributes>;
}

/** The line's term (attributes into `found`), or null when the line holds none. */
function parseLine(
  text: string,
  lineNumber: number,
  withAttributes: boolean,
  warnings: FileWarnings,
  found: FoundAttributes,
): string | null {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // a BOM left over from concatenated files
  const trimmed = text.trim();
  if (trimmed === '') {
    warnings.add('BLANK_LINE', lineNumber, 'blank line (skipped)');
    return null;
  }
  if (trimmed.startsWith('#')) return null;

  const tab = text.indexOf('\t');
  const comments = text.includes('#');
  found.attributes = NO_ATTRIBUTES;
  // The common line: a bare term (trimmed already).
  if (tab < 0 && !comments) return trimmed;
  let term = tab < 0 ? text : text.slice(0, tab);
  let tail = tab < 0 ? '' : text.slice(tab + 1);
  if (comments) {
    const comment = term.search(/\s#/);
    if (comment >= 0) {
      term = term.slice(0, comment);
      tail = '';
    } else {
      const tailComment = tail.search(/(^|\s)#/);
      if (tailComment >= 0) tail = tail.slice(0, tailComment);
    }
  }
  term = term.trim();
  if (term === '') {
    warnings.add('BLANK_LINE', lineNumber, 'attributes without a term (skipped)');
    return null;
  }
  tail = tail.trim();
  if (tail === '') return term;
  const attributes: TermAttributes = {};
  if (withAttributes) parseAttributes(tail, lineNumber, attributes, warnings);
  else warnings.add('BAD_ATTRIBUTE', lineNumber, `attributes are not used in this file: "${tail}" (ignored)`);
  found.attributes = attributes;
  return term;
}

function parseAttributes(
  tail: string,
  lineNumber: number,
  into: TermAttributes,
  warnings: FileWarnings,
): void {
  for (const token of tail.split(/[\s,;]+/)) {
    if (token === '') continue;
    const eq = token.indexOf('=');
    const key = (eq < 0 ? token : token.slice(0, eq)).toLowerCase();
    const value = eq < 0 ? undefined : token.slice(eq + 1).toLowerCase();
    const bad = (why: string): void =>
      warnings.add('BAD_ATTRIBUTE', lineNumber, `attribute "${token}" ${why} (ignored)`);
    switch (key) {
      case 'severity': {
        const severity = value !== undefined && /^\d+$/.test(value) ? Number(value) : NaN;
        if (severity >= MIN_SEVERITY && severity <= MAX_SEVERITY) into.severity = severity;
        else bad(`must be an integer ${MIN_SEVERITY}..${MAX_SEVERITY}`);
        break;
      }
      case 'phonetic': {
        const flag = parseFlag(value);
        if (flag === undefined || value === undefined) bad('must be on or off');
        else into.phonetic = flag;
        break;
      }
      case 'plain': {
        const flag = parseFlag(value);
        if (flag === undefined || value === undefined) bad('must be on or off');
        else into.plain = flag;
        break;
      }
      case 'boundary':
        if (value === 'word' || value === 'any') into.boundary = value as BoundaryMode;
        else bad('must be word or any');
        break;
      case 'dryrun': {
        const flag = value === undefined ? true : parseFlag(value);
        if (flag === undefined) bad('must be true or false');
        else into.dryRun = flag;
        break;
      }
      default:
        bad('is unknown');
    }
  }
}

function parseFlag(value: string | undefined): boolean | undefined {
  switch (value) {
    case 'on':
    case 'true':
    case 'yes':
    case '1':
      return true;
    case 'off':
    case 'false':
    case 'no':
    case '0':
      return false;
    default:
      return undefined;
  }
}
