import { AppError } from '@shegong/shared';
import { describe, expect, it } from 'vitest';
import { assertPostgresVersion } from './client.ts';

describe('assertPostgresVersion', () => {
  it('refuses PostgreSQL 13 with a Chinese message naming the versions and DATABASE_URL', () => {
    let error: unknown;
    try {
      assertPostgresVersion(130012);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).message).toBe('PostgreSQL 版本过低：当前为 13，需要 14 或更高版本');
    expect((error as AppError).where).toEqual({ key: 'DATABASE_URL' });
  });

  it('accepts 14.0 and later (the machine here runs 15)', () => {
    expect(() => assertPostgresVersion(140000)).not.toThrow();
    expect(() => assertPostgresVersion(150020)).not.toThrow();
  });
});
