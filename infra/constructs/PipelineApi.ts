import { Annotations, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import type { ProducerConfig, ResolvedConfig } from '../../config/TributaryConfig';

/** The stage every route is served under. */
export const STAGE_NAME = 'v1';

/** Headers a browser may send to the read routes: SigV4's, an API key and the content type. */
export const CORS_ALLOW_HEADERS = ['Authorization', 'X-Amz-Date', 'X-Amz-Security-Token', 'X-Amz-Content-Sha256', 'X-Api-Key', 'Content-Type'] as const;

/** How long a browser may reuse a preflight answer. */
const CORS_MAX_AGE_SECONDS = 600;

/** The access log's fields: who called (IAM caller, API key), what, and how it went. */
const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  extendedRequestId: '$context.extendedRequestId',
  requestTimeEpochMs: '$context.requestTimeEpoch',
  httpMethod: '$context.httpMethod',
  resourcePath: '$context.resourcePath',
  path: '$context.path',
  protocol: '$context.protocol',
  status: '$context.status',
  responseLength: '$context.responseLength',
  responseLatencyMs: '$context.responseLatency',
  integrationLatencyMs: '$context.integrationLatency',
  integrationStatus: '$context.integrationStatus',
  sourceIp: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  caller: '$context.identity.caller',
  user: '$context.identity.user',
  userArn: '$context.identity.userArn',
  accountId: '$context.identity.accountId',
  apiKeyId: '$context.identity.apiKeyId',
  errorMessage: '$context.error.message',
  errorType: '$context.error.responseType',
  xrayTraceId: '$context.xrayTraceId',
} as const;

/** What WAF adds to the access log when it sits in front of the stage. */
const WAF_ACCESS_LOG_FIELDS = {
  wafStatus: '$context.waf.status',
  wafError: '$context.waf.error',
  wafResponseCode: '$context.wafResponseCode',
  webAclArn: '$context.webaclArn',
} as const;

export interface PipelineApiProps {
  readonly ingestFunction: lambda.IFunction;
  readonly queryFunction: lambda.IFunction;
  /** Its api and observability sections shape the API; target decides what is acknowledged as left out. */
  readonly config: Pick<ResolvedConfig, 'api' | 'observability' | 'target'>;
  /**
   * Encrypts the access and execution log groups (`encryption.customerManagedKey`);
   * its key policy must let CloudWatch Logs use it.
   * @default undefined: CloudWatch Logs' own encryption
   */
  readonly logEncryptionKey?: kms.IKey;
}

/** A producer's API key and usage plan. */
export interface ProducerAccess {
  readonly apiKey: apigateway.IApiKey;
  readonly usagePlan: apigateway.UsagePlan;
}

/**
 * The REST API: `POST /events` to ingest, `GET /events` to read raw events,
 * `GET /metrics/{name}` to read windows. Secure by default: every route needs
 * a SigV4 signature (IAM) that one of the three managed policies allows; the
 * stage throttles to what the shards take; access logs name every caller;
 * execution errors, metrics and X-Ray traces are on.
 */
export class PipelineApi extends Construct {
  public readonly api: apigateway.RestApi;
  /** JSON access logs, one line per request. */
  public readonly accessLogs: logs.LogGroup;
  /** API Gateway's execution log group of the stage, created here so it has a retention. */
  public readonly executionLogs: logs.LogGroup;
  /** `execute-api:Invoke` on `POST /events` only: attach to a producer's role. */
  public readonly producerPolicy: iam.ManagedPolicy;
  /** `execute-api:Invoke` on `GET /metrics/*`: attach to a dashboard's or reader's role. */
  public readonly metricsReaderPolicy: iam.ManagedPolicy;
  /** `execute-api:Invoke` on `GET /events` (raw events with their data): attach only to roles that may see them. */
  public readonly eventsReaderPolicy: iam.ManagedPolicy;
  /** Each configured producer's API key and usage plan, by producer name. */
  public readonly producers: ReadonlyMap<string, ProducerAccess>;
  /** Present when `api.wafRateLimitPer5Minutes` > 0. */
  public readonly webAcl?: wafv2.CfnWebACL;

  public constructor(scope: Construct, id: string, props: PipelineApiProps) {
    super(scope, id);
    const { api: settings, observability, target } = props.config;
    const waf = settings.wafRateLimitPer5Minutes > 0;

    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: observability.logRetentionDays,
      encryptionKey: props.logEncryptionKey,
      // Who called what is evidence after an incident: it outlives the stack.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.api = new apigateway.RestApi(this, 'Api', {
      restApiName: 'tributary',
      description: 'Tributary ingest and query API',
      // Execution logs need the account-level API Gateway CloudWatch role, a
      // singleton per account and region (AWS::ApiGateway::Account). The stack
      // creates it so a fresh account deploys, and retains it on destroy: another
      // API in the account may rely on the setting, and a role left behind is
      // harmless. Deploying here also points the setting at this role, which has
      // the same AWS-managed policy as any such role (docs/operations/deploy.md).
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN,
      deployOptions: {
        stageName: STAGE_NAME,
        // Stage-wide, applied as the `/*/*` method setting: beyond it API Gateway answers 429.
        throttlingRateLimit: settings.rateLimitPerSecond,
        throttlingBurstLimit: settings.burstLimit,
        accessLogDestination: new apigateway.LogGroupLogDestination(this.accessLogs),
        accessLogFormat: apigateway.AccessLogFormat.custom(JSON.stringify({ ...ACCESS_LOG_FIELDS, ...(waf ? WAF_ACCESS_LOG_FIELDS : {}) })),
        // Errors only, and never request or response bodies: raw events carry producers' data.
        loggingLevel: apigateway.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        // Per-method 4XX/5XX/latency metrics (detailed CloudWatch metrics).
        metricsEnabled: true,
        tracingEnabled: observability.tracing,
      },
    });
    this.executionLogs = new logs.LogGroup(this, 'ExecutionLogs', {
      // The name API Gateway writes execution logs to; created first, it keeps our retention.
      logGroupName: `API-Gateway-Execution-Logs_${this.api.restApiId}/${STAGE_NAME}`,
      retention: observability.logRetentionDays,
      encryptionKey: props.logEncryptionKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const cloudWatchRole = this.api.node.tryFindChild('CloudWatchRole');
    if (cloudWatchRole) {
      Validations.of(cloudWatchRole).acknowledge({
        id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        reason:
          "API Gateway's account-level CloudWatch role: AmazonAPIGatewayPushToCloudWatchLogs is the policy AWS documents for it, and API Gateway must create and write log groups named after any API in the account, which a policy scoped to this stack's log groups would break",
      });
    }

    const authorizationType = settings.authorization === 'iam' ? apigateway.AuthorizationType.IAM : apigateway.AuthorizationType.NONE;
    if (settings.authorization === 'none') {
      // Not acknowledged: cdk-nag's APIG4 failure is meant to be loud.
      Annotations.of(this.api).addWarning(
        'api.authorization is "none": every route of this API is open to anyone who knows its URL (anyone can write events and read raw events). Use it for a private sandbox only.',
      );
    }
    const ingest = new apigateway.LambdaIntegration(props.ingestFunction);
    const query = new apigateway.LambdaIntegration(props.queryFunction);
    const parameterValidator = new apigateway.RequestValidator(this, 'ParameterValidator', {
      restApi: this.api,
      requestValidatorName: 'path-and-query-parameters',
      validateRequestParameters: true,
      validateRequestBody: false,
    });
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions::AwsSolutions-APIG2',
      reason:
        'Request parameters are validated (ParameterValidator). Bodies are not: a JSON-schema model would answer a bad batch with one generic 400, where POST /events answers each event with the field and the reason (functions/ingest), and accepts the valid events of a partly bad batch',
    });

    const events = this.api.root.addResource('events');
    const metric = this.api.root.addResource('metrics').addResource('{name}');
    const methods = [
      // API keys identify producers for their usage plans, in addition to the signature.
      events.addMethod('POST', ingest, { authorizationType, apiKeyRequired: settings.producers.length > 0 }),
      events.addMethod('GET', query, { authorizationType }),
      metric.addMethod('GET', query, { authorizationType, requestParameters: { 'method.request.path.name': true }, requestValidator: parameterValidator }),
    ];
    if (settings.authorization === 'iam') {
      for (const method of methods) {
        Validations.of(method).acknowledge({
          id: 'AwsSolutions::AwsSolutions-COG4',
          reason:
            'Callers are IAM principals, not Cognito users: producers are services that sign with their roles (SigV4, AWS_IAM authorization) and readers are granted by the stack\'s managed policies; a dashboard signs with credentials from its own identity provider',
        });
      }
    }
    if (settings.corsOrigins.length > 0) {
      // Read routes only: producers are services, and a browser has no business posting events.
      for (const resource of [events, metric]) {
        resource.addCorsPreflight({
          allowOrigins: [...settings.corsOrigins],
          allowMethods: ['GET'],
          allowHeaders: [...CORS_ALLOW_HEADERS],
          maxAge: Duration.seconds(CORS_MAX_AGE_SECONDS),
        });
      }
    }

    const invoke = (description: string, routes: readonly [string, string][], policyId: string): iam.ManagedPolicy =>
      new iam.ManagedPolicy(this, policyId, {
        description,
        statements: [
          new iam.PolicyStatement({
            actions: ['execute-api:Invoke'],
            resources: routes.map(([method, path]) => this.api.arnForExecuteApi(method, path, STAGE_NAME)),
          }),
        ],
      });
    this.producerPolicy = invoke('Tributary: send events (POST /events). Attach to the producer\'s role; it cannot read anything back.', [['POST', '/events']], 'ProducerPolicy');
    this.metricsReaderPolicy = invoke('Tributary: read metric windows (GET /metrics/{name}). Attach to the reader\'s or dashboard\'s role.', [['GET', '/metrics/*']], 'MetricsReaderPolicy');
    // cdk-nag names the finding by the resource as written, with the API's logical id.
    const apiLogicalId = Stack.of(this).resolve(Stack.of(this).getLogicalId(this.api.node.defaultChild as apigateway.CfnRestApi)) as string;
    Validations.of(this.metricsReaderPolicy).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:<${apiLogicalId}>/${STAGE_NAME}/GET/metrics/*]`,
      reason:
        'The wildcard is the {name} path parameter of the one route GET /metrics/{name}: a reader may read every metric the stack defines (unknown names are 404), and a policy per metric would have to change with every metric added',
    });
    this.eventsReaderPolicy = invoke(
      'Tributary: read raw events with their data (GET /events). Attach only to roles that may see producers\' payloads.',
      [['GET', '/events']],
      'EventsReaderPolicy',
    );

    this.producers = new Map(settings.producers.map((producer) => [producer.name, this.addProducer(producer)]));

    if (waf) {
      this.webAcl = this.addWebAcl(settings.wafRateLimitPer5Minutes);
    } else {
      Validations.of(this.api.deploymentStage).acknowledge({
        id: 'AwsSolutions::AwsSolutions-APIG3',
        reason:
          target === 'localstack'
            ? "LocalStack's free tier has no WAF; the stage throttle and the usage plans still answer floods with 429"
            : 'WAF is a switch (api.wafRateLimitPer5Minutes), off by default: the stage throttle (derived from the shards) and the per-producer usage plans already answer floods with 429, and a web ACL costs $5 a month plus $0.60 per million requests',
      });
    }
    if (!observability.tracing) {
      Validations.of(this.api.deploymentStage).acknowledge({
        id: 'Serverless::Serverless-APIGWXrayEnabled',
        reason:
          target === 'localstack'
            ? "LocalStack's free tier has no X-Ray; the access log still carries every request's id, caller and latencies"
            : "observability.tracing is false in this deployment's configuration; the access log still carries every request's id, caller and latencies",
      });
    }
  }

  /** `producer`'s API key (value generated by API Gateway) and its usage plan on the stage. */
  private addProducer(producer: ProducerConfig): ProducerAccess {
    const scope = new Construct(this, `Producer-${producer.name}`);
    const apiKey = new apigateway.ApiKey(scope, 'ApiKey', {
      apiKeyName: `tributary-${producer.name}`,
      description: `Tributary producer ${producer.name}: sent as x-api-key with its signed POST /events`,
    });
    const usagePlan = new apigateway.UsagePlan(scope, 'UsagePlan', {
      name: `tributary-${producer.name}`,
      description: `Tributary producer ${producer.name}: its share of the stage limit`,
      throttle: { rateLimit: producer.rateLimitPerSecond, burstLimit: producer.burstLimit },
      ...(producer.quotaPerDay !== undefined ? { quota: { limit: producer.quotaPerDay, period: apigateway.Period.DAY } } : {}),
      apiStages: [{ api: this.api, stage: this.api.deploymentStage }],
    });
    usagePlan.addApiKey(apiKey);
    return { apiKey, usagePlan };
  }

  /**
   * A regional web ACL on the stage whose one rule blocks a client IP beyond
   * `limitPer5Minutes` requests in 5 minutes, answering 429 (WAF's default
   * block is a 403) so producers back off as they do for the stage throttle.
   */
  private addWebAcl(limitPer5Minutes: number): wafv2.CfnWebACL {
    const visibility = (metricName: string): wafv2.CfnWebACL.VisibilityConfigProperty => ({ cloudWatchMetricsEnabled: true, metricName, sampledRequestsEnabled: true });
    const webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      scope: 'REGIONAL',
      description: 'Tributary API: per-client-IP rate limit',
      defaultAction: { allow: {} },
      visibilityConfig: visibility('tributary-api'),
      customResponseBodies: {
        'rate-limited': {
          contentType: 'APPLICATION_JSON',
          content: JSON.stringify({ message: `Too many requests from this address: more than ${limitPer5Minutes} in 5 minutes (WAF rate rule); slow down and retry later` }),
        },
      },
      rules: [
        {
          name: 'rate-per-client-ip',
          priority: 0,
          action: { block: { customResponse: { responseCode: 429, customResponseBodyKey: 'rate-limited' } } },
          statement: { rateBasedStatement: { limit: limitPer5Minutes, evaluationWindowSec: 300, aggregateKeyType: 'IP' } },
          visibilityConfig: visibility('tributary-api-rate-per-client-ip'),
        },
      ],
    });
    new wafv2.CfnWebACLAssociation(this, 'WebAclAssociation', { resourceArn: this.api.deploymentStage.stageArn, webAclArn: webAcl.attrArn });
    return webAcl;
  }
}
