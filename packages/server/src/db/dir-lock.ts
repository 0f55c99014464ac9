import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '@shegong/shared';

export type TDirLock = { file: string; release: () => void };

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * Takes `<dir>/shegong.lock` for this process. PGlite is single-process: a second process
 * opening the same data directory would corrupt it, so it is refused with a clear message.
 * A lock left by a process that no longer runs is taken over.
 */
export const acquireDirLock = (dir: string): TDirLock => {
  const file = path.join(dir, 'shegong.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = fs.openSync(file, 'wx', 0o600);
      fs.writeSync(fd, `${process.pid}\n`);
      fs.closeSync(fd);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        try {
          if (fs.readFileSync(file, 'utf8').trim() === String(process.pid)) fs.unlinkSync(file);
        } catch {
          // already gone
        }
      };
      process.once('exit', release);
      return { file, release };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = Number.parseInt(fs.readFileSync(file, 'utf8').trim(), 10);
      if (Number.isFinite(pid) && pid !== process.pid && isAlive(pid)) {
        throw new AppError(
          'DATA_DIR_LOCKED',
          `数据目录 ${dir} 正被另一个进程（PID ${pid}）使用；内嵌数据库只允许一个进程打开`,
          { where: { file } },
        );
      }
      fs.unlinkSync(file);
    }
  }
  throw new AppError('DATA_DIR_LOCKED', `无法锁定数据目录 ${dir}`, { where: { file } });
};
