import type { ToolDefinition } from '../../mcp/define-tool.js';
import { composeMusic } from './compose-music.js';
import { createCompositionPlan } from './create-composition-plan.js';
import { uploadMusicForInpainting } from './upload-music-for-inpainting.js';
import { videoToMusic } from './video-to-music.js';

// The official server's order.
export const musicTools = [composeMusic, createCompositionPlan, videoToMusic, uploadMusicForInpainting] as ToolDefinition[];
