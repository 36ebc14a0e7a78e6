/**
 * Line plots drawn as SVG (no plotting library): loss curves, the race's curves and the
 * forecast against the truth. Returns the SVG's markup.
 */
export interface Line {
  name: string;
  color: string;
  points: readonly (readonly [number, number])[];
  dashed?: boolean;
}

export interface PlotOptions {
  width?: number;
  height?: number;
  /** Logarithmic y axis. */
  log?: boolean;
  /** Shared y range (e.g. the race's four plots). */
  yRange?: [number, number];
  xLabel?: string;
  yLabel?: string;
  /** Horizontal reference lines (a baseline). */
  rules?: { y: number; label: string; color: string }[];
  /** Draw the legend (default true). */
  legend?: boolean;
  /** Where the legend goes: the top right (default) or the top left (a rising series). */
  legendAt?: 'right' | 'left';
  /** Labels of the x axis' ticks, by x (e.g. months). */
  xTickLabel?: (x: number) => string;
}

const escape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Round tick values between lo and hi. */
function ticks(lo: number, hi: number, count: number): number[] {
  if (!(hi > lo)) return [lo];
  const step0 = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(step0));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= step0) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9 * step; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

const fmt = (v: number): string => (Math.abs(v) >= 1000 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1).replace(/\.0$/, '') : v.toPrecision(3).replace(/\.?0+$/, ''));

/** An SVG line plot of `lines`. */
export function linePlot(lines: readonly Line[], options: PlotOptions = {}): string {
  const width = options.width ?? 560;
  const height = options.height ?? 240;
  const m = { left: 48, right: 12, top: 10, bottom: 34 };
  const xs = lines.flatMap((l) => l.points.map((p) => p[0]));
  const ysRaw = [...lines.flatMap((l) => l.points.map((p) => p[1])), ...(options.rules ?? []).map((r) => r.y)].filter(Number.isFinite);
  const log = options.log === true && ysRaw.every((y) => y > 0);
  const f = (y: number): number => (log ? Math.log10(y) : y);
  let [y0, y1] = options.yRange ?? [Math.min(...ysRaw), Math.max(...ysRaw)];
  if (!ysRaw.length) [y0, y1] = [0, 1];
  if (y0 === y1) [y0, y1] = [y0 - 0.5, y1 + 0.5];
  const [fy0, fy1] = [f(y0), f(y1)];
  const pad = (fy1 - fy0) * 0.05;
  const [lo, hi] = [fy0 - pad, fy1 + pad];
  const x0 = xs.length ? Math.min(...xs) : 0;
  const x1 = xs.length ? Math.max(...xs) : 1;
  const sx = (x: number): number => m.left + ((x - x0) / (x1 - x0 || 1)) * (width - m.left - m.right);
  const sy = (y: number): number => m.top + (1 - (f(y) - lo) / (hi - lo || 1)) * (height - m.top - m.bottom);
  const parts: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="10">`];
  parts.push(`<rect x="${m.left}" y="${m.top}" width="${width - m.left - m.right}" height="${height - m.top - m.bottom}" fill="#fbfcfd" stroke="#d9dde5"/>`);
  const yTicks = log ? ticks(10 ** lo, 10 ** hi, 5) : ticks(lo, hi, 5);
  for (const t of yTicks) {
    const y = sy(t);
    if (y < m.top - 0.5 || y > height - m.bottom + 0.5) continue;
    parts.push(`<line x1="${m.left}" x2="${width - m.right}" y1="${y.toFixed(1)}" y2="${y.toFixed(1)}" stroke="#eceff3"/>`);
    parts.push(`<text x="${m.left - 4}" y="${(y + 3).toFixed(1)}" text-anchor="end" fill="#6b7280">${fmt(t)}</text>`);
  }
  for (const t of xs.length ? ticks(x0, x1, 5) : []) {
    const x = sx(t);
    parts.push(`<text x="${x.toFixed(1)}" y="${height - m.bottom + 13}" text-anchor="middle" fill="#6b7280">${escape(options.xTickLabel ? options.xTickLabel(t) : fmt(t))}</text>`);
  }
  if (options.xLabel) parts.push(`<text x="${(m.left + width - m.right) / 2}" y="${height - 4}" text-anchor="middle" fill="#6b7280">${escape(options.xLabel)}</text>`);
  if (options.yLabel) parts.push(`<text transform="translate(11 ${(m.top + height - m.bottom) / 2}) rotate(-90)" text-anchor="middle" fill="#6b7280">${escape(options.yLabel)}${log ? ' (log)' : ''}</text>`);
  for (const r of options.rules ?? []) {
    const y = sy(r.y).toFixed(1);
    parts.push(`<line x1="${m.left}" x2="${width - m.right}" y1="${y}" y2="${y}" stroke="${r.color}" stroke-dasharray="4 3"/>`);
    parts.push(`<text x="${width - m.right - 4}" y="${(Number(y) - 3).toFixed(1)}" text-anchor="end" fill="${r.color}">${escape(r.label)}</text>`);
  }
  for (const line of lines) {
    const pts = line.points.filter((p) => Number.isFinite(p[1]) && (!log || p[1] > 0));
    if (!pts.length) continue;
    const d = pts.map((p, i) => `${i ? 'L' : 'M'}${sx(p[0]).toFixed(1)},${sy(p[1]).toFixed(1)}`).join('');
    parts.push(`<path d="${d}" fill="none" stroke="${line.color}" stroke-width="1.5"${line.dashed ? ' stroke-dasharray="5 3"' : ''}/>`);
    // A few points (one per epoch) get markers: a single point is still seen.
    if (pts.length <= 30) for (const p of pts) parts.push(`<circle cx="${sx(p[0]).toFixed(1)}" cy="${sy(p[1]).toFixed(1)}" r="2.5" fill="${line.color}"/>`);
  }
  // Legend, top right.
  if (options.legend !== false) lines.forEach((line, i) => {
    const y = m.top + 12 + i * 13;
    const x = options.legendAt === 'left' ? m.left + 10 : width - m.right - 170;
    parts.push(`<line x1="${x}" x2="${x + 16}" y1="${y - 3}" y2="${y - 3}" stroke="${line.color}" stroke-width="2"${line.dashed ? ' stroke-dasharray="5 3"' : ''}/><text x="${x + 20}" y="${y}" fill="#1d2330">${escape(line.name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}
