// The stages of the event indexes' migration (the eventIndexes setting): each stage's template has exactly its
// indexes, each step from one stage to the next creates or deletes one index (CloudFormation's limit per table
// update), and the grants follow the calls the stage makes.
import { describe, expect, it } from 'vitest';
import {
  EVENT_INDEX_STAGES,
  type EventIndexStage,
  eventIndexPlan,
  INDEX_FILTER_ATTRIBUTES,
} from '../../lambdas/adapters/table-definition.ts';
import { logicalId, roleStatements, synthesize } from '../support/synth.ts';

type IndexResource = {
  IndexName: string;
  KeySchema: { AttributeName: string; KeyType: string }[];
  Projection: { ProjectionType: string; NonKeyAttributes?: string[] };
};

function synthesized(stage: EventIndexStage) {
  const { stack, template } = synthesize({ eventIndexes: stage });
  const tableId = logicalId(stack, stack.parts.store.table);
  const table = template.findResources('AWS::DynamoDB::Table')[tableId];
  const indexes = (table?.Properties.GlobalSecondaryIndexes ?? []) as IndexResource[];
  const environment = (id: string) =>
    template.findResources('AWS::Lambda::Function')[id]?.Properties.Environment.Variables as Record<
      string,
      unknown
    >;
  const ids = {
    processor: logicalId(stack, stack.parts.processor.function.function),
    worker: logicalId(stack, stack.parts.suppression.function.function),
    query: logicalId(stack, stack.parts.queryApi.function.function),
  };
  const statements = (functionId: string) => roleStatements(template, functionId);
  return { indexes, environment, ids, statements, tableId };
}

const templates = new Map(EVENT_INDEX_STAGES.map((stage) => [stage, synthesized(stage)]));
const at = (stage: EventIndexStage) => {
  const found = templates.get(stage);
  if (found === undefined) throw new Error(stage);
  return found;
};

describe('event index stages', () => {
  it.each(EVENT_INDEX_STAGES)('%s: the table has exactly the indexes of the stage', (stage) => {
    expect(at(stage).indexes.map((index) => index.IndexName)).toEqual(eventIndexPlan(stage).indexes);
  });

  it('steps one index at a time, from the first model to v2', () => {
    const changes = EVENT_INDEX_STAGES.slice(1).map((stage, i) => {
      const before = new Set(
        at(EVENT_INDEX_STAGES[i] as EventIndexStage).indexes.map((x) => JSON.stringify(x)),
      );
      const after = new Set(at(stage).indexes.map((x) => JSON.stringify(x)));
      return (
        [...before].filter((x) => !after.has(x)).length + [...after].filter((x) => !before.has(x)).length
      );
    });
    // v2-readers changes readers and writers only.
    expect(changes).toEqual([1, 1, 0, 1, 1, 1]);
  });

  it('v1 is the first model exactly: byTime, byDomain, byId projecting everything', () => {
    expect(at('v1').indexes).toEqual([
      {
        IndexName: 'byTime',
        KeySchema: [
          { AttributeName: 'gsi1pk', KeyType: 'HASH' },
          { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
      {
        IndexName: 'byDomain',
        KeySchema: [
          { AttributeName: 'gsi2pk', KeyType: 'HASH' },
          { AttributeName: 'gsi2sk', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
      {
        IndexName: 'byId',
        KeySchema: [{ AttributeName: 'eid', KeyType: 'HASH' }],
        Projection: { ProjectionType: 'ALL' },
      },
    ]);
  });

  it('v2 has byTime2 and byDomain2 on the event sort key, holding only the filter attributes', () => {
    const include = { ProjectionType: 'INCLUDE', NonKeyAttributes: [...INDEX_FILTER_ATTRIBUTES] };
    expect(at('v2').indexes).toEqual([
      {
        IndexName: 'byTime2',
        KeySchema: [
          { AttributeName: 'gsi1pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        Projection: include,
      },
      {
        IndexName: 'byDomain2',
        KeySchema: [
          { AttributeName: 'gsi2pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        Projection: include,
      },
    ]);
  });

  it.each(EVENT_INDEX_STAGES)(
    '%s: the functions are set to the stage, and granted what it calls',
    (stage) => {
      const { environment, ids, statements, tableId } = at(stage);
      const plan = eventIndexPlan(stage);
      for (const id of Object.values(ids)) expect(environment(id)).toMatchObject({ EVENT_INDEXES: stage });
      const tableActions = (id: string) =>
        statements(id)
          .filter(
            (statement) =>
              JSON.stringify(statement.Resource) === JSON.stringify({ 'Fn::GetAtt': [tableId, 'Arn'] }),
          )
          .flatMap((statement) => statement.Action);
      expect(tableActions(ids.query).includes('dynamodb:BatchGetItem')).toBe(plan.listIndexesV2);
      expect(tableActions(ids.processor).includes('dynamodb:ConditionCheckItem')).toBe(plan.tombstones);
      const indexGrant = statements(ids.query).find((statement) => statement.Action === 'dynamodb:Query');
      expect(indexGrant?.Resource).toEqual(
        plan.readIndexes.map((name) => ({
          'Fn::Join': ['', [{ 'Fn::GetAtt': [tableId, 'Arn'] }, `/index/${name}`]],
        })),
      );
    },
  );
});
