/**
 * A set of domains where an entry also covers its subdomains (`company.com` covers `mail.company.com`), with
 * the most specific entry winning. Look-ups walk the host's suffixes from longest to shortest, so the cost
 * is the number of labels, whatever the list size.
 */
export class DomainSuffixMap<V> {
  readonly #entries = new Map<string, V>();

  get size(): number {
    return this.#entries.size;
  }

  /** Adds `domain` (already normalised). `merge` decides when the same domain is added twice. */
  set(domain: string, value: V, merge?: (previous: V, next: V) => V): void {
    const previous = this.#entries.get(domain);
    this.#entries.set(domain, previous !== undefined && merge ? merge(previous, value) : value);
  }

  /** The most specific entry covering `host` (lower-case ASCII), or undefined. */
  lookup(host: string): { domain: string; value: V } | undefined {
    if (this.#entries.size === 0) return undefined;
    let from = 0;
    while (from < host.length) {
      const candidate = from === 0 ? host : host.slice(from);
      const value = this.#entries.get(candidate);
      if (value !== undefined) return { domain: candidate, value };
      const dot = host.indexOf('.', from);
      if (dot < 0) break;
      from = dot + 1;
    }
    return undefined;
  }
}
