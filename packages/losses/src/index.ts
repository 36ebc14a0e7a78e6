/**
 * @loopflow/losses — loss functions on @loopflow/tensor tensors, each one fused op with its own
 * gradient and PyTorch's numbers: mean squared error, mean absolute error (L1), Huber,
 * cross-entropy on logits (class indices, ignored index, masks, label smoothing, class
 * weights) and binary cross-entropy on logits (with posWeight). Depends only on
 * @loopflow/tensor.
 */
export type { Reduction } from './reduction';
export type { MaskLike } from './mask';
export type { PointwiseLossOptions } from './pointwise';
export { mseLoss } from './mse';
export { l1Loss, maeLoss } from './l1';
export { huberLoss } from './huber';
export type { HuberLossOptions } from './huber';
export { crossEntropy } from './cross-entropy';
export type { CrossEntropyOptions } from './cross-entropy';
export type { ClassTargets } from './class-targets';
export { binaryCrossEntropyWithLogits } from './bce-with-logits';
export type { BceWithLogitsOptions } from './bce-with-logits';
