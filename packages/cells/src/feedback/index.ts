// Feedback networks: layers joined by direct, indirect, lateral and complete feedback edges,
// declared as JSON-able data and trained with BPTT through the cell steps of this package.
// See docs/feedback.md.
export * from './definition';
export * from './errors';
export * from './validate';
export * from './plan';
export * from './network';
export * from './state';
export * from './run-feedback';
export * from './json';
