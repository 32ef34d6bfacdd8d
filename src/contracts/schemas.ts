import { readFileSync } from 'node:fs';

/**
 * The JSON Schemas under schemas/ are the published contract; the TypeScript types in types.ts mirror them.
 * They are read once per process (the path resolves from both src/ and dist/, which sit at the same depth).
 */
const SCHEMA_DIR = new URL('../../schemas/', import.meta.url);

const cache = new Map<string, object>();

export function loadSchema(name: 'message.v1' | 'verdict.v1' | 'error-record.v1'): object {
  let schema = cache.get(name);
  if (!schema) {
    schema = JSON.parse(readFileSync(new URL(`${name}.json`, SCHEMA_DIR), 'utf8')) as object;
    cache.set(name, schema);
  }
  return schema;
}
