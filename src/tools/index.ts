// Every tool the server offers, in the official server's order.
import type { Config } from '../config.js';
import type { ToolDefinition } from '../mcp/define-tool.js';
import { checkSubscription } from './account/check-subscription.js';
import { listModels } from './models/list-models.js';
import { textToSpeech } from './speech/text-to-speech.js';

export const allTools: readonly ToolDefinition[] = [textToSpeech, listModels, checkSubscription] as ToolDefinition[];

/**
 * The tools this server offers under its config: only the enabled toolsets, and in read-only mode only the
 * tools whose effect is 'read'. A tool left out is hidden from tools/list and refused by tools/call.
 */
export function selectTools(config: Pick<Config, 'tools'>): readonly ToolDefinition[] {
  return allTools.filter(
    (t) => config.tools.toolsets.includes(t.toolset) && (!config.tools.readOnly || t.effect === 'read'),
  );
}
