import { z } from 'zod';
import { defineTool } from '../../mcp/define-tool.js';
import { jsonResult } from '../../mcp/tool-result.js';
import { snakeCaseKeys } from '../snake-case.js';

export const checkSubscription = defineTool({
  name: 'check_subscription',
  title: 'Check subscription',
  toolset: 'account',
  effect: 'read',
  description: 'Check the current subscription status. Could be used to measure the usage of the API.',
  input: z.object({}),
  output: z.object({ subscription: z.record(z.string(), z.unknown()) }),
  async handle(_args, ctx) {
    const client = await ctx.elevenlabs();
    const subscription = snakeCaseKeys(await client.user.subscription.get(ctx.requestOptions)) as Record<string, unknown>;
    return jsonResult({ subscription }, subscription);
  },
});
