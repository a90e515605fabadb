import { describe, expect, it } from 'vitest';
import { corsHeaders, originOf } from '../../../functions/query/corsHeaders';

const DASHBOARD = 'https://dashboard.example.com';
const LOCAL = 'http://localhost:5173';

describe('Function: corsHeaders', () => {
  it('echoes a configured origin and varies on Origin', () => {
    expect(corsHeaders(DASHBOARD, [LOCAL, DASHBOARD])).toEqual({ 'access-control-allow-origin': DASHBOARD, vary: 'Origin' });
    expect(corsHeaders(LOCAL, [LOCAL, DASHBOARD])).toEqual({ 'access-control-allow-origin': LOCAL, vary: 'Origin' });
  });

  it('answers an origin that is not listed without an allow header, so its page cannot read the answer', () => {
    expect(corsHeaders('https://evil.example.com', [DASHBOARD])).toEqual({ vary: 'Origin' });
    // A look-alike: the configured host as a subdomain of another site.
    expect(corsHeaders('https://dashboard.example.com.evil.test', [DASHBOARD])).toEqual({ vary: 'Origin' });
    // Another scheme or port is another origin.
    expect(corsHeaders('http://dashboard.example.com', [DASHBOARD])).toEqual({ vary: 'Origin' });
    expect(corsHeaders('http://localhost:3000', [LOCAL])).toEqual({ vary: 'Origin' });
    expect(corsHeaders('null', [DASHBOARD])).toEqual({ vary: 'Origin' });
  });

  it('varies on Origin for a request without one (a server, curl) once CORS is configured', () => {
    expect(corsHeaders(undefined, [DASHBOARD])).toEqual({ vary: 'Origin' });
  });

  it('adds nothing when no origin is configured: CORS is off', () => {
    expect(corsHeaders(DASHBOARD, [])).toEqual({});
    expect(corsHeaders(undefined, [])).toEqual({});
  });

  it('compares origins as browsers do: host case and the default port do not matter', () => {
    expect(corsHeaders('https://Dashboard.Example.com', [DASHBOARD])).toEqual({ 'access-control-allow-origin': 'https://Dashboard.Example.com', vary: 'Origin' });
    expect(corsHeaders(DASHBOARD, ['https://dashboard.example.com:443'])).toEqual({ 'access-control-allow-origin': DASHBOARD, vary: 'Origin' });
    expect(corsHeaders('https://dashboard.example.com:8443', [DASHBOARD])).toEqual({ vary: 'Origin' });
  });
});

describe('Function: originOf', () => {
  it('finds the Origin header in any case', () => {
    expect(originOf({ Origin: DASHBOARD })).toBe(DASHBOARD);
    expect(originOf({ origin: DASHBOARD, accept: 'application/json' })).toBe(DASHBOARD);
    expect(originOf({ ORIGIN: DASHBOARD })).toBe(DASHBOARD);
  });

  it('is undefined without headers or without an Origin', () => {
    expect(originOf(null)).toBeUndefined();
    expect(originOf(undefined)).toBeUndefined();
    expect(originOf({ referer: DASHBOARD })).toBeUndefined();
  });
});
