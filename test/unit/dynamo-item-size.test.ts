// DynamoDB's item size rule as the event codec, the local stack's front and the benches count it
// (lambdas/adapters/dynamo-item-size.ts): names plus values, a Binary by its bytes whichever way it is carried.
import { marshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { itemSize } from '../../lambdas/adapters/dynamo-item-size.ts';

describe('item size', () => {
  it('counts names and values by the rule', () => {
    // Prepare: a string of 2 two-byte characters, a 5-digit number, a boolean, a null, a list and a map.
    const item = marshall({ s: 'éé', n: 12345, b: true, z: null, l: ['ab', 1], m: { k: 'v' } });
    // Act / Assess: 1+4, 1+(3+1), 1+1, 1+1, 1+(3+1+2+1+2), 1+(3+1+1+1)
    expect(itemSize(item)).toBe(5 + 5 + 2 + 2 + 10 + 7);
    expect(itemSize(undefined)).toBe(0);
  });

  it('counts a Binary by its bytes, as the SDK holds them and as base64 on the wire', () => {
    // Prepare
    const bytes = new Uint8Array([0, 1, 2, 250, 251, 252, 253]);
    const base64 = Buffer.from(bytes).toString('base64');
    // Act
    const sizes = [
      itemSize({ z: { B: bytes } }),
      itemSize({ z: { B: base64 as unknown as Uint8Array } }),
      itemSize({ z: { BS: [bytes, bytes] } }),
      itemSize({ z: { BS: [base64, base64] as unknown as Uint8Array[] } }),
    ];
    // Assess
    expect(base64.length).toBeGreaterThan(bytes.length);
    expect(sizes).toEqual([1 + 7, 1 + 7, 1 + 14, 1 + 14]);
  });
});
