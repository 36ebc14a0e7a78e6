import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from '../main';
import { fakeIO } from '../testing';
import type { CliIO } from '../io';

// An interrupted run (exit 130) whose runs folder lies outside the working folder: the resume
// hint names it as typed (absolute, not ../../..), with --out, and running the hint continues in
// a new run folder beside the interrupted one, which is left as it was.

let work: string;
let elsewhere: string;
beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'loopflow-resume-hint-'));
  elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'loopflow-resume-runs-'));
  fs.writeFileSync(path.join(work, 'names.txt'), ['anna', 'bob', 'carl', 'dora', 'emil', 'fred', 'gina', 'hans', 'ida', 'jan', 'kai', 'lena'].join('\n'));
  const stages = [
    { stage: 'lines', path: 'names.txt' },
    { stage: 'tokenize' },
    { stage: 'random-split', validation: 0.2, test: 0.2 },
    { stage: 'vocabulary' },
    { stage: 'next-token' },
    { stage: 'batch', batchSize: 4 },
    { stage: 'recurrent', cell: 'gru', hiddenSize: 6 },
    { stage: 'train', epochs: 3, optimizer: { kind: 'adam', lr: 0.02 } },
  ];
  fs.writeFileSync(path.join(work, 'p.json'), JSON.stringify({ name: 'names', seed: 1, stages }));
});
afterAll(() => {
  fs.rmSync(work, { recursive: true, force: true });
  fs.rmSync(elsewhere, { recursive: true, force: true });
});

it('names the runs folder outside the working folder absolutely, with --out, and resumes into a new folder', async () => {
  let handler: ((signal: 'SIGINT' | 'SIGTERM') => void) | undefined;
  const base = fakeIO(work);
  let sent = false;
  const io: CliIO & { err: () => string } = {
    ...base,
    onInterrupt: (h) => ((handler = h), () => (handler = undefined)),
    stderr: {
      isTTY: false,
      write: (text: string) => {
        base.stderr.write(text);
        if (!sent && text.startsWith('epoch 1/3')) {
          sent = true;
          handler?.('SIGINT');
        }
        return true;
      },
    },
  };
  expect(await main(['run', 'p.json', '--out', elsewhere], io)).toBe(130);
  const [interrupted] = fs.readdirSync(elsewhere);
  const runDir = path.join(elsewhere, interrupted);
  expect(io.err()).toContain(`resume with: loopflow run p.json --resume ${runDir} --out ${elsewhere}\n`);
  const printed = /resume with: loopflow (.*)\n/.exec(io.err())?.[1].split(' ') ?? [];
  const resumed = fakeIO(work);
  expect(await main([...printed, '--quiet'], resumed)).toBe(0);
  const folders = fs.readdirSync(elsewhere).sort();
  expect(folders).toHaveLength(2);
  expect(JSON.parse(fs.readFileSync(path.join(runDir, 'summary.json'), 'utf8')).status).toBe('interrupted');
  const newer = folders.find((f) => f !== interrupted) as string;
  const summary = JSON.parse(fs.readFileSync(path.join(elsewhere, newer, 'summary.json'), 'utf8'));
  expect(summary).toMatchObject({ status: 'completed', resumedFrom: { runDir } });
  expect(summary.history.map((h: { epoch: number }) => h.epoch)).toEqual([1, 2, 3]);
}, 60000);
