// Every tool that advertises an outputSchema returns structuredContent and the same JSON as text (the issue:
// "List and get tools return structuredContent with an outputSchema, and the JSON in text as well"), for a
// full result and for an empty one. A new tool with an outputSchema fails here until it has a case.
import { beforeEach, describe, expect, it } from 'vitest';
import { useContract, type ContractCase } from '../helpers/contract.js';
import { agentStore } from '../helpers/fake-elevenlabs/routes/agents.js';
import { resetConversations } from '../helpers/fake-elevenlabs/routes/conversations.js';

const contract = useContract();
beforeEach(() => {
  resetConversations(contract.fake.state);
  const agents = agentStore(contract.fake.state);
  agents.agents.clear();
  agents.seed({ agent_id: 'agent_struct', name: 'Structured', conversation_config: { tts: { voice_id: 'vv', model_id: 'eleven_turbo_v2' } } });
});

/** Arguments that give each tool a result with data in it, and (where the tool can have one) an empty one. */
const CASES: Record<string, { full: Record<string, unknown>; empty?: Record<string, unknown> }> = {
  search_voices: { full: {}, empty: { search: 'no voice is called this' } },
  list_models: { full: {} },
  get_voice: { full: { voice_id: 'voice-rachel-01' } },
  check_subscription: { full: {} },
  list_agents: { full: {} },
  get_agent: { full: { agent_id: 'agent_struct' } },
  get_conversation: { full: { conversation_id: 'conv_1' } },
  list_conversations: { full: {}, empty: { agent_id: 'agent_nobody' } },
  search_voice_library: { full: {}, empty: { search: 'no such voice anywhere' } },
  list_phone_numbers: { full: {} },
  create_composition_plan: { full: { prompt: 'A short jingle' } },
};

/**
 * The structuredContent appears as JSON in a text block: whole, or, for tools whose official output is one
 * value (list_models prints the list, check_subscription the subscription), that one value.
 */
function expectJsonText(r: Awaited<ReturnType<ContractCase['call']>>, name: string) {
  const data = r.result.structuredContent;
  expect(data, `${name}: structuredContent`).toBeDefined();
  const accepted = [data, ...(Object.keys(data!).length === 1 ? Object.values(data!) : [])];
  const json = r.content
    .filter((c) => c.type === 'text')
    .flatMap((c) => {
      try {
        return [JSON.parse(c.text!) as unknown];
      } catch {
        return [];
      }
    });
  expect(
    json.some((j) => accepted.some((a) => JSON.stringify(j) === JSON.stringify(a))),
    `${name}: a text block holds the structuredContent as JSON\n${JSON.stringify(r.content, null, 1).slice(0, 800)}`,
  ).toBe(true);
}

describe('tools with an outputSchema', () => {
  it('each returns structuredContent and the same JSON as text', async () => {
    await contract.withApp({}, async ({ client, call }) => {
      // Listing first makes the client check every structuredContent against its outputSchema.
      const { tools } = await client.listTools();
      const structured = tools.filter((t) => t.outputSchema).map((t) => t.name);
      expect(structured.sort()).toEqual(Object.keys(CASES).sort());
      for (const name of structured) {
        const r = await call(name, CASES[name]!.full);
        expect(r.isError, `${name}: ${r.text}`).toBe(false);
        expectJsonText(r, name);
      }
    });
  });

  it('an empty result still comes with its JSON text, beside the readable sentence', async () => {
    await contract.withApp({}, async ({ client, call }) => {
      await client.listTools();
      agentStore(contract.fake.state).agents.clear();
      const empties: [string, Record<string, unknown>][] = [
        ...Object.entries(CASES).flatMap(([name, c]) => (c.empty ? [[name, c.empty] as [string, Record<string, unknown>]] : [])),
        ['list_agents', {}],
      ];
      for (const [name, args] of empties) {
        const r = await call(name, args);
        expect(r.isError, `${name}: ${r.text}`).toBe(false);
        expectJsonText(r, name);
      }
    });
  });
});
