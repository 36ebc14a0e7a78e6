// @loopflow/onnx: scaffold; the package is being built (see its issue).
export {};
