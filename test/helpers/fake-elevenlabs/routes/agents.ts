import type { Route } from '../server.js';

export const agentsRoutes: Route[] = [];
