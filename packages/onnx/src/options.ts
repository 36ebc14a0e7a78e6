import { OnnxError } from './errors';

/** Options of {@link exportOnnx}. */
export interface ExportOnnxOptions {
  /**
   * Recurrent models: add graph inputs `h0` (and `c0` for an LSTM) `[L*D, B, H]`, the state
   * to start from (zeros when absent). Default false.
   */
  initialState?: boolean;
  /**
   * Add a graph input `sequence_lens` `[B]` (int32): the real steps of each sequence, padding
   * trailing (loopflow's `lengths`). Default: false for a recurrent module or a transformer
   * alone; true for a pipeline model that takes lengths (every one but the language models'
   * transformer decoder, which is causal and reads no lengths).
   */
  sequenceLens?: boolean;
  /**
   * Transformers with sinusoidal positions: the longest sequence the graph takes (the
   * position table is stored up to it). Default: the model's `maxLength` (1024 unless set).
   */
  maxLength?: number;
  /** The graph's name in the file (default 'loopflow'). */
  graphName?: string;
}

const KEYS: Record<keyof ExportOnnxOptions, 'boolean' | 'positive integer' | 'string'> = {
  initialState: 'boolean',
  sequenceLens: 'boolean',
  maxLength: 'positive integer',
  graphName: 'string',
};

/** Checks the options of `exportOnnx`; throws `ONNX_INVALID_OPTIONS` naming the key that is wrong. */
export function checkExportOptions(options: unknown): ExportOnnxOptions {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new OnnxError('ONNX_INVALID_OPTIONS', `exportOnnx: options is ${JSON.stringify(options)}; expected an object such as { initialState: true, sequenceLens: true }`);
  }
  for (const [key, value] of Object.entries(options)) {
    const expected = KEYS[key as keyof ExportOnnxOptions];
    if (!expected) {
      throw new OnnxError('ONNX_INVALID_OPTIONS', `exportOnnx: option '${key}' is unknown; expected one of ${Object.keys(KEYS).join(', ')}`);
    }
    const ok = value === undefined
      || (expected === 'boolean' && typeof value === 'boolean')
      || (expected === 'string' && typeof value === 'string' && value.length > 0)
      || (expected === 'positive integer' && Number.isInteger(value) && (value as number) > 0);
    if (!ok) throw new OnnxError('ONNX_INVALID_OPTIONS', `exportOnnx: option ${key} is ${JSON.stringify(value)}; expected a ${expected === 'string' ? 'non-empty string' : expected}`);
  }
  return options as ExportOnnxOptions;
}
