import type { ToolDefinition } from '../../mcp/define-tool.js';

export const soundTools = [] as ToolDefinition[];
