import type { Route } from '../server.js';

export const musicRoutes: Route[] = [];
