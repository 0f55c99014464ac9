import crypto from 'node:crypto';
import type { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TLogger } from '../logger.ts';
import { createFieldCrypto, MAX_ENCRYPTION_THREADS } from './field-crypto.ts';

// The real Worker, with every thread the code under test starts recorded (to kill it), and a
// switch to make the next start fail as a thread that cannot run here would.
const threads = vi.hoisted(() => ({ started: [] as Worker[], failStart: false }));
vi.mock('node:worker_threads', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:worker_threads')>();
  class RecordedWorker extends real.Worker {
    constructor(...args: ConstructorParameters<typeof real.Worker>) {
      if (threads.failStart) throw new Error('ERR_WORKER_INIT_FAILED (test)');
      super(...args);
      threads.started.push(this);
    }
  }
  return { ...real, Worker: RecordedWorker };
});

const values = (n: number, seed: number) =>
  Array.from({ length: n }, (_, i) =>
    i % 7 === 3 ? null : `13${seed}${String(i).padStart(8, '0')}`,
  );

const fakeLog = () => {
  const lines: Array<{ obj: unknown; msg: string }> = [];
  return {
    lines,
    // pino's warn is overloaded; the code under test calls it as (obj, msg).
    log: { warn: (obj: unknown, msg: string) => lines.push({ obj, msg }) } as unknown as Pick<
      TLogger,
      'warn'
    >,
  };
};

describe('encryptMany when its thread dies or cannot start', () => {
  afterEach(async () => {
    threads.failStart = false;
    await Promise.all(threads.started.splice(0).map((w) => w.terminate()));
  });

  it('a thread killed mid-batch: the batch is encrypted here, the failure logged once, the next batch gets a new thread', async () => {
    const { lines, log } = fakeLog();
    const fc = createFieldCrypto(crypto.randomBytes(32), { log });
    const first = values(2000, 1);
    expect((await fc.encryptMany(first)).map((c) => c && fc.decrypt(c))).toEqual(first);
    expect(threads.started).toHaveLength(1);
    expect(lines).toHaveLength(0);

    // Killed while a large batch is in it.
    const big = values(50_000, 2);
    const pending = fc.encryptMany(big);
    void threads.started[0]!.terminate();
    const stored = await pending;
    expect(stored).toHaveLength(big.length);
    expect(stored.every((c) => c === null || /^v1:/.test(c))).toBe(true);
    expect(stored.map((c) => c && fc.decrypt(c))).toEqual(big);
    // One line for the dead thread (its 'error'/'exit' events are not logged twice).
    await new Promise((r) => setTimeout(r, 50));
    expect(lines).toHaveLength(1);
    expect(lines[0]!.msg).toMatch(/字段加密线程异常退出或无法启动/);
    expect(lines[0]!.msg).toMatch(/下一批启动新的加密线程/);

    // The next batch runs in a new thread.
    const after = values(1500, 3);
    expect((await fc.encryptMany(after)).map((c) => c && fc.decrypt(c))).toEqual(after);
    expect(threads.started).toHaveLength(2);
    expect(lines).toHaveLength(1);
  }, 30_000);

  it(`a thread that cannot start: encrypted here, logged, retried until ${MAX_ENCRYPTION_THREADS} failures, then never again`, async () => {
    const { lines, log } = fakeLog();
    const fc = createFieldCrypto(crypto.randomBytes(32), { suite: 'intl', log });
    threads.failStart = true;
    for (let i = 0; i < MAX_ENCRYPTION_THREADS + 2; i++) {
      const plains = values(1200, 4 + i);
      expect((await fc.encryptMany(plains)).map((c) => c && fc.decrypt(c))).toEqual(plains);
    }
    // One line per failed start, the last saying it stays in this thread; no more attempts.
    expect(lines).toHaveLength(MAX_ENCRYPTION_THREADS);
    expect(lines.at(-1)!.msg).toMatch(/此后在主线程加密/);
    threads.failStart = false;
    await fc.encryptMany(values(1200, 9));
    expect(threads.started).toHaveLength(0);
  }, 30_000);
});
