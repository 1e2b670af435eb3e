// Which stream records each consumer of the table's stream is invoked for: Lambda event filter patterns (plain
// data; the CDK event sources and the local stream both use these). Records that match no pattern of a consumer
// never reach it.

/** An event filter pattern, as Lambda's FilterCriteria takes it (JSON of the stream record's shape). */
export type StreamFilterPattern = { readonly [field: string]: StreamFilterPattern | readonly FilterValue[] };
type FilterValue = string | boolean | { readonly prefix: string };

/** The events publisher: changes of summaries and events (history entries), whatever the change. */
export const PUBLISHER_STREAM_FILTERS: readonly StreamFilterPattern[] = [
  { dynamodb: { NewImage: { entity: { S: ['summary', 'event'] } } } },
  { dynamodb: { OldImage: { entity: { S: ['summary', 'event'] } } } },
];

/**
 * The counter rollup: inserted SES events this version marked for it (`rollup: true`), and every write of a
 * delivery-ledger item (its per-domain counts grow).
 */
export const ROLLUP_STREAM_FILTERS: readonly StreamFilterPattern[] = [
  { eventName: ['INSERT'], dynamodb: { NewImage: { entity: { S: ['event'] }, rollup: { BOOL: [true] } } } },
  { eventName: ['INSERT', 'MODIFY'], dynamodb: { Keys: { pk: { S: [{ prefix: 'DLV#' }] } } } },
];

/**
 * Retries of a failing rollup batch before its stream position goes to the failure queue. Each retry is safe (the
 * checkpoint drops what an earlier attempt counted); a batch given up is counted by no one, so retry generously.
 */
export const ROLLUP_RETRY_ATTEMPTS = 20;
