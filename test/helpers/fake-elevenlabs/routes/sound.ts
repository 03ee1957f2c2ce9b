import type { Route } from '../server.js';

export const soundRoutes: Route[] = [];
