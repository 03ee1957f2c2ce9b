import { z } from 'zod';
import { defineTool } from '../../mcp/define-tool.js';
import { formatUnixTime, structuredTextResult } from '../../mcp/tool-result.js';
import { longText } from '../../output/deliver.js';
import { wholeNumber } from '../params.js';

/** The API's largest page. */
const MAX_PAGE_SIZE = 100;

export const listConversations = defineTool({
  name: 'list_conversations',
  title: 'List conversations',
  toolset: 'agents',
  effect: 'read',
  description:
    'Lists agent conversations, newest first. Returns: conversation list with metadata (status, agent, start ' +
    'time in UTC, duration, message count, call success). Use when: asked about conversation history. A list ' +
    'longer than max_length characters is returned as an embedded text resource.',
  output: z.object({
    conversations: z.array(
      z.object({
        conversation_id: z.string(),
        status: z.string(),
        agent_id: z.string(),
        agent_name: z.string().optional(),
        start_time_unix_secs: z.number(),
        call_duration_secs: z.number(),
        message_count: z.number(),
        call_successful: z.string(),
      }),
    ),
    has_more: z.boolean(),
    next_cursor: z.string().optional(),
  }),
  input: z.object({
    agent_id: z.string().optional().describe('Filter conversations by specific agent ID.'),
    cursor: z.string().optional().describe('Pagination cursor for retrieving the next page of results (from the previous page).'),
    call_start_before_unix: wholeNumber(
      'call_start_before_unix',
      { min: 0 },
      'Only conversations that started before this Unix timestamp (seconds).',
    ).optional(),
    call_start_after_unix: wholeNumber(
      'call_start_after_unix',
      { min: 0 },
      'Only conversations that started after this Unix timestamp (seconds).',
    ).optional(),
    // No maximum in the schema: like upstream (min(page_size, 100)), a larger page size asks for 100.
    page_size: wholeNumber(
      'page_size',
      { min: 1, default: 30 },
      'Number of conversations to return per page (1-100, defaults to 30); a larger value returns 100.',
    ),
    max_length: wholeNumber(
      'max_length',
      { min: 1, default: 10000 },
      'Maximum character length of the response text; a longer list comes back as a text resource (defaults to 10000).',
    ),
  }),
  async handle(args, ctx) {
    const client = await ctx.elevenlabs();
    const response = await client.conversationalAi.conversations.list(
      {
        cursor: args.cursor,
        agentId: args.agent_id,
        callStartBeforeUnix: args.call_start_before_unix,
        callStartAfterUnix: args.call_start_after_unix,
        pageSize: Math.min(args.page_size, MAX_PAGE_SIZE),
      },
      ctx.requestOptions,
    );
    const { conversations } = response;
    // For programs: the page as data, whatever its length (the text below may move into a resource).
    const structuredContent = {
      conversations: conversations.map((c) => ({
        conversation_id: c.conversationId,
        status: c.status,
        agent_id: c.agentId,
        ...(c.agentName ? { agent_name: c.agentName } : {}),
        start_time_unix_secs: c.startTimeUnixSecs,
        call_duration_secs: c.callDurationSecs,
        message_count: c.messageCount,
        call_successful: c.callSuccessful,
      })),
      has_more: response.hasMore,
      ...(response.nextCursor ? { next_cursor: response.nextCursor } : {}),
    };
    if (conversations.length === 0) return structuredTextResult('No conversations found.', structuredContent);

    const list = conversations
      .map(
        (c) => `Conversation ID: ${c.conversationId}
Status: ${c.status}
Agent: ${c.agentName || 'N/A'} (ID: ${c.agentId})
Started: ${formatUnixTime(c.startTimeUnixSecs)}
Duration: ${c.callDurationSecs} seconds
Messages: ${c.messageCount}
Call Successful: ${c.callSuccessful}`,
      )
      .join('\n\n');
    let pagination = `Showing ${conversations.length} conversations`;
    if (response.hasMore) pagination += ` (more available, next cursor: ${response.nextCursor})`;
    const full = `${pagination}\n\n${list}`;

    const long = await longText(ctx, full, { maxLength: args.max_length, kind: 'conversation list', name: 'conversations/list.txt' });
    const [first, ...rest] = long.content;
    const shown = first!.type === 'text' ? first!.text : '';
    // Like the official server, the pagination line stays in the text when the list itself moves out of it.
    // Then the page as JSON text (and structuredContent), then the resource holding a list over max_length.
    const result = structuredTextResult(long.uri ? `${pagination}\n\n${shown}` : shown, structuredContent);
    result.content.push(...rest);
    return result;
  },
});
