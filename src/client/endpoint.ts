// Which endpoint and transport the bundled client uses, from its --url and --transport: a URL ending in /mcp
// or /sse names both; a base URL gets Streamable HTTP at /mcp (what current clients speak) unless
// --transport sse asks for the legacy transport. /health is looked up beside the endpoint.

/** The Inspector's and Claude Code's names: `http` is Streamable HTTP, `sse` the legacy HTTP+SSE transport. */
export type ClientTransportName = 'http' | 'sse';

const PATH_OF: Record<ClientTransportName, string> = { http: '/mcp', sse: '/sse' };

export interface Endpoint {
  transport: ClientTransportName;
  /** The MCP endpoint to connect to. */
  endpoint: URL;
  /** The server's base URL, where /health is. */
  base: string;
}

export function resolveEndpoint(url: string, transportFlag: string | undefined): Endpoint | { error: string } {
  const parsed = URL.canParse(url) ? new URL(url) : undefined;
  if (parsed?.protocol !== 'http:' && parsed?.protocol !== 'https:') {
    return { error: `--url must be an http(s) URL such as http://127.0.0.1:8000/mcp (got "${url}")` };
  }
  if (transportFlag !== undefined && transportFlag !== 'http' && transportFlag !== 'sse') {
    return { error: `--transport must be 'http' (Streamable HTTP, /mcp) or 'sse' (legacy SSE, /sse) (got "${transportFlag}")` };
  }
  const path = parsed.pathname.replace(/\/+$/, '');
  const fromPath = (Object.keys(PATH_OF) as ClientTransportName[]).find((t) => path.endsWith(PATH_OF[t]));
  if (fromPath && transportFlag && transportFlag !== fromPath) {
    return { error: `--transport ${transportFlag} does not match the URL, which ends in ${PATH_OF[fromPath]}; drop one of them` };
  }
  const transport = fromPath ?? (transportFlag as ClientTransportName | undefined) ?? 'http';
  const basePath = fromPath ? path.slice(0, -PATH_OF[fromPath].length) : path;
  const base = `${parsed.origin}${basePath}`;
  return { transport, endpoint: new URL(`${base}${PATH_OF[transport]}${parsed.search}`), base };
}
