// A child process's stdout and stderr gathered into one string, in arrival order, for the crash
// benches' messages when a start or a command fails.
import type { ChildProcess } from 'node:child_process';

/** Collects the child's piped output; call the result for what has arrived so far. */
export const collectOutput = (child: ChildProcess) => {
  let output = '';
  const add = (d: Buffer) => {
    output += d.toString();
  };
  child.stdout?.on('data', add);
  child.stderr?.on('data', add);
  return () => output;
};
