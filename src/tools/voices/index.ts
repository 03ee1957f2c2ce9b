import type { ToolDefinition } from '../../mcp/define-tool.js';

export const voicesTools = [] as ToolDefinition[];
