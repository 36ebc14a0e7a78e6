import { Random, tensor } from '@loopflow/tensor';
import { Scaler, ScalerJSON } from './scaler';

describe('Scaler', () => {
  it('min-max: hand-worked case onto [0, 1] and onto [-1, 1], constant column kept finite', () => {
    const rows = [[0, 10, 5], [5, 20, 5], [10, 30, 5]];
    const s = Scaler.fit('minmax', rows);
    expect(s.transform([5, 10, 5])).toEqual([0.5, 0, 0]);
    expect(s.transform([20, 40, 6])).toEqual([2, 1.5, 1]); // outside the training range stays linear
    const t = Scaler.fit('minmax', rows, { range: [-1, 1] });
    expect(t.transform([0, 30, 5])).toEqual([-1, 1, -1]);
  });

  it('standard: matches a two-pass mean and population standard deviation', () => {
    const rng = new Random(11);
    const rows = Array.from({ length: 500 }, () => [rng.normal(3, 2), rng.normal(-100, 0.01), rng.uniform(0, 1e6)]);
    const s = Scaler.fit('standard', rows);
    for (let c = 0; c < 3; c++) {
      const xs = rows.map((r) => r[c]);
      const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
      const std = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
      const z = s.transform(rows[7])[c];
      expect(z).toBeCloseTo((rows[7][c] - mean) / std, 9);
      expect(s.toJSON().offset[c]).toBeCloseTo(mean, 6);
      expect(s.toJSON().scale[c] / std).toBeCloseTo(1, 9);
    }
  });

  it('inverts rows and tensors back to the original units', () => {
    const rows = [[1, 200], [3, 400], [2, 100]];
    for (const kind of ['minmax', 'standard'] as const) {
      const s = Scaler.fit(kind, rows);
      for (const r of rows) s.inverse(s.transform(r)).forEach((v, i) => expect(v).toBeCloseTo(r[i], 10));
      const scaled = tensor(rows.map((r) => s.transform(r)), undefined, { dtype: 'float64' }); // [3, 2]
      const back = s.inverseTensor(scaled);
      expect(back.shape).toEqual([3, 2]);
      Array.from(back.data).forEach((v, i) => expect(v).toBeCloseTo(rows[Math.floor(i / 2)][i % 2], 10));
      const target = s.select([1]);
      expect(target.inverse([s.transform([0, 300])[1]])[0]).toBeCloseTo(300, 10);
    }
  });

  it('serialises and restores, and rejects damaged state', () => {
    const s = Scaler.fit('minmax', [[1], [3]], { range: [-1, 1] });
    const r = Scaler.fromJSON(JSON.parse(JSON.stringify(s)));
    expect(r.transform([2])).toEqual(s.transform([2]));
    expect(r.count).toBe(2);
    const bad = (patch: Partial<ScalerJSON>) => () => Scaler.fromJSON({ ...s.toJSON(), ...patch } as ScalerJSON);
    expect(bad({ scale: [0] })).toThrow(/scale\[0\] is 0/);
    expect(bad({ kind: 'robust' as never })).toThrow(expect.objectContaining({ code: 'DATA_INVALID_STATE' }));
  });

  it('errors on non-finite values, no rows, or a row of the wrong width', () => {
    expect(() => Scaler.fit('standard', [[1], [NaN]])).toThrow(expect.objectContaining({ code: 'DATA_BAD_VALUE', column: 0 }));
    expect(() => Scaler.fit('standard', [])).toThrow(expect.objectContaining({ code: 'DATA_INVALID_ARGUMENT' }));
    expect(() => Scaler.fit('minmax', [[1]]).transform([1, 2])).toThrow(expect.objectContaining({ code: 'DATA_SHAPE' }));
    expect(() => Scaler.fit('minmax', [[1]]).inverseTensor(tensor([[1, 2]]))).toThrow(expect.objectContaining({ code: 'DATA_SHAPE' }));
  });

  it.each([
    ['standard', [[1e308], [-1e308]]],
    ['standard', [[1e200], [3]]],
    ['minmax', [[1e308], [-1e308]]],
  ] as const)('a %s fit whose statistics overflow float64 is DATA_BAD_VALUE naming the column, not a fromJSON error', (kind, rows) => {
    expect(() => Scaler.fit(kind, rows.map((r) => [0, ...r]))).toThrow(expect.objectContaining({ code: 'DATA_BAD_VALUE', column: 1, message: expect.stringMatching(/^Scaler\.fit: column 1: .* overflows float64/) }));
  });
});
