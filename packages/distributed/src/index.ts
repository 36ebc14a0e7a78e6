/**
 * @loopflow/distributed — search trials and comparison jobs on a BullMQ queue in Redis, taken by
 * `loopflow worker` processes on any number of machines: the second implementation of
 * pipeline's TrialRunner and benchmark's JobRunner (their local pools stay the default).
 * Jobs carry validated definitions and parameter values, never code; workers validate them
 * again and refuse another loopflow version's. Depends on pipeline, benchmark and bullmq
 * (with ioredis). This file is the package's whole public API.
 */
export { queueTrialRunner, searchIdOf } from './queue-trial-runner';
export { queueJobRunner } from './queue-job-runner';
export type { QueueRunnerOptions } from './queue-options';
export { startWorker, MAX_STALLED } from './worker';
export type { WorkerOptions, QueueWorker } from './worker';
export { parseQueueUrl, redactUrl } from './connection';
export type { QueueAddress, AddressOptions } from './connection';
export { DistributedError } from './errors';
export type { DistributedErrorCode } from './errors';
export { loopflowVersion } from './version';
export { QUEUE_NAME, TRIAL_JOB, COMPARE_JOB, trialJobId, jobId, checkTrialJob, checkCompareJob, isPlainData } from './protocol';
export type { TrialJobData, CompareJobData, TrialJobReturn, CompareJobReturn, ReturnedFile } from './protocol';
