/**
 * One fused layer call's forward, taped (as in a training step: parameters that need gradients)
 * against forward-only (under noGrad, what validation and test passes run), interleaved in one
 * process on one kernel thread, at the quick suite's adding sizes (T 100, batch 50 as evaluated;
 * widths of the 16,000-parameter budget). Prints the median CPU ms per call of each and their ratio.
 * Run: sh run-forward-cost.sh OUT.txt
 */
import { Random, Tensor, noGrad } from '@loopflow/tensor';
import { createRecurrent, runRecurrent } from '@loopflow/cells';

const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const cases: [string, 'rnn' | 'lstm' | 'gru' | 'indrnn', number, number][] = [
  ['rnn H 124', 'rnn', 124, 1], ['lstm H 61', 'lstm', 61, 1], ['gru H 71', 'gru', 71, 1], ['indrnn 2 x 122', 'indrnn', 122, 2],
];
const rounds = Number(process.argv[2] ?? 40);
for (const [label, kind, hidden, numLayers] of cases) {
  const module = createRecurrent(new Random(1), { kind, inputSize: 2, hiddenSize: hidden, numLayers, nonlinearity: kind === 'indrnn' ? 'relu' : undefined });
  const rng = new Random(2);
  const x = new Tensor(Float32Array.from({ length: 100 * 50 * 2 }, () => rng.uniform()), [100, 50, 2]);
  const taped: number[] = [];
  const free: number[] = [];
  for (let r = 0; r < rounds + 3; r++) {
    let c = cpuMs();
    runRecurrent(module, x); // parameters require gradients: the tape is kept (until evicted)
    const a = cpuMs() - c;
    c = cpuMs();
    noGrad(() => runRecurrent(module, x));
    const b = cpuMs() - c;
    if (r >= 3) {
      taped.push(a);
      free.push(b);
    }
  }
  console.log(`${label}, T 100, B 50: taped forward ${median(taped).toFixed(2)} ms CPU, forward only ${median(free).toFixed(2)} ms CPU (medians of ${rounds}); ratio ${(median(free) / median(taped)).toFixed(2)}`);
}
