import type { ToolDefinition } from '../../mcp/define-tool.js';

export const musicTools = [] as ToolDefinition[];
