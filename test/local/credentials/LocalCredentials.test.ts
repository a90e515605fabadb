import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { credentialsPath, LOCAL_ROLES, readLocalCredentials, writeLocalCredentials } from '../../../local/credentials/LocalCredentials';

const stateDir = (): string => mkdtempSync(path.join(tmpdir(), 'tributary-credentials-'));

describe('LocalCredentials', () => {
  it('writes one distinct key pair per role and an API key per producer, readable by the owner only', () => {
    const dir = stateDir();
    const credentials = writeLocalCredentials(dir, ['checkout']);
    expect(Object.keys(credentials.identities)).toEqual([...LOCAL_ROLES]);
    const ids = LOCAL_ROLES.map((role) => credentials.identities[role].accessKeyId);
    expect(new Set(ids).size).toBe(4);
    for (const id of ids) expect(id).toMatch(/^AKIA[A-Z2-7]{16}$/);
    expect(credentials.identities.producer.arn).toBe('arn:aws:iam::000000000000:user/tributary-local-producer');
    expect(credentials.apiKeys.checkout).toMatch(/^[A-Za-z0-9_-]{40}$/);
    expect(statSync(credentialsPath(dir)).mode & 0o777).toBe(0o600);
    expect(readLocalCredentials(dir)).toEqual(credentials);
  });

  it('keeps every key across restarts and adds keys only for new producers', () => {
    const dir = stateDir();
    const first = writeLocalCredentials(dir, ['checkout']);
    const second = writeLocalCredentials(dir, ['checkout', 'billing']);
    expect(second.identities).toEqual(first.identities);
    expect(second.apiKeys.checkout).toBe(first.apiKeys.checkout);
    expect(second.apiKeys.billing).not.toBe(first.apiKeys.checkout);
    expect(Object.keys(writeLocalCredentials(dir, []).apiKeys)).toEqual([]);
  });

  it('replaces a file broken by hand instead of failing, and reads nothing where there is none', () => {
    const dir = stateDir();
    expect(readLocalCredentials(dir)).toBeUndefined();
    writeFileSync(credentialsPath(dir), '{"region": "us-east-1", "identities": {}}');
    expect(readLocalCredentials(dir)).toBeUndefined();
    const fresh = writeLocalCredentials(dir, []);
    expect(JSON.parse(readFileSync(credentialsPath(dir), 'utf8'))).toEqual(fresh);
  });
});
