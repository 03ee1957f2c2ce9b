import type { ToolDefinition } from '../../mcp/define-tool.js';
import { textToSoundEffects } from './text-to-sound-effects.js';

export const soundTools = [textToSoundEffects] as ToolDefinition[];
