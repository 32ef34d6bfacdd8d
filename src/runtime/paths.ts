import { fileURLToPath } from 'node:url';

/**
 * The package root, from both src/ (tsx) and dist/ (built): both sit one level below it. Built-in lexicons,
 * schemas and the shipped model are resolved from here, never from the working directory.
 */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BUILTIN_LEXICON_DIR = fileURLToPath(new URL('../../lexicons/', import.meta.url));
export const BUILTIN_MODELS_DIR = fileURLToPath(new URL('../../models/', import.meta.url));
