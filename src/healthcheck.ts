// The container's HEALTHCHECK: GET /health on the local port, exit 0 when it answers 200. Plain Node, so the
// image needs neither curl nor wget.
const port = process.env.PORT ?? '8000';
fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(4000) }).then(
  (res) => process.exit(res.ok ? 0 : 1),
  () => process.exit(1),
);
