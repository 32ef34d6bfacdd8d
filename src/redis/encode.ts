/**
 * Packs numbers as little-endian doubles, the form the Lua scripts read with struct.unpack('<d…'): one
 * binary argument per batch instead of several per request (cheaper to build here and to read there), the
 * same bytes on any host.
 */
export function encodeDoubles(values: readonly number[]): Buffer {
  const buf = Buffer.allocUnsafe(values.length * 8);
  for (let i = 0; i < values.length; i++) buf.writeDoubleLE(values[i], i * 8);
  return buf;
}
