// The standalone stack of `npx cdk deploy`: the SesBounceProcessor construct and the outputs the operator needs.
// The construct's id is `Default`, which CDK leaves out of logical ids, so every resource keeps the logical id it
// had when this stack built the parts itself (test/infra/logical-ids.test.ts): a redeploy replaces nothing but the
// API Gateway deployment, whose id hashes the API's template with its construct paths (it holds no state; CDK
// replaces it on every API change).
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { SesBounceProcessor } from './construct.ts';
import type { NotificationTopic } from './constructs/notifications.ts';
import type { Observability } from './constructs/observability.ts';
import type { NotificationProcessor } from './constructs/processor.ts';
import type { QueryApi } from './constructs/query-api.ts';
import type { SesWiring } from './constructs/ses-wiring.ts';
import type { BounceStore } from './constructs/store.ts';
import type { SuppressionWorker } from './constructs/suppression.ts';
import type { SesBounceProcessorSettings } from './props.ts';

export interface SesBounceProcessorStackProps extends StackProps {
  readonly settings: SesBounceProcessorSettings;
}

export class SesBounceProcessorStack extends Stack {
  readonly bounceProcessor: SesBounceProcessor;
  readonly notifications: NotificationTopic;
  readonly sesWiring: SesWiring;
  readonly store: BounceStore;
  readonly processor: NotificationProcessor;
  readonly suppression: SuppressionWorker;
  readonly queryApi: QueryApi;
  readonly observability: Observability;

  constructor(scope: Construct, id: string, props: SesBounceProcessorStackProps) {
    super(scope, id, props);
    this.bounceProcessor = new SesBounceProcessor(this, 'Default', props.settings);
    ({
      notifications: this.notifications,
      sesWiring: this.sesWiring,
      store: this.store,
      processor: this.processor,
      suppression: this.suppression,
      queryApi: this.queryApi,
      observability: this.observability,
    } = this.bounceProcessor.parts);
    this.outputs();
  }

  // Outputs the operator needs: where to send mail from, where the API is, and what `ses-bounce redrive` reads.
  private outputs(): void {
    const system = this.bounceProcessor;
    const output = (id: string, value: string, description: string) =>
      new CfnOutput(this, id, { value, description });
    output(
      'ConfigurationSetName',
      system.configurationSet.configurationSetName,
      'Send with this SES configuration set',
    );
    output('NotificationTopicArn', system.topic.topicArn, 'SNS topic SES publishes feedback to');
    output('TableName', system.table.tableName, 'DynamoDB table (retained on stack deletion)');
    output('ApiUrl', system.api.url, 'Query API base URL');
    if (system.apiCallerPolicies !== undefined) {
      const { read, admin } = system.apiCallerPolicies;
      output('QueryApiReadPolicyArn', read.managedPolicyArn, 'Attach to roles that read the query API');
      output(
        'QueryApiAdminPolicyArn',
        admin.managedPolicyArn,
        'Attach to roles that may reactivate/erase/allowlist',
      );
    }
    output('NotificationQueueArn', system.notificationQueue.queueArn, 'Notification queue');
    output(
      'NotificationDeadLetterQueueArn',
      system.notificationDeadLetterQueue.queueArn,
      'Parked notifications',
    );
    output('SuppressionQueueArn', system.suppressionQueue.queueArn, 'Suppression queue');
    output(
      'SuppressionDeadLetterQueueArn',
      system.suppressionDeadLetterQueue.queueArn,
      'Parked suppression changes',
    );
    output('ProcessorLogGroupName', this.processor.function.logGroup.logGroupName, 'Processor logs');
    output('SuppressionWorkerLogGroupName', this.suppression.function.logGroup.logGroupName, 'Worker logs');
    if (system.eventsFailureQueue !== undefined) {
      output(
        'EventsFailureQueueArn',
        system.eventsFailureQueue.queueArn,
        'Stream positions of state-change events not published (docs/events.md)',
      );
    }
    output('AlarmTopicArn', system.alarmTopic.topicArn, 'Alarm notifications');
    output('DashboardName', system.dashboard.dashboardName, 'CloudWatch dashboard');
  }
}
