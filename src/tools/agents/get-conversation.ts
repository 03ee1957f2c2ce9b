import { z } from 'zod';
import { defineTool } from '../../mcp/define-tool.js';
import { structuredTextResult } from '../../mcp/tool-result.js';
import { longText } from '../../output/deliver.js';
import { nonEmptyString } from '../params.js';
import { formatTranscript, TRANSCRIPT_MAX_LENGTH } from './conversation-format.js';

const Turn = z.object({ role: z.string(), message: z.string().optional(), time_in_call_secs: z.number() });

const Conversation = z.object({
  conversation_id: z.string(),
  status: z.string(),
  agent_id: z.string(),
  agent_name: z.string().optional(),
  message_count: z.number(),
  start_time_unix_secs: z.number(),
  call_duration_secs: z.number(),
  call_successful: z.string().optional(),
  transcript_summary: z.string().optional(),
  transcript: z.array(Turn).optional().describe('The turns; absent when the transcript is returned as a resource or a link.'),
  transcript_uri: z
    .string()
    .optional()
    .describe('Where a transcript longer than 50,000 characters went: the URI of its embedded text resource, or its download link in link output mode.'),
});

export const getConversation = defineTool({
  name: 'get_conversation',
  title: 'Get conversation',
  toolset: 'agents',
  effect: 'read',
  description:
    'Gets conversation with transcript. Returns: conversation details and full transcript. Use when: analyzing ' +
    'completed agent conversations. A transcript longer than 50,000 characters is returned as an embedded text resource.',
  input: z.object({
    conversation_id: nonEmptyString(
      'conversation_id',
      'The unique identifier of the conversation to retrieve; list_conversations gives the IDs.',
    ),
  }),
  output: Conversation,
  async handle(args, ctx) {
    const client = await ctx.elevenlabs();
    const response = await client.conversationalAi.conversations.get(args.conversation_id, {}, ctx.requestOptions);
    const turns = response.transcript.map((t) => ({
      role: String(t.role),
      ...(typeof t.message === 'string' && { message: t.message }),
      time_in_call_secs: t.timeInCallSecs,
    }));
    const transcript = formatTranscript(turns);
    const name = `conversations/${encodeURIComponent(response.conversationId)}/transcript.txt`;
    const long = await longText(ctx, transcript, { maxLength: TRANSCRIPT_MAX_LENGTH, kind: 'transcript', name });
    const [transcriptBlock, resource] = long.content;
    const transcriptText = transcriptBlock!.type === 'text' ? transcriptBlock!.text : '';

    const { metadata, analysis } = response;
    let text = `Conversation Details:
ID: ${response.conversationId}
Status: ${response.status}
Agent ID: ${response.agentId}
Message Count: ${turns.length}

Transcript:
${transcriptText}

Metadata:
Duration: ${metadata.callDurationSecs} seconds
Started: ${metadata.startTimeUnixSecs}`;
    // The official server reads a `summary` field the API does not have, so it always prints a placeholder.
    if (analysis) text += `\n\nAnalysis:\n${analysis.transcriptSummary || 'Analysis available but no summary'}`;

    const data: z.output<typeof Conversation> = {
      conversation_id: response.conversationId,
      status: String(response.status),
      agent_id: response.agentId,
      ...(response.agentName && { agent_name: response.agentName }),
      message_count: turns.length,
      start_time_unix_secs: metadata.startTimeUnixSecs,
      call_duration_secs: metadata.callDurationSecs,
      ...(analysis && { call_successful: String(analysis.callSuccessful), transcript_summary: analysis.transcriptSummary }),
      ...(long.uri ? { transcript_uri: long.uri } : { transcript: turns }),
    };
    // The official text, the same data as JSON text and structuredContent, then a long transcript's resource.
    const result = structuredTextResult(text, data);
    if (resource) result.content.push(resource);
    return result;
  },
});
