// net.fit(), net.evaluate() and net.toFunction(): conveniences on Network for what train/ and io/
// do. src/nn/ knows nothing of training or files, so they are attached here, above both, and the
// public API (src/index.ts) loads this module.
import type { Matrix } from './tensor/matrix.js';
import { Network } from './nn/network.js';
import { fit, type FitOptions, type History } from './train/fit.js';
import { evaluate, type Evaluation } from './train/metrics.js';
import { toFunction, type StandaloneOptions } from './io/standalone.js';

declare module './nn/network.js' {
  interface Network {
    /** Trains on (X, Y): see FitOptions. Returns the history of losses. The same as fit(net, X, Y, options). */
    fit(x: Matrix | number[][], y: Matrix | number[][], options?: FitOptions): History;
    /** Loss, and for class targets accuracy, confusion matrix, precision and recall. */
    evaluate(x: Matrix | number[][], y: Matrix | number[][]): Evaluation;
    /** JavaScript source of a dependency-free predict function with the weights written in (see io/standalone.ts). */
    toFunction(options?: StandaloneOptions): string;
  }
}

Network.prototype.fit = function (this: Network, x: Matrix | number[][], y: Matrix | number[][], options?: FitOptions): History {
  return fit(this, x, y, options);
};
Network.prototype.evaluate = function (this: Network, x: Matrix | number[][], y: Matrix | number[][]): Evaluation {
  return evaluate(this, x, y);
};
Network.prototype.toFunction = function (this: Network, options?: StandaloneOptions): string {
  return toFunction(this, options);
};
