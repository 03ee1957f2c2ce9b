/**
 * Polls `cond` every 10 ms until it holds; throws after `ms`. For state that changes without an event to await.
 * The default leaves room for a loaded machine: a first upstream call also loads the ElevenLabs SDK (about a
 * second when idle).
 */
export async function waitFor(cond: () => boolean, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
