import type { TJobReporter } from '../../jobs/jobs.ts';

/**
 * The last progress of a job: the reporter drops calls closer than its throttle (400 ms) to the
 * previous one, so the final count waits past it — the page then shows 34 / 34, not 0 / 34.
 */
export const finalReport = async (
  report: TJobReporter,
  done: number,
  total: number,
  message: string,
) => {
  await new Promise((resolve) => setTimeout(resolve, 450));
  await report(done, total, message);
};
