/** The playground's errors: a `code` to match on, and a message that says what to do. */
export type PlaygroundErrorCode =
  | 'PLAYGROUND_DATA_MISSING'
  | 'PLAYGROUND_NO_MODEL'
  | 'PLAYGROUND_NOT_LM'
  | 'PLAYGROUND_BAD_MODEL_JSON'
  | 'PLAYGROUND_NO_ARCHITECTURE'
  | 'PLAYGROUND_WEIGHTS_MISMATCH';

/** An error as the worker posts it to the page: its message, and its code when it has one. */
export function errorMessage(error: unknown): { type: 'error'; message: string; code?: string } {
  const code = (error as { code?: unknown } | null)?.code;
  return { type: 'error', message: error instanceof Error ? error.message : String(error), ...(typeof code === 'string' ? { code } : {}) };
}

export class PlaygroundError extends Error {
  constructor(
    readonly code: PlaygroundErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'PlaygroundError';
  }
}
