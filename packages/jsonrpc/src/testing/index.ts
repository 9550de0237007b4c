// Test material for servers built on, or compatible with, this package.
export { type SpecExample, specExamples } from './spec-examples.ts';
export { type SpecMethods, type SpecRouter, specRouter } from './spec-methods.ts';
