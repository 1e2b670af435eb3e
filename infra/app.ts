// The CDK app: reads the settings from context (cdk.json or `-c key=value`), validates them, builds the one stack.
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { InvalidSettingError, settingsFromContext } from './props.ts';
import { SesBounceProcessorStack } from './stack.ts';

const app = new App();
let settings: ReturnType<typeof settingsFromContext>;
try {
  settings = settingsFromContext((key) => app.node.tryGetContext(key));
} catch (error) {
  if (error instanceof InvalidSettingError) {
    console.error(`ses-bounce-processor: ${error.message}`);
    process.exit(1);
  }
  throw error;
}
const stackName: unknown = app.node.tryGetContext('stackName') ?? 'SesBounceProcessor';
if (typeof stackName !== 'string' || !/^[A-Za-z][A-Za-z0-9-]{0,127}$/.test(stackName)) {
  console.error(
    `ses-bounce-processor: stackName must be a CloudFormation stack name, got ${JSON.stringify(stackName)}`,
  );
  process.exit(1);
}
try {
  new SesBounceProcessorStack(app, stackName, {
    settings,
    description: 'ses-bounce-processor: SES bounce/complaint/delivery processing, suppression and query API',
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
} catch (error) {
  // Settings that only the stack can check (e.g. a topic in another region than the stack's).
  if (error instanceof InvalidSettingError) {
    console.error(`ses-bounce-processor: ${error.message}`);
    process.exit(1);
  }
  throw error;
}
// cdk-nag AwsSolutions runs on every synth: an unacknowledged finding fails `cdk synth` (and so CI).
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
