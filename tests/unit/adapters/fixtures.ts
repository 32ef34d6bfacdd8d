import { readFileSync } from 'node:fs';

const ROOT = new URL('../../fixtures/onebot/', import.meta.url);

/** A OneBot v11 fixture (tests/fixtures/onebot), parsed. */
export function fixture(path: string): Record<string, any> {
  return JSON.parse(readFileSync(new URL(path, ROOT), 'utf8')) as Record<string, any>;
}

export function fixtureText(path: string): string {
  return readFileSync(new URL(path, ROOT), 'utf8');
}
