import * as fs from 'fs';
import * as path from 'path';
import { from, map, Observable, OperatorFunction, pipe, tap } from 'rxjs';
import { ColumnSpec, CsvRecord, csvRows, DataError, FilledRow, fillGaps, readCsv } from '@loopflow/data';
import { DatasetInfo, packageDir, packageMeta } from './package-files';

const PACKAGE = 'vega-datasets';
const FILE = path.join('data', 'co2-concentration.csv');

/** One month of the Mauna Loa record. */
export interface Co2Month {
  /** 'YYYY-MM'. */
  readonly date: string;
  readonly year: number;
  /** 1..12. */
  readonly month: number;
  /** CO2 mole fraction, ppm. */
  readonly co2: number;
  /** Seasonally adjusted CO2, ppm. */
  readonly adjustedCo2: number;
  /** True for a month missing from the table, filled by linear interpolation. */
  readonly interpolated: boolean;
}

/** The monthly series with its gaps filled, and which months were missing. */
export interface Co2Dataset {
  /** Every month from 1958-03 to 2020-04 (746), in order. */
  readonly months: readonly Co2Month[];
  /** The months absent from the table and interpolated: 1958-06, 1958-10, 1964-02, 1964-03, 1964-04. */
  readonly missing: readonly string[];
  /** Rows in the table as shipped (741). */
  readonly measured: number;
}

interface RawRow {
  readonly Date: string;
  readonly CO2: number;
  readonly 'adjusted CO2': number;
}

/** The three columns of the table, typed (a field that is not a finite number is `DATA_BAD_VALUE`). */
const COLUMNS: readonly ColumnSpec[] = [{ name: 'Date' }, { name: 'CO2', type: 'number' }, { name: 'adjusted CO2', type: 'number' }];

/**
 * Monthly CO2 concentration at Mauna Loa (Scripps CO2 Program), the `co2-concentration.csv`
 * table of the installed vega-datasets package (no network). The table has 741 months from
 * 1958-03 to 2020-04 and lacks 5 (1958-06, 1958-10, 1964-02 to 1964-04); they are filled by
 * linear interpolation between the neighbouring months and flagged `interpolated`, giving
 * 746 months. Licence of the data: CC-BY-4.0 (per vega-datasets' datapackage.json; the
 * package's code is BSD-3-Clause).
 *
 * @example
 * const { months, missing } = loadCo2Concentration();
 * const rows = months.map((m) => [m.co2]); // [746][1] for seriesWindows
 */
export function loadCo2Concentration(): Co2Dataset {
  const file = path.join(packageDir(PACKAGE), FILE);
  const months: Co2Month[] = [];
  let measured = 0;
  let failure: unknown;
  // from(array) is synchronous: the months are all here when subscribe returns.
  from(tableRecords(file, fs.readFileSync(file, 'utf8')))
    .pipe(
      csvRows<RawRow & Record<string, number | string>>({ columns: COLUMNS }),
      tap(() => measured++),
      co2Months(),
    )
    .subscribe({ next: (m) => months.push(m), error: (err) => (failure = err) });
  if (failure !== undefined) throw failure;
  return { months, missing: months.filter((m) => m.interpolated).map((m) => m.date), measured };
}

/**
 * The table's lines as CSV records, read at once (the table is 18.5 KB). vega-datasets ships
 * it as plain comma-separated fields, with no quoting: a quote is a `DATA_BAD_CSV` error
 * rather than a silently mis-split row. (Exported for its spec; not part of the package's API.)
 */
export function tableRecords(file: string, text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    if (line.includes('"')) {
      throw new DataError('DATA_BAD_CSV', `loadCo2Concentration: ${file} line ${i + 1}: expected plain comma-separated fields, received a quote in ${JSON.stringify(line)}; reinstall vega-datasets or stream the file with co2Concentration$()`, {
        file,
        line: i + 1,
        expected: 'fields without quotes',
        received: line,
      });
    }
    records.push({ file, line: i + 1, fields: line.replace(/^\uFEFF/, '').split(',') });
  });
  return records;
}

/**
 * The same monthly series as a stream: the CSV streamed through `readCsv` (@loopflow/data),
 * typed, and gaps filled as they are met (see {@link loadCo2Concentration}).
 */
export function co2Concentration$(): Observable<Co2Month> {
  const file = path.join(packageDir(PACKAGE), FILE);
  return readCsv<RawRow & Record<string, number | string>>(file, { columns: COLUMNS }).pipe(co2Months());
}

function co2Months(): OperatorFunction<RawRow, Co2Month> {
  return pipe(
    map((r: RawRow) => ({ step: monthStep(r.Date), values: [r.CO2, r['adjusted CO2']] })),
    fillGaps(),
    map((row: FilledRow) => {
      const year = Math.floor(row.step / 12);
      const month = (row.step % 12) + 1;
      return { date: `${year}-${String(month).padStart(2, '0')}`, year, month, co2: row.values[0], adjustedCo2: row.values[1], interpolated: row.interpolated };
    }),
  );
}

function monthStep(date: string): number {
  const m = /^(\d{4})-(\d{2})/.exec(date);
  if (!m) throw new DataError('DATA_BAD_VALUE', `co2: date ${JSON.stringify(date)}; expected YYYY-MM-DD`, { expected: 'YYYY-MM-DD', received: date });
  return Number(m[1]) * 12 + Number(m[2]) - 1;
}

/** Source, licence (read from vega-datasets' datapackage.json) and size of the CO2 table. */
export function co2Info(): DatasetInfo {
  const { version, datapackage } = packageMeta(PACKAGE);
  const resource = (datapackage.resources as { name: string; licenses?: { title: string; path: string }[]; sources?: { title: string; path: string }[] }[]).find((r) => r.name === 'co2_concentration');
  return {
    name: 'co2-concentration',
    package: PACKAGE,
    version,
    sources: (resource?.sources ?? []).map((s) => `${s.title} (${s.path})`),
    licence: (resource?.licenses ?? []).map((l) => `${l.title} (${l.path})`).join('; '),
    size: '741 monthly rows 1958-03..2020-04 (18,547 bytes); 5 missing months interpolated, 746 months',
  };
}
