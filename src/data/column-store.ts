/** The element types a column store holds its numbers in. */
export type StoreType = 'float64' | 'float32';

type Typed = Float64Array | Float32Array | Int32Array;

/**
 * A typed array that grows as values are appended (by half again when full): the numbers of a
 * file go straight into it, with no array per row. `values()` is a view of the filled part.
 */
export class GrowingArray<T extends Typed> {
  private data: T;
  length = 0;

  constructor(
    private readonly make: (n: number) => T,
    capacity = 1024,
  ) {
    this.data = make(Math.max(16, Math.ceil(capacity)));
  }

  push(v: number): void {
    if (this.length === this.data.length) this.grow();
    this.data[this.length++] = v;
  }

  /** The value at i (i < length). */
  at(i: number): number {
    return this.data[i];
  }

  private grow(): void {
    const next = this.make(Math.ceil(this.data.length * 1.5) + 16);
    next.set(this.data);
    this.data = next;
  }

  /**
   * The values appended, as one contiguous array: the store's own memory when it is nearly full,
   * else a copy of the right size (so that no more than a sixteenth is left unused).
   */
  values(): T {
    if (this.data.length - this.length <= this.data.length / 16) return this.data.subarray(0, this.length) as T;
    const out = this.make(this.length);
    out.set(this.data.subarray(0, this.length));
    return out;
  }
}

export function floatArray(type: StoreType, capacity?: number): GrowingArray<Float64Array | Float32Array> {
  return new GrowingArray<Float64Array | Float32Array>((n) => (type === 'float32' ? new Float32Array(n) : new Float64Array(n)), capacity);
}

export function intArray(capacity?: number): GrowingArray<Int32Array> {
  return new GrowingArray((n) => new Int32Array(n), capacity);
}
