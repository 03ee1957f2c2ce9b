// Conversations, phone numbers and outbound calls, in the API's wire shapes. The data lives beside the shared
// fake state (one copy per fake server): a call placed through a phone number becomes a conversation that
// list and get then show, as on ElevenLabs.
import type { FakeRequest, FakeResponse, Route } from '../server.js';
import type { FakeState } from '../state.js';

export interface FakeTurn {
  role: 'user' | 'agent';
  message: string | null;
  time_in_call_secs: number;
}

export interface FakeConversation {
  conversation_id: string;
  agent_id: string;
  status: 'initiated' | 'in-progress' | 'processing' | 'done' | 'failed';
  start_time_unix_secs: number;
  call_duration_secs: number;
  call_successful: 'success' | 'failure' | 'unknown';
  transcript: FakeTurn[];
  transcript_summary?: string;
  /** Whether the analysis has run (done conversations); get returns `analysis` only then. */
  analyzed: boolean;
  to_number?: string;
}

export interface FakePhoneNumber {
  phone_number: string;
  label: string;
  phone_number_id: string;
  provider: string;
  livekit_stack?: 'standard' | 'static';
  supports_outbound?: boolean;
  assigned_agent?: { agent_id: string; agent_name: string };
  [k: string]: unknown;
}

/** A number the fake's carriers cannot reach: the call endpoints answer 200 with success false. */
export const UNREACHABLE_NUMBER = '+15550000000';

/** 60 turns of ~1,000 characters: above the 50,000-character transcript threshold. */
export function longTranscript(): FakeTurn[] {
  return Array.from({ length: 60 }, (_, i) => ({
    role: i % 2 ? 'user' : 'agent',
    message: `Turn ${i}: ${'lorem ipsum '.repeat(83)}`.trim(),
    time_in_call_secs: i * 5,
  }));
}

function initial() {
  return {
    agents: new Map<string, string>([
      ['agent_123', 'My Agent'],
      ['agent_456', 'Support Bot'],
    ]),
    conversations: [
      {
        conversation_id: 'conv_1',
        agent_id: 'agent_123',
        status: 'done',
        start_time_unix_secs: 1700000000,
        call_duration_secs: 42,
        call_successful: 'success',
        transcript: [
          { role: 'agent', message: 'Hello!', time_in_call_secs: 0 },
          { role: 'user', message: 'Hi', time_in_call_secs: 1 },
        ],
        transcript_summary: 'The user greeted the agent.',
        analyzed: true,
      },
      {
        conversation_id: 'conv_2',
        agent_id: 'agent_456',
        status: 'in-progress',
        start_time_unix_secs: 1700003600,
        call_duration_secs: 7,
        call_successful: 'unknown',
        transcript: [
          { role: 'agent', message: 'Let me check.', time_in_call_secs: 0 },
          { role: 'agent', message: null, time_in_call_secs: 2 },
        ],
        analyzed: false,
      },
      {
        conversation_id: 'conv_3',
        agent_id: 'agent_orphan',
        status: 'failed',
        start_time_unix_secs: 1699990000,
        call_duration_secs: 0,
        call_successful: 'failure',
        transcript: [],
        analyzed: false,
      },
      {
        conversation_id: 'conv_long',
        agent_id: 'agent_123',
        status: 'done',
        start_time_unix_secs: 1699900000,
        call_duration_secs: 300,
        call_successful: 'success',
        transcript: longTranscript(),
        transcript_summary: 'A long chat.',
        analyzed: true,
      },
    ] as FakeConversation[],
    phoneNumbers: [
      {
        phone_number: '+15551234567',
        label: 'Main',
        phone_number_id: 'pn_tw',
        provider: 'twilio',
        supports_inbound: true,
        supports_outbound: true,
        assigned_agent: { agent_id: 'agent_123', agent_name: 'My Agent' },
      },
      {
        phone_number: '+15557654321',
        label: 'Sip',
        phone_number_id: 'pn_sip',
        provider: 'sip_trunk',
        livekit_stack: 'standard',
        outbound_trunk: { address: 'sip.example.com', transport: 'tcp', media_encryption: 'allowed', has_auth_credentials: true, username: 'trunk-user' },
      },
      { phone_number: '+912212345678', label: 'Exo', phone_number_id: 'pn_exo', provider: 'exotel' },
    ] as FakePhoneNumber[],
    nextId: 1,
  };
}
export type ConversationsState = ReturnType<typeof initial>;

const states = new WeakMap<FakeState, ConversationsState>();

/** This family's data in a fake (tests change it to set up a case; it is created on first use). */
export function conversationsState(state: FakeState): ConversationsState {
  let s = states.get(state);
  if (!s) states.set(state, (s = initial()));
  return s;
}

/** Back to the initial data (call between cases that change it). */
export function resetConversations(state: FakeState): void {
  states.delete(state);
}

const notFound = (status: string, message: string): FakeResponse => ({ status: 404, json: { detail: { status, message } } });

/** FastAPI's 422 shape for body or query validation. */
const invalid = (loc: string[], msg: string): FakeResponse => ({
  status: 422,
  json: { detail: [{ loc, msg, type: 'value_error' }] },
});

function summary(s: ConversationsState, c: FakeConversation) {
  const name = s.agents.get(c.agent_id);
  return {
    agent_id: c.agent_id,
    ...(name && { agent_name: name }),
    conversation_id: c.conversation_id,
    start_time_unix_secs: c.start_time_unix_secs,
    call_duration_secs: c.call_duration_secs,
    message_count: c.transcript.length,
    status: c.status,
    call_successful: c.call_successful,
  };
}

function list(req: FakeRequest, state: FakeState): FakeResponse {
  const s = conversationsState(state);
  const q = req.query;
  const pageSize = q.has('page_size') ? Number(q.get('page_size')) : 30;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100) {
    return invalid(['query', 'page_size'], 'Input should be less than or equal to 100');
  }
  const before = q.get('call_start_before_unix');
  const after = q.get('call_start_after_unix');
  const matching = s.conversations
    .filter((c) => !q.has('agent_id') || c.agent_id === q.get('agent_id'))
    .filter((c) => before === null || c.start_time_unix_secs < Number(before))
    .filter((c) => after === null || c.start_time_unix_secs > Number(after))
    .sort((a, b) => b.start_time_unix_secs - a.start_time_unix_secs);
  const cursor = q.get('cursor');
  const start = cursor === null ? 0 : Number(/^cur_(\d+)$/.exec(cursor)?.[1] ?? NaN);
  if (Number.isNaN(start)) return { status: 400, json: { detail: { status: 'invalid_cursor', message: 'Invalid cursor' } } };
  const page = matching.slice(start, start + pageSize);
  const hasMore = start + pageSize < matching.length;
  return {
    json: {
      conversations: page.map((c) => summary(s, c)),
      has_more: hasMore,
      ...(hasMore ? { next_cursor: `cur_${start + pageSize}` } : { next_cursor: null }),
    },
  };
}

function get(req: FakeRequest, state: FakeState): FakeResponse {
  const s = conversationsState(state);
  const c = s.conversations.find((x) => x.conversation_id === req.params.conversation_id);
  if (!c) return notFound('conversation_not_found', `Conversation ${req.params.conversation_id} not found`);
  const name = s.agents.get(c.agent_id);
  return {
    json: {
      agent_id: c.agent_id,
      ...(name && { agent_name: name }),
      conversation_id: c.conversation_id,
      status: c.status,
      transcript: c.transcript,
      metadata: { start_time_unix_secs: c.start_time_unix_secs, call_duration_secs: c.call_duration_secs },
      ...(c.analyzed && { analysis: { call_successful: c.call_successful, transcript_summary: c.transcript_summary ?? '' } }),
      has_audio: c.status === 'done',
      has_user_audio: c.status === 'done',
      has_response_audio: c.status === 'done',
      has_auxiliary_audio: false,
    },
  };
}

/** POST /v1/convai/{twilio|sip-trunk}/outbound-call: checks the body and the number's provider, starts a call. */
function outboundCall(provider: 'twilio' | 'sip_trunk') {
  return (req: FakeRequest, state: FakeState): FakeResponse => {
    const s = conversationsState(state);
    const body = (req.json ?? {}) as Record<string, unknown>;
    for (const key of ['agent_id', 'agent_phone_number_id', 'to_number']) {
      if (typeof body[key] !== 'string') return invalid(['body', key], 'Field required');
    }
    const phone = s.phoneNumbers.find((p) => p.phone_number_id === body.agent_phone_number_id);
    if (!phone) return notFound('phone_number_not_found', `Phone number ${String(body.agent_phone_number_id)} not found`);
    if (phone.provider !== provider) {
      return { status: 400, json: { detail: { status: 'invalid_provider', message: `Phone number is not a ${provider} number` } } };
    }
    const idKey = provider === 'twilio' ? 'callSid' : 'sip_call_id';
    if (body.to_number === UNREACHABLE_NUMBER) {
      return { json: { success: false, message: 'Failed to place call: the number is unreachable', conversation_id: null, [idKey]: null } };
    }
    const n = s.nextId++;
    const conversation: FakeConversation = {
      conversation_id: `conv_call_${n}`,
      agent_id: body.agent_id as string,
      status: 'initiated',
      start_time_unix_secs: 1800000000 + n,
      call_duration_secs: 0,
      call_successful: 'unknown',
      transcript: [],
      analyzed: false,
      to_number: body.to_number as string,
    };
    s.conversations.push(conversation);
    const callId = provider === 'twilio' ? `CA${String(n).padStart(32, '0')}` : `sip_${n}`;
    return { json: { success: true, message: 'Success', conversation_id: conversation.conversation_id, [idKey]: callId } };
  };
}

export const conversationsRoutes: Route[] = [
  { method: 'GET', path: '/v1/convai/conversations', handle: list },
  { method: 'GET', path: '/v1/convai/conversations/:conversation_id', handle: get },
  { method: 'GET', path: '/v1/convai/phone-numbers', handle: (_req, state) => ({ json: conversationsState(state).phoneNumbers }) },
  { method: 'POST', path: '/v1/convai/twilio/outbound-call', handle: outboundCall('twilio') },
  { method: 'POST', path: '/v1/convai/sip-trunk/outbound-call', handle: outboundCall('sip_trunk') },
];
