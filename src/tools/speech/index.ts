import type { ToolDefinition } from '../../mcp/define-tool.js';
import { textToSpeech } from './text-to-speech.js';

export const speechTools = [textToSpeech] as ToolDefinition[];
