// GET /health: for load balancers, Docker HEALTHCHECK and Render. Cheap, no secrets, no upstream call.
import type { RequestHandler } from 'express';

export interface HealthInfo {
  version: string;
  sessions(): number;
  draining(): boolean;
  apiKeyConfigured: boolean;
}

export function healthHandler(info: HealthInfo): RequestHandler {
  const startedAt = Date.now();
  return (_req, res) => {
    const draining = info.draining();
    res.status(draining ? 503 : 200).json({
      status: draining ? 'draining' : 'ok',
      version: info.version,
      uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
      sessions: info.sessions(),
      elevenlabsApiKeyConfigured: info.apiKeyConfigured,
    });
  };
}
