// Errors whose message is meant for the person using a tool. Anything else that a tool throws is treated
// as a bug or an upstream failure: its details go to the log, and the client gets a safe summary.
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}
