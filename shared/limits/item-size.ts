/**
 * The size DynamoDB gives an item (pure, no SDK): attribute names plus values, strings in UTF-8,
 * binary values by their bytes, numbers about one byte per two digits, maps and lists three bytes plus one per element. The
 * policy-size limit is checked with it before the item is written.
 */

function valueSize(value: unknown): number {
  if (value === null || value === undefined || typeof value === 'boolean') return 1;
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
  if (value instanceof Uint8Array) return value.byteLength;
  if (typeof value === 'number' || typeof value === 'bigint') {
    const digits = String(value)
      .replace(/[^0-9]/g, '')
      .replace(/^0+/, '').length;
    return Math.ceil(Math.max(digits, 1) / 2) + 1;
  }
  if (Array.isArray(value)) {
    let size = 3;
    for (const v of value) size += valueSize(v) + 1;
    return size;
  }
  if (value instanceof Set) return valueSize([...value]);
  if (typeof value === 'object') {
    let size = 3;
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined) continue;
      size += Buffer.byteLength(k, 'utf8') + valueSize(v) + 1;
    }
    return size;
  }
  return 0;
}

/** The approximate size in bytes DynamoDB counts for `item` against its 400 KB item limit. */
export function itemSizeBytes(item: Record<string, unknown>): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) {
    if (value === undefined) continue;
    size += Buffer.byteLength(name, 'utf8') + valueSize(value);
  }
  return size;
}
