// The single DynamoDB table of the data model, built from the same plain-data definition the adapters and the
// local stack use: on-demand, point-in-time recovery, TTL on events, deletion protection, kept on stack deletion.
import { RemovalPolicy } from 'aws-cdk-lib';
import {
  type Attribute,
  AttributeType,
  BillingMode,
  ProjectionType,
  StreamViewType,
  Table,
  TableEncryption,
} from 'aws-cdk-lib/aws-dynamodb';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import {
  type KeyAttribute,
  TABLE_DEFINITION,
  type TableDefinition,
} from '../../lambdas/adapters/table-definition.ts';

export interface BounceStoreProps {
  readonly tableName?: string | undefined;
  readonly deletionProtection: boolean;
  /** Give the table a stream of old and new images (the events publisher reads it). */
  readonly stream: boolean;
  /** Defaults to the shared definition; a test may pass another. */
  readonly definition?: TableDefinition;
}

function attribute(key: KeyAttribute): Attribute {
  return { name: key.name, type: key.type === 'S' ? AttributeType.STRING : AttributeType.NUMBER };
}

const PROJECTION = {
  ALL: ProjectionType.ALL,
  KEYS_ONLY: ProjectionType.KEYS_ONLY,
  INCLUDE: ProjectionType.INCLUDE,
} as const;

export class BounceStore extends Construct {
  readonly table: Table;
  readonly indexNames: readonly string[];

  constructor(scope: Construct, id: string, props: BounceStoreProps) {
    super(scope, id);
    const definition = props.definition ?? TABLE_DEFINITION;
    this.indexNames = definition.globalSecondaryIndexes.map((index) => index.indexName);
    this.table = new Table(this, 'Table', {
      tableName: props.tableName,
      partitionKey: attribute(definition.partitionKey),
      sortKey: attribute(definition.sortKey),
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: definition.timeToLiveAttribute,
      deletionProtection: props.deletionProtection,
      // Encrypted at rest with the AWS-managed DynamoDB key (no key charge; the records are personal data).
      encryption: TableEncryption.AWS_MANAGED,
      removalPolicy: RemovalPolicy.RETAIN,
      ...(props.stream ? { stream: StreamViewType.NEW_AND_OLD_IMAGES } : {}),
    });
    for (const index of definition.globalSecondaryIndexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: attribute(index.partitionKey),
        ...(index.sortKey !== undefined ? { sortKey: attribute(index.sortKey) } : {}),
        projectionType: PROJECTION[index.projection],
        ...(index.nonKeyAttributes !== undefined ? { nonKeyAttributes: [...index.nonKeyAttributes] } : {}),
      });
    }
  }

  /**
   * Grants exactly these DynamoDB actions on the table, and `dynamodb:Query` on each index of `queryIndexes` by its
   * exact ARN (each must be one of the table's).
   */
  grant(grantee: IGrantable, actions: readonly string[], options: { queryIndexes: readonly string[] }): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({ actions: [...actions], resources: [this.table.tableArn] }),
    );
    const unknown = options.queryIndexes.filter((name) => !this.indexNames.includes(name));
    if (unknown.length > 0) throw new Error(`the table has no index ${unknown.join(', ')}`);
    if (options.queryIndexes.length > 0) {
      grantee.grantPrincipal.addToPrincipalPolicy(
        new PolicyStatement({
          actions: ['dynamodb:Query'],
          resources: options.queryIndexes.map((name) => `${this.table.tableArn}/index/${name}`),
        }),
      );
    }
  }
}
