/**
 * Group cards (群名片) and identities. A card is read after NFKC normalisation (full-width letters, digits
 * and the full-width hyphen become their ASCII forms) and trimming, so `市场部－张三` and `市场部-张三` are
 * the same card. The identity of a card is its department and name, the same key a roster entry has, so
 * a card can be looked up in the roster.
 */

/**
 * `部门-姓名`: a department, a dash, a name; no spaces inside either part. The dash is any of the hyphens
 * and dashes people type: - ‐ ‑ ‒ – — ― − (U+002D, U+2010 to U+2015, U+2212), once or repeated (the Chinese
 * IME's Shift+- gives `——`); the full-width and small hyphens become `-` by NFKC.
 */
export const DEFAULT_CARD_FORMAT =
  '^(?<department>[^\\s\\-\\u2010-\\u2015\\u2212]+)\\s*[\\-\\u2010-\\u2015\\u2212]+\\s*(?<name>[^\\s\\-\\u2010-\\u2015\\u2212]+)$';
export const DEFAULT_CARD_LABEL = '部门-姓名';

export function normalizeCard(card: string): string {
  return card.normalize('NFKC').trim();
}

/** The roster key of a person: department and name, normalised like cards. */
export function identityKey(department: string, name: string): string {
  return normalizeCard(department) + '\u0001' + normalizeCard(name);
}

/** `市场部\u0001张三` → `市场部-张三`, for messages to people. */
export function describeIdentity(identity: string): string {
  return identity.replace('\u0001', '-');
}

export type CardParse =
  | { ok: true; identity: string; department: string; name: string }
  | { ok: false; problem: 'empty' | 'format' };

/**
 * Parses a card with a compiled format (named groups `name` and, optionally, `department`). A format
 * without a department group yields identities with an empty department, matched by name only.
 */
export function parseCard(card: string, format: RegExp): CardParse {
  const text = normalizeCard(card);
  if (text.length === 0) return { ok: false, problem: 'empty' };
  const m = format.exec(text);
  const name = m?.groups?.name;
  if (!m || !name) return { ok: false, problem: 'format' };
  const department = m.groups?.department ?? '';
  return {
    ok: true,
    identity: identityKey(department, name),
    department: normalizeCard(department),
    name: normalizeCard(name),
  };
}
