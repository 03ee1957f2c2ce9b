import { afterEach } from 'vitest';

/**
 * Registers an afterEach that undoes what a test set up, last first (a client closes before its server), and
 * returns the function a test hands each undo step to.
 */
export function useCleanup(): (...steps: (() => Promise<unknown>)[]) => void {
  const steps: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    while (steps.length) await steps.pop()!();
  });
  return (...more) => void steps.push(...more);
}
