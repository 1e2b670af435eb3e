// `ses-bounce backfill-pointers` on dynalite: a table written at eventIndexes v1 (events and an audit entry without
// pointers, an erased recipient's tombstones) gets a pointer for every event and entry and an erased pointer for
// every tombstone, so the v2 readers find them and still refuse the erased ones; a dry run writes nothing, an
// interrupted run goes on where it stopped, and a second run writes nothing.
import { PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auditItem } from '../../lambdas/adapters/dynamo-items.ts';
import { backfillPointers } from '../../lambdas/adapters/dynamo-pointer-backfill.ts';
import { dynamoQueryStore } from '../../lambdas/adapters/dynamo-query-store.ts';
import { runBackfillPointers } from '../../lambdas/cli/backfill-pointers.ts';
import { EXIT } from '../../lambdas/cli/command.ts';
import { type ApiStack, bounceNotification, startApiStack } from '../support/api-harness.ts';
import { runWithCapturedIo } from '../support/cli-io.ts';

const NOW = new Date('2024-11-01T12:00:00Z');
const AUDIT_ID = 'a'.repeat(32);
type Item = Record<string, unknown>;

let stack: ApiStack;

async function scanTable(): Promise<Item[]> {
  const items: Item[] = [];
  let ExclusiveStartKey: Item | undefined;
  do {
    const page = await stack.documents.send(
      new ScanCommand({ TableName: stack.tableName, ...(ExclusiveStartKey ? { ExclusiveStartKey } : {}) }),
    );
    items.push(...(page.Items ?? []));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items.sort((a, b) => `${a.pk}|${a.sk}`.localeCompare(`${b.pk}|${b.sk}`));
}

const pointers = async () => (await scanTable()).filter((item) => String(item.pk).startsWith('ID#'));
const idOf = (item: Item) => String(item.sk).slice(String(item.sk).lastIndexOf('#') + 1);

/** Events of three recipients, one of them erased, and an audit entry, as v1 wrote them: no pointers. */
async function writeAtV1(): Promise<{ kept: Item[]; erasedIds: string[] }> {
  await stack.process(
    bounceNotification(['one@backfill.example', 'two@backfill.example'], '2024-10-28T09:00:00.000Z'),
  );
  await stack.process(bounceNotification(['gone@backfill.example'], '2024-10-28T10:00:00.000Z'));
  await stack.process(bounceNotification(['gone@backfill.example'], '2024-10-29T10:00:00.000Z'));
  const erasedIds = (await scanTable())
    .filter((item) => item.pk === 'R#gone@backfill.example' && String(item.sk).startsWith('E#'))
    .map(idOf);
  expect((await stack.call('DELETE', '/recipients/gone@backfill.example')).status).toBe(200);
  await stack.documents.send(
    new PutCommand({
      TableName: stack.tableName,
      Item: auditItem({
        id: AUDIT_ID,
        email: 'one@backfill.example',
        domain: 'backfill.example',
        occurredAt: '2024-10-30T00:00:00.000Z',
        recordedAt: '2024-10-30T00:00:00.000Z',
        action: 'reactivated',
        actor: 'test',
        requestId: 'r-1',
        causeEventId: null,
        detail: 'test entry',
      }),
    }),
  );
  const kept = (await scanTable()).filter((item) => item.entity === 'event');
  expect(kept).toHaveLength(3);
  expect(erasedIds).toHaveLength(2);
  expect(await pointers()).toEqual([]);
  return { kept, erasedIds };
}

const deps = () => ({ client: stack.documents, now: () => 0, sleep: async () => {} });

beforeEach(async () => {
  stack = await startApiStack(NOW, 'all', { eventIndexes: 'v1' });
});

afterEach(async () => {
  await stack.close();
});

describe('ses-bounce backfill-pointers', () => {
  it('gives every event and audit entry its pointer and every tombstone an erased one; v2 readers then find them', async () => {
    // Prepare
    const { kept, erasedIds } = await writeAtV1();
    const v2 = dynamoQueryStore(stack.documents, stack.tableName, { eventIndexes: 'v2' });
    // Act
    const dry = await runWithCapturedIo((io) =>
      runBackfillPointers(['--table', stack.tableName, '--dry-run'], io, deps()),
    );
    const afterDry = await pointers();
    const first = await runWithCapturedIo((io) =>
      runBackfillPointers(['--table', stack.tableName], io, deps()),
    );
    const written = await pointers();
    const second = await runWithCapturedIo((io) =>
      runBackfillPointers(['--table', stack.tableName], io, deps()),
    );
    // Assess
    expect(dry.code).toBe(EXIT.ok);
    expect(dry.stdout).toContain(
      '3 events and audit entries (3 would be given a pointer, 0 had one), 2 tombstones (2 would be turned into erased pointers, 0 had one)',
    );
    expect(afterDry).toEqual([]);
    expect(first.code).toBe(EXIT.ok);
    expect(first.stdout).toContain(
      '3 events and audit entries (3 given a pointer, 0 had one), 2 tombstones (2 turned into erased pointers, 0 had one), 0 changed meanwhile',
    );
    expect(written).toEqual(
      [
        ...kept.map((item) => ({
          pk: `ID#${idOf(item)}`,
          sk: 'ID',
          entity: 'pointer',
          epk: item.pk,
          esk: item.sk,
          ...(item.expiresAt === undefined ? {} : { expiresAt: item.expiresAt }),
        })),
        ...erasedIds.map((id) => ({
          pk: `ID#${id}`,
          sk: 'ID',
          entity: 'pointer',
          erased: true,
          expiresAt: expect.any(Number),
        })),
      ].sort((a, b) => a.pk.localeCompare(b.pk)),
    );
    expect(JSON.stringify(written.filter((item) => item.erased === true))).not.toContain('gone@');
    for (const item of kept) expect((await v2.getEvent(idOf(item)))?.id).toBe(idOf(item));
    for (const id of erasedIds) expect(await v2.getEvent(id)).toBeNull();
    expect(second.stdout).toContain(
      '3 events and audit entries (0 given a pointer, 3 had one), 2 tombstones (0 turned into erased pointers, 2 had one)',
    );
    expect(await pointers()).toEqual(written);
    // Nothing of the run's position is left behind.
    expect((await scanTable()).filter((item) => String(item.pk).startsWith('BACKFILL#'))).toEqual([]);
    expect(first.stdout + second.stdout).not.toContain('@backfill.example');
  });

  it('an interrupted run goes on where it stopped', async () => {
    // Prepare
    await writeAtV1();
    let sleeps = 0;
    const interrupt = {
      client: stack.documents,
      // Every request after the first waits (the clock stands still): the twelfth wait fails, some pages in.
      now: () => 0,
      sleep: async () => {
        sleeps += 1;
        if (sleeps === 12) throw new Error('interrupted');
      },
    };
    const options = {
      tableName: stack.tableName,
      dryRun: false,
      restart: false,
      requestsPerSecond: 1,
      pageSize: 2,
    };
    // Act
    await expect(backfillPointers(interrupt.client, { ...options, ...interrupt })).rejects.toThrow(
      'interrupted',
    );
    const between = await pointers();
    const resumed = await backfillPointers(stack.documents, {
      ...options,
      now: () => 0,
      sleep: async () => {},
    });
    // Assess
    expect(between.length).toBeGreaterThan(0);
    expect(between.length).toBeLessThan(5);
    expect(resumed.resumed).toBe(true);
    expect(resumed.pointersWritten + resumed.tombstonesConverted).toBe(5 - between.length);
    expect(await pointers()).toHaveLength(5);
  });
});
