import { Tensor, add, matmul, sum, tanh } from '@loopflow/tensor';
import { graphStats } from './graph-bytes';

describe('graphStats', () => {
  it('counts each tensor reachable from the loss once, minus the excluded parameters', () => {
    const w = new Tensor(new Float32Array(6), [2, 3], true); // parameter: 24 bytes, excluded
    const x = new Tensor(new Float32Array(8), [4, 2]); // input: 32 bytes
    const h = matmul(x, w); // [4, 3]: 48 bytes
    const a = tanh(h); // 48 bytes
    const loss = sum(add(a, a)); // add: 48 bytes (a counted once), sum: 4 bytes
    const stats = graphStats(loss, new Set([w]));
    expect(stats.bytes).toBe(32 + 48 + 48 + 48 + 4);
    expect(stats.tensors).toBe(5);
    expect([...stats.ops].sort()).toEqual(['add', 'matmul', 'sum', 'tanh'].sort());
    expect(graphStats(loss).bytes).toBe(32 + 48 + 48 + 48 + 4 + 24);
  });
});
