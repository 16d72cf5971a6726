/**
 * The one error type the library throws for anything a caller did wrong: bad shapes, bad
 * option values, NaN in data, a model file that does not validate. The message says what was
 * wrong and what to do; `code` lets programs tell the kinds apart.
 */
export class BackpropError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'BackpropError';
    this.code = code;
  }
}

/** Throws a BackpropError with code 'option' unless `ok`. */
export function check(ok: boolean, message: string, code = 'option'): asserts ok {
  if (!ok) throw new BackpropError(code, message);
}
