import { Random } from '@loopflow/tensor';
import { countParameters, createDecoder } from '@loopflow/attention';
import { MODEL_KINDS } from '../names';
import { recurrentParameterCount, transformerBase, widthForBudget } from './budget';
import { createBenchModel } from './create-model';

describe('equal parameter budgets', () => {
  it('counts recurrent models by the closed forms (stack + head)', () => {
    const io = { inputSize: 2, outputSize: 1 };
    // H(I + H + 2) per gate block, times 4 (LSTM) or 3 (GRU), plus the head H*O + O.
    expect(recurrentParameterCount('rnn', 66, io)).toBe(66 * (2 + 66 + 2) + 66 + 1);
    expect(recurrentParameterCount('lstm', 32, io)).toBe(4 * 32 * (2 + 32 + 2) + 32 + 1); // 4641
    expect(recurrentParameterCount('gru', 37, io)).toBe(3 * 37 * (2 + 37 + 2) + 37 + 1);
    // IndRNN, 2 layers: layer 0 W_ih [H,I] + u [H] + 2 biases; layer 1 W_ih [H,H] + u + 2 biases.
    expect(recurrentParameterCount('indrnn', 64, io)).toBe(64 * (2 + 3) + 64 * (64 + 3) + 64 + 1);
  });

  it('the built models have exactly the counted parameters', () => {
    const io = { inputSize: 5, outputSize: 3 };
    for (const kind of MODEL_KINDS) {
      const choice = widthForBudget(kind, 3000, io);
      const model = createBenchModel(kind, io, 3000, new Random(0), { maxLength: 50 });
      expect(countParameters(model.module)).toBe(choice.parameters);
      expect(model.parameters).toBe(choice.parameters);
      expect(model.width).toBe(choice.width);
    }
    const t = widthForBudget('transformer', 3000, io);
    expect(countParameters(createDecoder(new Random(1), t.transformer!))).toBe(t.parameters);
  });

  it('picks the width whose count is closest to the budget', () => {
    const io = { inputSize: 2, outputSize: 1 };
    for (const budget of [4600, 16000]) {
      for (const kind of ['rnn', 'lstm', 'gru', 'indrnn'] as const) {
        const { width, parameters } = widthForBudget(kind, budget, io);
        const gap = Math.abs(parameters - budget);
        expect(gap).toBeLessThanOrEqual(Math.abs(recurrentParameterCount(kind, width - 1, io) - budget));
        expect(gap).toBeLessThanOrEqual(Math.abs(recurrentParameterCount(kind, width + 1, io) - budget));
        expect(gap / budget).toBeLessThan(0.05);
      }
      const t = widthForBudget('transformer', budget, io);
      expect(Math.abs(t.parameters - budget) / budget).toBeLessThan(0.02);
      expect(t.transformer!.dModel % t.transformer!.heads).toBe(0);
    }
  });

  it('equal budgets give the expected widths on the adding problem', () => {
    const io = { inputSize: 2, outputSize: 1 };
    expect(widthForBudget('lstm', 4600, io).width).toBe(32);
    expect(widthForBudget('rnn', 4600, io).width).toBe(65); // 4616 parameters; 66 would give 4687
    expect(widthForBudget('gru', 4600, io).width).toBe(37);
    expect(widthForBudget('indrnn', 4600, io).width).toBe(63); // 4537; 64 would give 4673
  });

  it('refuses budgets no model fits', () => {
    expect(() => widthForBudget('lstm', 3, { inputSize: 10, outputSize: 10 })).toThrow(/BUDGET|twice the budget/);
    expect(() => widthForBudget('transformer', 20, { inputSize: 10, outputSize: 10 })).toThrow(/twice the budget/);
    expect(transformerBase({ inputSize: 3, outputSize: 2 }, 4, 2).input).toEqual({ kind: 'features', size: 3 });
  });
});
