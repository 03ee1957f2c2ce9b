// Contract tests of the agent tools (create_agent, add_knowledge_base_to_agent, list_agents, get_agent,
// simulate_conversation): the real SDK over SSE against the stateful fake, checking what the fake received.
import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useContract, type ContractCase } from '../helpers/contract.js';
import { agentStore } from '../helpers/fake-elevenlabs/routes/agents.js';

const contract = useContract();
const store = () => agentStore(contract.fake.state);

const TERMS =
  '#### Terms and conditions\n\nBy clicking "Agree," and each time I interact with this AI agent, I consent to the recording, ' +
  'storage, and sharing of my communications with third-party service providers, and as described in the Privacy Policy.\n' +
  'If you do not wish to have your conversations recorded, please refrain from using this service.';

/** The body the official server sends for create_agent with its defaults (convai.py), in its key order. */
function officialCreateBody(over: { name: string; prompt: string; first?: string; voice?: string }) {
  return {
    conversation_config: {
      agent: {
        language: 'en',
        prompt: {
          prompt: over.prompt,
          llm: 'gemini-2.0-flash-001',
          tools: [{ type: 'system', name: 'end_call', description: '' }],
          knowledge_base: [],
          temperature: 0.5,
        },
        ...(over.first ? { first_message: over.first } : {}),
        dynamic_variables: { dynamic_variable_placeholders: {} },
      },
      asr: { quality: 'high', provider: 'elevenlabs', user_input_audio_format: 'pcm_16000', keywords: [] },
      tts: {
        ...(over.voice ? { voice_id: over.voice } : {}),
        model_id: 'eleven_turbo_v2',
        agent_output_audio_format: 'pcm_16000',
        optimize_streaming_latency: 3,
        stability: 0.5,
        similarity_boost: 0.8,
      },
      turn: { turn_timeout: 7 },
      conversation: {
        max_duration_seconds: 300,
        client_events: ['audio', 'interruption', 'user_transcript', 'agent_response', 'agent_response_correction'],
      },
      language_presets: {},
      is_blocked_ivc: false,
      is_blocked_non_ivc: false,
    },
    platform_settings: {
      widget: {
        variant: 'full',
        avatar: { type: 'orb', color_1: '#6DB035', color_2: '#F5CABB' },
        feedback_mode: 'during',
        terms_text: TERMS,
        show_avatar_when_collapsed: true,
      },
      evaluation: {},
      auth: { allowlist: [] },
      overrides: {},
      call_limits: { agent_concurrency_limit: -1, daily_limit: 100000 },
      privacy: {
        record_voice: true,
        retention_days: 730,
        delete_transcript_and_pii: true,
        delete_audio: true,
        apply_to_existing_conversations: false,
      },
      data_collection: {},
    },
    name: over.name,
  };
}

/** Runs the calls and asserts none of them reached the fake. */
async function expectNoUpstream(c: ContractCase, cases: [string, Record<string, unknown>, RegExp | string][]) {
  const before = c.fake.calls.length;
  for (const [tool, args, message] of cases) {
    const r = await c.call(tool, args);
    expect(r.isError, `${tool} ${JSON.stringify(args)}`).toBe(true);
    if (typeof message === 'string') expect(r.text).toBe(message);
    else expect(r.text).toMatch(message);
  }
  expect(c.fake.calls.slice(before).map((x) => `${x.method} ${x.path}`)).toEqual([]);
}

function seedAgent(id: string, name: string, extra: Record<string, unknown> = {}) {
  return store().seed({
    agent_id: id,
    name,
    conversation_config: {
      agent: { language: 'en', first_message: 'Hi there!', prompt: { prompt: 'Be helpful', llm: 'gpt-4o-mini', knowledge_base: [] } },
      tts: { voice_id: 'vv', model_id: 'eleven_turbo_v2' },
    },
    ...extra,
  });
}

describe('tools/list', () => {
  it('the agent tools have the official names, parameters (in order), required sets and defaults', async () => {
    await contract.withApp({}, async ({ client }) => {
      const { tools } = await client.listTools();
      const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
      const params = (n: string) => Object.keys((byName[n]!.inputSchema.properties ?? {}) as object);
      expect(params('create_agent')).toEqual([
        'name', 'first_message', 'system_prompt', 'voice_id', 'language', 'llm', 'temperature', 'max_tokens', 'asr_quality',
        'model_id', 'optimize_streaming_latency', 'stability', 'similarity_boost', 'turn_timeout', 'max_duration_seconds',
        'record_voice', 'retention_days',
      ]);
      expect(byName.create_agent!.inputSchema.required).toEqual(['name', 'first_message', 'system_prompt']);
      const props = byName.create_agent!.inputSchema.properties as Record<string, { default?: unknown }>;
      expect(Object.fromEntries(Object.entries(props).filter(([, p]) => 'default' in p).map(([k, p]) => [k, p.default]))).toEqual({
        language: 'en', llm: 'gemini-2.0-flash-001', temperature: 0.5, asr_quality: 'high', model_id: 'eleven_turbo_v2',
        optimize_streaming_latency: 3, stability: 0.5, similarity_boost: 0.8, turn_timeout: 7, max_duration_seconds: 300,
        record_voice: true, retention_days: 730,
      });
      expect(params('add_knowledge_base_to_agent')).toEqual(['agent_id', 'knowledge_base_name', 'url', 'input_file_path', 'text']);
      expect(byName.add_knowledge_base_to_agent!.inputSchema.required).toEqual(['agent_id', 'knowledge_base_name']);
      expect(params('list_agents')).toEqual([]);
      expect(params('get_agent')).toEqual(['agent_id']);
      expect(params('simulate_conversation')).toEqual(['agent_id', 'simulated_user_prompt', 'first_message', 'extra_evaluation_criteria', 'max_turns']);
      expect(byName.simulate_conversation!.inputSchema.required).toEqual(['agent_id', 'simulated_user_prompt']);

      for (const n of ['create_agent', 'add_knowledge_base_to_agent', 'simulate_conversation']) {
        expect(byName[n]!.annotations, n).toMatchObject({ readOnlyHint: false, destructiveHint: false, openWorldHint: true });
        expect(byName[n]!.description, n).toMatch(/COST WARNING/);
        expect(byName[n]!.description, n).not.toMatch(/Args:/);
      }
      for (const n of ['list_agents', 'get_agent']) {
        expect(byName[n]!.annotations, n).toMatchObject({ readOnlyHint: true, idempotentHint: true });
        expect(byName[n]!.outputSchema, n).toBeDefined();
      }
    });
  });
});

describe('create_agent', () => {
  it('sends the official config and platform settings and the new agent can be fetched and listed', async () => {
    await contract.withApp({}, async ({ call, fake }) => {
      const r = await call('create_agent', { name: 'Bot', first_message: 'Hi, how can I help?', system_prompt: 'Be nice' });
      expect(r.isError).toBe(false);
      const m = /^Agent created successfully: Name: Bot, Agent ID: (agent_\d+), System Prompt: Be nice, Voice ID: cgSgspJ2msm6clMCkdW9, Language: en, LLM: gemini-2.0-flash-001, You can use this agent ID for future interactions with the agent\.$/.exec(r.text);
      expect(m, r.text).not.toBeNull();
      const agentId = m![1]!;

      const sent = fake.callsTo('POST', '/v1/convai/agents/create').at(-1)!;
      const expected = officialCreateBody({ name: 'Bot', prompt: 'Be nice', first: 'Hi, how can I help?', voice: 'cgSgspJ2msm6clMCkdW9' });
      expect(sent.json).toEqual(expected);
      // Byte for byte what the official server sends, key order included; nothing in the query.
      expect(sent.body.toString('utf8')).toBe(JSON.stringify(expected));
      expect([...sent.query.keys()]).toEqual([]);

      const got = await call('get_agent', { agent_id: agentId });
      expect(got.text).toMatch(new RegExp(`^Agent Details: Name: Bot, Agent ID: ${agentId}, Voice Configuration: Voice ID: cgSgspJ2msm6clMCkdW9, Created At: \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC`));
      expect(got.result.structuredContent).toMatchObject({
        agent_id: agentId,
        name: 'Bot',
        voice_id: 'cgSgspJ2msm6clMCkdW9',
        tts_model_id: 'eleven_turbo_v2',
        language: 'en',
        llm: 'gemini-2.0-flash-001',
        first_message: 'Hi, how can I help?',
        system_prompt: 'Be nice',
        knowledge_base: [],
      });
      const listed = await call('list_agents');
      expect(listed.text).toContain(`Bot (ID: ${agentId})`);
    });
  });

  it('passes every parameter through; an empty voice_id or first_message is left out, as upstream', async () => {
    await contract.withApp({ ELEVENLABS_DEFAULT_VOICE_ID: 'operator-voice' }, async ({ call, fake }) => {
      const r = await call('create_agent', {
        name: 'Custom',
        first_message: '',
        system_prompt: 'Terse.',
        voice_id: '',
        language: 'de',
        llm: 'gpt-4o-mini',
        temperature: 0.2,
        max_tokens: 256,
        asr_quality: 'low',
        model_id: 'eleven_flash_v2_5',
        optimize_streaming_latency: 0,
        stability: 0.9,
        similarity_boost: 0.1,
        turn_timeout: 15,
        max_duration_seconds: 60,
        record_voice: false,
        retention_days: 30,
      });
      expect(r.text).toMatch(/Voice ID: Default, Language: de, LLM: gpt-4o-mini, /);
      const body = fake.callsTo('POST', '/v1/convai/agents/create').at(-1)!.json as ReturnType<typeof officialCreateBody>;
      const cc = body.conversation_config;
      expect(cc.agent).toEqual({
        language: 'de',
        prompt: {
          prompt: 'Terse.',
          llm: 'gpt-4o-mini',
          tools: [{ type: 'system', name: 'end_call', description: '' }],
          knowledge_base: [],
          temperature: 0.2,
          max_tokens: 256,
        },
        dynamic_variables: { dynamic_variable_placeholders: {} },
      });
      expect(cc.asr.quality).toBe('low');
      expect(cc.tts).toEqual({
        model_id: 'eleven_flash_v2_5',
        agent_output_audio_format: 'pcm_16000',
        optimize_streaming_latency: 0,
        stability: 0.9,
        similarity_boost: 0.1,
      });
      expect(cc.turn).toEqual({ turn_timeout: 15 });
      expect(cc.conversation.max_duration_seconds).toBe(60);
      expect(body.platform_settings.privacy).toMatchObject({ record_voice: false, retention_days: 30 });

      // Without voice_id the operator's ELEVENLABS_DEFAULT_VOICE_ID is used.
      await call('create_agent', { name: 'D', first_message: 'Hi', system_prompt: 'p' });
      const second = fake.callsTo('POST', '/v1/convai/agents/create').at(-1)!.json as ReturnType<typeof officialCreateBody>;
      expect(second.conversation_config.tts.voice_id).toBe('operator-voice');
    });
  });

  it('null arguments behave as upstream: voice_id null means no voice, any other null means "not given"', async () => {
    await contract.withApp({ ELEVENLABS_DEFAULT_VOICE_ID: 'operator-voice' }, async ({ call, fake }) => {
      const r = await call('create_agent', { name: 'N', first_message: 'Hi', system_prompt: 'p', voice_id: null });
      expect(r.isError, r.text).toBe(false);
      expect(r.text).toMatch(/, Voice ID: Default, Language: en, LLM: gemini-2\.0-flash-001, /);
      const noVoice = fake.callsTo('POST', '/v1/convai/agents/create').at(-1)!;
      expect(noVoice.body.toString('utf8')).toBe(JSON.stringify(officialCreateBody({ name: 'N', prompt: 'p', first: 'Hi' })));

      const rest = await call('create_agent', {
        name: 'M',
        first_message: 'Hi',
        system_prompt: 'p',
        language: null,
        llm: null,
        temperature: null,
        max_tokens: null,
        model_id: null,
        retention_days: null,
      });
      expect(rest.isError, rest.text).toBe(false);
      expect(rest.text).toMatch(/, Voice ID: operator-voice, Language: en, LLM: gemini-2\.0-flash-001, /);
      const defaults = fake.callsTo('POST', '/v1/convai/agents/create').at(-1)!;
      expect(defaults.body.toString('utf8')).toBe(JSON.stringify(officialCreateBody({ name: 'M', prompt: 'p', first: 'Hi', voice: 'operator-voice' })));
    });
  });

  it('validates ranges and enums before any upstream call', async () => {
    await contract.withApp({}, async (c) => {
      const base = { name: 'x', first_message: 'y', system_prompt: 'z' };
      await expectNoUpstream(c, [
        ['create_agent', { first_message: 'y', system_prompt: 'z' }, /name is required/],
        ['create_agent', { ...base, temperature: 1.5 }, /temperature must be at most 1/],
        ['create_agent', { ...base, stability: -0.1 }, /stability must be at least 0/],
        ['create_agent', { ...base, similarity_boost: 'high' }, /similarity_boost must be a number from 0 to 1/],
        ['create_agent', { ...base, optimize_streaming_latency: 5 }, /optimize_streaming_latency must be at most 4/],
        ['create_agent', { ...base, optimize_streaming_latency: 2.5 }, /optimize_streaming_latency must be a whole number from 0 to 4/],
        ['create_agent', { ...base, asr_quality: 'medium' }, /asr_quality must be one of: high, low/],
        ['create_agent', { ...base, model_id: 'eleven_v3' }, /model_id must be one of: eleven_turbo_v2, /],
        ['create_agent', { ...base, max_duration_seconds: 0 }, /max_duration_seconds must be at least 1/],
        ['create_agent', { ...base, max_tokens: 1.5 }, /max_tokens must be a whole number/],
        ['create_agent', { ...base, name: null }, /name is required/],
      ]);
    });
  });

  it('an upstream rejection is reported with its reason', async () => {
    await contract.withApp({}, async ({ call, fake }) => {
      fake.failNext('POST', '/v1/convai/agents/create', {
        status: 422,
        json: { detail: { status: 'invalid_llm', message: 'LLM gemini-0 is not supported' } },
      });
      const r = await call('create_agent', { name: 'x', first_message: 'y', system_prompt: 'z', llm: 'gemini-0' });
      expect(r.isError).toBe(true);
      expect(r.text).toBe('ElevenLabs rejected the request as invalid (422). ElevenLabs says: LLM gemini-0 is not supported');
    });
  });
});

describe('add_knowledge_base_to_agent', () => {
  it('text: uploads text.txt, attaches the document to the agent, and get_agent shows it', async () => {
    await contract.withApp({}, async ({ call, fake }) => {
      seedAgent('agent_kb_text', 'KB Agent');
      const before = fake.calls.length;
      const r = await call('add_knowledge_base_to_agent', { agent_id: 'agent_kb_text', knowledge_base_name: 'FAQ', text: 'Opening hours: 9-5.' });
      expect(r.isError, r.text).toBe(false);
      const m = /^Knowledge base created with ID: (kb_file_\d+) and added to agent agent_kb_text successfully\.$/.exec(r.text);
      expect(m, r.text).not.toBeNull();
      const docId = m![1]!;

      // The agent is read first, so a bad agent_id creates nothing; then the document; then the patch.
      expect(fake.calls.slice(before).map((x) => `${x.method} ${x.path}`)).toEqual([
        'GET /v1/convai/agents/agent_kb_text',
        'POST /v1/convai/knowledge-base/file',
        'PATCH /v1/convai/agents/agent_kb_text',
      ]);
      const upload = fake.callsTo('POST', '/v1/convai/knowledge-base/file').at(-1)!;
      expect(upload.form!.get('name')).toBe('FAQ');
      const file = upload.form!.get('file') as File;
      expect(file.name).toBe('text.txt');
      expect(file.type).toBe('text/plain');
      expect(await file.text()).toBe('Opening hours: 9-5.');
      const patch = fake.callsTo('PATCH', '/v1/convai/agents/agent_kb_text').at(-1)!;
      expect(patch.json).toEqual({
        conversation_config: { agent: { prompt: { knowledge_base: [{ type: 'file', name: 'FAQ', id: docId }] } } },
      });
      expect([...patch.query.keys()]).toEqual([]);

      const got = await call('get_agent', { agent_id: 'agent_kb_text' });
      expect(got.result.structuredContent).toMatchObject({
        knowledge_base: [{ id: docId, name: 'FAQ', type: 'file', usage_mode: 'auto' }],
        // The rest of the agent's config is untouched by the patch.
        system_prompt: 'Be helpful',
        first_message: 'Hi there!',
        voice_id: 'vv',
      });
    });
  });

  it('url: a second document is added next to the first, which is sent back as the API gave it', async () => {
    await contract.withApp({}, async ({ call, fake }) => {
      seedAgent('agent_kb_url', 'URL Agent');
      const first = await call('add_knowledge_base_to_agent', { agent_id: 'agent_kb_url', knowledge_base_name: 'Notes', text: 'a' });
      const firstId = /ID: (\S+) and/.exec(first.text)![1]!;
      const r = await call('add_knowledge_base_to_agent', { agent_id: 'agent_kb_url', knowledge_base_name: 'Docs', url: 'https://example.com/docs' });
      const urlId = /ID: (kb_url_\d+) and/.exec(r.text)![1]!;
      expect(fake.callsTo('POST', '/v1/convai/knowledge-base/url').at(-1)!.json).toEqual({ url: 'https://example.com/docs', name: 'Docs' });
      expect(fake.callsTo('PATCH', '/v1/convai/agents/agent_kb_url').at(-1)!.json).toEqual({
        conversation_config: {
          agent: {
            prompt: {
              knowledge_base: [
                { type: 'file', name: 'Notes', id: firstId, usage_mode: 'auto' },
                { type: 'url', name: 'Docs', id: urlId },
              ],
            },
          },
        },
      });
      const got = await call('get_agent', { agent_id: 'agent_kb_url' });
      expect((got.result.structuredContent as { knowledge_base: { id: string }[] }).knowledge_base.map((k) => k.id)).toEqual([firstId, urlId]);
    });
  });

  it('input_file_path: uploads the document under the base path with its name and type (no audio check)', async () => {
    await contract.withApp({}, async ({ call, fake, app }) => {
      seedAgent('agent_kb_file', 'File Agent');
      await fs.mkdir(path.join(app.basePath, 'docs'));
      await fs.writeFile(path.join(app.basePath, 'docs', 'guide.pdf'), '%PDF-1.4 fake');
      const r = await call('add_knowledge_base_to_agent', { agent_id: 'agent_kb_file', knowledge_base_name: 'Guide', input_file_path: 'docs/guide.pdf' });
      expect(r.text).toMatch(/^Knowledge base created with ID: kb_file_\d+ and added to agent agent_kb_file successfully\.$/);
      const file = fake.callsTo('POST', '/v1/convai/knowledge-base/file').at(-1)!.form!.get('file') as File;
      expect(file.name).toBe('guide.pdf');
      expect(file.type).toBe('application/pdf');
      expect(await file.text()).toBe('%PDF-1.4 fake');
      // Absolute paths inside the base path work too.
      const abs = await call('add_knowledge_base_to_agent', {
        agent_id: 'agent_kb_file',
        knowledge_base_name: 'Guide 2',
        input_file_path: path.join(app.basePath, 'docs', 'guide.pdf'),
      });
      expect(abs.isError, abs.text).toBe(false);
    });
  });

  it('checks its arguments and the file before any upstream call, with the official messages', async () => {
    await contract.withApp({}, async (c) => {
      await fs.writeFile(path.join(c.app.basePath, 'manual.txt'), 'x');
      const base = { agent_id: 'agent_x', knowledge_base_name: 'KB' };
      await expectNoUpstream(c, [
        ['add_knowledge_base_to_agent', base, 'Must provide either a URL, a file, or text'],
        ['add_knowledge_base_to_agent', { ...base, url: 'https://x.com', text: 't' }, 'Must provide exactly one of: URL, file, or text'],
        ['add_knowledge_base_to_agent', { ...base, input_file_path: 'a.pdf', text: '' }, 'Must provide exactly one of: URL, file, or text'],
        ['add_knowledge_base_to_agent', { ...base, input_file_path: '../../etc/passwd' }, /outside the server's base directory/],
        ['add_knowledge_base_to_agent', { ...base, input_file_path: '/etc/hostname' }, /outside the server's base directory/],
        ['add_knowledge_base_to_agent', { ...base, input_file_path: 'missing.pdf' }, 'File (missing.pdf) does not exist'],
        ['add_knowledge_base_to_agent', { ...base, input_file_path: '.' }, 'File (.) is not a file'],
        ['add_knowledge_base_to_agent', { ...base, agent_id: ' ', text: 't' }, 'agent_id is required.'],
        ['add_knowledge_base_to_agent', { agent_id: 'agent_x', text: 't' }, /knowledge_base_name is required/],
      ]);
    });
  });

  it('an unknown agent fails before any document is created', async () => {
    await contract.withApp({}, async ({ call, fake }) => {
      const posts = fake.callsTo('POST', /^\/v1\/convai\/knowledge-base\//).length;
      const r = await call('add_knowledge_base_to_agent', { agent_id: 'nope', knowledge_base_name: 'KB', text: 't' });
      expect(r.isError).toBe(true);
      expect(r.text).toBe('Not found on ElevenLabs (404): check the id you passed. ElevenLabs says: Agent with id nope not found');
      expect(fake.callsTo('POST', /^\/v1\/convai\/knowledge-base\//).length).toBe(posts);
    });
  });

  it('when attaching fails after the document was created, the message gives the document ID', async () => {
    await contract.withApp({}, async ({ call, fake }) => {
      seedAgent('agent_kb_fail', 'Fail Agent');
      fake.failNext('PATCH', '/v1/convai/agents/agent_kb_fail', { status: 500 });
      const r = await call('add_knowledge_base_to_agent', { agent_id: 'agent_kb_fail', knowledge_base_name: 'KB', url: 'https://example.com' });
      expect(r.isError).toBe(true);
      expect(r.text).toMatch(
        /^Knowledge base document created with ID: kb_url_\d+, but adding it to agent agent_kb_fail failed: ElevenLabs is unavailable \(500\); try again in a moment\.$/,
      );
    });
  });
});

describe('list_agents', () => {
  it('no agents: the official sentence and an empty list', async () => {
    await contract.withApp({}, async ({ call, fake }) => {
      store().agents.clear();
      const r = await call('list_agents');
      expect(r.content[0]).toEqual({ type: 'text', text: 'No agents found.' });
      expect(r.result.structuredContent).toEqual({ agents: [], has_more: false });
      expect([...fake.callsTo('GET', '/v1/convai/agents').at(-1)!.query.keys()]).toEqual([]);
    });
  });

  it('lists name and ID comma-separated (as upstream), plus the agents as JSON and structuredContent', async () => {
    await contract.withApp({}, async ({ call }) => {
      store().agents.clear();
      seedAgent('a1', 'Agent One', { created_at_unix_secs: 1_700_000_000 });
      seedAgent('a2', 'Agent Two', { created_at_unix_secs: 1_700_000_100, tags: ['sales'] });
      const r = await call('list_agents');
      expect(r.content[0]).toEqual({ type: 'text', text: 'Available agents: Agent Two (ID: a2),Agent One (ID: a1)' });
      const data = {
        agents: [
          { agent_id: 'a2', name: 'Agent Two', voice_id: 'vv', tags: ['sales'], created_at_unix_secs: 1_700_000_100, archived: false },
          { agent_id: 'a1', name: 'Agent One', voice_id: 'vv', tags: [], created_at_unix_secs: 1_700_000_000, archived: false },
        ],
        has_more: false,
      };
      expect(r.result.structuredContent).toEqual(data);
      expect(JSON.parse(r.content[1]!.text!)).toEqual(data);
    });
  });

  it('an upstream failure is reported', async () => {
    await contract.withApp({}, async ({ call, fake }) => {
      fake.failNext('GET', '/v1/convai/agents', { status: 500 });
      const r = await call('list_agents');
      expect(r.isError).toBe(true);
      expect(r.text).toBe('ElevenLabs is unavailable (500); try again in a moment.');
    });
  });
});

describe('get_agent', () => {
  it('the official sentence (time in UTC) and the agent as structured data', async () => {
    await contract.withApp({}, async ({ call, fake }) => {
      seedAgent('agent_123', 'My Agent', { created_at_unix_secs: 1_700_000_000, tags: ['support'] });
      const r = await call('get_agent', { agent_id: 'agent_123' });
      expect(r.content[0]).toEqual({
        type: 'text',
        text: 'Agent Details: Name: My Agent, Agent ID: agent_123, Voice Configuration: Voice ID: vv, Created At: 2023-11-14 22:13:20 UTC',
      });
      const data = {
        agent_id: 'agent_123',
        name: 'My Agent',
        voice_id: 'vv',
        tts_model_id: 'eleven_turbo_v2',
        language: 'en',
        llm: 'gpt-4o-mini',
        first_message: 'Hi there!',
        system_prompt: 'Be helpful',
        knowledge_base: [],
        tags: ['support'],
        created_at: '2023-11-14T22:13:20.000Z',
        created_at_unix_secs: 1_700_000_000,
        updated_at_unix_secs: 1_700_000_000,
      };
      expect(r.result.structuredContent).toEqual(data);
      expect(JSON.parse(r.content[1]!.text!)).toEqual(data);
      expect(fake.callsTo('GET', '/v1/convai/agents/agent_123').length).toBeGreaterThan(0);
    });
  });

  it('an agent without a tts section prints Voice Configuration: None', async () => {
    await contract.withApp({}, async ({ call }) => {
      store().seed({ agent_id: 'agent_bare', name: 'Bare', conversation_config: {}, created_at_unix_secs: 1_700_000_000 });
      const r = await call('get_agent', { agent_id: 'agent_bare' });
      expect(r.content[0]!.text).toBe('Agent Details: Name: Bare, Agent ID: agent_bare, Voice Configuration: None, Created At: 2023-11-14 22:13:20 UTC');
      expect(r.result.structuredContent).toMatchObject({ agent_id: 'agent_bare', knowledge_base: [], tags: [] });
    });
  });

  it('unknown and blank ids', async () => {
    await contract.withApp({}, async (c) => {
      const r = await c.call('get_agent', { agent_id: 'nope' });
      expect(r.isError).toBe(true);
      expect(r.text).toBe('Not found on ElevenLabs (404): check the id you passed. ElevenLabs says: Agent with id nope not found');
      await expectNoUpstream(c, [
        ['get_agent', { agent_id: '' }, 'agent_id is required.'],
        ['get_agent', {}, /agent_id is required/],
      ]);
    });
  });
});

describe('simulate_conversation', () => {
  it('sends the simulation and formats transcript and analysis as the official server does', async () => {
    await contract.withApp({}, async ({ call, fake }) => {
      seedAgent('agent_sim', 'Sim Agent');
      const r = await call('simulate_conversation', {
        agent_id: 'agent_sim',
        simulated_user_prompt: 'You are angry',
        first_message: 'I want to cancel',
        extra_evaluation_criteria: [
          { id: 'issue_resolved', name: 'Issue Resolved', conversation_goal_prompt: 'Resolved?', ignored_key: 1 },
          { id: 'kb_used', name: 'KB used', conversation_goal_prompt: 'Used the KB?', use_knowledge_base: true },
        ],
        max_turns: 3,
      });
      expect(r.isError, r.text).toBe(false);
      expect(r.text).toBe(
        [
          '## Simulated Conversation\n',
          '**Agent:** Hi there!',
          '**User:** I want to cancel',
          '**Agent:** Goodbye.',
          '  _(tool: end_call)_',
          '\n## Analysis\n',
          '**Summary:** The simulated user talked to Sim Agent.\n',
          '**Call result:** success\n',
          '**Criteria results:**',
          '  **issue_resolved**: success — Checked: Resolved?',
          '  **kb_used**: success — Checked: Used the KB?',
        ].join('\n'),
      );
      expect(fake.callsTo('POST', '/v1/convai/agents/agent_sim/simulate-conversation').at(-1)!.json).toEqual({
        simulation_specification: { simulated_user_config: { prompt: { prompt: 'You are angry' }, first_message: 'I want to cancel' } },
        extra_evaluation_criteria: [
          { id: 'issue_resolved', name: 'Issue Resolved', conversation_goal_prompt: 'Resolved?', use_knowledge_base: false },
          { id: 'kb_used', name: 'KB used', conversation_goal_prompt: 'Used the KB?', use_knowledge_base: true },
        ],
        new_turns_limit: 3,
      });
    });
  });

  it('defaults: no first message, no criteria, 10 turns', async () => {
    await contract.withApp({}, async ({ call, fake }) => {
      seedAgent('agent_sim2', 'Sim Two');
      const r = await call('simulate_conversation', { agent_id: 'agent_sim2', simulated_user_prompt: 'Curious', first_message: '' });
      expect(r.text).toContain('**User:** (Curious)');
      expect(r.text).not.toContain('Criteria results');
      const body = fake.callsTo('POST', '/v1/convai/agents/agent_sim2/simulate-conversation').at(-1)!.json as Record<string, unknown>;
      expect(body.simulation_specification).toEqual({ simulated_user_config: { prompt: { prompt: 'Curious' } } });
      expect(body.extra_evaluation_criteria ?? null).toBeNull();
      expect(body.new_turns_limit).toBe(10);
    });
  });

  it('a very long conversation comes back as an embedded text resource', async () => {
    await contract.withApp({}, async ({ call }) => {
      seedAgent('agent_sim3', 'Sim Three');
      const long = 'word '.repeat(12_000);
      const r = await call('simulate_conversation', { agent_id: 'agent_sim3', simulated_user_prompt: 'x', first_message: long });
      expect(r.isError, r.text).toBe(false);
      expect(r.content[0]!.text).toMatch(/^The simulated conversation is \d+ characters long, so it is returned as a text resource \(elevenlabs-inline:\/\/simulate_conversation\/sim_agent_\d{8}_\d{6}\.md\)\.$/);
      expect(r.content[1]!.resource!.text).toContain(`**User:** ${long}`);
    });
  });

  it('criteria missing fields get the official message, before any upstream call', async () => {
    await contract.withApp({}, async (c) => {
      await expectNoUpstream(c, [
        [
          'simulate_conversation',
          { agent_id: 'a', simulated_user_prompt: 'p', extra_evaluation_criteria: [{ id: 'x' }] },
          "Evaluation criterion missing fields ['name', 'conversation_goal_prompt']. Each criterion needs 'id', 'name', and 'conversation_goal_prompt'.",
        ],
        ['simulate_conversation', { agent_id: 'a', simulated_user_prompt: 'p', max_turns: 0 }, /max_turns must be at least 1/],
        ['simulate_conversation', { agent_id: 'a', simulated_user_prompt: 'p', extra_evaluation_criteria: [{ id: 1 }] }, /extra_evaluation_criteria\.0\.id/],
        ['simulate_conversation', { agent_id: '', simulated_user_prompt: 'p' }, 'agent_id is required.'],
        ['simulate_conversation', { agent_id: 'a' }, /simulated_user_prompt is required/],
      ]);
    });
  });

  it('an unknown agent is reported', async () => {
    await contract.withApp({}, async ({ call }) => {
      const r = await call('simulate_conversation', { agent_id: 'ghost', simulated_user_prompt: 'p' });
      expect(r.isError).toBe(true);
      expect(r.text).toBe('Not found on ElevenLabs (404): check the id you passed. ElevenLabs says: Agent with id ghost not found');
    });
  });
});
