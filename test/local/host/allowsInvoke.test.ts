import { describe, expect, it } from 'vitest';
import type { LocalManagedPolicy } from '../../../local/assembly/LocalPlan';
import { allowsInvoke } from '../../../local/host/allowsInvoke';

const API = 'arn:aws:execute-api:us-east-1:000000000000:abc123/v1';
const policy = (statements: LocalManagedPolicy['statements']): LocalManagedPolicy => ({ name: 'P', logicalId: 'P', statements });

describe('Function: allowsInvoke', () => {
  it("matches IAM's * (across slashes) and ? wildcards in resources and actions", () => {
    // Prepare
    const policies = [policy([{ effect: 'Allow', actions: ['execute-api:*'], resources: [`${API}/GET/metrics/*`, `${API}/POST/event?`] }])];

    // Act
    const outcomes = [`${API}/GET/metrics/a`, `${API}/GET/metrics/a/b`, `${API}/GET/metricsx`, `${API}/POST/events`, `${API}/POST/event`].map((arn) => allowsInvoke(policies, arn));

    // Assess
    expect(outcomes).toEqual([true, true, false, true, false]);
  });

  it('lets an explicit Deny win over an Allow, and denies what no statement allows', () => {
    // Prepare
    const policies = [
      policy([{ effect: 'Allow', actions: ['execute-api:Invoke'], resources: [`${API}/*`] }]),
      policy([{ effect: 'Deny', actions: ['execute-api:Invoke'], resources: [`${API}/GET/events`] }]),
    ];

    // Act
    const outcomes = [allowsInvoke(policies, `${API}/GET/metrics/a`), allowsInvoke(policies, `${API}/GET/events`), allowsInvoke([], `${API}/GET/metrics/a`)];

    // Assess
    expect(outcomes).toEqual([true, false, false]);
  });

  it('ignores statements for other actions, and treats a regex character in a resource literally', () => {
    // Prepare
    const policies = [policy([{ effect: 'Allow', actions: ['execute-api:ManageConnections', 'dynamodb:GetItem'], resources: ['*'] }, { effect: 'Allow', actions: ['execute-api:Invoke'], resources: [`${API}/GET/a.b`] }])];

    // Act
    const outcomes = [allowsInvoke(policies, `${API}/GET/x`), allowsInvoke(policies, `${API}/GET/a.b`), allowsInvoke(policies, `${API}/GET/aXb`)];

    // Assess
    expect(outcomes).toEqual([false, true, false]);
  });
});
