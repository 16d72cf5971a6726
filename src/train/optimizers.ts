// The optimizers (their settings, defaults and reference update) are part of the engines' layer:
// src/engine/optimizers.ts. They are named here too, where training code has always found them.
export * from '../engine/optimizers.js';
