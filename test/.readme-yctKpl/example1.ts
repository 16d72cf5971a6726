import { IRIS3, slidesIrisNetwork, trace, formatTrace } from '/work/wt14/src/index.ts';

const t = trace(slidesIrisNetwork(IRIS3), IRIS3.X, IRIS3.Y); // one forward and backward pass
console.log(t.get('O_delta')); // [[-0.090, 0.090, 0.147], …]
console.log(formatTrace(t)); // every named matrix with the formula that produced it
