/** The field key of the benchmark database (not a secret: the data is synthetic). */
export const BENCH_DATA_KEY = Buffer.alloc(32, 'shegong-dashboard-bench').toString('base64');
