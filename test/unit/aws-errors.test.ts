import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { errorNamed } from '../../lambdas/adapters/aws-errors.ts';

describe('errorNamed', () => {
  it("knows an SDK error by its class's name, and an error the SDK raised without a class by its name alone", () => {
    const modelled = new ConditionalCheckFailedException({ message: 'refused', $metadata: {} });
    const unmodelled = Object.assign(new Error('conflict'), { name: 'TransactionConflictException' });
    expect(errorNamed(modelled, 'ConditionalCheckFailedException')).toBe(true);
    expect(errorNamed(unmodelled, 'TransactionConflictException')).toBe(true);
    expect(errorNamed(unmodelled, 'ConditionalCheckFailedException')).toBe(false);
  });

  it('is false for what is not an Error, even with the name', () => {
    expect(errorNamed({ name: 'ConditionalCheckFailedException' }, 'ConditionalCheckFailedException')).toBe(
      false,
    );
    expect(errorNamed('ConditionalCheckFailedException', 'ConditionalCheckFailedException')).toBe(false);
  });
});
