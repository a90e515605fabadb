import { afterEach, describe, expect, it } from 'vitest';
import { DashboardServer } from '../../../local/dashboard/DashboardServer';

describe('Class: DashboardServer', () => {
  let server: DashboardServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it("serves the page with the Producers note: offline keys from `tributary credentials`, on AWS the ProducerPolicyArn output", async () => {
    // Prepare
    server = new DashboardServer(() => ({ status: { apiUrl: 'http://127.0.0.1:3000/v1', hostRunning: true, hostRestarts: 0, deadEmulators: [] }, samples: [] }));
    const url = await server.listen(0);

    // Act
    const page = await fetch(url);
    const html = await page.text();

    // Assess
    expect(page.status).toBe(200);
    const note = html.slice(html.indexOf('<section id="producers">'), html.indexOf('</section>', html.indexOf('<section id="producers">')));
    expect(note).toContain('<h2>Producers</h2>');
    expect(note).toContain('eval "$(npx tributary credentials --role producer)"');
    expect(note).toContain('curl --aws-sigv4 "aws:amz:us-east-1:execute-api"');
    expect(note).toContain('attach the stack output <code>ProducerPolicyArn</code>');
    expect(note).toContain('docs/operations/deploy.md#onboard-a-producer');
  });
});
