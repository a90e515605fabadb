import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, STACK_NAME } from '../../../infra/buildApp';
import { tributaryConfig } from '../../../infra/tributary.config';
import { readSynthesizedStack } from '../../../local/assembly/CloudAssembly';
import { localPseudoParameters } from '../../../local/assembly/localPseudoParameters';
import { planRestApis } from '../../../local/assembly/planRestApis';
import { resolveIntrinsics } from '../../../local/assembly/resolveIntrinsics';
import { localAwsEnvironment } from '../../../local/aws/localClients';
import { writeLocalCredentials, type LocalCredentials } from '../../../local/credentials/LocalCredentials';
import { ApiGatewayServer } from '../../../local/host/ApiGatewayServer';
import { LocalLambda } from '../../../local/host/LocalLambda';
import { smithySignedHeaders } from '../../support/smithySigning';

const ORIGIN = 'http://localhost:5173';

/**
 * The real query function (its bundle from a synthesized, bundled stack with
 * CORS origins) behind the local API: its answers carry the CORS headers it
 * sets itself (functions/query/corsHeaders.ts), as on AWS. An unknown metric
 * is answered before any table is read, so no emulator is needed.
 */
describe('Class: ApiGatewayServer, with the bundled query function and api.corsOrigins', () => {
  let server: ApiGatewayServer;
  let query: LocalLambda;
  let baseUrl: string;
  let credentials: LocalCredentials;

  beforeAll(async () => {
    const outdir = mkdtempSync(path.join(tmpdir(), 'tributary-cors-'));
    buildApp({ ...tributaryConfig, cache: { dax: false }, api: { corsOrigins: [ORIGIN] } }, { outdir }).app.synth();
    const stack = readSynthesizedStack(outdir, STACK_NAME);
    const [api] = planRestApis(stack);
    const [logicalId, resource] = Object.entries(stack.template.Resources).find(([id, r]) => r.Type === 'AWS::Lambda::Function' && id.startsWith('QueryFunction'))!;
    const props = resource.Properties as { Code: { S3Key: unknown }; Handler: string; Environment: { Variables: Record<string, unknown> } };
    // Tables are named after their logical ids offline, as provisionStack names them.
    const context = { resources: new Map(Object.keys(stack.template.Resources).map((id) => [id, { ref: id, attributes: {} }])), pseudo: localPseudoParameters(STACK_NAME) };
    const environment = Object.fromEntries(Object.entries(props.Environment.Variables).map(([name, value]) => [name, String(resolveIntrinsics(value, context))]));
    query = new LocalLambda(
      {
        logicalId,
        functionName: logicalId,
        functionArn: `arn:aws:lambda:us-east-1:000000000000:function:${logicalId}`,
        codeDir: stack.assetDirs.get(String(resolveIntrinsics(props.Code.S3Key, context)))!,
        handler: props.Handler,
        timeoutSeconds: 10,
        memorySizeMb: 256,
        environment,
      },
      localAwsEnvironment({ kinesis: 'http://127.0.0.1:9', dynamodb: 'http://127.0.0.1:9', sqs: 'http://127.0.0.1:9' }),
      new PassThrough().resume(),
    );
    credentials = writeLocalCredentials(outdir, []);
    server = new ApiGatewayServer(api!, new Map([[logicalId, (event: unknown) => query.invoke(event)]]), () => undefined, { credentials });
    baseUrl = await server.listen(0);
  }, 180_000);
  afterAll(async () => {
    await server?.close();
    await query?.stop();
  });

  const get = async (origin: string) => {
    const url = new URL(`${baseUrl}/metrics/no-such-metric`);
    const headers = await smithySignedHeaders(credentials.identities['metrics-reader'], { method: 'GET', port: Number(url.port), path: url.pathname, headers: { origin } });
    return fetch(url, { headers });
  };

  it('answers a signed GET from a configured origin with the Access-Control-Allow-Origin the function sets', async () => {
    // Act
    const response = await get(ORIGIN);

    // Assess
    expect(response.status).toBe(404);
    expect([response.headers.get('access-control-allow-origin'), response.headers.get('vary')]).toEqual([ORIGIN, 'Origin']);
    expect(((await response.json()) as { message: string }).message).toMatch(/^Unknown metric "no-such-metric"/);
  });

  it('answers another origin without Access-Control-Allow-Origin', async () => {
    // Act
    const response = await get('https://evil.example.com');

    // Assess
    expect(response.status).toBe(404);
    expect([response.headers.get('access-control-allow-origin'), response.headers.get('vary')]).toEqual([null, 'Origin']);
  });
});
