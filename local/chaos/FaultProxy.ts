import * as http from 'node:http';

/** What the proxy can do to one request. */
export type FaultKind = 'throttle' | 'lostResponse' | 'partialPutRecords' | 'crashBeforeWrite' | 'crashAfterWrite';

/** Decides, per request, which fault (if any) to inject. */
export interface FaultPolicy {
  /** `body` is the request's JSON text, for faults aimed at one item (a hot partition). */
  decide(request: { service: 'dynamodb' | 'kinesis'; operation: string; body: string }): FaultKind | undefined;
}

const THROTTLE_TYPES = {
  dynamodb: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
  kinesis: 'ProvisionedThroughputExceededException',
} as const;

/**
 * An HTTP proxy in front of one emulator that injects the failures AWS
 * produces and the emulators never do: throttling answers, responses lost
 * after the write landed (a timeout), PutRecords answers where some records
 * failed (and really were not written), and a kill -9 of the function host
 * right before or after a write reaches the table. The function bundles stay
 * untouched: their SDK clients see what they would see in AWS.
 */
export class FaultProxy {
  public readonly injected: Record<FaultKind, number> = { throttle: 0, lostResponse: 0, partialPutRecords: 0, crashBeforeWrite: 0, crashAfterWrite: 0 };
  /**
   * Requests that were an SDK client's retry (its `amz-sdk-request: attempt=N`
   * header above 1): the faults the functions' retry policy absorbed, seen on
   * the wire. Records a partial PutRecords failed go out again as new calls
   * and are not counted here.
   */
  public retriedRequests = 0;
  private server?: http.Server;

  public constructor(
    private readonly service: 'dynamodb' | 'kinesis',
    private readonly target: string,
    private readonly policy: FaultPolicy,
    /** Kills the function host (kill -9); the supervisor restarts it. */
    private readonly crashHost: () => void,
  ) {}

  /** Listens on 127.0.0.1 and resolves with the proxy's URL. */
  public async listen(): Promise<string> {
    const server = http.createServer((request, response) => {
      // An emulator that is unreachable looks like a network failure to the client, not a proxy crash.
      this.handle(request, response).catch(() => request.socket.destroy());
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  }

  public async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve) ?? resolve(undefined));
  }

  private async handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    let body: Buffer = Buffer.concat(chunks);
    const operation = String(request.headers['x-amz-target'] ?? '').split('.').pop() ?? '';
    if (Number(/attempt=(\d+)/.exec(String(request.headers['amz-sdk-request'] ?? ''))?.[1] ?? '1') > 1) this.retriedRequests += 1;
    const fault = this.policy.decide({ service: this.service, operation, body: body.toString('utf8') });
    if (fault) this.injected[fault] += 1;
    if (fault === 'throttle') {
      response.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
      response.end(JSON.stringify({ __type: THROTTLE_TYPES[this.service], message: 'Rate exceeded (injected by the chaos proxy)' }));
      return;
    }
    if (fault === 'crashBeforeWrite') {
      this.crashHost();
      request.socket.destroy();
      return;
    }
    // PutRecords with some records failed: forward only the others, answer in the original positions.
    let failedPositions: number[] = [];
    if (fault === 'partialPutRecords') {
      const input = JSON.parse(body.toString('utf8')) as { Records: unknown[] };
      failedPositions = input.Records.map((_, i) => i).filter((i) => i % 3 === 1);
      body = Buffer.from(JSON.stringify({ ...input, Records: input.Records.filter((_, i) => !failedPositions.includes(i)) }));
    }
    const upstream = await forward(this.target, request, body);
    if (fault === 'lostResponse' || fault === 'crashAfterWrite') {
      if (fault === 'crashAfterWrite') this.crashHost();
      request.socket.destroy();
      return;
    }
    let payload = upstream.body;
    if (fault === 'partialPutRecords' && upstream.status === 200) {
      const output = JSON.parse(payload.toString('utf8')) as { Records: unknown[]; FailedRecordCount?: number };
      const results: unknown[] = [];
      let next = 0;
      for (let i = 0; i < output.Records.length + failedPositions.length; i++) {
        results.push(failedPositions.includes(i) ? { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'Rate exceeded for shard (injected)' } : output.Records[next++]);
      }
      payload = Buffer.from(JSON.stringify({ ...output, FailedRecordCount: (output.FailedRecordCount ?? 0) + failedPositions.length, Records: results }));
    }
    const headers = { ...upstream.headers, 'content-length': String(payload.length) };
    delete headers['transfer-encoding'];
    response.writeHead(upstream.status, headers);
    response.end(payload);
  }
}

function forward(target: string, request: http.IncomingMessage, body: Buffer): Promise<{ status: number; headers: http.OutgoingHttpHeaders; body: Buffer }> {
  const url = new URL(target);
  return new Promise((resolve, reject) => {
    const outgoing = http.request(
      { host: url.hostname, port: url.port, method: request.method, path: request.url, headers: { ...request.headers, host: url.host, 'content-length': String(body.length) } },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('end', () => resolve({ status: incoming.statusCode ?? 500, headers: incoming.headers, body: Buffer.concat(chunks) }));
        incoming.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}
