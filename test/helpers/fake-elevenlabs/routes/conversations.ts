import type { Route } from '../server.js';

export const conversationsRoutes: Route[] = [];
