import type { ToolDefinition } from '../../mcp/define-tool.js';
import { createVoiceFromPreview } from './create-voice-from-preview.js';
import { getVoice } from './get-voice.js';
import { searchVoiceLibrary } from './search-voice-library.js';
import { searchVoices } from './search-voices.js';
import { textToVoice } from './text-to-voice.js';
import { voiceClone } from './voice-clone.js';

export const voicesTools = [
  searchVoices,
  getVoice,
  voiceClone,
  textToVoice,
  createVoiceFromPreview,
  searchVoiceLibrary,
] as ToolDefinition[];
