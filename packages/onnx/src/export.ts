import { GraphBuilder } from './proto/graph';
import { OnnxError } from './errors';
import { ExportOnnxOptions, checkExportOptions } from './options';
import { recurrentModuleGraph } from './export-recurrent';
import { FeedbackNetwork, RecurrentModule } from '@loopflow/cells';
import { feedbackNetworkGraph } from './feedback';
import { isPipelineModel, pipelineModelGraph } from './pipeline-model';
import { transformerGraph } from './transformer';

const RECURRENT_KINDS = ['rnn', 'lstm', 'gru', 'indrnn'];

function describe(model: unknown): string {
  if (model === null || typeof model !== 'object') return JSON.stringify(model) ?? typeof model;
  const kind = (model as { kind?: unknown }).kind;
  return kind !== undefined ? `an object of kind ${JSON.stringify(kind)}` : `an object with keys ${Object.keys(model).slice(0, 6).join(', ')}`;
}

/**
 * Exports a loopflow model to ONNX (opset 17), returning the bytes of a ModelProto that ONNX
 * Runtime (or any ONNX reader) loads. The graph computes in float32.
 *
 * - A recurrent module (`createRNN`, `createLSTM`, `createGRU`, `createIndRNN`; stacked,
 *   bidirectional): input `x` `[T, B, I]` (T and B dynamic), with `initialState` also `h0`
 *   (and `c0`) `[L*D, B, H]`, with `sequenceLens` also `sequence_lens` `[B]` int32; outputs
 *   `output` `[T, B, D*H]`, `hn` `[L*D, B, H]`, and `cn` for an LSTM.
 * - A feedback network (`createFeedbackNetwork` of @loopflow/cells: direct, indirect, lateral,
 *   complete feedback) as an ONNX Scan over time: `x` `[T, B, I]`, optionally `h0` `[B, sum H]`,
 *   `c0` and `sequence_lens`; outputs `output` `[T, B, H_last]`, `hn` `[B, sum H]`, `cn` with LSTM layers.
 * - A transformer of @loopflow/attention (`createDecoder`, `createEncoder`), batch-major as its
 *   own functions: `x` `[B, T]` int64 ids or `[B, T, F]`, for an encoder with `sequenceLens` also
 *   `sequence_lens` `[B]`; output `[B, T, outputSize]` (decoder) or `[B, outputSize]` (encoder).
 * - A pipeline's model (`loadModel(runFolder).model` of @loopflow/pipeline: `{ description,
 *   modules }`), time-major as the pipeline's batches: `x` `[T, B]` int64 ids or `[T, B, F]`,
 *   `sequence_lens` `[B]` int32 (unless the model takes no lengths, or `sequenceLens: false`),
 *   with `initialState` also `h0` (`c0`); output `output` as the task's (`[T, B, V]` logits,
 *   `[B, C]` class logits, `[horizon, B, targetFeatures]` forecast), and for a recurrent
 *   language model also `hn` (`cn`).
 *
 * Refused with an {@link OnnxError}: an unsupported model (`ONNX_UNSUPPORTED`), a malformed one
 * (`ONNX_INVALID_MODEL`), weights holding NaN or infinities (`ONNX_NOT_FINITE`), bad options
 * (`ONNX_INVALID_OPTIONS`).
 *
 * @example
 * const lstm = createLSTM(new Random(0), { inputSize: 3, hiddenSize: 8, numLayers: 2 });
 * const bytes = exportOnnx(lstm, { initialState: true, sequenceLens: true });
 * // InferenceSession.create(bytes): feeds x [T, B, 3], h0, c0 [2, B, 8], sequence_lens [B]
 */
export function exportOnnx(model: unknown, options?: ExportOnnxOptions): Uint8Array {
  const checked = checkExportOptions(options);
  const graph = graphOf(model, checked);
  return graph.encode(checked.graphName ?? 'loopflow', 'exported by @loopflow/onnx');
}

function graphOf(model: unknown, options: ExportOnnxOptions): GraphBuilder {
  if (model === null || typeof model !== 'object') {
    throw new OnnxError('ONNX_INVALID_MODEL', `exportOnnx: model is ${describe(model)}; expected a recurrent module, a feedback network, a transformer, or a pipeline model ({ description, modules })`);
  }
  const kind = (model as { kind?: unknown }).kind;
  if (typeof kind === 'string' && RECURRENT_KINDS.includes(kind)) return recurrentModuleGraph(model as RecurrentModule, options);
  if (kind === 'decoder' || kind === 'encoder') return transformerGraph(model, options, { timeMajor: false });
  if (isPipelineModel(model)) return pipelineModelGraph(model, options);
  if (kind === 'feedback') return feedbackNetworkGraph(model as FeedbackNetwork, options);
  throw new OnnxError('ONNX_UNSUPPORTED', `exportOnnx: model is ${describe(model)}; expected a recurrent module (kind rnn, lstm, gru or indrnn), a feedback network (kind feedback), a transformer (kind decoder or encoder), or a pipeline model ({ description, modules })`);
}
