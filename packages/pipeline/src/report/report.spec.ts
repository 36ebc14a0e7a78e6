import { renderReport, ReportData } from './report';
import { gradientFlowSpec, seriesSpec } from './charts';
import { modelLabel } from './tables';
import type { RunSummary } from '../run-folder/summary';
import type { GradientFlowDiagnostics, SeriesComparison } from '../diagnostics/diagnostics';

const history = [1, 2, 3].map((epoch) => ({ epoch, trainLoss: 1 / epoch, valid: { loss: 1.2 / epoch, accuracy: 0.8 }, lr: 0.001 }));
const steps = Array.from({ length: 30 }, (_, i) => ({ type: 'step', step: i + 1, loss: 1 / (i + 1) }));
const flow: GradientFlowDiagnostics = {
  split: 'validation',
  batchSize: 4,
  steps: 5,
  loss: 'the training loss of the class (cross-entropy)',
  entries: [{ layer: 0, direction: 'forward', norms: [0, 1e-4, 1e-3, 1e-2, 1e-1] }],
};

function classification(): ReportData {
  const summary: RunSummary = {
    format: 'loopflow.run/1',
    name: 'spam',
    status: 'completed',
    started: '2026-01-01T00:00:00.000Z',
    seconds: 12,
    seed: 1,
    task: 'classification',
    model: 'recurrent',
    history,
    metrics: { test: { loss: 0.1, accuracy: 0.97, precision: 0.95, recall: 0.94, f1: 0.945, count: 100 } },
    confusion: { test: [[68, 1], [2, 29]] },
    labels: ['ham', 'spam'],
    baselines: [{ name: 'majority', description: "always 'ham'", options: {}, metrics: { test: { accuracy: 0.69, precision: 0, recall: 0, f1: 0, count: 100 } }, confusion: { test: [[69, 0], [31, 0]] } }],
  };
  return { summary, definition: { name: 'spam', description: 'a <b>bold</b> claim', stages: [] }, events: steps, diagnostics: { gradientFlow: flow, notes: [] } };
}

describe('renderReport', () => {
  it('a classification run: metrics beside the baseline, loss curves, confusion matrix, gradient flow; self-contained', async () => {
    const html = await renderReport(classification());
    expect(html.match(/<svg/g)).toHaveLength(4); // loss per epoch, loss per step, confusion matrix, gradient flow
    expect(html).toContain('<th>baseline: majority</th><td></td><td>0.69</td>'); // no loss: it predicts no probabilities
    expect(html).toMatch(/test accuracy: the model's 0\.97 is 28 percentage points above <b>majority<\/b>'s 0\.69 — better/);
    expect(html).toContain('Gradient flow through time');
    expect(html).toContain('a &lt;b&gt;bold&lt;/b&gt; claim'); // the definition's text is escaped
    // nothing is fetched: no scripts, no style sheets, no images from elsewhere
    expect(html).not.toMatch(/<script|<link|<img|src=|@import/i);
  });

  it('a forecast run: the forecasts against the truth with each baseline, in the original units', async () => {
    const series: SeriesComparison = {
      split: 'test',
      column: 'co2',
      ahead: 12,
      points: ['2019-01', '2019-02', '2019-03'].map((label, i) => ({ row: 700 + i, label, actual: 410 + i, model: 410.5 + i, baselines: { 'seasonal-naive': 408 + i, 'seasonal-naive-drift': 409.4 + i } })),
    };
    const data = classification();
    data.summary = { ...data.summary, task: 'forecast', confusion: undefined, baselines: [], metrics: { test: { loss: 0.5, rmse: 0.86, mae: 0.7, count: 75 } } };
    data.diagnostics = { series, notes: ['gradient flow: not traced for a feedback model'] };
    const html = await renderReport(data);
    expect(html.match(/<svg/g)).toHaveLength(3); // loss per epoch, loss per step, forecasts
    expect(html).toContain('Forecasts 12 steps ahead against the truth (test split)');
    expect(html).toContain('not traced for a feedback model');
    const spec = seriesSpec(series) as { data: { values: { series: string }[] }; encoding: { x: { type: string } } };
    expect(new Set(spec.data.values.map((v) => v.series))).toEqual(new Set(['actual', 'model', 'seasonal-naive', 'seasonal-naive-drift']));
    expect(spec.encoding.x.type).toBe('temporal');
  });

  it('gradient flow is drawn on a log scale, leaving out zero norms (no logarithm)', () => {
    const spec = gradientFlowSpec(flow) as { data: { values: { t: number }[] }; encoding: { y: { scale: { type: string } } } };
    expect(spec.encoding.y.scale.type).toBe('log');
    expect(spec.data.values.map((v) => v.t)).toEqual([1, 2, 3, 4]);
  });
});

describe('modelLabel', () => {
  it('names the model stage of a definition in a few words', () => {
    expect(modelLabel({ stages: [{ stage: 'batch' }, { stage: 'recurrent', cell: 'gru', hiddenSize: 64, bidirectional: true }] })).toBe('gru, 64 units, bidirectional');
    expect(modelLabel({ stages: [{ stage: 'feedback', layers: [{ name: 'h1', cell: 'rnn_tanh', size: 8 }], feedback: [{ kind: 'direct', layer: 'h1' }] }] })).toBe('feedback (direct): h1 rnn_tanh 8');
    expect(modelLabel({ stages: [{ stage: 'attention', dModel: 16, heads: 2, layers: 1 }] })).toBe('attention, dModel 16, 2 heads, 1 layers');
    expect(modelLabel({ stages: [] })).toBeUndefined();
  });
});
