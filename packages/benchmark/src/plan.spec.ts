import { planSuite, resolveSuite } from './plan';
import { suiteConfig } from './suite';

describe('suite plans', () => {
  it('the quick suite: every task setting x model x 2 seeds, the flow after training on the longest adding length', () => {
    const plan = planSuite(resolveSuite({ suite: 'quick' }));
    const settings = plan.tasks.length; // adding 2 + copy 2 + long-context 1 + char-lm 1 + co2 1
    expect(settings).toBe(7);
    expect(plan.training).toHaveLength(settings * 5 * 2);
    expect(plan.skipped).toHaveLength(0);
    expect(plan.measurements.filter((j) => j.kind === 'scaling')).toHaveLength(5);
    expect(plan.measurements.filter((j) => j.kind === 'gradient-flow')).toHaveLength(4);
    const flows = plan.training.filter((j) => j.flowAfterTraining).map((j) => j.id).sort();
    expect(flows).toEqual(['adding/T=100/gru/seed=0', 'adding/T=100/indrnn/seed=0', 'adding/T=100/lstm/seed=0', 'adding/T=100/rnn/seed=0']);
    expect(new Set(plan.training.map((j) => j.id)).size).toBe(plan.training.length);
  });

  it('the full suite skips the transformer beyond its length limit and says why', () => {
    const config = suiteConfig('full');
    const plan = planSuite({ ...config, taskOrder: ['adding'] });
    expect(plan.skipped.map((s) => s.taskId)).toEqual(['adding/T=500', 'adding/T=1000']);
    expect(plan.skipped[0].reason).toMatch(/exceed .* limit of 260/);
    expect(plan.training.filter((j) => j.model === 'transformer')).toHaveLength(3 * config.seeds);
  });

  it('applies --seeds, --tasks and --models', () => {
    const config = resolveSuite({ suite: 'quick', seeds: 1, tasks: ['copy'], models: ['lstm', 'gru'] });
    const plan = planSuite(config);
    expect(plan.training.map((j) => j.id).sort()).toEqual(['copy/delay=20/gru/seed=0', 'copy/delay=20/lstm/seed=0', 'copy/delay=5/gru/seed=0', 'copy/delay=5/lstm/seed=0']);
    expect(() => resolveSuite({ models: [] })).toThrow(/no models/);
  });
});
