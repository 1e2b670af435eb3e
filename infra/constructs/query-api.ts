// The query API: a regional REST API Gateway in front of the query function, every route authenticated (IAM SigV4
// by default, or Cognito user-pool JWTs with read and admin scopes per method), throttled, with JSON access logs
// that name the caller, and CORS off unless origins are given.
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import {
  AccessLogFormat,
  AuthorizationType,
  CognitoUserPoolsAuthorizer,
  Cors,
  EndpointType,
  type IAuthorizer,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  type MethodOptions,
  ResponseType,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import { UserPool } from 'aws-cdk-lib/aws-cognito';
import { ManagedPolicy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { type CallerTier, METHOD_TIERS, tierScopes } from '../../lambdas/api/authorization.ts';
import { environmentOf } from '../../lambdas/config.ts';
import type { ApiAuthorization } from '../props.ts';
import { BounceFunction, type PowertoolsSettings } from './bounce-function.ts';
import { nagTokenString } from './nag-ids.ts';

export interface QueryApiProps {
  readonly powertools: PowertoolsSettings;
  readonly environment: Readonly<Record<string, string>>;
  readonly authorization: ApiAuthorization;
  readonly throttleRateLimit: number;
  readonly throttleBurstLimit: number;
  readonly corsAllowOrigins: readonly string[];
}

const API_STAGE_NAME = 'v1';

/**
 * The access log line, one JSON object per request: the concrete path (not the `/{proxy+}` template), who called
 * (IAM user/role ARN, or the Cognito subject) and why a request failed, so "who erased this recipient?" has an
 * answer. The path holds the recipient address for /recipients/… routes: the log group is encrypted at rest by
 * CloudWatch Logs and expires with logRetentionDays.
 */
const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  extendedRequestId: '$context.extendedRequestId',
  requestTime: '$context.requestTime',
  httpMethod: '$context.httpMethod',
  resourcePath: '$context.resourcePath',
  path: '$context.path',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationLatency: '$context.integration.latency',
  integrationStatus: '$context.integration.status',
  integrationError: '$context.integration.error',
  sourceIp: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  caller: '$context.identity.caller',
  userArn: '$context.identity.userArn',
  accountId: '$context.identity.accountId',
  cognitoSubject: '$context.authorizer.claims.sub',
  errorMessage: '$context.error.message',
  errorType: '$context.error.responseType',
} as const;

/** The error body of API Gateway's own answers, the shape of the function's (`$context.error.messageString` is quoted). */
const GATEWAY_ERROR_TEMPLATE =
  '{"error":{"code":"$context.error.responseType","message":$context.error.messageString,"field":null}}';

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
      code: 'query-api',
      description: 'Serves bounce history, recipient state, statistics and code explanations',
      powertools: props.powertools,
      timeout: Duration.seconds(29),
      memorySize: 512,
      environment: {
        ...props.environment,
        // The function adds Access-Control-Allow-Origin to real responses for these origins (API Gateway answers
        // the preflight); an empty list sets no variable and the function sends no CORS headers.
        ...environmentOf({ corsAllowOrigins: props.corsAllowOrigins }),
        // The function serves GET /openapi.json describing the authorization API Gateway applies (scopes empty
        // with IAM: no variable).
        ...environmentOf({
          apiAuthorization: props.authorization.type,
          ...(props.authorization.type === 'cognito'
            ? { apiReadScopes: props.authorization.scopes, apiAdminScopes: props.authorization.adminScopes }
            : {}),
        }),
      },
    });
    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: props.powertools.logRetentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.api = new RestApi(this, 'Api', {
      description: 'ses-bounce-processor query API',
      // Callers are servers in the same region: no CloudFront distribution in front (EDGE is CDK's default).
      endpointTypes: [EndpointType.REGIONAL],
      cloudWatchRole: true,
      deployOptions: {
        stageName: API_STAGE_NAME,
        throttlingRateLimit: props.throttleRateLimit,
        throttlingBurstLimit: props.throttleBurstLimit,
        accessLogDestination: new LogGroupLogDestination(this.accessLogs),
        accessLogFormat: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
        // Execution logs for errors only and never request/response bodies: they carry e-mail addresses.
        loggingLevel: MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        metricsEnabled: true,
      },
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
    this.addGatewayResponses(props.corsAllowOrigins);
    // The function routes (and answers 404/405) itself; API Gateway authenticates every path and method, with the
    // read or admin requirement of the method's tier.
    const integration = new LambdaIntegration(this.function.function);
    const options = this.methodOptions(props.authorization);
    // CDK mirrors each method of a proxy mounted at the root onto the root itself (so `/` is proxied too).
    const proxy = this.api.root.addProxy({ anyMethod: false });
    for (const [method, tier] of Object.entries(METHOD_TIERS)) {
      proxy.addMethod(method, integration, options[tier]);
    }
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

  private methodOptions(authorization: ApiAuthorization): Record<CallerTier, MethodOptions> {
    if (authorization.type === 'iam') {
      const iam = { authorizationType: AuthorizationType.IAM };
      return { read: iam, admin: iam };
    }
    const authorizer: IAuthorizer = new CognitoUserPoolsAuthorizer(this, 'Authorizer', {
      cognitoUserPools: [UserPool.fromUserPoolArn(this, 'UserPool', authorization.userPoolArn)],
      resultsCacheTtl: Duration.minutes(5),
    });
    const cognito = { authorizationType: AuthorizationType.COGNITO, authorizer };
    const scopes = { readScopes: authorization.scopes, adminScopes: authorization.adminScopes };
    // API Gateway accepts a token holding any one of the listed scopes: admin tokens may read too. No read
    // scopes: reads accept any token of the pool (ID tokens included); admin methods always require a scope.
    const optionsOf = (tier: CallerTier): MethodOptions => {
      const required = tierScopes(scopes, tier);
      return required.length > 0 ? { ...cognito, authorizationScopes: [...required] } : cognito;
    };
    return { read: optionsOf('read'), admin: optionsOf('admin') };
  }

  /**
   * API Gateway's own errors (401/403 of IAM or the authorizer, 413, 429 throttling, 5xx) answer the API's error body
   * (`{"error": {"code", "message", "field"}}`, as docs/openapi.json promises) instead of `{"message"}`; `code` is
   * API Gateway's response type (ACCESS_DENIED, THROTTLED, ...). They carry no CORS headers by default, so a browser
   * would report them as CORS failures instead of the status: with CORS on, one configured origin (or `*`) is sent
   * as is; with several, the request's Origin is echoed (these responses hold no data, only the error).
   */
  private addGatewayResponses(origins: readonly string[]): void {
    const allowOrigin = origins.length === 1 ? `'${origins[0]}'` : 'method.request.header.Origin';
    const cors =
      origins.length === 0
        ? {}
        : {
            'Access-Control-Allow-Origin': allowOrigin,
            ...(origins.length === 1 && origins[0] === '*' ? {} : { Vary: "'Origin'" }),
          };
    for (const [id, type] of [
      ['Default4xx', ResponseType.DEFAULT_4XX],
      ['Default5xx', ResponseType.DEFAULT_5XX],
    ] as const) {
      this.api.addGatewayResponse(id, {
        type,
        responseHeaders: { 'Content-Type': "'application/json'", ...cors },
        templates: { 'application/json': GATEWAY_ERROR_TEMPLATE },
      });
    }
  }
}
