import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireDirLock } from './dir-lock.ts';

describe('acquireDirLock', () => {
  it('refuses a directory locked by a live process and names it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lock-'));
    // A lock file held by another live process (the parent of this test process).
    fs.writeFileSync(path.join(dir, 'shegong.lock'), `${process.ppid}\n`);
    expect(() => acquireDirLock(dir)).toThrow(/正被另一个进程（PID \d+）使用/);
  });

  it('takes over a lock left by a process that no longer runs', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lock-'));
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    fs.writeFileSync(path.join(dir, 'shegong.lock'), `${dead.stdout.toString()}\n`);
    const lock = acquireDirLock(dir);
    expect(fs.readFileSync(lock.file, 'utf8').trim()).toBe(String(process.pid));
    lock.release();
    expect(fs.existsSync(lock.file)).toBe(false);
  });
});
