import type { MetricSet } from '../metrics/metric-set';
import type { SplitName } from '../stages/common/items';
import type { BestEpoch, ValidResults } from '../train/types';

/** The format tag of summary.json. */
export const SUMMARY_FORMAT = 'loopflow.run/1';

/** summary.json: how a run went, in one small file (what `loopflow inspect` prints). */
export interface RunSummary {
  format: typeof SUMMARY_FORMAT;
  name: string;
  status: 'running' | 'completed' | 'failed' | 'interrupted';
  /** ISO times. */
  started: string;
  finished?: string;
  seconds?: number;
  seed: number;
  task?: string;
  model?: string;
  parameters?: number;
  samples?: Partial<Record<SplitName, number>>;
  epochs?: number;
  steps?: number;
  best?: BestEpoch;
  stoppedEarly?: boolean;
  /** Per epoch: the training loss, the validation results and the learning rate. */
  history?: { epoch: number; trainLoss: number; valid?: ValidResults; lr: number }[];
  metrics?: Partial<Record<SplitName, MetricSet>>;
  confusion?: Partial<Record<SplitName, number[][]>>;
  labels?: string[];
  /** Files of the run folder. */
  files?: string[];
  error?: { code?: string; message: string };
}
