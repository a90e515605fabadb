import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A stand-in CloudFormation endpoint (AWS_ENDPOINT_URL_CLOUDFORMATION) that knows one stack and its outputs. */
export interface FakeCloudFormation {
  readonly url: string;
  /** The StackName of every DescribeStacks it answered. */
  readonly described: string[];
  close(): Promise<void>;
}

/**
 * Answers DescribeStacks in CloudFormation's own wire format (the query
 * protocol: a form-encoded request, an XML answer), so the CLI's unmodified
 * SDK client reads `outputs` as it would a deployed stack's; any other stack
 * name gets CloudFormation's "does not exist" ValidationError.
 */
export async function startFakeCloudFormation(stackName: string, outputs: Readonly<Record<string, string>>): Promise<FakeCloudFormation> {
  const described: string[] = [];
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const form = new URLSearchParams(body);
      const asked = form.get('StackName') ?? '';
      described.push(asked);
      response.setHeader('content-type', 'text/xml');
      if (form.get('Action') !== 'DescribeStacks' || asked !== stackName) {
        response.statusCode = 400;
        response.end(
          `<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><Error><Type>Sender</Type><Code>ValidationError</Code><Message>Stack with id ${xml(asked)} does not exist</Message></Error><RequestId>fake</RequestId></ErrorResponse>`,
        );
        return;
      }
      const members = Object.entries(outputs)
        .map(([key, value]) => `<member><OutputKey>${xml(key)}</OutputKey><OutputValue>${xml(value)}</OutputValue></member>`)
        .join('');
      response.end(
        `<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStacksResult><Stacks><member>` +
          `<StackName>${xml(stackName)}</StackName><StackId>arn:aws:cloudformation:us-east-1:000000000000:stack/${xml(stackName)}/fake</StackId>` +
          `<CreationTime>2026-12-01T00:00:00Z</CreationTime><StackStatus>UPDATE_COMPLETE</StackStatus><Outputs>${members}</Outputs>` +
          `</member></Stacks></DescribeStacksResult><ResponseMetadata><RequestId>fake</RequestId></ResponseMetadata></DescribeStacksResponse>`,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, described, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

function xml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
