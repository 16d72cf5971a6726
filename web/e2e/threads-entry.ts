// The bundle web/e2e/threads.test.ts loads in the browser: the library, and the switch that splits
// every product (so that small test products use both threads too).
export * from '../../src/index.js';
export { tuneThreads } from '../../src/tensor/wasm.js';
