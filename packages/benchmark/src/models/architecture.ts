import type { ModelKind } from '../names';

/** The fixed shape of each model kind; only the width (hidden size or dModel) follows the budget. */
export interface Architecture {
  /** Stacked recurrent layers, or transformer blocks. */
  layers: number;
  /** Attention heads (transformer only). */
  heads?: number;
  /** What the report says about the model's set-up. */
  notes: string;
}

/** Bias added to the LSTM's forget gate at initialisation (in `bias_hh`; common practice, Jozefowicz et al. 2015). */
export const LSTM_FORGET_BIAS = 1;

/** IndRNN's bound on the recurrent weights is `INDRNN_MAX_GAIN^(1/T)` (Li et al. 2018). */
export const INDRNN_MAX_GAIN = 2;

/** The architectures the comparison uses. */
export const ARCHITECTURES: Readonly<Record<ModelKind, Architecture>> = {
  rnn: { layers: 1, notes: 'Elman RNN, tanh, 1 layer, PyTorch init U(-1/sqrt(H), 1/sqrt(H)); linear head on the hidden state' },
  lstm: { layers: 1, notes: `LSTM, 1 layer, PyTorch init, forget-gate bias ${LSTM_FORGET_BIAS} (bias_hh forget block set to ${LSTM_FORGET_BIAS}); linear head` },
  gru: { layers: 1, notes: 'GRU (PyTorch gate order, reset after the recurrent product), 1 layer, PyTorch init; linear head' },
  indrnn: { layers: 2, notes: `IndRNN (direct feedback: diagonal recurrence), relu, 2 layers; recurrent weights drawn U(0, 1) and clipped to |u| <= ${INDRNN_MAX_GAIN}^(1/T) after every update (Li et al. 2018), T = the task's longest sequence; linear head` },
  transformer: { layers: 2, heads: 4, notes: 'decoder-only transformer (causal), 2 pre-norm blocks, 4 heads (fewer when the budget is tiny), MLP width between 2 and 8 x dModel to fit the budget, GELU, sinusoidal positions, linear projection of the input features, no dropout' },
};
