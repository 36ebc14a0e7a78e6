/**
 * The playground page (main thread): the editor with validation as you type, the controls,
 * the plots and the results. All training happens in the worker (worker.ts); this thread only
 * renders what the worker reports, at most once per animation frame, so it stays responsive.
 */
import type { DefinitionProblem, MetricSet, PipelineEvent, SeriesComparison } from '@loopflow/pipeline/browser';
import { pageRegistry } from './datasets';
import { linePlot, Line } from './plot';
import type { Entrant, FromWorker, KernelReport, RunResult, ToWorker } from './protocol';
import { describeProblem, validateText } from './validate-text';

interface Example {
  id: string;
  title: string;
  text: string;
}

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`playground: no element #${id} in index.html`);
  return el as T;
};

const ui = {
  kernels: $('kernels'),
  example: $<HTMLSelectElement>('example'),
  status: $('status'),
  gutter: $('gutter'),
  editor: $<HTMLTextAreaElement>('definition'),
  problems: $('problems'),
  train: $<HTMLButtonElement>('train'),
  stop: $<HTMLButtonElement>('stop'),
  sample: $<HTMLButtonElement>('sample'),
  download: $<HTMLButtonElement>('download'),
  logScale: $<HTMLInputElement>('log-scale'),
  bar: $('progress-bar'),
  barText: $('progress-text'),
  lossPlot: $('loss-plot'),
  result: $('result'),
  drop: $('drop'),
  dropInput: $<HTMLInputElement>('drop-input'),
  downloads: $('downloads'),
  raceBudget: $<HTMLSelectElement>('race-budget'),
  raceNames: $<HTMLSelectElement>('race-names'),
  raceEpochs: $<HTMLSelectElement>('race-epochs'),
  race: $<HTMLButtonElement>('race'),
  racePlots: $('race-plots'),
};

const escape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const num = (v: number | undefined, digits = 4): string => (v === undefined || !Number.isFinite(v) ? '–' : Number(v.toPrecision(digits)).toString());

// ---- the worker -----------------------------------------------------------------------------

const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
const send = (message: ToWorker, transfer: Transferable[] = []): void => worker.postMessage(message, transfer);

// ---- the editor: line numbers and validation as you type ------------------------------------

const registry = pageRegistry({});
let problemLines = new Set<number>();

function renderGutter(): void {
  const count = ui.editor.value.split('\n').length;
  let html = '';
  for (let i = 1; i <= count; i++) html += problemLines.has(i) ? `<span class="bad" data-line="${i}">${i}</span>\n` : `${i}\n`;
  ui.gutter.innerHTML = html;
  ui.gutter.scrollTop = ui.editor.scrollTop;
}

function showProblems(problems: readonly DefinitionProblem[], source: string): void {
  problemLines = new Set(problems.flatMap((p) => (p.position ? [p.position.line] : [])));
  ui.problems.innerHTML = problems
    .map((p) => {
      const { at, text } = describeProblem(p);
      return `<li data-line="${p.position?.line ?? ''}" data-code="${p.code}"><span class="at">${at}</span>${escape(text)}</li>`;
    })
    .join('');
  ui.status.textContent = problems.length ? `${problems.length} problem${problems.length === 1 ? '' : 's'} (${source})` : 'valid definition';
  ui.status.classList.toggle('bad', problems.length > 0);
  ui.train.disabled = problems.length > 0 || training;
  renderGutter();
}

let validateTimer: number | undefined;
function validateSoon(): void {
  clearTimeout(validateTimer);
  validateTimer = window.setTimeout(() => {
    const started = performance.now();
    const problems = validateText(ui.editor.value, registry);
    showProblems(problems, `checked in ${(performance.now() - started).toFixed(0)} ms`);
  }, 120);
}

ui.editor.addEventListener('input', () => {
  renderGutter();
  validateSoon();
});
ui.editor.addEventListener('scroll', () => (ui.gutter.scrollTop = ui.editor.scrollTop));
ui.editor.addEventListener('keydown', (e) => {
  if (e.key !== 'Tab') return;
  e.preventDefault();
  ui.editor.setRangeText('  ', ui.editor.selectionStart, ui.editor.selectionEnd, 'end');
  ui.editor.dispatchEvent(new Event('input'));
});
ui.problems.addEventListener('click', (e) => {
  const line = Number((e.target as HTMLElement).closest('li')?.dataset.line);
  if (!line) return;
  const lines = ui.editor.value.split('\n');
  const start = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0);
  ui.editor.focus();
  ui.editor.setSelectionRange(start, start + lines[line - 1].length);
  ui.editor.scrollTop = Math.max(0, (line - 5) * 18);
});

let examples: Example[] = [];
function loadExample(id: string): void {
  const example = examples.find((e) => e.id === id);
  if (!example) return;
  ui.editor.value = example.text;
  renderGutter();
  validateSoon();
}
ui.example.addEventListener('change', () => loadExample(ui.example.value));

// ---- training: progress, live loss, result ----------------------------------------------------

let training = false;
let totalSteps = 1;
let stepLosses: [number, number][] = [];
let epochTrain: [number, number][] = [];
let epochValid: [number, number][] = [];
let batchesPerEpoch = 1;
let baselineRules: { y: number; label: string; color: string }[] = [];
/** The latest numbers, for the page's readers (and the browser test). */
const state = {
  step: 0,
  validLoss: [] as number[],
  baseline: {} as Record<string, number>,
  samples: [] as string[],
  kernels: null as KernelReport | null,
  lastClickLatency: -1,
  done: false,
  stopped: false,
  error: '',
  race: [] as { name: string; parameters: number; steps: number; lastLoss: number }[],
  raceDone: false,
};
(window as unknown as { playground: typeof state }).playground = state;

let frame = 0;
function renderSoon(): void {
  if (frame) return;
  frame = requestAnimationFrame(() => {
    frame = 0;
    renderTraining();
    renderRace();
  });
}

function smooth(points: [number, number][], window = 10): [number, number][] {
  const out: [number, number][] = [];
  let sum = 0;
  for (let i = 0; i < points.length; i++) {
    sum += points[i][1];
    if (i >= window) sum -= points[i - window][1];
    out.push([points[i][0], sum / Math.min(i + 1, window)]);
  }
  return out;
}

function renderTraining(): void {
  const fraction = Math.min(1, state.step / totalSteps);
  ui.bar.style.width = `${(100 * fraction).toFixed(1)}%`;
  const last = epochValid[epochValid.length - 1];
  ui.barText.textContent = training || state.step
    ? `step ${state.step} of ${totalSteps}${last ? ` · validation loss ${num(last[1])}` : ''}${state.stopped ? ' · stopped' : state.done ? ' · done' : ''}`
    : '';
  if (!stepLosses.length) {
    ui.lossPlot.innerHTML = '';
    return;
  }
  const lines: Line[] = [
    { name: 'train (per step, smoothed)', color: '#93b4f5', points: smooth(stepLosses) },
    { name: 'train (epoch mean)', color: '#2563eb', points: epochTrain },
    { name: 'validation', color: '#e8590c', points: epochValid },
  ];
  ui.lossPlot.innerHTML = linePlot(lines, { log: ui.logScale.checked, xLabel: 'epoch', yLabel: 'loss', rules: baselineRules, xTickLabel: (x) => num(x, 3) });
}

function onEvent(event: PipelineEvent): void {
  switch (event.type) {
    case 'train-start':
      totalSteps = event.epochs * event.batchesPerEpoch * event.updatesPerBatch;
      batchesPerEpoch = event.batchesPerEpoch * event.updatesPerBatch;
      break;
    case 'step':
      state.step = event.step;
      stepLosses.push([event.step / batchesPerEpoch, event.loss]);
      break;
    case 'epoch':
      epochTrain.push([event.epoch, event.trainLoss]);
      if (event.valid) {
        epochValid.push([event.epoch, event.valid.loss]);
        state.validLoss.push(event.valid.loss);
      }
      break;
    case 'baseline':
      if (event.split === 'validation' && typeof event.metrics.loss === 'number') {
        state.baseline[event.name] = event.metrics.loss;
        baselineRules = [{ y: event.metrics.loss, label: `${event.name} baseline (validation)`, color: '#7c3aed' }];
      }
      break;
    case 'early-stop':
      totalSteps = state.step;
      break;
    default:
      break;
  }
  renderSoon();
}

function metricsTable(result: RunResult): string {
  const rows: { name: string; split: string; m: MetricSet }[] = [];
  for (const [split, m] of Object.entries(result.metrics)) rows.push({ name: 'model', split, m });
  for (const b of result.baselines) for (const [split, m] of Object.entries(b.metrics)) rows.push({ name: b.name, split, m });
  if (!rows.length) return '';
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r.m)))].filter((k) => k !== 'count' && k !== 'tokens').slice(0, 5);
  return `<table><tr><th></th><th>split</th>${keys.map((k) => `<th>${escape(k)}</th>`).join('')}</tr>${rows
    .map((r) => `<tr><td>${escape(r.name)}</td><td>${r.split}</td>${keys.map((k) => `<td>${num(r.m[k])}</td>`).join('')}</tr>`)
    .join('')}</table>`;
}

function seriesPlot(series: SeriesComparison): string {
  const labels = new Map(series.points.map((p) => [p.row, p.label ?? String(p.row)]));
  const baselineNames = Object.keys(series.points[0]?.baselines ?? {});
  const colors = ['#7c3aed', '#16a34a'];
  const lines: Line[] = [
    { name: 'truth', color: '#1d2330', points: series.points.map((p) => [p.row, p.actual]) },
    { name: 'model', color: '#e8590c', points: series.points.map((p) => [p.row, p.model]) },
    ...baselineNames.map((name, i) => ({ name, color: colors[i % colors.length], dashed: true, points: series.points.map((p) => [p.row, p.baselines[name]] as [number, number]) })),
  ];
  return linePlot(lines, { height: 260, legendAt: 'left', xLabel: `${series.split} split, ${series.ahead} month${series.ahead === 1 ? '' : 's'} ahead`, yLabel: series.column, xTickLabel: (x) => labels.get(Math.round(x)) ?? '' });
}

function showSamples(samples: string[], heading: string): string {
  state.samples = samples;
  return `<div><b>${escape(heading)}</b><div class="samples" id="samples">${samples.map((s) => `<span>${escape(s)}</span>`).join('')}</div></div>`;
}

function onResult(result: RunResult): void {
  training = false;
  state.done = true;
  state.stopped = result.stopped;
  setRunning(false);
  ui.sample.disabled = result.task !== 'language-model';
  ui.download.disabled = false;
  const parts = [`<div>${result.stopped ? 'Stopped' : 'Finished'}: ${result.parameters.toLocaleString('en')} parameters, ${result.task}.</div>`, metricsTable(result)];
  if (result.samples) parts.push(showSamples(result.samples, `Sampled ${result.task === 'language-model' ? 'names' : 'texts'}${result.novel !== undefined ? ` (${result.novel} of ${result.samples.length} not in the training split)` : ''}:`));
  if (result.series) parts.push(`<div><b>Forecast against the truth</b></div>${seriesPlot(result.series)}`);
  ui.result.innerHTML = parts.join('');
  renderSoon();
}

function setRunning(running: boolean): void {
  ui.train.disabled = running || problemLines.size > 0 || ui.problems.children.length > 0;
  ui.race.disabled = running;
  ui.stop.disabled = !running;
}

ui.train.addEventListener('click', () => {
  training = true;
  Object.assign(state, { step: 0, validLoss: [], baseline: {}, samples: [], done: false, stopped: false, error: '' });
  stepLosses = [];
  epochTrain = [];
  epochValid = [];
  baselineRules = [];
  totalSteps = 1;
  ui.result.innerHTML = '';
  ui.downloads.innerHTML = '';
  setRunning(true);
  send({ type: 'train', text: ui.editor.value });
  renderSoon();
});
ui.stop.addEventListener('click', () => send({ type: 'stop' }));
ui.sample.addEventListener('click', () => send({ type: 'sample', count: 12, temperature: 0.8 }));
ui.download.addEventListener('click', () => send({ type: 'weights' }));
ui.logScale.addEventListener('click', (e) => {
  // How long the click waited for this thread (the browser test reads it: the page must stay responsive).
  state.lastClickLatency = performance.now() - e.timeStamp;
  ui.logScale.dataset.latency = state.lastClickLatency.toFixed(1);
  renderTraining();
});

// ---- weights: download, drop ------------------------------------------------------------------

function downloadLink(name: string, blob: Blob): string {
  return `<a download="${escape(name)}" href="${URL.createObjectURL(blob)}">${escape(name)}</a>`;
}

async function loadFiles(files: FileList | File[]): Promise<void> {
  const list = [...files];
  const weights = list.find((f) => f.name.endsWith('.safetensors'));
  const json = list.find((f) => f.name.endsWith('.json'));
  if (!weights) {
    ui.result.innerHTML = `<div class="error">Drop a .safetensors file (and the model.json of its run folder); received ${escape(list.map((f) => f.name).join(', ') || 'nothing')}.</div>`;
    return;
  }
  const buffer = await weights.arrayBuffer();
  send({ type: 'load', weights: buffer, weightsName: weights.name, ...(json ? { modelJson: await json.text() } : {}) }, [buffer]);
}
ui.drop.addEventListener('dragover', (e) => {
  e.preventDefault();
  ui.drop.classList.add('over');
});
ui.drop.addEventListener('dragleave', () => ui.drop.classList.remove('over'));
ui.drop.addEventListener('drop', (e) => {
  e.preventDefault();
  ui.drop.classList.remove('over');
  if (e.dataTransfer?.files.length) void loadFiles(e.dataTransfer.files);
});
ui.dropInput.addEventListener('change', () => {
  if (ui.dropInput.files?.length) void loadFiles(ui.dropInput.files);
});

// ---- the race -------------------------------------------------------------------------------

const RACE_COLORS = ['#2563eb', '#e8590c', '#16a34a', '#7c3aed'];
let raceEntrants: Entrant[] = [];
let raceCurves: [number, number][][] = [];
let raceSteps = 1;

function renderRace(): void {
  if (!raceEntrants.length) return;
  const all = raceCurves.flatMap((c) => smooth(c).map((p) => p[1]));
  const yRange: [number, number] = [Math.min(...all), Math.max(...all)];
  ui.racePlots.innerHTML = raceEntrants
    .map((entrant, i) => {
      const curve = smooth(raceCurves[i]);
      const last = curve[curve.length - 1];
      const plot = linePlot([{ name: entrant.name, color: RACE_COLORS[i], points: curve }], { width: 300, height: 180, yRange: all.length ? yRange : undefined, legend: false, xLabel: `step (of ${raceSteps})`, yLabel: 'loss' });
      const size = entrant.stage.hiddenSize !== undefined ? `hidden ${entrant.stage.hiddenSize}` : `dModel ${entrant.stage.dModel}`;
      return `<figure data-model="${entrant.name}"><figcaption><b>${entrant.name}</b> · ${entrant.parameters.toLocaleString('en')} parameters (${size}) · loss ${last ? num(last[1], 3) : '–'}</figcaption>${plot}</figure>`;
    })
    .join('');
}

ui.race.addEventListener('click', () => {
  raceEntrants = [];
  raceCurves = [];
  state.race = [];
  state.raceDone = false;
  ui.racePlots.innerHTML = '<div class="status">sizing the models…</div>';
  setRunning(true);
  send({ type: 'race', budget: Number(ui.raceBudget.value), names: Number(ui.raceNames.value), epochs: Number(ui.raceEpochs.value) });
});

// ---- messages from the worker -----------------------------------------------------------------

worker.onmessage = (e: MessageEvent<FromWorker>) => {
  const m = e.data;
  switch (m.type) {
    case 'ready': {
      state.kernels = m.kernels;
      const k = m.kernels;
      ui.kernels.dataset.backend = k.backend;
      ui.kernels.dataset.fused = String(k.fusedKernelsAvailable);
      ui.kernels.textContent = `backend ${k.backend} (${k.backendThreads} thread${k.backendThreads === 1 ? '' : 's'}) · fused recurrent kernels: ${k.fusedKernelsAvailable && k.fused ? `WebAssembly ${k.fused.variant}, ${k.fused.threads} thread${k.fused.threads === 1 ? '' : 's'}` : 'unavailable (reference path)'} · ${k.crossOriginIsolated ? 'cross-origin isolated' : 'not isolated'}`;
      break;
    }
    case 'problems':
      training = false;
      setRunning(false);
      showProblems(m.problems, 'found by the worker');
      break;
    case 'event':
      onEvent(m.event);
      break;
    case 'result':
      onResult(m.result);
      break;
    case 'samples':
      ui.result.insertAdjacentHTML('beforeend', showSamples(m.samples, `Sampled from ${m.source}:`));
      break;
    case 'weights':
      ui.downloads.innerHTML = `Weights of ${escape(m.name)}: ${downloadLink('model.safetensors', new Blob([m.weights], { type: 'application/octet-stream' }))}${downloadLink('model.json', new Blob([m.modelJson], { type: 'application/json' }))}`;
      break;
    case 'loaded':
      ui.sample.disabled = m.samples.length === 0;
      ui.download.disabled = false;
      ui.result.innerHTML = `<div>Loaded ${escape(m.description)}.</div>${m.samples.length ? showSamples(m.samples, 'Sampled from the dropped weights:') : ''}`;
      break;
    case 'race-start':
      raceEntrants = m.entrants;
      raceSteps = m.steps;
      raceCurves = m.entrants.map(() => []);
      state.race = m.entrants.map((x) => ({ name: x.name, parameters: x.parameters, steps: 0, lastLoss: NaN }));
      renderSoon();
      break;
    case 'race-step':
      raceCurves[m.index].push([m.step, m.loss]);
      state.race[m.index].steps = m.step;
      state.race[m.index].lastLoss = m.loss;
      renderSoon();
      break;
    case 'race-done':
      state.raceDone = true;
      setRunning(false);
      break;
    case 'stopped':
      setRunning(false);
      training = false;
      break;
    case 'error':
      training = false;
      state.error = m.message;
      setRunning(false);
      ui.result.innerHTML = `<div class="error">${escape(m.code ? `${m.code}: ` : '')}${escape(m.message)}</div>`;
      break;
  }
};
worker.onerror = (e) => {
  state.error = e.message;
  ui.kernels.textContent = `the worker failed: ${e.message}`;
};

// ---- start ----------------------------------------------------------------------------------

fetch('examples.json')
  .then((res) => res.json() as Promise<Example[]>)
  .then((list) => {
    examples = list;
    ui.example.innerHTML = list.map((e) => `<option value="${e.id}">${escape(e.title)}</option>`).join('');
    loadExample(list[0].id);
  })
  .catch((e: unknown) => (ui.status.textContent = `could not load the examples: ${String(e)}`));
