// A transport's routes as data (method, path, handlers), mounted behind the guards on the app itself (or
// on a Router, to embed). Each route carries the guards in its own stack, so a request is matched against
// one flat route table; with the guards as path-scoped `router.use` layers in front of one nested Router
// per transport, Express matched and trimmed the path again at every layer, and a held stream kept every
// level's closures alive (npm run bench: CPU per call and bytes per idle session).
import type { IRouter, RequestHandler } from 'express';

export interface RouteSpec {
  method: 'get' | 'post' | 'delete' | 'head' | 'all';
  path: string;
  handlers: RequestHandler[];
}

/** Mounts each route with `front` (the guards, in order) before its own handlers. */
export function mountRoutes(router: IRouter, front: RequestHandler[], routes: RouteSpec[]): void {
  for (const { method, path, handlers } of routes) router[method](path, ...front, ...handlers);
}
