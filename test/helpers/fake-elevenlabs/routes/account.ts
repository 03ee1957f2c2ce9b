import type { Route } from '../server.js';

export const accountRoutes: Route[] = [
  { method: 'GET', path: '/v1/models', handle: (_req, state) => ({ json: state.models }) },
  { method: 'GET', path: '/v1/user/subscription', handle: (_req, state) => ({ json: state.subscription }) },
];
