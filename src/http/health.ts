// GET /health: for load balancers, Docker HEALTHCHECK and Render. Cheap, no secrets, no upstream call.
// The first route, answered before any other check: health checks are frequent and the route needs none
// of the middleware (npm run bench measures it against a raw server).
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface HealthInfo {
  version: string;
  sessions(): number;
  draining(): boolean;
  apiKeyConfigured: boolean;
}

export function healthHandler(info: HealthInfo): (req: IncomingMessage, res: ServerResponse) => void {
  const startedAt = Date.now();
  return (_req, res) => {
    const draining = info.draining();
    const body = JSON.stringify({
      status: draining ? 'draining' : 'ok',
      version: info.version,
      uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
      sessions: info.sessions(),
      elevenlabsApiKeyConfigured: info.apiKeyConfigured,
    });
    res.writeHead(draining ? 503 : 200, {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': Buffer.byteLength(body),
      'Cache-Control': 'no-store',
    });
    res.end(body);
  };
}
