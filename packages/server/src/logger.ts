import { pino } from 'pino';

export type TLogger = pino.Logger;

/** Structured JSON logs (pino); one child logger per request carries the request id. */
export const createLogger = (level: string): TLogger =>
  pino({ level, base: { app: 'shegong' }, timestamp: pino.stdTimeFunctions.isoTime });
