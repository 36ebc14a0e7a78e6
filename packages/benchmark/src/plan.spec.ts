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

  it('the full suite trains the transformer at every length, the longest runs first', () => {
    const config = suiteConfig('full');
    const plan = planSuite(config);
    expect(plan.skipped).toEqual([]);
    const adding = plan.training.filter((j) => j.model === 'transformer' && j.task.task === 'adding');
    expect(adding.map((j) => j.task.task === 'adding' && j.task.length).filter((t, i, all) => all.indexOf(t) === i).sort((a, b) => Number(a) - Number(b))).toEqual([50, 100, 200, 500, 1000]);
    expect(adding).toHaveLength(5 * config.seeds);
    expect(plan.training).toHaveLength(plan.tasks.length * 5 * config.seeds);
    expect(plan.training[0].id).toBe('adding/T=1000/transformer/seed=0');
  });

  it('applies --seeds, --tasks and --models', () => {
    const config = resolveSuite({ suite: 'quick', seeds: 1, tasks: ['copy'], models: ['lstm', 'gru'] });
    const plan = planSuite(config);
    expect(plan.training.map((j) => j.id).sort()).toEqual(['copy/delay=20/gru/seed=0', 'copy/delay=20/lstm/seed=0', 'copy/delay=5/gru/seed=0', 'copy/delay=5/lstm/seed=0']);
    expect(() => resolveSuite({ models: [] })).toThrow(/no models/);
  });
});
