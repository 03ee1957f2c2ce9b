import type { ToolDefinition } from '../../mcp/define-tool.js';
import { isolateAudio } from './isolate-audio.js';
import { playAudio } from './play-audio.js';
import { speechToSpeech } from './speech-to-speech.js';
import { speechToText } from './speech-to-text.js';
import { textToSpeech } from './text-to-speech.js';

export const speechTools = [textToSpeech, speechToText, isolateAudio, speechToSpeech, playAudio] as ToolDefinition[];
