import type { ElevenLabs } from '@elevenlabs/elevenlabs-js';
import { z } from 'zod';
import { UserError } from '../../errors.js';
import { COST_WARNING, defineTool } from '../../mcp/define-tool.js';
import { baseFileName } from '../../output/file-names.js';
import { longText } from '../../output/deliver.js';
import { requireNonBlank, wholeNumber } from '../params.js';

/** Longer results travel as an embedded text resource. */
const MAX_INLINE = 50_000;
const REQUIRED_CRITERION_KEYS = ['id', 'name', 'conversation_goal_prompt'] as const;

const Criterion = z
  .looseObject({
    id: z.string().optional().describe('Unique key, e.g. "issue_resolved". Required.'),
    name: z.string().optional().describe('Human label, e.g. "Issue Resolved". Required.'),
    conversation_goal_prompt: z
      .string()
      .optional()
      .describe('The assertion to check, e.g. "The agent fully resolved the user\'s issue." Required.'),
    use_knowledge_base: z
      .boolean()
      .optional()
      .describe("Whether the evaluator should consult the agent's knowledge base when judging. Defaults to false."),
  })
  .describe('An evaluation criterion: id, name and conversation_goal_prompt are required.');

/** Python's str.capitalize(): first character upper case, the rest lower case. */
function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1).toLowerCase();
}

/** The official server's Markdown: the turns (with tool calls), then the analysis. */
export function formatSimulation(response: ElevenLabs.AgentSimulatedChatTestResponseModel): string {
  const lines = ['## Simulated Conversation\n'];
  for (const turn of response.simulatedConversation ?? []) {
    const role = capitalize(turn.role || 'unknown');
    if (turn.message) lines.push(`**${role}:** ${turn.message}`);
    for (const call of turn.toolCalls ?? []) lines.push(`  _(tool: ${call.toolName || '?'})_`);
  }
  const analysis = response.analysis;
  if (analysis) {
    lines.push('\n## Analysis\n');
    if (analysis.transcriptSummary) lines.push(`**Summary:** ${analysis.transcriptSummary}\n`);
    if (analysis.callSuccessful) lines.push(`**Call result:** ${analysis.callSuccessful}\n`);
    const results = Object.entries(analysis.evaluationCriteriaResults ?? {});
    if (results.length) {
      lines.push('**Criteria results:**');
      for (const [key, r] of results) lines.push(`  **${key}**: ${r?.result ?? 'unknown'} — ${r?.rationale ?? ''}`);
    }
  }
  return lines.join('\n');
}

export const simulateConversation = defineTool({
  name: 'simulate_conversation',
  title: 'Simulate conversation',
  toolset: 'agents',
  effect: 'generate',
  description: `Simulate a text conversation between a conversational AI agent and a simulated user. Runs the full conversation and returns the transcript plus analysis.

Use this to test agent behaviour, evaluate prompts, and catch failure modes without a live call. The simulated user follows the persona you describe.

${COST_WARNING}`,
  input: z.object({
    agent_id: z.string().describe('ID of the agent to test. Use list_agents to find IDs.'),
    simulated_user_prompt: z
      .string()
      .describe('Instructions for how the simulated user should behave, e.g. "You are a frustrated customer who cannot find the cancel button."'),
    first_message: z.string().optional().describe('Optional opening message of the simulated user to kick off the conversation.'),
    extra_evaluation_criteria: z
      .array(Criterion)
      .optional()
      .describe('Optional criteria the conversation is evaluated against, each with id, name, conversation_goal_prompt and optionally use_knowledge_base.'),
    max_turns: wholeNumber('max_turns', { min: 1, default: 10 }, 'Maximum conversation turns. Defaults to 10.'),
  }),
  async handle(args, ctx) {
    const agentId = requireNonBlank(args.agent_id, 'agent_id');
    const criteria = (args.extra_evaluation_criteria ?? []).map((c): ElevenLabs.PromptEvaluationCriteria => {
      const missing = REQUIRED_CRITERION_KEYS.filter((k) => !(k in c) || c[k] === undefined);
      if (missing.length) {
        throw new UserError(
          `Evaluation criterion missing fields [${missing.map((k) => `'${k}'`).join(', ')}]. ` +
            "Each criterion needs 'id', 'name', and 'conversation_goal_prompt'.",
        );
      }
      return {
        id: c.id!,
        name: c.name!,
        conversationGoalPrompt: c.conversation_goal_prompt!,
        useKnowledgeBase: c.use_knowledge_base ?? false,
      };
    });

    const client = await ctx.elevenlabs();
    // The simulated user's prompt goes where the API expects it (an agent prompt object). The official server
    // sends the bare string, which the API's schema does not accept.
    const response = await client.conversationalAi.agents.simulateConversation(
      agentId,
      {
        simulationSpecification: {
          simulatedUserConfig: {
            prompt: { prompt: args.simulated_user_prompt },
            ...(args.first_message ? { firstMessage: args.first_message } : {}),
          },
        },
        extraEvaluationCriteria: criteria.length ? criteria : undefined,
        newTurnsLimit: args.max_turns,
      },
      ctx.requestOptions,
    );
    const text = formatSimulation(response);
    const { content } = await longText(ctx, text, {
      maxLength: MAX_INLINE,
      kind: 'simulated conversation',
      name: `simulate_conversation/${baseFileName('sim', agentId, 'md')}`,
    });
    return { content };
  },
});
