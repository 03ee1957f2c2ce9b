// The files operators deploy with, checked: the Dockerfile's essentials, the Render blueprint against
// Render's own JSON Schema, server.json in step with package.json and with the MCP Registry's publish checks,
// and every path package.json ships.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { Ajv } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { DockerfileParser } from 'dockerfile-ast';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { ENV_VARS, loadConfig, OUTPUT_MODES, RESIDENCY_ORIGINS } from '../../src/config.js';

const read = (f: string) => fs.readFileSync(new URL(`../../${f}`, import.meta.url), 'utf8');

describe('Dockerfile.sse', () => {
  const dockerfile = DockerfileParser.parse(read('Dockerfile.sse'));
  const instructions = dockerfile.getInstructions();
  const named = (k: string) => instructions.filter((i) => i.getKeyword() === k);

  it('is multi-stage, and the last stage runs as the non-root node user', () => {
    const froms = named('FROM');
    expect(froms.length).toBeGreaterThanOrEqual(2);
    const lastFrom = froms.at(-1)!.getRange().start.line;
    const users = named('USER').filter((u) => u.getRange().start.line > lastFrom);
    expect(users.map((u) => u.getArgumentsContent())).toEqual(['node']);
  });

  it('has a HEALTHCHECK that needs no curl or wget, exec-form CMD and ENTRYPOINT with tini, EXPOSE 8000', () => {
    const health = named('HEALTHCHECK');
    expect(health).toHaveLength(1);
    expect(health[0]!.getArgumentsContent()).toMatch(/CMD \["node", "dist\/healthcheck\.js"\]/);
    expect(read('Dockerfile.sse')).not.toMatch(/\b(curl|wget)\b/);
    expect(named('CMD').at(-1)!.getArgumentsContent()).toMatch(/^\[.*\]$/);
    expect(named('ENTRYPOINT').at(-1)!.getArgumentsContent()).toBe('["/usr/bin/tini", "--"]');
    expect(named('EXPOSE').map((e) => e.getArgumentsContent())).toEqual(['8000']);
  });

  it('binds 0.0.0.0 and sets no secret in ENV', () => {
    const env = named('ENV').map((e) => e.getArgumentsContent()).join(' ');
    expect(env).toMatch(/HOST=0\.0\.0\.0/);
    expect(env).not.toMatch(/API_KEY|TOKEN|SECRET|PASSWORD/i);
    expect(named('ARG').map((a) => a.getArgumentsContent()).join(' ')).not.toMatch(/API_KEY|TOKEN/i);
  });

  it('.dockerignore keeps .env, node_modules, tests and git out', () => {
    const ignored = read('.dockerignore').split('\n').map((l) => l.trim());
    for (const p of ['.env', 'node_modules', 'test', '.git']) expect(ignored).toContain(p);
  });
});

// Both blueprints: one instance (render-sse-production.yaml), and several sharing a Render Key Value
// instance (render-sse-multi-instance.yaml). What both must get right is checked on both.
interface EnvVar { key: string; value?: unknown; sync?: boolean; generateValue?: boolean; fromService?: { type: string; name: string; property?: string } }
interface Service { type: string; name: string; envVars?: EnvVar[]; [k: string]: unknown }
const blueprintSchema = () => JSON.parse(fs.readFileSync(new URL('../../../shared/fixtures/render-blueprint.schema.json', import.meta.url), 'utf8'));
const webService = (bp: { services: Service[] }) => bp.services.find((s) => s.type === 'web')!;
const envOf = (svc: Service) => Object.fromEntries(svc.envVars!.map((v) => [v.key, v]));
/** The variables a service sets to a literal value, as the process sees them (strings). */
const valuesOf = (svc: Service) => Object.fromEntries(svc.envVars!.filter((v) => 'value' in v).map((v) => [v.key, String(v.value)]));

describe.each([
  { file: 'render-sse-production.yaml', multi: false },
  { file: 'render-sse-multi-instance.yaml', multi: true },
])('$file', ({ file, multi }) => {
  const blueprint = parseYaml(read(file)) as { services: Service[] };

  it('validates against Render\'s Blueprint JSON Schema', () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    const validate = ajv.compile(blueprintSchema());
    expect(validate(blueprint), JSON.stringify(validate.errors, null, 2)).toBe(true);
  });

  it('is a Docker web service on Dockerfile.sse, /health, secrets not synced, link mode with a generated key', () => {
    const svc = webService(blueprint);
    expect(svc).toMatchObject({ type: 'web', runtime: 'docker', dockerfilePath: './Dockerfile.sse', healthCheckPath: '/health', autoDeploy: true });
    const vars = envOf(svc);
    expect(vars.ELEVENLABS_API_KEY).toEqual({ key: 'ELEVENLABS_API_KEY', sync: false });
    expect(vars.MCP_AUTH_TOKENS).toEqual({ key: 'MCP_AUTH_TOKENS', sync: false });
    expect(vars.ELEVENLABS_MCP_OUTPUT_MODE!.value).toBe('link');
    // One value for the whole service: every instance signs and checks links with the same key.
    expect(vars.LINK_SECRET).toEqual({ key: 'LINK_SECRET', generateValue: true });
  });

  it('sets only variables the server reads, the commented-out optional ones included', () => {
    const keys = [
      ...Object.keys(envOf(webService(blueprint))),
      ...[...read(file).matchAll(/^\s*#\s*- key: (\w+)/gm)].map((m) => m[1]!),
    ];
    for (const key of keys) expect(ENV_VARS as readonly string[], `${file} sets ${key}`).toContain(key);
  });

  it("starts as Render runs it: its values, the asked-for secrets and Render's own URL give OAuth on that URL", () => {
    const svc = webService(blueprint);
    const values = valuesOf(svc);
    const fromKeyValue = svc.envVars!.filter((v) => v.fromService?.type === 'keyvalue' && v.fromService.property === 'connectionString');
    const config = loadConfig({
      ...values,
      // Render's internal URL of a Key Value instance, for each variable that names one.
      ...Object.fromEntries(fromKeyValue.map((v) => [v.key, 'redis://red-d0abc123def456ghi789:6379'])),
      ELEVENLABS_API_KEY: 'sk_test',
      MCP_AUTH_TOKENS: 'a-token-of-thirty-two-characters-x',
      // Render's generateValue: a base64-encoded 256-bit value.
      LINK_SECRET: Buffer.alloc(32, 1).toString('base64'),
      PORT: '10000', // Render sets PORT and RENDER_EXTERNAL_URL itself
      RENDER_EXTERNAL_URL: 'https://elevenlabs-mcp-sse.onrender.com',
    });
    expect(config.oauth?.issuer).toBe('https://elevenlabs-mcp-sse.onrender.com');
    expect(config.limits.trustProxy).toBe(1);
    expect(config.output.mode).toBe('link');
    expect(config.links.secret).toHaveLength(44);
    // Links are built on the service's own URL, so no warning about the Host header.
    expect(config.publicUrl).toBe('https://elevenlabs-mcp-sse.onrender.com');
    expect(config.warnings).toEqual([]);
    // Several instances share sessions and keep link outputs in Redis; one keeps everything in its process.
    expect(config.redis?.url).toBe(multi ? 'redis://red-d0abc123def456ghi789:6379' : undefined);
    expect(config.links.store).toBe(multi ? 'redis' : 'dir');
  });
});

describe('render-sse-production.yaml: one instance', () => {
  const text = read('render-sse-production.yaml');
  const svc = webService(parseYaml(text));

  it('runs one instance, says why, and points at the multi-instance blueprint for scaling out', () => {
    expect(svc.numInstances).toBe(1);
    expect(envOf(svc).REDIS_URL).toBeUndefined();
    expect(text).toMatch(/# One instance, on purpose/);
    expect(text).toMatch(/render-sse-multi-instance\.yaml/);
    expect(fs.existsSync(new URL('../../render-sse-multi-instance.yaml', import.meta.url))).toBe(true);
  });
});

describe('render-sse-multi-instance.yaml: several instances on a Key Value instance', () => {
  const blueprint = parseYaml(read('render-sse-multi-instance.yaml')) as { services: Service[] };
  const svc = webService(blueprint);
  const keyValues = blueprint.services.filter((s) => s.type === 'keyvalue');

  it('runs more than one instance, with no disk (a Render disk attaches to one instance only)', () => {
    expect(svc.numInstances).toBeGreaterThan(1);
    expect(svc.disk).toBeUndefined();
  });

  it('has one Key Value instance that never evicts, persists (a paid plan), is private, and shares the region', () => {
    expect(keyValues).toHaveLength(1);
    const [kv] = keyValues;
    // An evicted session record, grant or link would be lost without a word.
    expect(kv!.maxmemoryPolicy).toBe('noeviction');
    // No external access: only this workspace's services in its region, over the private network.
    expect(kv!.ipAllowList).toEqual([]);
    expect(kv!.plan).toBeDefined();
    expect(kv!.plan).not.toBe('free');
    // The internal URL works only within one region's private network.
    expect(kv!.region).toBe(svc.region);
  });

  it('takes REDIS_URL from that instance\'s connection string and keeps link outputs in Redis', () => {
    const vars = envOf(svc);
    expect(vars.REDIS_URL).toEqual({ key: 'REDIS_URL', fromService: { type: 'keyvalue', name: keyValues[0]!.name, property: 'connectionString' } });
    expect(vars.LINK_STORE?.value).toBe('redis');
    expect(vars.LINK_DIR).toBeUndefined();
  });

  it('needs its generated LINK_SECRET: with REDIS_URL in link mode the server will not start without one', () => {
    const values = valuesOf(svc);
    const env = {
      ...values,
      REDIS_URL: 'redis://red-d0abc123def456ghi789:6379',
      ELEVENLABS_API_KEY: 'sk_test',
      MCP_AUTH_TOKENS: 'a-token-of-thirty-two-characters-x',
      RENDER_EXTERNAL_URL: 'https://elevenlabs-mcp-sse.onrender.com',
    };
    expect(() => loadConfig(env)).toThrow(/needs LINK_SECRET/);
  });
});

// The MCP Registry's publish check on transport URLs (modelcontextprotocol/registry, internal/validators:
// IsValidTemplatedURL): every {name} in a package's URL must be one of that package's environment variable
// names, argument names or valueHints, exactly (case included); every {name} in a remote's URL must be a key
// of that remote's `variables`. With the variables filled in, the URL must be http(s) with a host (remotes:
// https, not localhost).
interface Named { name?: string; valueHint?: string }
interface Transport { type: string; url?: string; variables?: Record<string, unknown> }
interface Package { transport: Transport; environmentVariables?: Named[]; runtimeArguments?: Named[]; packageArguments?: Named[] }

const templateVars = (url: string) => [...url.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);

function templateProblems(url: string, declared: readonly string[], remote: boolean): string[] {
  const problems = templateVars(url)
    .filter((v) => !declared.includes(v))
    .map((v) => `{${v}} in ${url} is not declared (declared: ${declared.join(', ') || 'none'})`);
  let parsed: URL | undefined;
  try {
    parsed = new URL(url.replace(/:\{[^}]+\}(?=\/|$)/g, ':8080').replace(/\{[^}]+\}/g, 'placeholder'));
  } catch {
    problems.push(`${url} is not a URL once its variables are filled in`);
  }
  if (parsed && !/^https?:$/.test(parsed.protocol)) problems.push(`${url} is not http(s)`);
  if (parsed && remote && (parsed.protocol !== 'https:' || /^(localhost|127\.0\.0\.1)$|\.localhost$/.test(parsed.hostname))) {
    problems.push(`remote ${url} must be https and not loopback`);
  }
  return problems;
}

const packageVariables = (pkg: Package) =>
  [...(pkg.environmentVariables ?? []), ...(pkg.runtimeArguments ?? []), ...(pkg.packageArguments ?? [])].flatMap((a) =>
    [a.name, a.valueHint].filter((n): n is string => typeof n === 'string' && n !== ''),
  );

describe('server.json (MCP Registry)', () => {
  const server = JSON.parse(read('server.json'));
  const pkg = JSON.parse(read('package.json'));

  it('is in step with package.json', () => {
    expect(server.name).toBe(pkg.mcpName);
    expect(server.version).toBe(pkg.version);
    expect(server.packages[0]).toMatchObject({ registryType: 'npm', identifier: pkg.name, version: pkg.version });
    expect(server.description.length).toBeLessThanOrEqual(100);
  });

  it('describes both remote endpoints (Streamable HTTP first) with their bearer header, and only real variables', () => {
    expect(server.remotes.map((r: Transport) => [r.type, r.url])).toEqual([
      ['streamable-http', 'https://{host}/mcp'],
      ['sse', 'https://{host}/sse'],
    ]);
    for (const remote of server.remotes) expect(remote.headers[0]).toMatchObject({ name: 'Authorization', isSecret: true });
    expect(server.packages[0].transport).toEqual({ type: 'streamable-http', url: 'http://127.0.0.1:{PORT}/mcp' });
    for (const v of server.packages[0].environmentVariables) expect(ENV_VARS as readonly string[]).toContain(v.name);
  });

  it('declares every {variable} in its URLs, as the registry requires at publish', () => {
    const problems = [
      ...(server.packages as Package[]).flatMap((p) => (p.transport.url ? templateProblems(p.transport.url, packageVariables(p), false) : [])),
      ...(server.remotes as Transport[]).flatMap((r) => templateProblems(r.url!, Object.keys(r.variables ?? {}), true)),
    ];
    expect(problems).toEqual([]);
    expect(server.packages[0].transport.url).toContain('{PORT}');
  });

  it('the URL check rejects what the registry rejects', () => {
    expect(templateProblems('http://127.0.0.1:{port}/sse', ['PORT'], false)).toHaveLength(1);
    expect(templateProblems('https://{host}/sse', [], true)).toHaveLength(1);
    expect(templateProblems('http://localhost:8000/sse', [], true)).toHaveLength(1);
    expect(templateProblems('https://{host}/sse', ['host'], true)).toEqual([]);
  });

  it('offers exactly the residencies and output modes config.ts accepts', () => {
    type Input = { name: string; default?: string; choices?: string[] };
    const inputs = server.packages[0].environmentVariables as Input[];
    const env = Object.fromEntries(inputs.map((v) => [v.name, v]));
    expect(env.ELEVENLABS_API_RESIDENCY?.choices).toEqual(Object.keys(RESIDENCY_ORIGINS));
    expect(env.ELEVENLABS_MCP_OUTPUT_MODE?.choices).toEqual([...OUTPUT_MODES]);
    for (const v of inputs) {
      if (v.choices && v.default !== undefined) expect(v.choices, v.name).toContain(v.default);
    }
  });

  // The registry's schema (https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json, from
  // github.com/modelcontextprotocol/static schemas/2025-12-11/server.schema.json) is third-party data, so it is
  // kept beside Render's schema in ../shared/fixtures rather than in this repository.
  const schemaFile = new URL('../../../shared/fixtures/mcp-server.schema.json', import.meta.url);
  const hasSchema = fs.existsSync(schemaFile);
  if (!hasSchema) console.warn(`[deploy-files.test] server.json schema check SKIPPED: ${schemaFile.pathname} is missing (save ${server.$schema} there)`);

  it.skipIf(!hasSchema)('validates against the registry\'s server.json schema of the version it declares', () => {
    const schema = JSON.parse(fs.readFileSync(schemaFile, 'utf8'));
    expect(schema.$id).toBe(server.$schema);
    const ajv = new Ajv({ strict: false, allErrors: true });
    ajv.addFormat('uri', (s: string) => URL.canParse(s));
    const validate = ajv.compile(schema);
    expect(validate(server), JSON.stringify(validate.errors, null, 2)).toBe(true);
  });

  it('package.json has a bin that starts the server', () => {
    expect(Object.values(pkg.bin)).toEqual(['dist/index.js']);
    expect(read('src/index.ts').startsWith('#!/usr/bin/env node')).toBe(true);
  });
});

describe('package.json "files"', () => {
  const pkg = JSON.parse(read('package.json'));
  const build = JSON.parse(read('tsconfig.build.json'));

  it('names only paths that exist (dist is the build output, made before publishing)', () => {
    for (const entry of pkg.files as string[]) {
      if (entry === build.compilerOptions.outDir) {
        expect(pkg.scripts.prepublishOnly).toBe('npm run build');
        continue;
      }
      expect(fs.existsSync(new URL(`../../${entry}`, import.meta.url)), `${entry} is in "files" but missing`).toBe(true);
    }
  });

  it('the packed tarball carries the MIT LICENSE that "license" names', () => {
    expect(pkg.license).toBe('MIT');
    const license = read('LICENSE');
    expect(license).toMatch(/^MIT License\n\nCopyright \(c\) 2026 elevenlabs-mcp-sse contributors\n/);
    const [packed] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: new URL('../..', import.meta.url), encoding: 'utf8' }));
    const paths = (packed.files as { path: string }[]).map((f) => f.path);
    for (const f of ['LICENSE', 'README.md', '.env.example', 'package.json']) expect(paths).toContain(f);
  });
});
