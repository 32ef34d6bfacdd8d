/**
 * YAML reads a key with nothing after it — `defaults:` or `http:` with every line under it commented out —
 * as null. Where the schema expects a mapping and null means nothing else, such a key is an empty mapping:
 * it changes nothing. Used for the configuration file and for policy files alike, so both read an empty
 * section the same way. Where null is a value of its own (a schema type that lists "null", e.g.
 * `kafka.sasl: null`), it is left alone; so is the document itself (a file that is empty or null at the
 * top is the caller's to report), and list items.
 */
type Schema = Readonly<Record<string, unknown>>;

/** A copy of `value` with such nulls replaced by `{}` (the input is never modified). */
export function nullSectionsAsEmpty(value: unknown, schema: Schema): unknown {
  return walk(value, schema, schema);
}

function walk(value: unknown, schema: Schema, root: Schema): unknown {
  const s = resolve(schema, root);
  if (!isPlainObject(value) || !allowsMapping(s)) return value;
  const properties = isPlainObject(s.properties) ? (s.properties as Record<string, Schema>) : undefined;
  const additional = isPlainObject(s.additionalProperties) ? (s.additionalProperties as Schema) : undefined;
  let changed = false;
  const entries = Object.entries(value).map(([key, v]): [string, unknown] => {
    const child = properties && Object.hasOwn(properties, key) ? properties[key] : additional;
    if (child === undefined) return [key, v];
    const c = resolve(child, root);
    const next = v === null ? (c.type === 'object' ? {} : null) : walk(v, c, root);
    if (next !== v) changed = true;
    return [key, next];
  });
  // Object.fromEntries defines keys as own properties, so a key such as "__proto__" stays a plain key.
  return changed ? Object.fromEntries(entries) : value;
}

function resolve(schema: Schema, root: Schema): Schema {
  const ref = schema.$ref;
  if (typeof ref !== 'string' || !ref.startsWith('#/definitions/')) return schema;
  const definitions = root.definitions as Record<string, Schema> | undefined;
  return definitions?.[ref.slice('#/definitions/'.length)] ?? schema;
}

function allowsMapping(s: Schema): boolean {
  return s.type === 'object' || (Array.isArray(s.type) && s.type.includes('object'));
}

/** A mapping (not null, not an array): what a YAML mapping parses to. Shared with load.ts. */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
