// RNN char-LM training step timing (public API), one thread; prints median ms over 300 iterations after warm-up.
import { Random, Tensor } from '@loopflow/tensor';
import { createLinear, linear, parameters } from '@loopflow/layers';
import { createRNN, runRecurrentTokens } from '@loopflow/cells';
import { crossEntropy } from '@loopflow/losses';
import { adam } from '@loopflow/optimizers';
const V = 64, H = 128, T = 64, B = 32;
const rng = new Random(1);
const model = { recurrent: createRNN(rng, { inputSize: V, hiddenSize: H }), head: createLinear(rng, H, V) };
const opt = adam(parameters(model), { lr: 1e-3 });
const ids = new Int32Array(T * B).map((_, i) => (i * 7) % V);
const targets = new Int32Array(T * B).map((_, i) => (i * 11) % V);
const kind = process.argv[2] ?? 'all';
function step(): void {
  opt.zeroGrad();
  const { output } = runRecurrentTokens(model.recurrent, { ids, shape: [T, B] });
  const loss: Tensor = crossEntropy(linear(model.head, output), targets);
  loss.backward();
  opt.step();
}
for (let i = 0; i < 100; i++) step();
const times: number[] = [];
for (let i = 0; i < 300; i++) { const t0 = process.hrtime.bigint(); step(); times.push(Number(process.hrtime.bigint() - t0) / 1e6); }
times.sort((a, b) => a - b);
console.log(kind, 'median ms', times[150].toFixed(3), 'p10', times[30].toFixed(3));
