// The standalone stack of `npx cdk deploy`: the SesBounceProcessor construct and the outputs the operator needs.
// The construct's id is `Default`, which CDK leaves out of logical ids, so every resource keeps the logical id it
// had when this stack built the parts itself (test/infra/logical-ids.test.ts): a redeploy replaces nothing but the
// API Gateway deployment, whose id hashes the API's template with its construct paths (it holds no state; CDK
// replaces it on every API change).
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { SesBounceProcessor, type SesBounceProcessorParts } from './construct.ts';
import type { SesBounceProcessorSettings } from './props.ts';

export interface SesBounceProcessorStackProps extends StackProps {
  readonly settings: SesBounceProcessorSettings;
}

export class SesBounceProcessorStack extends Stack {
  readonly bounceProcessor: SesBounceProcessor;
  /** The construct's building blocks (the same objects as `bounceProcessor.parts`). */
  readonly parts: SesBounceProcessorParts;

  constructor(scope: Construct, id: string, props: SesBounceProcessorStackProps) {
    super(scope, id, props);
    this.bounceProcessor = new SesBounceProcessor(this, 'Default', props.settings);
    this.parts = this.bounceProcessor.parts;
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
    output('ProcessorLogGroupName', this.parts.processor.function.logGroup.logGroupName, 'Processor logs');
    output(
      'SuppressionWorkerLogGroupName',
      this.parts.suppression.function.logGroup.logGroupName,
      'Worker logs',
    );
    if (system.eventsFailureQueue !== undefined) {
      output(
        'EventsFailureQueueArn',
        system.eventsFailureQueue.queueArn,
        'Stream positions of state-change events not published (docs/events.md)',
      );
    }
    output(
      'CountersFailureQueueArn',
      system.countersFailureQueue.queueArn,
      'Stream positions of records the counter rollup gave up on (docs/data-model.md, "Daily counters")',
    );
    output('AlarmTopicArn', system.alarmTopic.topicArn, 'Alarm notifications');
    output('DashboardName', system.dashboard.dashboardName, 'CloudWatch dashboard');
  }
}
