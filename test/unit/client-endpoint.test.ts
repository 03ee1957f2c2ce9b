// How the bundled client turns --url and --transport into an endpoint (src/client/endpoint.ts); the client
// itself runs against a real server in test/e2e/process.test.ts.
import { describe, expect, it } from 'vitest';
import { resolveEndpoint } from '../../src/client/endpoint.js';

const ok = (url: string, transport?: string) => {
  const r = resolveEndpoint(url, transport);
  if ('error' in r) throw new Error(r.error);
  return { transport: r.transport, endpoint: r.endpoint.href, base: r.base };
};

describe('resolveEndpoint', () => {
  it('a base URL means Streamable HTTP at /mcp unless --transport sse', () => {
    expect(ok('http://127.0.0.1:8000')).toEqual({ transport: 'http', endpoint: 'http://127.0.0.1:8000/mcp', base: 'http://127.0.0.1:8000' });
    expect(ok('http://127.0.0.1:8000/', 'sse')).toEqual({ transport: 'sse', endpoint: 'http://127.0.0.1:8000/sse', base: 'http://127.0.0.1:8000' });
  });

  it('a URL ending in /mcp or /sse names the transport; a prefix and a query are kept', () => {
    expect(ok('https://example.com/ai/sse?x=1')).toEqual({ transport: 'sse', endpoint: 'https://example.com/ai/sse?x=1', base: 'https://example.com/ai' });
    expect(ok('https://example.com/ai/mcp/', 'http')).toEqual({ transport: 'http', endpoint: 'https://example.com/ai/mcp', base: 'https://example.com/ai' });
  });

  it('refuses a mismatch, an unknown transport and a URL that is not http(s)', () => {
    expect(resolveEndpoint('http://h/mcp', 'sse')).toEqual({ error: '--transport sse does not match the URL, which ends in /mcp; drop one of them' });
    expect(resolveEndpoint('http://h', 'ws')).toMatchObject({ error: expect.stringContaining("--transport must be 'http'") });
    expect(resolveEndpoint('ftp://h/mcp', undefined)).toMatchObject({ error: expect.stringContaining('--url must be an http(s) URL') });
    expect(resolveEndpoint('127.0.0.1:8000', undefined)).toMatchObject({ error: expect.stringContaining('--url must be an http(s) URL') });
  });
});
