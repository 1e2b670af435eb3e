// What an AWS SDK error is, by its name: the SDK names every service error after its type (`__type`), also those it
// has no class for in the operation that raised it (a TransactionConflictException from a plain UpdateItem), so the
// name is the one test that holds for all of them.

/** True when `error` is an Error named `name` (e.g. 'ConditionalCheckFailedException'). */
export function errorNamed(error: unknown, name: string): boolean {
  return error instanceof Error && error.name === name;
}
