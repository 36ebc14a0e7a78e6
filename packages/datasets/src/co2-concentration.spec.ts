import { lastValueFrom, toArray } from 'rxjs';
import { DataError } from '@loopflow/data';
import { co2Concentration$, co2Info, loadCo2Concentration, tableRecords } from './co2-concentration';

describe('loadCo2Concentration (vega-datasets co2-concentration.csv)', () => {
  const data = loadCo2Concentration();

  it('detects the 5 missing months and fills them: 741 measured + 5 = 746 months', () => {
    expect(data.measured).toBe(741);
    expect(data.missing).toEqual(['1958-06', '1958-10', '1964-02', '1964-03', '1964-04']);
    expect(data.months.length).toBe(746);
    expect(data.months[0].date).toBe('1958-03');
    expect(data.months[745].date).toBe('2020-04');
    // one row per month, no gap left
    for (let i = 1; i < data.months.length; i++) {
      const a = data.months[i - 1];
      const b = data.months[i];
      expect(b.year * 12 + b.month - (a.year * 12 + a.month)).toBe(1);
    }
  });

  it('interpolates linearly between the neighbouring measured months (hand-checked values)', () => {
    const at = (d: string) => data.months.find((m) => m.date === d)!;
    // 1958-05 = 317.51, 1958-07 = 315.86 in the table
    expect(at('1958-05')).toMatchObject({ co2: 317.51, interpolated: false });
    expect(at('1958-06').interpolated).toBe(true);
    expect(at('1958-06').co2).toBeCloseTo((317.51 + 315.86) / 2, 10);
    // 1964-02..04 lie between 1964-01 and 1964-05 at 1/4, 2/4, 3/4
    const jan = at('1964-01').co2;
    const may = at('1964-05').co2;
    expect(at('1964-03').co2).toBeCloseTo(jan + (may - jan) / 2, 10);
    expect(at('1964-02').adjustedCo2).toBeCloseTo(at('1964-01').adjustedCo2 + (at('1964-05').adjustedCo2 - at('1964-01').adjustedCo2) / 4, 10);
  });

  it('streams the same months through readCsv', async () => {
    const streamed = await lastValueFrom(co2Concentration$().pipe(toArray()));
    expect(streamed).toEqual(data.months);
  });

  it('states source and licence from vega-datasets\' metadata', () => {
    const info = co2Info();
    expect(info.licence).toContain('Creative Commons Attribution 4.0');
    expect(info.sources.join(' ')).toContain('Scripps CO2 Program');
    expect(info.version).toBe('3.2.1');
  });
});

describe('tableRecords (the CO2 table read at once)', () => {
  it('gives one record per non-empty line, with 1-based line numbers and the BOM dropped', () => {
    expect(tableRecords('t.csv', '\uFEFFDate,CO2\r\n1958-03-01,315.70\n\n1958-04-01,317.46\n')).toEqual([
      { file: 't.csv', line: 1, fields: ['Date', 'CO2'] },
      { file: 't.csv', line: 2, fields: ['1958-03-01', '315.70'] },
      { file: 't.csv', line: 4, fields: ['1958-04-01', '317.46'] },
    ]);
  });

  it('refuses a quoted field (DATA_BAD_CSV, with file and line) instead of mis-splitting it', () => {
    let caught: unknown;
    try {
      tableRecords('t.csv', 'Date,CO2\n"1958-03-01",315.70\n');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(DataError);
    expect(caught).toMatchObject({ code: 'DATA_BAD_CSV', file: 't.csv', line: 2 });
  });
});
