import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from '../main';
import { fakeIO } from '../testing';

// `loopflow inspect --forecast N` on a model that forecasts fewer rows than asked says why; a flag of another task is a usage error (2).

let dir: string;
let runDir: string;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loopflow-forecast-'));
  const rows = ['t,value'];
  for (let t = 0; t < 96; t++) rows.push(`${t},${(100 + 10 * Math.sin((2 * Math.PI * t) / 12)).toFixed(4)}`);
  fs.writeFileSync(path.join(dir, 'series.csv'), `${rows.join('\n')}\n`);
  const definition = {
    name: 'last',
    seed: 1,
    stages: [
      { stage: 'csv', path: 'series.csv', columns: [{ name: 'value', type: 'number' }] },
      { stage: 'numeric-columns', columns: ['value'] },
      { stage: 'chronological-split', validation: 0.2, test: 0.2 },
      { stage: 'scale', kind: 'standard' },
      { stage: 'windows', lookBack: 6, horizon: 3, targetSteps: 'last' },
      { stage: 'batch', batchSize: 16 },
      { stage: 'recurrent', cell: 'rnn', hiddenSize: 4 },
      { stage: 'train', epochs: 1, checkpoint: false },
      { stage: 'forecast', steps: 5 },
    ],
  };
  fs.writeFileSync(path.join(dir, 'last.json'), JSON.stringify(definition));
  const io = fakeIO(dir);
  expect(await main(['run', 'last.json', '--quiet', '--json'], io)).toBe(0);
  const lines = io.out().trim().split('\n').map((l) => JSON.parse(l));
  // the forecast stage says it too, as the run goes
  expect(lines.some((l) => l.type === 'log' && /^forecast: 1 of the 5 rows asked: the model was trained with windows targetSteps: "last" \(horizon 3\)/.test(l.message))).toBe(true);
  runDir = lines[lines.length - 1].runDir;
}, 60000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

it('a model trained with targetSteps "last" prints its one row (+horizon) and says why, and what to train for N rows', async () => {
  const io = fakeIO(dir);
  expect(await main(['inspect', runDir, '--forecast', '5'], io)).toBe(0);
  expect(io.out()).toMatch(/forecast \(value\):\n {2}\+3 {2}\S+\nnote: 1 of the 5 rows asked: the model was trained with windows targetSteps: "last" \(horizon 3\): it predicts only the one row 3 steps after the end of the series; for N rows, train with targetSteps: "all" \(the default\) and horizon N/);
  const json = fakeIO(dir);
  expect(await main(['inspect', runDir, '--forecast', '1', '--json'], json)).toBe(0);
  const result = JSON.parse(json.out().trim().split('\n').pop() as string);
  expect(result.forecast.rows).toHaveLength(1);
  expect(result.forecast.note).toBeUndefined(); // asked for one row, got it
});

it('a flag for another task exits 2 (a usage error, as is a folder that is not a run folder), with what to use instead', async () => {
  let io = fakeIO(dir);
  expect(await main(['inspect', runDir, '--samples', '3'], io)).toBe(2);
  expect(io.err()).toContain('--samples needs a language model; this run trained a forecasting model');
  expect(io.err()).toContain('hint: use --forecast <steps>');
  io = fakeIO(dir);
  expect(await main(['inspect', dir], io)).toBe(2);
});
