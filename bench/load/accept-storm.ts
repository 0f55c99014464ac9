// How fast a saturated Node server accepts a burst of new connections (docs/performance.md,
// "Cause of the PGlite baseline's timeouts"). A plain node:http server in a child process burns
// a fixed CPU time per request; autocannon opens 200 connections at once and keeps them busy
// (closed loop) for a few seconds. libuv accepts one connection per event-loop iteration, and an
// iteration serves every connection already accepted, so the last of the burst waits about
// 200²/2 × (CPU per request). Printed for a cheap request (the baseline, same run) and the
// given one: req/s, p99, autocannon's 10 s timeouts, seconds until all 200 were accepted.
//
//   node --import tsx bench/load/accept-storm.ts [--burn 1] [--base-burn 0.05] [--seconds 15]
//     [--connections 200] [--busy 0]   (--busy N: N busy loops beside, as a loaded machine)
import { type ChildProcess, fork, spawn } from 'node:child_process';
import http from 'node:http';
import os from 'node:os';
import autocannon from 'autocannon';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1]! : fallback;
};

if (args[0] === '--serve') {
  // The server: burn `burn` ms per request; report each accept's time to the parent.
  const burn = Number(args[1]);
  const t0 = performance.now();
  const server = http.createServer((_req, res) => {
    const until = performance.now() + burn;
    while (performance.now() < until) {
      // CPU spent on the request, as a handler would.
    }
    res.setHeader('content-type', 'application/json');
    res.end('{"status":"ok"}');
  });
  server.on('connection', () => process.send!({ accepted: performance.now() - t0 }));
  server.listen(0, '127.0.0.1', () => {
    const address = server.address() as { port: number };
    process.send!({ port: address.port });
  });
} else {
  const seconds = Number(flag('--seconds', '15'));
  const connections = Number(flag('--connections', '200'));
  const busy = Number(flag('--busy', '0'));

  const run = async (burn: number) => {
    const child: ChildProcess = fork(import.meta.filename, ['--serve', String(burn)], {
      execArgv: process.execArgv,
    });
    const accepts: number[] = [];
    const port = await new Promise<number>((resolve) =>
      child.on('message', (m: { port?: number; accepted?: number }) => {
        if (m.port) resolve(m.port);
        if (m.accepted !== undefined) accepts.push(m.accepted);
      }),
    );
    const loops = Array.from({ length: busy }, () =>
      spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' }),
    );
    const started = accepts.length;
    const t = performance.now();
    const result = await autocannon({
      url: `http://127.0.0.1:${port}/`,
      connections,
      duration: seconds,
    });
    for (const loop of loops) loop.kill();
    child.kill();
    // Seconds from the first accept of the burst to the `connections`-th.
    const burst = accepts.slice(started);
    const allIn =
      burst.length >= connections ? (burst[connections - 1]! - burst[0]!) / 1000 : Infinity;
    return {
      burn,
      rps: Math.round(result.requests.average),
      p99: result.latency.p99,
      timeouts: result.timeouts,
      accepted: burst.length,
      allIn,
      wall: (performance.now() - t) / 1000,
    };
  };

  const line = (r: Awaited<ReturnType<typeof run>>) =>
    `burn ${r.burn} ms/request: ${r.rps} req/s, p99 ${r.p99} ms, timeouts ${r.timeouts}, accepted ${r.accepted} (the first ${connections} within ${r.allIn === Infinity ? 'never' : `${r.allIn.toFixed(1)} s`})`;
  console.log(
    `accept storm: ${connections} connections at once, ${seconds} s, ${busy} busy loops, load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const base = await run(Number(flag('--base-burn', '0.05')));
  console.log(`  baseline ${line(base)}`);
  const measured = await run(Number(flag('--burn', '1')));
  console.log(`  measured ${line(measured)}`);
  // At saturation a request costs the server's thread 1 / req/s: the k-th connection waits
  // about k iterations of k requests each.
  const model = (rps: number) => (connections * connections) / 2 / Math.max(rps, 1);
  const ratio =
    measured.allIn === Infinity
      ? `not all accepted within ${seconds} s (the baseline's in ${base.allIn.toFixed(1)} s)`
      : `${(measured.allIn / base.allIn).toFixed(1)}× the baseline's`;
  console.log(
    `  time for all ${connections} to be accepted: ${ratio} | model ≈ ${connections}²/2 ÷ req/s: ${model(base.rps).toFixed(1)} s / ${model(measured.rps).toFixed(1)} s | load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
}
