import type { Route } from '../server.js';
import { accountRoutes } from './account.js';
import { speechRoutes } from './speech.js';
import { voiceRoutes } from './voices.js';

export const routes: Route[] = [...accountRoutes, ...speechRoutes, ...voiceRoutes];
