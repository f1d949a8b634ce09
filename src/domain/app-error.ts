/**
 * Base of every error the bot raises on purpose. `code` is stable (logs, tests, alarms); `userMessage` is the
 * short sentence a Slack user may see; `context` carries what a person needs to act (finding, account, …).
 */
export abstract class AppError extends Error {
  abstract readonly code: string;
  readonly context: Readonly<Record<string, unknown>>;

  constructor(message: string, context: Record<string, unknown> = {}, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.context = context;
  }

  /** What a Slack user sees: short, human, with the next step. Subclasses override when they know better. */
  get userMessage(): string {
    return this.message;
  }
}

/** Anything thrown that is not ours: wrapped so handlers deal with one shape; the original stays as `cause`. */
export class UnexpectedError extends AppError {
  readonly code = 'UNEXPECTED';
  override get userMessage(): string {
    return 'Something went wrong on our side. The details are in the bot log; try again in a minute.';
  }
}

export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new UnexpectedError(message, {}, { cause: error });
}
