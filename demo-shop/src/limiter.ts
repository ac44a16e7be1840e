/**
 * A fixed number of slots, like a connection pool: what makes one worker's capacity bounded and the shop's
 * capacity grow with its replicas. Waiters queue in order; beyond `queueLimit` waiters, `acquire` refuses.
 */
export class ConcurrencyLimiter {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    readonly slots: number,
    readonly queueLimit: number,
  ) {
    if (!Number.isInteger(slots) || slots < 1) throw new RangeError('slots must be a positive integer');
  }

  get inUse(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /** Resolves with a release function once a slot is free; `undefined` when the queue is full. */
  acquire(): Promise<(() => void) | undefined> {
    if (this.active < this.slots) {
      this.active++;
      return Promise.resolve(this.releaser());
    }
    if (this.waiting.length >= this.queueLimit) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      this.waiting.push(() => resolve(this.releaser()));
    });
  }

  /** Run `fn` in a slot; `undefined` (without running it) when the queue is full. */
  async run<T>(fn: () => Promise<T>): Promise<{ value: T } | undefined> {
    const release = await this.acquire();
    if (release === undefined) return undefined;
    try {
      return { value: await fn() };
    } finally {
      release();
    }
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next)
        next(); // the slot passes straight to the next waiter
      else this.active--;
    };
  }
}
