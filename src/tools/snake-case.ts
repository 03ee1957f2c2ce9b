// The JS SDK hands back camelCase objects; the official server (and the ElevenLabs API) print snake_case.
// Tools that show upstream objects convert back so their output matches the official server's.
export function snakeCaseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(snakeCaseKeys);
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), snakeCaseKeys(v)]),
    );
  }
  return value;
}
