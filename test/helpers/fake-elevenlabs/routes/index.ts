// One route file per tool family; each family's contract tests extend only its own file.
import type { Route } from '../server.js';
import { accountRoutes } from './account.js';
import { agentsRoutes } from './agents.js';
import { conversationsRoutes } from './conversations.js';
import { musicRoutes } from './music.js';
import { soundRoutes } from './sound.js';
import { speechRoutes } from './speech.js';
import { voiceRoutes } from './voices.js';

export const routes: Route[] = [...accountRoutes, ...speechRoutes, ...voiceRoutes, ...soundRoutes, ...musicRoutes, ...agentsRoutes, ...conversationsRoutes];
