/**
 * MEMORY TEST (the slow one: ~15 s): streams a generated CSV of one million rows (~20 MiB)
 * through readCsv -> seriesWindows -> batch and checks that the heap in use does not grow
 * with the file. The heap is sampled after a forced garbage collection every 100k rows, once
 * 200k rows have warmed the pipeline up; the spread of the samples must stay under 4 MiB (a
 * fifth of the file; the rows held as JS arrays would take over 50 MiB). A control shows
 * the probe is sensitive: holding parsed rows (3M of them) grows the heap far past the bound.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as v8 from 'v8';
import * as vm from 'vm';
import { lastValueFrom, tap, count } from 'rxjs';
import { readCsv } from './sources/csv-file';
import { seriesWindows } from './series/series-windows';
import { batch } from './batching/batch';

const ROWS = 1_000_000;
const SAMPLE_EVERY = 100_000;
const WARM_UP = 200_000;
const BOUND = 4 * 1024 * 1024;

function forcedGc(): () => void {
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}

function heapAfterGc(gc: () => void): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

function writeCsv(file: string): number {
  const fd = fs.openSync(file, 'w');
  fs.writeSync(fd, 't,x,y\n');
  for (let start = 0; start < ROWS; start += 10_000) {
    const lines: string[] = [];
    for (let i = start; i < start + 10_000; i++) lines.push(`${i},${Math.sin(i / 50).toFixed(6)},${((i * 7919) % 1000) / 10}`);
    fs.writeSync(fd, lines.join('\n') + '\n');
  }
  fs.closeSync(fd);
  return fs.statSync(file).size;
}

describe('MEMORY: streaming a one-million-row CSV keeps memory bounded', () => {
  let dir: string;
  beforeAll(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loopflow-mem-'))));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('heap growth after warm-up stays far below the file size', async () => {
    const gc = forcedGc();
    const file = path.join(dir, 'big.csv');
    const fileSize = writeCsv(file);
    expect(fileSize).toBeGreaterThan(20 * 1024 * 1024);

    // The probe detects retained data: holding the file's 1M parsed rows grows the heap past the bound.
    // (200k rows measured only ~3.7 MiB on a clean CI run: too close to the bound to be a reliable control.)
    // Three copies' worth (~130 MiB) so that no garbage left in `before` can hide it.
    const before = heapAfterGc(gc);
    const retained: number[][] = Array.from({ length: 3 * ROWS }, (_, i) => [i * 0.5, i * 0.25]);
    const held = heapAfterGc(gc) - before;
    // eslint-disable-next-line no-console
    console.log(`control: holding ${retained.length} parsed rows grew the heap by ${(held / 2 ** 20).toFixed(1)} MiB (before ${(before / 2 ** 20).toFixed(1)} MiB)`);
    expect(held).toBeGreaterThan(BOUND);
    retained.length = 0;

    const samples: number[] = [];
    let rows = 0;
    let windows = 0;
    const batches = await lastValueFrom(
      readCsv<number[]>(file, { output: 'array', columns: [{ name: 'x', type: 'number' }, { name: 'y', type: 'number' }] }).pipe(
        tap(() => {
          rows += 1;
          if (rows >= WARM_UP && rows % SAMPLE_EVERY === 0) samples.push(heapAfterGc(gc));
        }),
        seriesWindows({ lookBack: 16, horizon: 1, stride: 4 }),
        tap(() => (windows += 1)),
        batch({ batchSize: 64 }),
        count(),
      ),
    );

    expect(rows).toBe(ROWS);
    expect(windows).toBe(Math.floor((ROWS - 17) / 4) + 1);
    expect(batches).toBe(Math.ceil(windows / 64));
    expect(samples.length).toBe(9);
    const growth = Math.max(...samples) - Math.min(...samples);
    // eslint-disable-next-line no-console
    console.log(`file ${(fileSize / 2 ** 20).toFixed(1)} MiB; heap samples (MiB): ${samples.map((s) => (s / 2 ** 20).toFixed(1)).join(' ')}; growth ${(growth / 2 ** 20).toFixed(2)} MiB`);
    expect(growth).toBeLessThan(BOUND);
    expect(BOUND).toBeLessThan(fileSize / 4);
  }, 180_000); // ~11 s alone; it took 60 s beside the packaging test in a full run (forced GCs of a large heap on a shared core): time is not what it measures
});
