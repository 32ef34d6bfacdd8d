/**
 * Reads lexicons from disk: directories of `<category>.txt` + `allow.txt`, third-party word lists (category
 * from the file name, see third-party.ts, or given explicitly) and extra allow files. Several inputs merge;
 * a term defined again later keeps its first spelling but takes the later attributes, so an operator's
 * directory listed after the defaults can re-rate a default term.
 *
 * Only a missing path is fatal (a typo in `--lexicon` must not silently run with no lexicon): everything
 * wrong inside a file becomes a warning for the CLI to print.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ConfigError } from '../contracts/errors.js';
import type { Category } from '../contracts/types.js';
import { CATEGORIES } from '../contracts/types.js';
import { NO_ATTRIBUTES, forEachLexiconLine } from './parse.js';
import { categoryForFileName } from './third-party.js';
import type { AllowSource, LexiconSources, LexiconWarning, TermSource } from './types.js';
import { lexiconVersion } from './version.js';

/** A directory, a single file (category from its name), or a file with an explicit category. */
export type LexiconInput = string | { path: string; category?: Category };

export interface ReadOptions {
  /** Extra allow-list files (`--allow FILE`), one phrase per line. */
  allowFiles?: readonly string[];
}

export interface ReadResult {
  sources: LexiconSources;
  warnings: LexiconWarning[];
  /** Files read, in load order. */
  files: string[];
}

const ALLOW_FILE = 'allow.txt';

export function readLexiconSources(inputs: readonly LexiconInput[], options: ReadOptions = {}): ReadResult {
  const terms: TermSource[] = [];
  const allow: AllowSource[] = [];
  const warnings: LexiconWarning[] = [];
  const files: string[] = [];

  const readTerms = (file: string, category: Category): void => {
    const bytes = readBytes(file, warnings);
    if (!bytes) return;
    files.push(file);
    const fileWarnings = forEachLexiconLine(bytes, file, true, (text, attributes, line) => {
      terms.push(
        attributes === NO_ATTRIBUTES
          ? { term: text, category, file, line }
          : { ...attributes, term: text, category, file, line },
      );
    });
    warnings.push(...fileWarnings);
  };
  const readAllow = (file: string): void => {
    const bytes = readBytes(file, warnings);
    if (!bytes) return;
    files.push(file);
    const fileWarnings = forEachLexiconLine(bytes, file, false, (phrase, _attributes, line) => {
      allow.push({ phrase, file, line });
    });
    warnings.push(...fileWarnings);
  };
  const readFile = (file: string, category: Category | undefined): void => {
    if (category) return readTerms(file, category);
    if (basename(file).toLowerCase() === ALLOW_FILE) return readAllow(file);
    const fromName = categoryForFileName(basename(file));
    if (fromName) return readTerms(file, fromName);
    warnings.push({
      file,
      line: 0,
      code: 'UNKNOWN_FILE',
      message: `no category for this file name (skipped); name it <category>.txt or give its category explicitly`,
    });
  };

  for (const input of inputs) {
    const path = typeof input === 'string' ? input : input.path;
    const category = typeof input === 'string' ? undefined : input.category;
    if (category !== undefined && !(CATEGORIES as readonly string[]).includes(category)) {
      throw new ConfigError('LEXICON_INVALID', path, `has an unknown category "${String(category)}"`);
    }
    const stat = statOrThrow(path);
    if (stat.isDirectory()) {
      for (const name of readdirSync(path).sort()) {
        if (!name.toLowerCase().endsWith('.txt')) continue;
        const file = join(path, name);
        if (!statSync(file, { throwIfNoEntry: false })?.isFile()) continue;
        readFile(file, category);
      }
    } else {
      readFile(path, category);
    }
  }
  for (const file of options.allowFiles ?? []) {
    statOrThrow(file);
    readAllow(file);
  }
  return { sources: { terms, allow, version: lexiconVersion(terms, allow) }, warnings, files };
}

function statOrThrow(path: string): ReturnType<typeof statSync> & object {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) throw new ConfigError('LEXICON_INVALID', path, 'does not exist');
  return stat;
}

function readBytes(file: string, warnings: LexiconWarning[]): Uint8Array | undefined {
  try {
    return readFileSync(file);
  } catch (error) {
    warnings.push({
      file,
      line: 0,
      code: 'UNREADABLE',
      message: `cannot be read: ${(error as Error).message}`,
    });
    return undefined;
  }
}
