import { afterEach, describe, expect, it, vi } from 'vitest';
import { clientTokens } from './service-flags.js';

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('clientTokens', () => {
  it('gives every client the one token, or each its own', () => {
    expect(clientTokens({ clientToken: ['t'.repeat(16)] }, 3)).toEqual(
      Array(3).fill('t'.repeat(16)),
    );
    expect(clientTokens({ clientToken: ['a', 'b'] }, 2)).toEqual(['a', 'b']);
  });

  it('reads SEMIPRIV_CLIENT_TOKEN when the flag is absent, comma-separated', () => {
    vi.stubEnv('SEMIPRIV_CLIENT_TOKEN', 'first,second');
    expect(clientTokens({}, 2)).toEqual(['first', 'second']);
  });

  it('names both places a token can come from when the count is wrong', () => {
    vi.stubEnv('SEMIPRIV_CLIENT_TOKEN', '');
    expect(() => clientTokens({}, 2)).toThrow(
      '--client-token or SEMIPRIV_CLIENT_TOKEN: expected one token, or one per client (2), received 0',
    );
    expect(() => clientTokens({ clientToken: ['a', 'b', 'c'] }, 2)).toThrow(/received 3$/);
  });
});
