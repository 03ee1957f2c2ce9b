// Parameter schemas the agent tools share. Candidates for src/tools/params.ts: `integer` is the whole-number
// sibling of `ranged`, `requireAgentId` guards every /v1/convai/agents/{id} path.
import { z } from 'zod';
import { UserError } from '../../errors.js';

/** A whole number, optionally bounded, with messages that name the parameter. */
export function integer(name: string, bounds: { min?: number; max?: number } = {}) {
  const what =
    bounds.min !== undefined && bounds.max !== undefined
      ? `a whole number from ${bounds.min} to ${bounds.max}`
      : bounds.min !== undefined
        ? `a whole number of at least ${bounds.min}`
        : 'a whole number';
  let schema = z.number({ error: `${name} must be ${what}` }).int({ error: `${name} must be ${what}` });
  if (bounds.min !== undefined) schema = schema.min(bounds.min, { error: `${name} must be at least ${bounds.min}` });
  if (bounds.max !== undefined) schema = schema.max(bounds.max, { error: `${name} must be at most ${bounds.max}` });
  return schema;
}

/** Blank agent ids are refused before any call: an empty path segment would reach another endpoint. */
export function requireAgentId(agentId: string): string {
  if (agentId.trim() === '') throw new UserError('agent_id is required.');
  return agentId;
}
