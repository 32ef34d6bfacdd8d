import type { ErrorObject } from 'ajv';

/** `/attachments/0/kind` → `attachments[0].kind`; the root is named `(record)`. */
export function pointerToPath(pointer: string, root = ''): string {
  if (!pointer) return root;
  let out = root;
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^\d+$/.test(seg)) out += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** One line per ajv error naming the field and the rule it broke, e.g. `text must be string (type)`. */
export function describeAjvError(e: ErrorObject, root = ''): string {
  let path = pointerToPath(e.instancePath, root);
  if (e.keyword === 'required') {
    const missing = (e.params as { missingProperty: string }).missingProperty;
    path = pointerToPath(`${e.instancePath}/${missing}`, root);
    return `${path} is required (required)`;
  }
  if (e.keyword === 'additionalProperties') {
    const extra = (e.params as { additionalProperty: string }).additionalProperty;
    return `${pointerToPath(`${e.instancePath}/${extra}`, root)} is not allowed (additionalProperties)`;
  }
  if (e.keyword === 'enum') {
    const allowed = (e.params as { allowedValues: unknown[] }).allowedValues;
    return `${path || '(record)'} must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')} (enum)`;
  }
  return `${path || '(record)'} ${e.message ?? 'is invalid'} (${e.keyword})`;
}

export function describeAjvErrors(errors: readonly ErrorObject[] | null | undefined, root = ''): string {
  if (!errors || errors.length === 0) return 'is invalid';
  return errors.map((e) => describeAjvError(e, root)).join('; ');
}
