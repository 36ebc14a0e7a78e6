import type { ModelKind, TaskName } from '../names';
import type { SuiteConfig, SuiteName } from '../suite';
import type { Baseline } from '../tasks/task';
import type { FailedJob } from '../jobs/job';
import type { TrainResult } from '../training/train-run';
import type { ScalingResult } from '../scaling/scaling-run';
import type { GradientFlowCurve } from '../training/gradient-flow';

/** A task setting as the report describes it. */
export interface TaskSummary {
  taskId: string;
  task: TaskName;
  setting: { name: string; value: number };
  description: string;
  metric: { name: string; better: 'lower' | 'higher'; solvedAt: number; solvedRule: string; baselines: Baseline[] };
  groupName?: string;
}

/** One row of the summary table: a task setting and a model, over its seeds. */
export interface SummaryRow {
  taskId: string;
  task: TaskName;
  setting: { name: string; value: number };
  model: ModelKind;
  parameters: number;
  width: number;
  seeds: number;
  metric: string;
  better: 'lower' | 'higher';
  /** Final test metric per seed. */
  testValues: number[];
  testMean: number;
  /** Sample standard deviation over seeds (0 with one seed). */
  testSd: number;
  /** Seeds whose final test metric meets the threshold. */
  solved: number;
  /** Validation steps until solved, per seed (null: not within the budget). */
  stepsToSolve: (number | null)[];
  /** Median over the seeds that solved; null when none did. */
  stepsToSolveMedian: number | null;
  /** Median over seeds of each run's median step time, ms. */
  msPerStep: number;
  /** Largest heap + ArrayBuffer peak over seeds, bytes. */
  heapPeakBytes: number;
  /** Largest worker peak RSS over seeds, bytes (null when runs were inline). */
  rssPeakBytes: number | null;
  /** Steps taken, per seed. */
  steps: number[];
  /** Seeds whose loss turned non-finite. */
  diverged: number;
}

/** Accuracy (or the task metric) by group for one model: long-context accuracy by distance. */
export interface GroupRow {
  taskId: string;
  model: ModelKind;
  group: number;
  mean: number;
  values: number[];
}

/** A run that was not made, and why. */
export interface SkippedRun {
  taskId: string;
  model: ModelKind;
  reason: string;
}

/** One published finding set against this run's numbers. */
export interface Comparison {
  id: string;
  claim: string;
  source: string;
  verdict: 'agrees' | 'partly' | 'differs' | 'not tested';
  /** What was measured, in words with the numbers. */
  measured: string;
}

/** Where and how the suite ran. */
export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  node: string;
  platform: string;
  backend: string;
  loadAverageStart: number[];
  loadAverageEnd: number[];
  parallel: number;
  isolation: 'process' | 'inline';
  /** Where the jobs ran when not in this machine's pool (`queue redis://host:6379`): then the timings are the workers'. */
  runner?: string;
}

/** The whole result of `runCompare`, written as results.json. */
export interface CompareReport {
  format: 'loopflow.compare/1';
  suite: SuiteName;
  startedAt: string;
  finishedAt: string;
  wallSeconds: number;
  machine: MachineInfo;
  config: SuiteConfig;
  models: { kind: ModelKind; label: string; notes: string }[];
  tasks: TaskSummary[];
  summary: SummaryRow[];
  groups: GroupRow[];
  scaling: ScalingResult[];
  gradientFlow: GradientFlowCurve[];
  published: Comparison[];
  skipped: SkippedRun[];
  failed: FailedJob[];
  runs: TrainResult[];
  /** Set when the run was resumed (`--resume`): when its first session began and how many jobs' results were kept from results.jsonl. */
  resumed?: { firstStartedAt: string; jobsKept: number };
}
