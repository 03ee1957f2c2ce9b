// Agents and knowledge-base documents: created agents can be listed, fetched, patched (conversation_config
// merged as the API does) and used in simulations; documents added to an agent show up in its config.
// Bodies are checked against the nested snake_case shapes the API takes; a wrong one gets a 422.
import type { FakeRequest, FakeResponse, Route } from '../server.js';
import type { FakeState } from '../state.js';

export interface FakeAgent {
  agent_id: string;
  name: string;
  conversation_config: Record<string, unknown>;
  platform_settings: Record<string, unknown>;
  tags: string[];
  created_at_unix_secs: number;
  updated_at_unix_secs: number;
}

export interface FakeDocument {
  id: string;
  name: string;
  type: 'url' | 'file';
  url?: string;
  filename?: string;
  content_type?: string;
  content?: string;
}

export interface AgentStore {
  /** Newest first when listed. */
  agents: Map<string, FakeAgent>;
  documents: Map<string, FakeDocument>;
  /** Counter behind ids and creation times. */
  seq: number;
  /** Adds an agent as the API would hold it (for tests that need one without create_agent). */
  seed(agent: Partial<FakeAgent> & { agent_id: string; name: string }): FakeAgent;
}

const stores = new WeakMap<FakeState, AgentStore>();

/** The agent data of one fake server (kept beside its state, which this family does not own). */
export function agentStore(state: FakeState): AgentStore {
  let store = stores.get(state);
  if (!store) {
    const s: AgentStore = {
      agents: new Map(),
      documents: new Map(),
      seq: 0,
      seed(agent) {
        const created = agent.created_at_unix_secs ?? 1_700_000_000 + ++s.seq;
        const full: FakeAgent = {
          conversation_config: {},
          platform_settings: {},
          tags: [],
          created_at_unix_secs: created,
          updated_at_unix_secs: created,
          ...agent,
        };
        s.agents.set(full.agent_id, full);
        return full;
      },
    };
    store = s;
    stores.set(state, store);
  }
  return store;
}

const DEFAULT_VOICE = 'cgSgspJ2msm6clMCkdW9';
const ACCESS_INFO = { is_creator: true, creator_name: 'Test User', creator_email: 'test@example.com', role: 'admin' };

function unprocessable(status: string, message: string): FakeResponse {
  return { status: 422, json: { detail: { status, message } } };
}

function agentNotFound(id: string): FakeResponse {
  return { status: 404, json: { detail: { status: 'agent_not_found', message: `Agent with id ${id} not found` } } };
}

// A tiny shape checker: 'string' | 'number' | 'integer' | 'boolean' | 'array' | 'object' (any map), a nested
// shape (an object whose keys are all listed: unknown keys are refused, which catches camelCase), a list of
// allowed values, or `opt(x)` (absent or null allowed).
type Spec = string | readonly unknown[] | { [k: string]: Spec } | { optional: Spec };
const opt = (spec: Spec): Spec => ({ optional: spec });
const isOptional = (s: Spec): s is { optional: Spec } => typeof s === 'object' && !Array.isArray(s) && 'optional' in s && Object.keys(s).length === 1;

function check(value: unknown, spec: Spec, at: string): string | undefined {
  if (typeof spec === 'string') {
    const ok =
      spec === 'array'
        ? Array.isArray(value)
        : spec === 'object'
          ? typeof value === 'object' && value !== null && !Array.isArray(value)
          : spec === 'integer'
            ? Number.isInteger(value)
            : typeof value === spec;
    return ok ? undefined : `${at}: expected ${spec}, got ${JSON.stringify(value)}`;
  }
  if (Array.isArray(spec)) return spec.includes(value) ? undefined : `${at}: expected one of ${spec.join(', ')}, got ${JSON.stringify(value)}`;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return `${at}: expected an object`;
  const obj = value as Record<string, unknown>;
  const shape = spec as Record<string, Spec>;
  for (const key of Object.keys(obj)) if (!(key in shape)) return `${at}.${key}: unexpected field`;
  for (const [key, sub] of Object.entries(shape)) {
    if (isOptional(sub)) {
      if (obj[key] === undefined || obj[key] === null) continue; // optional fields are nullable, as in the API
      const problem = check(obj[key], sub.optional, `${at}.${key}`);
      if (problem) return problem;
    } else {
      if (!(key in obj)) return `${at}.${key}: field required`;
      const problem = check(obj[key], sub, `${at}.${key}`);
      if (problem) return problem;
    }
  }
  return undefined;
}

const CREATE_BODY: Spec = {
  conversation_config: {
    agent: {
      language: 'string',
      prompt: {
        prompt: 'string',
        llm: 'string',
        tools: 'array',
        knowledge_base: 'array',
        temperature: 'number',
        max_tokens: opt('integer'),
      },
      first_message: opt('string'),
      dynamic_variables: { dynamic_variable_placeholders: 'object' },
    },
    asr: { quality: ['high', 'low'], provider: 'string', user_input_audio_format: 'string', keywords: 'array' },
    tts: {
      voice_id: opt('string'),
      model_id: 'string',
      agent_output_audio_format: 'string',
      optimize_streaming_latency: 'integer',
      stability: 'number',
      similarity_boost: 'number',
    },
    turn: { turn_timeout: 'number' },
    conversation: { max_duration_seconds: 'integer', client_events: 'array' },
    language_presets: 'object',
    is_blocked_ivc: 'boolean',
    is_blocked_non_ivc: 'boolean',
  },
  platform_settings: {
    widget: {
      variant: 'string',
      avatar: { type: 'string', color_1: 'string', color_2: 'string' },
      feedback_mode: 'string',
      terms_text: 'string',
      show_avatar_when_collapsed: 'boolean',
    },
    evaluation: 'object',
    auth: { allowlist: 'array' },
    overrides: 'object',
    call_limits: { agent_concurrency_limit: 'integer', daily_limit: 'integer' },
    privacy: {
      record_voice: 'boolean',
      retention_days: 'integer',
      delete_transcript_and_pii: 'boolean',
      delete_audio: 'boolean',
      apply_to_existing_conversations: 'boolean',
    },
    data_collection: 'object',
  },
  name: 'string',
};

const KB_LOCATOR: Spec = { type: ['file', 'url', 'text', 'folder'], name: 'string', id: 'string', usage_mode: opt(['auto', 'prompt']) };

const SIMULATE_BODY: Spec = {
  simulation_specification: {
    simulated_user_config: { prompt: { prompt: 'string' }, first_message: opt('string') },
  },
  extra_evaluation_criteria: opt('array'),
  new_turns_limit: opt('integer'),
};
const CRITERION: Spec = { id: 'string', name: 'string', conversation_goal_prompt: 'string', use_knowledge_base: opt('boolean') };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** PATCH semantics of the agents API: objects merge key by key, everything else (arrays included) replaces. */
function deepMerge(target: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const out = { ...target };
  for (const [k, v] of Object.entries(patch)) out[k] = isObject(v) && isObject(out[k]) ? deepMerge(out[k], v) : v;
  return out;
}

/** The API fills in what a create leaves out; here only what the SDK needs back (system tools' params). */
function normalizeConfig(config: Record<string, unknown>): Record<string, unknown> {
  const copy = structuredClone(config);
  const prompt = (copy.agent as { prompt?: { tools?: Record<string, unknown>[]; knowledge_base?: Record<string, unknown>[] } } | undefined)?.prompt;
  for (const tool of prompt?.tools ?? []) {
    if (tool.type === 'system' && !tool.params) tool.params = { system_tool_type: tool.name };
  }
  if (prompt?.knowledge_base) prompt.knowledge_base = prompt.knowledge_base.map((kb) => ({ usage_mode: 'auto', ...kb }));
  const tts = copy.tts as Record<string, unknown> | undefined;
  if (tts && !tts.voice_id) tts.voice_id = DEFAULT_VOICE;
  return copy;
}

function agentBody(agent: FakeAgent) {
  return {
    agent_id: agent.agent_id,
    name: agent.name,
    conversation_config: agent.conversation_config,
    metadata: { created_at_unix_secs: agent.created_at_unix_secs, updated_at_unix_secs: agent.updated_at_unix_secs },
    platform_settings: agent.platform_settings,
    phone_numbers: [],
    access_info: ACCESS_INFO,
    tags: agent.tags,
  };
}

function createAgent(req: FakeRequest, state: FakeState): FakeResponse {
  const problem = check(req.json, CREATE_BODY, 'body');
  if (problem) return unprocessable('invalid_request', problem);
  const body = req.json as { name: string; conversation_config: Record<string, unknown>; platform_settings: Record<string, unknown> };
  const store = agentStore(state);
  const agent = store.seed({
    agent_id: `agent_${String(store.seq + 1).padStart(4, '0')}`,
    name: body.name,
    conversation_config: normalizeConfig(body.conversation_config),
    platform_settings: body.platform_settings,
  });
  return { json: { agent_id: agent.agent_id } };
}

function patchAgent(req: FakeRequest, state: FakeState): FakeResponse {
  const store = agentStore(state);
  const agent = store.agents.get(req.params.agent_id!);
  if (!agent) return agentNotFound(req.params.agent_id!);
  if (!isObject(req.json)) return unprocessable('invalid_request', 'body: expected a JSON object');
  const { conversation_config: patch, ...rest } = req.json;
  const unknown = Object.keys(rest).filter((k) => !['name', 'tags', 'platform_settings'].includes(k));
  if (unknown.length) return unprocessable('invalid_request', `body.${unknown[0]}: unexpected field`);
  if (patch !== undefined) {
    if (!isObject(patch)) return unprocessable('invalid_request', 'body.conversation_config: expected an object');
    const kb = (patch.agent as { prompt?: { knowledge_base?: unknown } } | undefined)?.prompt?.knowledge_base;
    if (kb !== undefined) {
      if (!Array.isArray(kb)) return unprocessable('invalid_request', 'body.conversation_config.agent.prompt.knowledge_base: expected array');
      for (const [i, item] of kb.entries()) {
        const problem = check(item, KB_LOCATOR, `body.conversation_config.agent.prompt.knowledge_base[${i}]`);
        if (problem) return unprocessable('invalid_request', problem);
        const id = (item as { id: string }).id;
        if (!store.documents.has(id)) return unprocessable('document_not_found', `Knowledge base document ${id} not found`);
      }
    }
    agent.conversation_config = normalizeConfig(deepMerge(agent.conversation_config, patch));
  }
  if (typeof rest.name === 'string') agent.name = rest.name;
  agent.updated_at_unix_secs += 1;
  return { json: agentBody(agent) };
}

function simulate(req: FakeRequest, state: FakeState): FakeResponse {
  const agent = agentStore(state).agents.get(req.params.agent_id!);
  if (!agent) return agentNotFound(req.params.agent_id!);
  const problem = check(req.json, SIMULATE_BODY, 'body');
  if (problem) return unprocessable('invalid_request', problem);
  const body = req.json as {
    simulation_specification: { simulated_user_config: { prompt: { prompt: string }; first_message?: string } };
    extra_evaluation_criteria?: Record<string, unknown>[] | null;
    new_turns_limit?: number;
  };
  const criteria = body.extra_evaluation_criteria ?? [];
  for (const [i, c] of criteria.entries()) {
    const p = check(c, CRITERION, `body.extra_evaluation_criteria[${i}]`);
    if (p) return unprocessable('invalid_request', p);
  }
  const user = body.simulation_specification.simulated_user_config;
  const agentFirst = (agent.conversation_config.agent as { first_message?: string } | undefined)?.first_message ?? 'Hello!';
  const turns = [
    { role: 'agent', message: agentFirst, time_in_call_secs: 0 },
    { role: 'user', message: user.first_message ?? `(${user.prompt.prompt})`, time_in_call_secs: 1 },
    {
      role: 'agent',
      message: 'Goodbye.',
      time_in_call_secs: 2,
      tool_calls: [{ request_id: 'req_1', tool_name: 'end_call', params_as_json: '{}', tool_has_been_called: true }],
    },
  ].slice(0, Math.max(1, body.new_turns_limit ?? 10));
  return {
    json: {
      simulated_conversation: turns,
      analysis: {
        call_successful: 'success',
        transcript_summary: `The simulated user talked to ${agent.name}.`,
        evaluation_criteria_results: Object.fromEntries(
          criteria.map((c) => [c.id, { criteria_id: c.id, result: 'success', rationale: `Checked: ${String(c.conversation_goal_prompt)}` }]),
        ),
      },
    },
  };
}

export const agentsRoutes: Route[] = [
  { method: 'POST', path: '/v1/convai/agents/create', handle: createAgent },
  {
    method: 'GET',
    path: '/v1/convai/agents',
    handle: (_req, state) => {
      const agents = [...agentStore(state).agents.values()]
        .sort((a, b) => b.created_at_unix_secs - a.created_at_unix_secs)
        .map((a) => ({
          agent_id: a.agent_id,
          name: a.name,
          voice_id: ((a.conversation_config.tts as { voice_id?: string } | undefined)?.voice_id ?? DEFAULT_VOICE),
          tags: a.tags,
          created_at_unix_secs: a.created_at_unix_secs,
          access_info: ACCESS_INFO,
          archived: false,
        }));
      return { json: { agents, has_more: false, next_cursor: null } };
    },
  },
  {
    method: 'GET',
    path: '/v1/convai/agents/:agent_id',
    handle: (req, state) => {
      const agent = agentStore(state).agents.get(req.params.agent_id!);
      return agent ? { json: agentBody(agent) } : agentNotFound(req.params.agent_id!);
    },
  },
  { method: 'PATCH', path: '/v1/convai/agents/:agent_id', handle: patchAgent },
  { method: 'POST', path: '/v1/convai/agents/:agent_id/simulate-conversation', handle: simulate },
  {
    method: 'POST',
    path: '/v1/convai/knowledge-base/url',
    handle: (req, state) => {
      const problem = check(req.json, { url: 'string', name: opt('string') }, 'body');
      if (problem) return unprocessable('invalid_request', problem);
      const { url, name } = req.json as { url: string; name?: string };
      if (!/^https?:\/\/\S+$/.test(url)) return unprocessable('invalid_url', `Could not fetch ${url}`);
      const store = agentStore(state);
      const doc: FakeDocument = { id: `kb_url_${++store.seq}`, name: name ?? url, type: 'url', url };
      store.documents.set(doc.id, doc);
      return { json: { id: doc.id, name: doc.name } };
    },
  },
  {
    method: 'POST',
    path: '/v1/convai/knowledge-base/file',
    handle: async (req, state) => {
      const file = req.form?.get('file');
      if (!file || typeof file === 'string') return unprocessable('invalid_request', 'body.file: field required');
      const name = req.form!.get('name');
      const store = agentStore(state);
      const doc: FakeDocument = {
        id: `kb_file_${++store.seq}`,
        name: typeof name === 'string' ? name : file.name,
        type: 'file',
        filename: file.name,
        content_type: file.type,
        content: await file.text(),
      };
      store.documents.set(doc.id, doc);
      return { json: { id: doc.id, name: doc.name } };
    },
  },
];
