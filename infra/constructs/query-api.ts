// The query API: a REST API Gateway in front of the query function, every route authenticated (IAM SigV4 by
// default, or Cognito user-pool JWTs), throttled, with JSON access logs and CORS off unless origins are given.
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import {
  AccessLogFormat,
  AuthorizationType,
  CognitoUserPoolsAuthorizer,
  Cors,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  type MethodOptions,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import { UserPool } from 'aws-cdk-lib/aws-cognito';
import { ManagedPolicy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { environmentOf } from '../../lambdas/config.ts';
import type { ApiAuthorization } from '../props.ts';
import { BounceFunction, type PowertoolsSettings } from './bounce-function.ts';

export interface QueryApiProps {
  readonly powertools: PowertoolsSettings;
  readonly environment: Readonly<Record<string, string>>;
  readonly authorization: ApiAuthorization;
  readonly throttleRateLimit: number;
  readonly throttleBurstLimit: number;
  readonly corsAllowOrigins: readonly string[];
}

export const API_STAGE_NAME = 'v1';

export class QueryApi extends Construct {
  readonly api: RestApi;
  readonly function: BounceFunction;
  readonly accessLogs: LogGroup;
  /**
   * With IAM authorization: attach to the callers' roles. Read = every GET and `POST /classify`; admin = the
   * routes that change state (reactivate, erase, allowlist writes).
   */
  readonly callerPolicies: { read: ManagedPolicy; admin: ManagedPolicy } | undefined;

  constructor(scope: Construct, id: string, props: QueryApiProps) {
    super(scope, id);
    this.function = new BounceFunction(this, 'QueryFunction', {
      entry: 'lambdas/handlers/query-api.ts',
      description: 'Serves bounce history, recipient state, statistics and code explanations',
      powertools: props.powertools,
      timeout: Duration.seconds(29),
      memorySize: 512,
      environment: {
        ...props.environment,
        // The function adds Access-Control-Allow-Origin to real responses for these origins (API Gateway answers
        // the preflight); an empty list sets no variable and the function sends no CORS headers.
        ...environmentOf({ corsAllowOrigins: props.corsAllowOrigins }),
      },
    });
    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: props.powertools.logRetentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.api = new RestApi(this, 'Api', {
      description: 'ses-bounce-processor query API',
      cloudWatchRole: true,
      deployOptions: {
        stageName: API_STAGE_NAME,
        throttlingRateLimit: props.throttleRateLimit,
        throttlingBurstLimit: props.throttleBurstLimit,
        accessLogDestination: new LogGroupLogDestination(this.accessLogs),
        accessLogFormat: AccessLogFormat.jsonWithStandardFields(),
        // Execution logs for errors only and never request/response bodies: they carry e-mail addresses.
        loggingLevel: MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        metricsEnabled: true,
      },
      defaultMethodOptions: this.methodOptions(props.authorization),
      ...(props.corsAllowOrigins.length > 0
        ? {
            defaultCorsPreflightOptions: {
              allowOrigins: [...props.corsAllowOrigins],
              allowMethods: Cors.ALL_METHODS,
              allowHeaders: [...Cors.DEFAULT_HEADERS, 'Accept'],
            },
          }
        : {}),
    });
    // The function routes (and answers 404/405) itself; API Gateway authenticates every path and method.
    const integration = new LambdaIntegration(this.function.function);
    this.api.root.addMethod('ANY', integration);
    this.api.root.addProxy({ defaultIntegration: integration, anyMethod: true });
    this.callerPolicies = props.authorization.type === 'iam' ? this.createCallerPolicies() : undefined;
    this.acknowledgeFindings(props.authorization);
  }

  private createCallerPolicies(): { read: ManagedPolicy; admin: ManagedPolicy } {
    const invoke = (policy: ManagedPolicy, routes: readonly [method: string, path: string][]) => {
      const arns = routes.map(([method, path]) => this.api.arnForExecuteApi(method, path, API_STAGE_NAME));
      policy.addStatements(new PolicyStatement({ actions: ['execute-api:Invoke'], resources: arns }));
      // execute-api ARNs name routes by pattern: `GET/*` is every read route of this API's stage, nothing more.
      Validations.of(policy).acknowledge(
        ...arns.map((arn) => ({
          id: `AwsSolutions-IAM5[Resource::${nagTokenString(Stack.of(this).resolve(arn))}]`,
          reason:
            'execute-api resources are route patterns: the wildcard stands for the path parameters (an e-mail ' +
            'address, a domain) of exactly these methods on this API and stage.',
        })),
      );
    };
    const read = new ManagedPolicy(this, 'ReadCallerPolicy', {
      description: 'Query API: read history, recipients, statistics, codes; classify',
    });
    invoke(read, [
      ['GET', '/*'],
      ['POST', '/classify'],
    ]);
    const admin = new ManagedPolicy(this, 'AdminCallerPolicy', {
      description:
        'Query API: reactivate (remove from the SES suppression list), erase a recipient, edit the allowlist',
    });
    invoke(admin, [
      ['DELETE', '/recipients/*'],
      ['PUT', '/allowlist/*'],
      ['DELETE', '/allowlist/*'],
    ]);
    return { read, admin };
  }

  // Each acknowledged AwsSolutions finding with why it does not apply here.
  private acknowledgeFindings(authorization: ApiAuthorization): void {
    Validations.of(this.api).acknowledge(
      {
        id: 'AwsSolutions-APIG2',
        reason:
          'Every path, query parameter and body is validated by the query function with zod schemas (400 with the ' +
          'field name); the API is a proxy, so API Gateway models would duplicate that contract.',
      },
      {
        id: 'AwsSolutions-APIG3',
        reason:
          'Every method requires authentication and the stage is throttled; a WAF web ACL (>= 5 USD/month) can be ' +
          'associated by the operator if the API is exposed to untrusted networks.',
      },
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        reason:
          "API Gateway's account-level CloudWatch role needs this AWS-managed policy to write execution logs " +
          '(required by AwsSolutions-APIG6); it is scoped to API Gateway by its trust policy.',
      },
    );
    if (authorization.type === 'iam') {
      Validations.of(this.api).acknowledge({
        id: 'AwsSolutions-COG4',
        reason:
          'Every method uses IAM (SigV4) authorization, the default for server-to-server callers; set ' +
          'apiAuthorization=cognito to use a Cognito user pool authorizer instead.',
      });
    }
  }

  private methodOptions(authorization: ApiAuthorization): MethodOptions {
    if (authorization.type === 'iam') return { authorizationType: AuthorizationType.IAM };
    const authorizer = new CognitoUserPoolsAuthorizer(this, 'Authorizer', {
      cognitoUserPools: [UserPool.fromUserPoolArn(this, 'UserPool', authorization.userPoolArn)],
      resultsCacheTtl: Duration.minutes(5),
    });
    return {
      authorizationType: AuthorizationType.COGNITO,
      authorizer,
      ...(authorization.scopes.length > 0 ? { authorizationScopes: [...authorization.scopes] } : {}),
    };
  }
}

/** A resolved CloudFormation value written the way cdk-nag names it in finding ids (`<LogicalId>`, `<AWS::Region>`). */
function nagTokenString(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    if (typeof record.Ref === 'string') return `<${record.Ref}>`;
    const getAtt = record['Fn::GetAtt'];
    if (Array.isArray(getAtt)) return `<${getAtt.join('.')}>`;
    const join = record['Fn::Join'];
    if (Array.isArray(join) && Array.isArray(join[1]))
      return join[1].map(nagTokenString).join(String(join[0]));
  }
  return JSON.stringify(value);
}
