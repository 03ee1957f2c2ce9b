// Contract tests for the conversation tools (get_conversation, list_conversations, make_outbound_call,
// list_phone_numbers): the real SDK client over SSE, the real ElevenLabs SDK against the fake upstream.
import fs from 'node:fs/promises';
import os from 'node:os';
import { beforeEach, describe, expect, it } from 'vitest';
import { useContract, type ContractCase } from '../helpers/contract.js';
import {
  conversationsState,
  longTranscript,
  resetConversations,
  UNREACHABLE_NUMBER,
} from '../helpers/fake-elevenlabs/routes/conversations.js';

const contract = useContract();
const { withApp } = contract;
beforeEach(() => resetConversations(contract.fake.state));

/** The upstream calls made since `mark` (fake.calls.length taken earlier), as "METHOD /path". */
function callsSince(mark: number): string[] {
  return contract.fake.calls.slice(mark).map((c) => `${c.method} ${c.path}`);
}

/**
 * The official, readable text of a read tool's result, after checking what follows it: the same data as
 * structuredContent, as JSON text in the second block (the issue: "the JSON in text as well").
 */
function readable(r: Awaited<ReturnType<ContractCase['call']>>): string {
  expect(r.result.structuredContent, 'structuredContent').toBeDefined();
  expect(r.content[1]?.type).toBe('text');
  expect(JSON.parse(r.content[1]!.text!), 'JSON text').toEqual(r.result.structuredContent);
  return r.content[0]!.text!;
}

/** Runs fn and returns how many upstream calls it made. */
async function upstreamCallsDuring(fn: () => Promise<unknown>): Promise<number> {
  const before = contract.fake.calls.length;
  await fn();
  return contract.fake.calls.length - before;
}

describe('tools/list', () => {
  it('lists the four tools with the official names, required sets, defaults and derived annotations', async () => {
    await withApp({}, async ({ client }) => {
      const { tools } = await client.listTools();
      const byName = new Map(tools.map((t) => [t.name, t]));
      const get = byName.get('get_conversation')!;
      const list = byName.get('list_conversations')!;
      const call = byName.get('make_outbound_call')!;
      const phones = byName.get('list_phone_numbers')!;

      expect(get.inputSchema.required).toEqual(['conversation_id']);
      expect(get.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false });
      expect(get.outputSchema).toBeDefined();

      expect(Object.keys(list.inputSchema.properties!)).toEqual([
        'agent_id', 'cursor', 'call_start_before_unix', 'call_start_after_unix', 'page_size', 'max_length',
      ]);
      expect(list.inputSchema.required ?? []).toEqual([]);
      // No maximum: a larger page_size is clamped to 100, as upstream does, not refused.
      expect(list.inputSchema.properties!.page_size).toMatchObject({ type: 'integer', default: 30, minimum: 1 });
      expect((list.inputSchema.properties!.page_size as { maximum?: number }).maximum ?? Infinity).toBeGreaterThan(100);
      expect(list.inputSchema.properties!.max_length).toMatchObject({ default: 10000 });
      expect(list.annotations?.readOnlyHint).toBe(true);

      expect(call.inputSchema.required).toEqual(['agent_id', 'agent_phone_number_id', 'to_number']);
      expect(call.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true, openWorldHint: true });
      expect(call.description).toContain('COST WARNING');

      expect(phones.inputSchema.properties ?? {}).toEqual({});
      expect(phones.annotations?.readOnlyHint).toBe(true);
      expect(phones.outputSchema).toBeDefined();
      for (const t of [get, list, call, phones]) expect(JSON.stringify(t.inputSchema)).not.toContain('"null"');
    });
  });

  it('read-only mode keeps the three read tools and refuses make_outbound_call without calling upstream', async () => {
    await withApp({ ELEVENLABS_MCP_READ_ONLY: 'true' }, async ({ client, call }) => {
      const names = (await client.listTools()).tools.map((t) => t.name);
      expect(names).toEqual(expect.arrayContaining(['get_conversation', 'list_conversations', 'list_phone_numbers']));
      expect(names).not.toContain('make_outbound_call');
      const n = await upstreamCallsDuring(async () => {
        const r = await call('make_outbound_call', { agent_id: 'agent_123', agent_phone_number_id: 'pn_tw', to_number: '+14155550123' });
        expect(r.isError).toBe(true);
        expect(r.text).toMatch(/make_outbound_call is not available on this server/);
      });
      expect(n).toBe(0);
    });
  });
});

describe('get_conversation', () => {
  it('prints the official details, transcript, metadata and the real analysis summary; structuredContent has the turns', async () => {
    await withApp({}, async ({ client, call, fake }) => {
      await client.listTools(); // the client then checks structuredContent against the outputSchema
      const mark = fake.calls.length;
      const r = await call('get_conversation', { conversation_id: 'conv_1' });
      expect(r.isError).toBe(false);
      expect(r.content.map((c) => c.type)).toEqual(['text', 'text']);
      expect(readable(r)).toBe(
        'Conversation Details:\nID: conv_1\nStatus: done\nAgent ID: agent_123\nMessage Count: 2\n\n' +
          'Transcript:\nagent: Hello!\nuser: Hi\n\nMetadata:\nDuration: 42 seconds\nStarted: 1700000000\n\n' +
          'Analysis:\nThe user greeted the agent.',
      );
      expect(r.result.structuredContent).toEqual({
        conversation_id: 'conv_1',
        status: 'done',
        agent_id: 'agent_123',
        agent_name: 'My Agent',
        message_count: 2,
        start_time_unix_secs: 1700000000,
        call_duration_secs: 42,
        call_successful: 'success',
        transcript_summary: 'The user greeted the agent.',
        transcript: [
          { role: 'agent', message: 'Hello!', time_in_call_secs: 0 },
          { role: 'user', message: 'Hi', time_in_call_secs: 1 },
        ],
      });
      expect(callsSince(mark)).toEqual(['GET /v1/convai/conversations/conv_1']);
      expect([...fake.calls.at(-1)!.query.keys()]).toEqual([]);
    });
  });

  it('a conversation without analysis has no Analysis section; a turn without a message prints empty', async () => {
    await withApp({}, async ({ client, call }) => {
      await client.listTools();
      const r = await call('get_conversation', { conversation_id: 'conv_2' });
      expect(readable(r)).toBe(
        'Conversation Details:\nID: conv_2\nStatus: in-progress\nAgent ID: agent_456\nMessage Count: 2\n\n' +
          'Transcript:\nagent: Let me check.\nagent: \n\nMetadata:\nDuration: 7 seconds\nStarted: 1700003600',
      );
      const data = r.result.structuredContent as { transcript: unknown[]; call_successful?: string };
      expect(data.transcript[1]).toEqual({ role: 'agent', time_in_call_secs: 2 });
      expect(data.call_successful).toBeUndefined();
    });
  });

  it('an empty transcript reads "No transcript available"', async () => {
    await withApp({}, async ({ call }) => {
      const r = await call('get_conversation', { conversation_id: 'conv_3' });
      expect(readable(r)).toContain('Message Count: 0\n\nTranscript:\nNo transcript available\n\nMetadata:\nDuration: 0 seconds');
    });
  });

  for (const mode of ['files', 'resources'] as const) {
    it(`a transcript over 50,000 characters comes back as an embedded text resource, never a file (${mode} mode)`, async () => {
      await withApp({ ELEVENLABS_MCP_OUTPUT_MODE: mode }, async ({ app, client, call }) => {
        await client.listTools();
        const expected = longTranscript().map((t) => `${t.role}: ${t.message}`).join('\n');
        expect(expected.length).toBeGreaterThan(50_000);
        const r = await call('get_conversation', { conversation_id: 'conv_long' });
        expect(r.isError).toBe(false);
        expect(r.content.map((c) => c.type)).toEqual(['text', 'text', 'resource']);
        const uri = 'elevenlabs-inline://conversations/conv_long/transcript.txt';
        expect(r.content[2]!.resource).toEqual({ uri, mimeType: 'text/plain', text: expected });
        expect(readable(r)).toContain(
          `Transcript:\nThe transcript is ${expected.length} characters long, so it is returned as a text resource (${uri}).\n\nMetadata:`,
        );
        expect(r.text).toContain('Message Count: 60');
        // Neither the readable text nor the JSON carries the long transcript: it is in the resource only.
        expect(r.text).not.toContain('lorem ipsum');
        expect(r.text).not.toContain(os.tmpdir());
        const data = r.result.structuredContent as Record<string, unknown>;
        expect(data.transcript_uri).toBe(uri);
        expect(data.transcript).toBeUndefined();
        expect(await fs.readdir(app.basePath)).toEqual([]);
      });
    });
  }

  it('an empty conversation_id is refused before any upstream call', async () => {
    await withApp({}, async ({ call }) => {
      const n = await upstreamCallsDuring(async () => {
        const r = await call('get_conversation', { conversation_id: '' });
        expect(r.isError).toBe(true);
        expect(r.text).toBe('Invalid arguments for get_conversation: conversation_id: conversation_id must not be empty');
        const missing = await call('get_conversation', {});
        expect(missing.text).toBe('Invalid arguments for get_conversation: conversation_id is required');
      });
      expect(n).toBe(0);
    });
  });

  it('an unknown conversation maps the upstream 404 to an isError message', async () => {
    await withApp({}, async ({ call }) => {
      const r = await call('get_conversation', { conversation_id: 'conv_missing' });
      expect(r.isError).toBe(true);
      expect(r.text).toBe('Not found on ElevenLabs (404): check the id you passed. ElevenLabs says: Conversation conv_missing not found');
    });
  });
});

describe('list_conversations', () => {
  const conv = (id: string, status: string, agent: string, started: string, secs: number, messages: number, ok: string) =>
    `Conversation ID: ${id}\nStatus: ${status}\nAgent: ${agent}\nStarted: ${started}\nDuration: ${secs} seconds\nMessages: ${messages}\nCall Successful: ${ok}`;

  it('lists newest first in the official format (start times in UTC), asking only page_size=30 by default', async () => {
    await withApp({}, async ({ call, fake }) => {
      const r = await call('list_conversations');
      expect(r.isError).toBe(false);
      expect(r.content.map((c) => c.type)).toEqual(['text', 'text']);
      expect(readable(r)).toBe(
        'Showing 4 conversations\n\n' +
          [
            conv('conv_2', 'in-progress', 'Support Bot (ID: agent_456)', '2023-11-14 23:13:20 UTC', 7, 2, 'unknown'),
            conv('conv_1', 'done', 'My Agent (ID: agent_123)', '2023-11-14 22:13:20 UTC', 42, 2, 'success'),
            conv('conv_3', 'failed', 'N/A (ID: agent_orphan)', '2023-11-14 19:26:40 UTC', 0, 0, 'failure'),
            conv('conv_long', 'done', 'My Agent (ID: agent_123)', '2023-11-13 18:26:40 UTC', 300, 60, 'success'),
          ].join('\n\n'),
      );
      // List tools return the page as structuredContent too (the client checks it against the outputSchema).
      const data = r.result.structuredContent as { conversations: { conversation_id: string; call_successful: string }[]; has_more: boolean };
      expect(data.conversations.map((c) => c.conversation_id)).toEqual(['conv_2', 'conv_1', 'conv_3', 'conv_long']);
      expect(data.conversations[1]).toMatchObject({ status: 'done', agent_id: 'agent_123', agent_name: 'My Agent', call_successful: 'success', message_count: 2 });
      expect(data.has_more).toBe(false);
      const q = fake.callsTo('GET', '/v1/convai/conversations').at(-1)!.query;
      expect(Object.fromEntries(q)).toEqual({ page_size: '30' });
    });
  });

  it('forwards the filters and pages with the cursor the previous page gave', async () => {
    await withApp({}, async ({ call, fake }) => {
      const first = await call('list_conversations', { agent_id: 'agent_123', page_size: 1 });
      expect(readable(first)).toBe(
        'Showing 1 conversations (more available, next cursor: cur_1)\n\n' +
          conv('conv_1', 'done', 'My Agent (ID: agent_123)', '2023-11-14 22:13:20 UTC', 42, 2, 'success'),
      );
      const second = await call('list_conversations', { agent_id: 'agent_123', page_size: 1, cursor: 'cur_1' });
      expect(readable(second)).toMatch(/^Showing 1 conversations\n\nConversation ID: conv_long\n/);
      const calls = fake.callsTo('GET', '/v1/convai/conversations');
      expect(Object.fromEntries(calls.at(-1)!.query)).toEqual({ cursor: 'cur_1', agent_id: 'agent_123', page_size: '1' });

      const window = await call('list_conversations', { call_start_after_unix: 1699990000, call_start_before_unix: 1700003600 });
      expect(readable(window)).toBe(
        'Showing 1 conversations\n\n' + conv('conv_1', 'done', 'My Agent (ID: agent_123)', '2023-11-14 22:13:20 UTC', 42, 2, 'success'),
      );
      expect(Object.fromEntries(fake.callsTo('GET', '/v1/convai/conversations').at(-1)!.query)).toEqual({
        call_start_before_unix: '1700003600',
        call_start_after_unix: '1699990000',
        page_size: '30',
      });
    });
  });

  it('null filters mean "not given" (upstream\'s None defaults): only page_size goes upstream', async () => {
    await withApp({}, async ({ call, fake }) => {
      const r = await call('list_conversations', {
        agent_id: null,
        cursor: null,
        call_start_before_unix: null,
        call_start_after_unix: null,
        page_size: null,
        max_length: null,
      });
      expect(r.isError, r.text).toBe(false);
      expect(readable(r)).toMatch(/^Showing 4 conversations\n\n/);
      expect(Object.fromEntries(fake.callsTo('GET', '/v1/convai/conversations').at(-1)!.query)).toEqual({ page_size: '30' });
    });
  });

  it('a page_size above 100 asks for 100, as upstream\'s min(page_size, 100); 100 itself goes as is', async () => {
    await withApp({}, async ({ call, fake }) => {
      for (const [asked, sent] of [[101, '100'], [5000, '100'], [100, '100'], [99, '99']] as const) {
        const r = await call('list_conversations', { page_size: asked });
        expect(r.isError, `${asked}: ${r.text}`).toBe(false);
        expect(readable(r)).toMatch(/^Showing 4 conversations\n\n/);
        expect(fake.callsTo('GET', '/v1/convai/conversations').at(-1)!.query.get('page_size'), String(asked)).toBe(sent);
      }
    });
  });

  it('above max_length the list is an embedded text resource and the pagination line stays in the text', async () => {
    await withApp({ ELEVENLABS_MCP_OUTPUT_MODE: 'files' }, async ({ app, call }) => {
      const whole = await call('list_conversations', { page_size: 2 });
      const r = await call('list_conversations', { page_size: 2, max_length: 50 });
      expect(r.content.map((c) => c.type)).toEqual(['text', 'text', 'resource']);
      const list = readable(whole);
      expect(readable(r)).toBe(
        'Showing 2 conversations (more available, next cursor: cur_2)\n\n' +
          `The conversation list is ${list.length} characters long, so it is returned as a text resource (elevenlabs-inline://conversations/list.txt).`,
      );
      expect(r.content[2]!.resource).toEqual({ uri: 'elevenlabs-inline://conversations/list.txt', mimeType: 'text/plain', text: list });
      expect(r.result.structuredContent).toEqual(whole.result.structuredContent);
      expect(await fs.readdir(app.basePath)).toEqual([]);
    });
  });

  it('says so when there are no conversations', async () => {
    await withApp({}, async ({ call }) => {
      const r = await call('list_conversations', { agent_id: 'agent_nobody' });
      expect(r.isError).toBe(false);
      expect(r.content.map((c) => c.type)).toEqual(['text', 'text']);
      expect(readable(r)).toBe('No conversations found.');
      expect(r.result.structuredContent).toEqual({ conversations: [], has_more: false });
    });
  });

  it('refuses out-of-range arguments before any upstream call, naming the parameter', async () => {
    await withApp({}, async ({ call }) => {
      const cases: [Record<string, unknown>, string][] = [
        [{ page_size: 0 }, 'page_size: page_size must be at least 1'],
        [{ page_size: 2.5 }, 'page_size: page_size must be a whole number from 1 upward'],
        [{ max_length: 0 }, 'max_length: max_length must be at least 1'],
        [{ call_start_before_unix: -1 }, 'call_start_before_unix: call_start_before_unix must be at least 0'],
        [{ call_start_after_unix: 'yesterday' }, 'call_start_after_unix: call_start_after_unix must be a whole number from 0 upward'],
      ];
      const n = await upstreamCallsDuring(async () => {
        for (const [args, message] of cases) {
          const r = await call('list_conversations', args);
          expect(r.isError).toBe(true);
          expect(r.text).toBe(`Invalid arguments for list_conversations: ${message}`);
        }
      });
      expect(n).toBe(0);
    });
  });

  it('an upstream 500 becomes an isError message without the raw body', async () => {
    await withApp({}, async ({ call, fake }) => {
      fake.failNext('GET', '/v1/convai/conversations', { status: 500, json: { detail: { status: 'x', message: 'RAW-BODY' } } });
      const r = await call('list_conversations');
      expect(r).toMatchObject({ isError: true, text: 'ElevenLabs is unavailable (500); try again in a moment.' });
    });
  });
});

describe('list_phone_numbers', () => {
  it('returns the numbers as JSON and structuredContent, without trunk configuration', async () => {
    await withApp({}, async ({ client, call, fake }) => {
      await client.listTools();
      const mark = fake.calls.length;
      const r = await call('list_phone_numbers');
      expect(r.isError).toBe(false);
      const expected = [
        {
          phone_number: '+15551234567',
          phone_number_id: 'pn_tw',
          provider: 'twilio',
          label: 'Main',
          supports_inbound: true,
          supports_outbound: true,
          assigned_agent: { agent_id: 'agent_123', agent_name: 'My Agent' },
        },
        { phone_number: '+15557654321', phone_number_id: 'pn_sip', provider: 'sip_trunk', label: 'Sip' },
        { phone_number: '+912212345678', phone_number_id: 'pn_exo', provider: 'exotel', label: 'Exo' },
      ];
      expect(JSON.parse(r.text)).toEqual(expected);
      expect(r.result.structuredContent).toEqual({ phone_numbers: expected });
      expect(r.text).not.toContain('trunk-user');
      expect(callsSince(mark)).toEqual(['GET /v1/convai/phone-numbers']);
    });
  });

  it('reads numbers of a provider the SDK does not know (passed through raw) and an empty account', async () => {
    await withApp({}, async ({ client, call, fake }) => {
      await client.listTools();
      const s = conversationsState(fake.state);
      s.phoneNumbers = [
        { phone_number: '+4930123456', label: 'Other', phone_number_id: 'pn_other', provider: 'other', assigned_agent: { agent_id: 'agent_456', agent_name: 'Support Bot' } },
      ];
      const r = await call('list_phone_numbers');
      expect(r.result.structuredContent).toEqual({
        phone_numbers: [
          { phone_number: '+4930123456', phone_number_id: 'pn_other', provider: 'other', label: 'Other', assigned_agent: { agent_id: 'agent_456', agent_name: 'Support Bot' } },
        ],
      });
      s.phoneNumbers = [];
      const empty = await call('list_phone_numbers');
      expect(empty.result.structuredContent).toEqual({ phone_numbers: [] });
      expect(empty.text).toBe('[]');
    });
  });

  it('an upstream 403 keeps its meaning', async () => {
    await withApp({}, async ({ call, fake }) => {
      fake.failNext('GET', '/v1/convai/phone-numbers', { status: 403, json: { detail: { status: 'missing_permissions', message: 'no convai_read' } } });
      const r = await call('list_phone_numbers');
      expect(r).toMatchObject({ isError: true });
      expect(r.text).toBe('ElevenLabs refused this request (403): the API key lacks permission for it. ElevenLabs says: no convai_read');
    });
  });
});

describe('make_outbound_call', () => {
  const args = { agent_id: 'agent_123', agent_phone_number_id: 'pn_tw', to_number: '+14155550123' };

  it('a Twilio number calls through the Twilio endpoint; the call then shows up as a conversation', async () => {
    await withApp({}, async ({ call, fake }) => {
      const mark = fake.calls.length;
      const r = await call('make_outbound_call', args);
      expect(r.isError).toBe(false);
      expect(r.text).toBe(
        "Outbound call initiated via Twilio: success=True message='Success' conversation_id='conv_call_1' call_sid='CA00000000000000000000000000000001'.",
      );
      expect(callsSince(mark)).toEqual(['GET /v1/convai/phone-numbers', 'POST /v1/convai/twilio/outbound-call']);
      expect(fake.calls.at(-1)!.json).toEqual({ agent_id: 'agent_123', agent_phone_number_id: 'pn_tw', to_number: '+14155550123' });

      const conv = await call('get_conversation', { conversation_id: 'conv_call_1' });
      expect(conv.text).toMatch(/^Conversation Details:\nID: conv_call_1\nStatus: initiated\nAgent ID: agent_123\n/);
    });
  });

  it('a SIP trunk number calls through the SIP trunk endpoint; readable separators are stripped from to_number', async () => {
    await withApp({}, async ({ call, fake }) => {
      const mark = fake.calls.length;
      const r = await call('make_outbound_call', { ...args, agent_phone_number_id: 'pn_sip', to_number: ' +44 (20) 7946-0958 ' });
      expect(r.text).toBe("Outbound call initiated via SIP trunk: success=True message='Success' conversation_id='conv_call_1' sip_call_id='sip_1'.");
      expect(callsSince(mark)).toEqual(['GET /v1/convai/phone-numbers', 'POST /v1/convai/sip-trunk/outbound-call']);
      expect(fake.calls.at(-1)!.json).toEqual({ agent_id: 'agent_123', agent_phone_number_id: 'pn_sip', to_number: '+442079460958' });
    });
  });

  it('refuses a to_number that is not E.164 before any upstream call', async () => {
    await withApp({}, async ({ call }) => {
      const n = await upstreamCallsDuring(async () => {
        for (const bad of ['4155550123', '+0123456789', '+1415555012345678', '+1 415 CALL NOW', '+12345', 'sip:bob@example.com']) {
          const r = await call('make_outbound_call', { ...args, to_number: bad });
          expect(r.isError).toBe(true);
          expect(r.text).toBe(
            `to_number must be a phone number in E.164 format: '+', the country code and the number, 7 to 15 digits (e.g. +14155550123); got '${bad}'.`,
          );
        }
        const empty = await call('make_outbound_call', { ...args, to_number: '' });
        expect(empty.text).toBe('Invalid arguments for make_outbound_call: to_number: to_number must not be empty');
        const noAgent = await call('make_outbound_call', { agent_phone_number_id: 'pn_tw', to_number: '+14155550123' });
        expect(noAgent.text).toBe('Invalid arguments for make_outbound_call: agent_id is required');
      });
      expect(n).toBe(0);
    });
  });

  it('an unknown phone number ID gives the official message and places no call', async () => {
    await withApp({}, async ({ call, fake }) => {
      const mark = fake.calls.length;
      const r = await call('make_outbound_call', { ...args, agent_phone_number_id: 'pn_missing' });
      expect(r).toMatchObject({ isError: true, text: 'Phone number with ID pn_missing not found.' });
      expect(callsSince(mark)).toEqual(['GET /v1/convai/phone-numbers']);
    });
  });

  it('providers other than Twilio and SIP trunk are unsupported (exotel, and one the SDK does not know)', async () => {
    await withApp({}, async ({ call, fake }) => {
      const mark = fake.calls.length;
      const exo = await call('make_outbound_call', { ...args, agent_phone_number_id: 'pn_exo' });
      expect(exo).toMatchObject({ isError: true, text: 'Unsupported provider type: exotel' });
      conversationsState(fake.state).phoneNumbers.push({ phone_number: '+4930123456', label: 'O', phone_number_id: 'pn_other', provider: 'other' });
      const other = await call('make_outbound_call', { ...args, agent_phone_number_id: 'pn_other' });
      expect(other).toMatchObject({ isError: true, text: 'Unsupported provider type: other' });
      expect(callsSince(mark)).toEqual(['GET /v1/convai/phone-numbers', 'GET /v1/convai/phone-numbers']);
    });
  });

  it('a call ElevenLabs reports as not placed (success false) is an error, not a success', async () => {
    await withApp({}, async ({ call }) => {
      const r = await call('make_outbound_call', { ...args, to_number: UNREACHABLE_NUMBER });
      expect(r.isError).toBe(true);
      expect(r.text).toBe(
        "Outbound call via Twilio failed: success=False message='Failed to place call: the number is unreachable' conversation_id=None call_sid=None.",
      );
    });
  });

  it('prints the response like pydantic: Python quoting, None for missing fields, extra keys last', async () => {
    await withApp({}, async ({ call, fake }) => {
      fake.failNext('POST', '/v1/convai/twilio/outbound-call', {
        status: 200,
        json: { success: true, message: 'Hi "q" it\'s', callSid: 'CA1', extra_x: 5 },
      });
      const r = await call('make_outbound_call', args);
      expect(r.text).toBe(
        "Outbound call initiated via Twilio: success=True message='Hi \"q\" it\\'s' conversation_id=None call_sid='CA1' extra_x=5.",
      );
    });
  });

  it('an upstream 422 on the call maps to an isError message', async () => {
    await withApp({}, async ({ call, fake }) => {
      fake.failNext('POST', '/v1/convai/twilio/outbound-call', {
        status: 422,
        json: { detail: [{ loc: ['body', 'agent_id'], msg: 'Agent agent_x does not exist', type: 'value_error' }] },
      });
      const r = await call('make_outbound_call', { ...args, agent_id: 'agent_x' });
      expect(r.isError).toBe(true);
      expect(r.text).toBe('ElevenLabs rejected the request as invalid (422). ElevenLabs says: agent_id: Agent agent_x does not exist');
    });
  });
});
