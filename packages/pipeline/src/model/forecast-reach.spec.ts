import { forecastReach } from './generate';

describe('forecastReach', () => {
  it("is 1 row for targetSteps 'last', one horizon for a model that cannot feed back, else unlimited", () => {
    expect(forecastReach({ lookBack: 24, horizon: 12, inputColumns: [0], targetColumns: [0], targetSteps: 'last' })).toMatchObject({ rows: 1, why: expect.stringContaining('targetSteps: "last" (horizon 12)') });
    expect(forecastReach({ lookBack: 6, horizon: 4, inputColumns: [0, 1], targetColumns: [1], lastRows: [[1, 2]] })).toMatchObject({ rows: 4, why: expect.stringContaining('predicts 1 of the 2 columns it reads') });
    expect(forecastReach({ lookBack: 6, horizon: 4, inputColumns: [0, 1], targetColumns: [0, 1], lastRows: [[1, 2]] })).toEqual({ rows: Infinity });
  });
});
