/**
 * A seeded source of randomness for the fleet simulation: every run of one seed makes the same
 * decisions, so two runs differ only in the code under test. sfc32 (Chris Doty-Humphrey's small
 * fast chaotic generator): four 32-bit words, no allocation per draw, good enough for simulation.
 */
export class SimRandom {
  #a: number;
  #b: number;
  #c: number;
  #d: number;
  /** The second value of the last Box–Muller pair, or NaN. */
  #spareNormal = Number.NaN;

  constructor(seed: number) {
    this.#a = 0x9e3779b9;
    this.#b = 0x243f6a88;
    this.#c = 0xb7e15162;
    this.#d = seed >>> 0;
    // The first draws of sfc32 still show the seed: discard them.
    for (let i = 0; i < 15; i++) this.next();
  }

  /** Uniform in [0, 1). */
  next(): number {
    const t = (((this.#a + this.#b) | 0) + this.#d) | 0;
    this.#d = (this.#d + 1) | 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) | 0;
    this.#c = (this.#c << 21) | (this.#c >>> 11);
    this.#c = (this.#c + t) | 0;
    return (t >>> 0) / 4_294_967_296;
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** Uniform in [min, max). */
  uniform(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** A whole number in [0, n). */
  index(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Standard normal (Box–Muller; the pair's second value is kept for the next call). */
  normal(): number {
    if (!Number.isNaN(this.#spareNormal)) {
      const spare = this.#spareNormal;
      this.#spareNormal = Number.NaN;
      return spare;
    }
    const u = 1 - this.next();
    const v = this.next();
    const radius = Math.sqrt(-2 * Math.log(u));
    this.#spareNormal = radius * Math.sin(2 * Math.PI * v);
    return radius * Math.cos(2 * Math.PI * v);
  }

  /** Log-normal with the given median and shape (the standard deviation of its logarithm). */
  logNormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }

  /** Pareto with minimum `scale` and tail index `alpha` (smaller alpha, heavier tail). */
  pareto(scale: number, alpha: number): number {
    return scale / (1 - this.next()) ** (1 / alpha);
  }
}
