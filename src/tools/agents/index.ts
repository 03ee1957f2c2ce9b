import type { ToolDefinition } from '../../mcp/define-tool.js';

export const agentsTools = [] as ToolDefinition[];
