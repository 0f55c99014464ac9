// Open-loop load: requests are sent at a fixed total rate whatever the server's answers, over at
// most `connections` keep-alive connections (the users), and each request's latency is measured
// from the moment it was due to be sent, not from the moment a connection took it. A closed loop
// (autocannon's default, or its overallRate) sends a connection's next request only after the
// last answer: when the server slows down the requests it should have sent are never sent, and
// their wait is missing from the percentiles (coordinated omission). Here a request that finds
// all connections busy waits in the client, and that wait counts in its latency.
import http from 'node:http';

export type TOpenRequest = {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** The kind of request, for the breakdown of the slowest ones. */
  kind?: string;
};

export type TOpenLoopResult = {
  /** The offered rate, req/s. */
  rate: number;
  seconds: number;
  /** Requests due in the run (rate × seconds). */
  offered: number;
  /** Answered with a 2xx. */
  ok: number;
  non2xx: number;
  /** Not answered within `timeoutMs` of their due time (then cancelled). */
  timeouts: number;
  /** Connection errors (reset, refused). */
  socketErrors: number;
  /** Requests resent once because the server had closed their idle kept-alive connection. */
  retries: number;
  /** Answers per second over the run (all statuses). */
  answeredPerSecond: number;
  /** ms from due time to the end of the answer; a request not answered counts as infinite. */
  p50: number;
  p99: number;
  max: number;
  /** ms the client itself was late in sending (its own event loop), p99: should be ≈ 0. */
  sendLagP99: number;
  /** Most connections busy at once. */
  peakBusy: number;
  /** The kinds of the slowest 1% of requests (unanswered included), by count. */
  slowest: Record<string, number>;
};

const percentile = (sorted: number[], q: number) =>
  sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;

/**
 * Sends `rate` requests per second for `seconds` (evenly spaced, like wrk2), each built by
 * `next()`, over at most `connections` connections opened before the run starts. Waits for
 * the last answers (at most `timeoutMs`) before returning.
 */
export const openLoop = async (options: {
  url: string;
  rate: number;
  seconds: number;
  connections: number;
  next: () => TOpenRequest;
  timeoutMs?: number;
}): Promise<TOpenLoopResult> => {
  const { rate, seconds, connections } = options;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const target = new URL(options.url);
  // At most `connections` at once; a request takes the connection used last (LIFO), so as many
  // stay open as the load needs and the others idle out (the server's keep-alive timeout).
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections, scheduling: 'lifo' });
  const send = (request: TOpenRequest) =>
    http.request({
      agent,
      host: target.hostname,
      port: target.port,
      method: request.method,
      path: request.path,
      headers: request.body
        ? { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) }
        : request.headers,
    });
  // Open every connection first: the users are connected before the run.
  await Promise.all(
    Array.from(
      { length: connections },
      () =>
        new Promise<void>((resolve, reject) => {
          const req = send({ method: 'GET', path: '/api/health', headers: {} });
          req.on('response', (res) => res.resume().on('end', resolve));
          req.on('error', reject);
          req.end();
        }),
    ),
  );

  const latencies: number[] = [];
  /** Every request's latency (Infinity when unanswered) with its kind. */
  const byKind: Array<[number, string]> = [];
  const lags: number[] = [];
  let ok = 0;
  let non2xx = 0;
  let timeouts = 0;
  let socketErrors = 0;
  let retries = 0;
  let busy = 0;
  let peakBusy = 0;
  let pending = 0;
  let drained: (() => void) | undefined;
  const offered = Math.round(rate * seconds);
  const interval = 1000 / rate;

  const fire = (due: number) => {
    const request = options.next();
    pending++;
    let done = false;
    const finish = (status: 'ok' | 'non2xx' | 'timeout' | 'socket') => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      const ms = status === 'ok' || status === 'non2xx' ? performance.now() - due : Infinity;
      if (ms !== Infinity) latencies.push(ms);
      byKind.push([ms, request.kind ?? '?']);
      if (status === 'ok') ok++;
      else if (status === 'non2xx') non2xx++;
      else if (status === 'timeout') timeouts++;
      else socketErrors++;
      pending--;
      if (pending === 0) drained?.();
    };
    let req: http.ClientRequest;
    const attempt = () => {
      const r = send(request);
      req = r;
      r.on('socket', () => {
        busy++;
        peakBusy = Math.max(peakBusy, busy);
        r.once('close', () => busy--);
      });
      r.on('response', (res) => {
        res.resume();
        res.on('end', () => finish(res.statusCode! < 300 ? 'ok' : 'non2xx'));
      });
      r.on('error', (error: NodeJS.ErrnoException) => {
        // A kept-alive connection the server closed as it idled (its keep-alive timeout) while
        // this request was sent on it: resent once on another, as browsers do; the time lost
        // counts in the latency. Node's documentation gives this retry for the race.
        if (!done && r.reusedSocket && !retried && /ECONNRESET|EPIPE/.test(error.code ?? '')) {
          retried = true;
          retries++;
          attempt();
        } else finish('socket');
      });
      r.end(request.body);
    };
    let retried = false;
    attempt();
    lags.push(performance.now() - due);
    // The timeout runs from the due time: a request still waiting for a connection times out too.
    const timer = setTimeout(
      () => {
        finish('timeout');
        req.destroy();
      },
      Math.max(0, due + timeoutMs - performance.now()),
    );
  };

  const started = performance.now();
  await new Promise<void>((resolve) => {
    let sent = 0;
    // A 1 ms tick sends every request due by now, with its own due time.
    const tick = setInterval(() => {
      const now = performance.now();
      while (sent < offered && started + sent * interval <= now) {
        fire(started + sent * interval);
        sent++;
      }
      if (sent >= offered) {
        clearInterval(tick);
        resolve();
      }
    }, 1);
  });
  if (pending > 0) await new Promise<void>((resolve) => (drained = resolve));
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();

  latencies.sort((a, b) => a - b);
  lags.sort((a, b) => a - b);
  // Unanswered requests rank above every answered one.
  const all = [...latencies, ...Array<number>(timeouts + socketErrors).fill(Infinity)];
  return {
    rate,
    seconds,
    offered,
    ok,
    non2xx,
    timeouts,
    socketErrors,
    retries,
    answeredPerSecond: Math.round((ok + non2xx) / elapsed),
    p50: Math.round(percentile(all, 0.5)),
    p99: Math.round(percentile(all, 0.99)),
    max: Math.round(all.at(-1) ?? 0),
    sendLagP99: Math.round(percentile(lags, 0.99)),
    peakBusy,
    slowest: byKind
      .sort((a, b) => b[0] - a[0])
      .slice(0, Math.ceil(byKind.length / 100))
      .reduce<Record<string, number>>((counts, [, kind]) => {
        counts[kind] = (counts[kind] ?? 0) + 1;
        return counts;
      }, {}),
  };
};
