// The query API: a REST API Gateway in front of the query function, every route authenticated (IAM SigV4 by
// default, or Cognito user-pool JWTs), throttled, with JSON access logs and CORS off unless origins are given.
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
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
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
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

  constructor(scope: Construct, id: string, props: QueryApiProps) {
    super(scope, id);
    this.function = new BounceFunction(this, 'QueryFunction', {
      entry: 'lambdas/handlers/query-api.ts',
      description: 'Serves bounce history, recipient state, statistics and code explanations',
      powertools: props.powertools,
      timeout: Duration.seconds(29),
      memorySize: 512,
      environment: props.environment,
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
    this.acknowledgeFindings(props.authorization);
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
