import { FeedbackDefinition } from './definition';
import { FeedbackDefinitionError } from './errors';
import { validateFeedbackDefinition } from './validate';

/**
 * Reads a feedback definition from JSON text and validates it. Throws a
 * `FeedbackDefinitionError` (code `INVALID_CONFIG`) for text that is not JSON or a definition
 * that is invalid.
 *
 * @example
 * const definition = parseFeedbackDefinition(fs.readFileSync('net.json', 'utf8'));
 * const net = createFeedbackNetwork(new Random(0), definition);
 */
export function parseFeedbackDefinition(text: string): FeedbackDefinition {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new FeedbackDefinitionError([{ path: '', message: `the text is not valid JSON (${(e as Error).message}); expected an object { "inputSize", "layers", "feedback" }` }]);
  }
  return validateFeedbackDefinition(value);
}

/**
 * Writes a definition (validated and normalized first) as JSON text; `parseFeedbackDefinition`
 * reads it back to an equal definition. A network's definition is `net.config`.
 *
 * @example fs.writeFileSync('net.json', stringifyFeedbackDefinition(net.config));
 */
export function stringifyFeedbackDefinition(definition: FeedbackDefinition, indent = 2): string {
  return JSON.stringify(validateFeedbackDefinition(definition), null, indent);
}
