// GET /health (liveness): for load balancers, Docker HEALTHCHECK and Render. Cheap, no secrets, no upstream call.
// GET /ready (readiness, below) also says whether the ElevenLabs key is accepted.
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

/** One dependency's state, as GET /ready shows it. */
export interface ReadinessCheck {
  ok: boolean;
  reason?: string;
  checkedAt?: string;
}

export interface ReadyInfo {
  draining(): boolean;
  /** What must be ok before traffic is sent here, by name (elevenlabs; Redis when it is used). */
  checks: Record<string, () => Promise<ReadinessCheck>>;
}

/**
 * GET /ready: 200 when every check is ok, else 503, with each check's state and reason as JSON. Open, like
 * /health, for load balancers; the checks keep their own results (a minute for the key), so polling is cheap.
 */
export function readyHandler(info: ReadyInfo): (req: IncomingMessage, res: ServerResponse) => void {
  const names = Object.keys(info.checks);
  return (_req, res) => {
    void Promise.all(names.map((name) => info.checks[name]!().catch((err: Error): ReadinessCheck => ({ ok: false, reason: `check failed: ${err.message}` })))).then((results) => {
      const checks = Object.fromEntries(names.map((name, i) => [name, results[i]!]));
      const draining = info.draining();
      const ready = !draining && results.every((r) => r.ok);
      const body = JSON.stringify({ status: draining ? 'draining' : ready ? 'ready' : 'not_ready', checks });
      if (res.destroyed) return;
      res.writeHead(ready ? 200 : 503, {
        'Content-Type': 'application/json; charset=utf-8',
        'Content-Length': Buffer.byteLength(body),
        'Cache-Control': 'no-store',
      });
      res.end(body);
    });
  };
}
