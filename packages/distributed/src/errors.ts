import { LoopflowError } from '@loopflow/tensor';

/**
 * Error codes of @loopflow/distributed (each thrown as a {@link DistributedError}):
 * - `QUEUE_URL`: the `--queue` address is not a `redis://` or `rediss://` URL.
 * - `QUEUE_UNREACHABLE`: Redis did not answer within the reconnect time.
 * - `QUEUE_LOST`: the connection to Redis was lost and not won back within the reconnect time.
 * - `JOB_VERSION`: a job comes from another loopflow version than the worker's.
 * - `JOB_INVALID`: a job's data is not a valid trial or comparison job (or its definition does not validate on the worker).
 * - `SEARCH_NOT_FOUND` / `SEARCH_MISMATCH`: `--attach` names no search on the queue, or one started from another definition.
 * - `ARTIFACTS`: the shared artifacts folder cannot be used.
 */
export type DistributedErrorCode = 'QUEUE_URL' | 'QUEUE_UNREACHABLE' | 'QUEUE_LOST' | 'JOB_VERSION' | 'JOB_INVALID' | 'SEARCH_NOT_FOUND' | 'SEARCH_MISMATCH' | 'ARTIFACTS';

/**
 * An error of the distributed package: a stable `code` and a message that says what was
 * wrong, where, what was expected and what to do. Messages never hold a Redis password.
 *
 * @example try { parseQueueUrl('http://x'); } catch (e) { (e as DistributedError).code; } // 'QUEUE_URL'
 */
export class DistributedError extends LoopflowError {
  override readonly code: DistributedErrorCode;
  /** A lost queue ends the search or comparison (pipeline's TrialRunner contract), rather than failing one trial. */
  readonly stopsSearch: boolean;
  constructor(code: DistributedErrorCode, message: string) {
    super(code, message);
    this.name = 'DistributedError';
    this.code = code;
    this.stopsSearch = code === 'QUEUE_LOST';
  }
}
