import type { ToolDefinition } from '../../mcp/define-tool.js';
import { checkSubscription } from './check-subscription.js';
import { listModels } from './list-models.js';

export const accountTools = [listModels, checkSubscription] as ToolDefinition[];
