// DynamoDB's item size rule (what a write is billed by: one write unit per started KB, twice that in a transaction):
// attribute names plus values. Used by the event codec to choose an item's stored form, and by the local stack and
// the benches to count units.
import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/** One write unit's worth of item bytes. */
export const WRITE_UNIT_BYTES = 1024;

/**
 * A binary value's bytes: the SDK's marshalled value holds them; the JSON wire format (a Lambda stream event, the
 * local stack's front server) holds them in base64.
 */
function binarySize(value: Uint8Array | string): number {
  return typeof value === 'string' ? Buffer.from(value, 'base64').length : value.length;
}

function valueSize(value: AttributeValue): number {
  if (value.S !== undefined) return Buffer.byteLength(value.S);
  if (value.N !== undefined) return Math.ceil(value.N.replace(/^-|\.|e.*$/gi, '').length / 2) + 1;
  if (value.B !== undefined) return binarySize(value.B as Uint8Array | string);
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS) return value.SS.reduce((sum, s) => sum + Buffer.byteLength(s), 0);
  if (value.NS) return value.NS.reduce((sum, n) => sum + n.length, 0);
  if (value.BS) return value.BS.reduce((sum, b) => sum + binarySize(b as Uint8Array | string), 0);
  if (value.L) return 3 + value.L.reduce((sum, v) => sum + 1 + valueSize(v), 0);
  if (value.M)
    return (
      3 + Object.entries(value.M).reduce((sum, [k, v]) => sum + 1 + Buffer.byteLength(k) + valueSize(v), 0)
    );
  return 0;
}

/** The size DynamoDB bills a marshalled item by: attribute names plus values (close enough for unit counting). */
export function itemSize(item: Record<string, AttributeValue> | undefined): number {
  if (!item) return 0;
  return Object.entries(item).reduce(
    (sum, [name, value]) => sum + Buffer.byteLength(name) + valueSize(value),
    0,
  );
}
