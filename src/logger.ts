// pino, JSON to stdout. Secrets are redacted by path so that a careless `log.info({ req })` cannot leak
// an API key or a bearer token; tests assert that no known secret reaches any log line.
import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

export const REDACT_PATHS = [
  'apiKey',
  '*.apiKey',
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'headers["xi-api-key"]',
  '*.headers["xi-api-key"]',
  '["xi-api-key"]',
  '*["xi-api-key"]',
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'elevenlabs-mcp-sse' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
