// @loopflow/distributed: scaffold; the package is being built (see its issue).
export {};
