import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

export interface PipelineApiProps {
  readonly ingestFunction: lambda.IFunction;
  readonly queryFunction: lambda.IFunction;
}

/** The REST API: `POST /events` to ingest, `GET /events` to read raw events, `GET /metrics/{name}` to read windows. */
export class PipelineApi extends Construct {
  public readonly api: apigateway.RestApi;

  public constructor(scope: Construct, id: string, props: PipelineApiProps) {
    super(scope, id);
    this.api = new apigateway.RestApi(this, 'Api', {
      restApiName: 'tributary',
      description: 'Tributary ingest and query API',
      cloudWatchRole: false,
      deployOptions: { stageName: 'v1', throttlingRateLimit: 5_000, throttlingBurstLimit: 2_000 },
    });
    const events = this.api.root.addResource('events');
    events.addMethod('POST', new apigateway.LambdaIntegration(props.ingestFunction));
    events.addMethod('GET', new apigateway.LambdaIntegration(props.queryFunction));
    this.api.root
      .addResource('metrics')
      .addResource('{name}')
      .addMethod('GET', new apigateway.LambdaIntegration(props.queryFunction), {
        requestParameters: { 'method.request.path.name': true },
      });
  }
}
