// byTime2 and byDomain2 project exactly what the list filters read in an index (INDEX_FILTER_ATTRIBUTES): a filter
// on an attribute the index lacks would silently match nothing, and one projected but never filtered on is paid for
// in every index entry.
import { describe, expect, it } from 'vitest';
import { buildFilter } from '../../lambdas/adapters/dynamo-query-store.ts';
import { INDEX_FILTER_ATTRIBUTES } from '../../lambdas/adapters/table-definition.ts';

describe('the v2 time indexes and the list filters', () => {
  it('project exactly the attributes every index filter names', () => {
    // Act: every filter a list route takes, as read from an index (type and domain are in its partition key).
    const filter = buildFilter(
      {
        type: 'bounce',
        domain: 'example.org',
        verdict: 'hard',
        category: 'mailbox-unknown',
        code: '5.1',
        messageId: 'm-1',
        source: 'sender@example.com',
      },
      'index',
      false,
    );
    // Assess
    expect(new Set(Object.values(filter?.names ?? {}))).toEqual(new Set(INDEX_FILTER_ATTRIBUTES));
  });
});
