/** Bounded concurrency and settled outcomes: one failure never stops the other calls. */
import { messageOf } from './result.js';

const MAX_IN_FLIGHT = 32;

export type Outcome<T> = { value: T } | { error: string };

export function settle<T>(promise: Promise<T>): Promise<Outcome<T>> {
  return promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error: messageOf(error) }),
  );
}

export async function settleEach<K, T>(
  keys: K[],
  load: (key: K) => Promise<T>,
): Promise<Map<K, Outcome<T>>> {
  const outcomes = await mapConcurrently(keys, (key) => settle(load(key)));
  return new Map(keys.map((key, index) => [key, outcomes[index] as Outcome<T>]));
}

/**
 * Maps in input order with at most MAX_IN_FLIGHT calls running; `undefined` results (duplicates,
 * skipped bots) are dropped.
 */
export async function mapConcurrently<T, R>(
  items: T[],
  map: (item: T) => Promise<R | undefined>,
): Promise<R[]> {
  const results: (R | undefined)[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await map(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(MAX_IN_FLIGHT, items.length) }, worker));
  return results.filter((r): r is R => r !== undefined);
}

/** Runs tasks with at most `bound` of them started and not yet settled, in the order given. */
export type Limiter = <T>(task: () => Promise<T>) => Promise<T>;

export function createLimiter(bound: number): Limiter {
  let running = 0;
  const queue: (() => void)[] = [];
  return async (task) => {
    if (running >= bound) await new Promise<void>((resolve) => queue.push(resolve));
    else running += 1;
    try {
      return await task();
    } finally {
      // The slot passes to the next waiter as it is, or is freed.
      const next = queue.shift();
      if (next) next();
      else running -= 1;
    }
  };
}
