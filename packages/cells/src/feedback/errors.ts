import { CellError } from '../errors';

/** One problem found in a feedback definition: where (a path like `feedback[1].from`) and what. */
export interface FeedbackIssue {
  /** Path in the definition: `inputSize`, `layers[2].cell`, `feedback[1].from`; `''` for the whole. */
  path: string;
  /** What is wrong and what to do. */
  message: string;
}

/**
 * A feedback definition is invalid: a `CellError` with code `INVALID_CONFIG` that lists every
 * problem found, each with its path in the definition.
 *
 * @example
 * try { validateFeedbackDefinition(definition); }
 * catch (e) { if (e instanceof FeedbackDefinitionError) e.issues.map((i) => i.path); }
 */
export class FeedbackDefinitionError extends CellError {
  /** Every problem found, in the order of the definition. */
  readonly issues: readonly FeedbackIssue[];
  constructor(issues: readonly FeedbackIssue[]) {
    const lines = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message));
    const message = lines.length === 1
      ? `feedback network definition: ${lines[0]}`
      : `feedback network definition has ${lines.length} problems:\n${lines.map((l) => `  - ${l}`).join('\n')}`;
    super('INVALID_CONFIG', message);
    this.name = 'FeedbackDefinitionError';
    this.issues = issues;
  }
}
