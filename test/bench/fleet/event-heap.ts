/**
 * The simulation's agenda: a binary min-heap of callbacks keyed by (time, insertion order), so that
 * events of one instant fire in the order they were scheduled. Keys live in typed arrays that grow
 * by doubling; a push or pop allocates nothing once the arrays are large enough.
 */
export class EventHeap<T> {
  #times = new Float64Array(1024);
  #orders = new Float64Array(1024);
  #items: Array<T | undefined> = new Array(1024);
  #size = 0;
  #nextOrder = 0;

  get size(): number {
    return this.#size;
  }

  /** Time of the earliest event; Infinity when empty. */
  peekTime(): number {
    return this.#size === 0 ? Number.POSITIVE_INFINITY : (this.#times[0] ?? Number.POSITIVE_INFINITY);
  }

  push(time: number, item: T): void {
    if (this.#size === this.#times.length) this.#grow();
    let i = this.#size++;
    const order = this.#nextOrder++;
    // Sift up: move parents down until the new key's place is found, then write it once.
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!less(time, order, this.#times[parent] ?? 0, this.#orders[parent] ?? 0)) break;
      this.#move(parent, i);
      i = parent;
    }
    this.#times[i] = time;
    this.#orders[i] = order;
    this.#items[i] = item;
  }

  /** Removes and returns the earliest event; undefined when empty. */
  pop(): T | undefined {
    if (this.#size === 0) return undefined;
    const top = this.#items[0];
    const last = --this.#size;
    const time = this.#times[last] ?? 0;
    const order = this.#orders[last] ?? 0;
    const item = this.#items[last];
    this.#items[last] = undefined;
    let i = 0;
    // Sift down: move the earlier child up until the last key's place is found.
    for (;;) {
      const left = 2 * i + 1;
      if (left >= last) break;
      const right = left + 1;
      const child = right < last && this.#earlier(right, left) ? right : left;
      if (!less(this.#times[child] ?? 0, this.#orders[child] ?? 0, time, order)) break;
      this.#move(child, i);
      i = child;
    }
    if (last > 0) {
      this.#times[i] = time;
      this.#orders[i] = order;
      this.#items[i] = item;
    }
    return top;
  }

  #earlier(a: number, b: number): boolean {
    return less(this.#times[a] ?? 0, this.#orders[a] ?? 0, this.#times[b] ?? 0, this.#orders[b] ?? 0);
  }

  #move(from: number, to: number): void {
    this.#times[to] = this.#times[from] ?? 0;
    this.#orders[to] = this.#orders[from] ?? 0;
    this.#items[to] = this.#items[from];
  }

  #grow(): void {
    const times = new Float64Array(this.#times.length * 2);
    times.set(this.#times);
    this.#times = times;
    const orders = new Float64Array(this.#orders.length * 2);
    orders.set(this.#orders);
    this.#orders = orders;
    this.#items.length = times.length;
  }
}

/** Whether key (time, order) comes before key (otherTime, otherOrder). */
const less = (time: number, order: number, otherTime: number, otherOrder: number): boolean =>
  time < otherTime || (time === otherTime && order < otherOrder);
