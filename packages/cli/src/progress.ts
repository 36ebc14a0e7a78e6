import type { RunEvent } from '@loopflow/pipeline';
import type { CliIO, OutputStream } from './io';
import { formatDuration, metricsLine, num } from './format';

/** Turns a run's events into progress output. */
export interface Progress {
  handle(event: RunEvent): void;
  /** Ends the bars (call once, before printing results). */
  stop(): void;
}

/** How often plain progress prints a step line, in milliseconds. */
export const PLAIN_STEP_INTERVAL_MS = 10_000;

interface Clock {
  now(): number;
}

/** Estimates the time left from the epochs done and the steps of the current epoch. */
class Eta {
  epochs = 0;
  stepsPerEpoch = 1;
  private runStart = 0;
  private epochStart = 0;
  private doneEpochs = 0;
  constructor(private readonly clock: Clock) {}
  start(epochs: number, stepsPerEpoch: number): void {
    this.epochs = epochs;
    this.stepsPerEpoch = Math.max(1, stepsPerEpoch);
    this.runStart = this.epochStart = this.clock.now();
  }
  epochDone(epoch: number): void {
    this.doneEpochs = epoch;
    this.epochStart = this.clock.now();
  }
  /** Seconds left after `stepInEpoch` steps of the current epoch. */
  left(stepInEpoch: number): number {
    const elapsed = (this.clock.now() - this.runStart) / 1000;
    const progress = this.doneEpochs + Math.min(1, stepInEpoch / this.stepsPerEpoch);
    if (progress <= 0) return NaN;
    return (elapsed / progress) * (this.epochs - progress);
  }
  stepRate(stepInEpoch: number): number {
    const seconds = (this.clock.now() - this.epochStart) / 1000;
    return seconds > 0 ? stepInEpoch / seconds : NaN;
  }
}

/** Lines for the events every mode prints the same way (data, evaluation, baselines, outputs, notes). */
function commonLine(event: RunEvent): string | undefined {
  switch (event.type) {
    case 'data':
      return `data: ${event.task}; samples ${event.samples.train} train / ${event.samples.validation} validation / ${event.samples.test} test; ${event.batches.train} batches per epoch`;
    case 'train-start':
      return `training ${num(event.parameters)} parameters for ${event.epochs} epoch${event.epochs === 1 ? '' : 's'} (${event.batchesPerEpoch * event.updatesPerBatch} steps each)`;
    case 'resume':
      return `resumed from ${event.path} (epoch ${event.epoch}, step ${event.step})`;
    case 'early-stop':
      return `stopped early after epoch ${event.epoch}: no improvement since epoch ${event.bestEpoch} (${num(event.best)})`;
    case 'evaluation':
      return `${event.split}: ${metricsLine(event.metrics)}`;
    case 'baseline':
      // as it is measured, beside the model's line for the same split
      return `baseline ${event.name}, ${event.split}: ${metricsLine(event.metrics)}`;
    case 'output':
      return `wrote ${event.file} (${event.what})`;
    case 'log':
      return `note: ${event.message}`;
    default:
      return undefined;
  }
}

function epochLine(event: Extract<RunEvent, { type: 'epoch' }>, epochs: number, eta: Eta): string {
  const valid = event.valid ? `  validation ${metricsLine(event.valid)}` : '';
  return `epoch ${event.epoch}/${epochs}  train loss ${num(event.trainLoss)}${valid}  lr ${num(event.lr)}  ${formatDuration(event.ms / 1000)}  eta ${formatDuration(eta.left(0))}`;
}

/** Plain lines (not a terminal, e.g. CI): each epoch, and a step line at most every 10 s. */
export function plainProgress(out: OutputStream, clock: Clock = { now: () => Date.now() }): Progress {
  const eta = new Eta(clock);
  let lastLine = clock.now();
  let stepInEpoch = 0;
  return {
    handle(event) {
      const common = commonLine(event);
      if (common) out.write(`${common}\n`);
      if (event.type === 'train-start') {
        eta.start(event.epochs, event.batchesPerEpoch * event.updatesPerBatch);
        lastLine = clock.now();
      } else if (event.type === 'step') {
        stepInEpoch++;
        if (clock.now() - lastLine >= PLAIN_STEP_INTERVAL_MS) {
          lastLine = clock.now();
          out.write(`epoch ${event.epoch}/${eta.epochs}  step ${stepInEpoch}/${eta.stepsPerEpoch}  loss ${num(event.loss)}  ${num(eta.stepRate(stepInEpoch))} steps/s  eta ${formatDuration(eta.left(stepInEpoch))}\n`);
        }
      } else if (event.type === 'epoch') {
        eta.epochDone(event.epoch);
        stepInEpoch = 0;
        lastLine = clock.now();
        out.write(`${epochLine(event, eta.epochs, eta)}\n`);
      }
    },
    stop() {
      /* nothing to end */
    },
  };
}

/** Progress bars on a terminal (cli-progress): epochs, and the steps of the current epoch with the loss and the time left. */
export function barProgress(out: OutputStream): Progress {
  const cliProgress = require('cli-progress') as typeof import('cli-progress');
  const clock = { now: () => Date.now() };
  const eta = new Eta(clock);
  const multi = new cliProgress.MultiBar(
    { stream: out as NodeJS.WritableStream, hideCursor: true, clearOnComplete: false, barsize: 24, format: '{label} {bar} {value}/{total} {info}', autopadding: true },
    cliProgress.Presets.shades_classic,
  );
  let epochs: import('cli-progress').SingleBar | undefined;
  let steps: import('cli-progress').SingleBar | undefined;
  let stepInEpoch = 0;
  let active = false;
  // While the bars are drawn, lines go through the bars' log (printed above them at the next draw).
  const write = (line: string): void => {
    if (active) multi.log(`${line}\n`);
    else out.write(`${line}\n`);
  };
  const end = (): void => {
    if (!active) return;
    active = false;
    multi.update(); // draws once more, printing the logged lines
    multi.stop();
  };
  return {
    handle(event) {
      const common = commonLine(event);
      if (common) write(common);
      if (event.type === 'train-start') {
        eta.start(event.epochs, event.batchesPerEpoch * event.updatesPerBatch);
        active = true;
        epochs = multi.create(event.epochs, 0, { label: 'epochs', info: '' });
        steps = multi.create(eta.stepsPerEpoch, 0, { label: 'epoch 1', info: '' });
      } else if (event.type === 'step' && steps) {
        stepInEpoch++;
        steps.update(Math.min(stepInEpoch, eta.stepsPerEpoch), { label: `epoch ${event.epoch}`, info: `loss ${num(event.loss)}  ${num(eta.stepRate(stepInEpoch))} steps/s  eta ${formatDuration(eta.left(stepInEpoch))}` });
      } else if (event.type === 'epoch' && epochs && steps) {
        eta.epochDone(event.epoch);
        stepInEpoch = 0;
        write(epochLine(event, eta.epochs, eta));
        epochs.update(event.epoch, { info: event.valid ? `validation loss ${num(event.valid.loss)}` : `train loss ${num(event.trainLoss)}` });
        if (event.epoch < eta.epochs) steps.update(0, { label: `epoch ${event.epoch + 1}`, info: '' });
      } else if (event.type === 'done') {
        end();
      }
    },
    stop: end,
  };
}

/** Bars on a terminal, plain lines otherwise, nothing when quiet. */
export function createProgress(io: CliIO, options: { quiet?: boolean } = {}): Progress {
  if (options.quiet) return { handle: () => undefined, stop: () => undefined };
  const out = io.stderr as OutputStream & { cursorTo?: unknown };
  if (out.isTTY && typeof out.cursorTo === 'function' && !io.env.CI) return barProgress(out);
  return plainProgress(out, { now: () => (io.now ? io.now().getTime() : Date.now()) });
}
