import { ZCreateWorker } from '@shegong/shared';
import { describe, expect, it } from 'vitest';
import { auditJson } from '../../audit/audit.ts';
import { fixtureId } from './excel-fixtures.ts';
import { newWorkerSnapshot, newWorkerSnapshotValues, SNAPSHOT_COLUMNS } from './import-workers.ts';

/** The community the new workers of these tests are placed in. */
const community = {
  code: '640104001001',
  parentCode: '640104001000',
  level: 'community',
  name: '丽景社区',
  path: '/000000/640000/640100/640104/640104001000/640104001001/',
  countyCode: '640104',
};

describe('a new worker’s audit snapshot', () => {
  it('is written in canonical form, so the bulk audit hashes what verification reads back', () => {
    const idNumber = fixtureId('640104', '1988-01-15', 2);
    const w = ZCreateWorker.parse({
      name: '王小明',
      idNumber,
      phone: '13912345678',
      educationLevel: '本科',
      communityCode: '640104001001',
      postTitle: '网格员',
      serviceStartedOn: '2019-03-01',
      status: '已退出',
    });
    const snapshot = newWorkerSnapshot(
      '0195b7a2-0000-7000-8000-000000000001',
      { w, birthDate: '1988-01-15', sex: '女', community },
      '2026-05-01',
    );
    expect(JSON.stringify(snapshot)).toBe(auditJson(snapshot));
    expect(snapshot).toMatchObject({
      idNumberMasked: `6401**********${idNumber.slice(14)}`,
      phoneMasked: '139****5678',
      hiredOn: '2019-03-01',
      exitedOn: '2026-05-01',
    });
    expect(JSON.stringify(snapshot)).not.toContain('13912345678');
    expect(JSON.stringify(snapshot)).not.toContain(idNumber);
    // A snapshot document's columns are every key but the id, in the same (sorted) order.
    expect([...SNAPSHOT_COLUMNS]).toEqual(Object.keys(snapshot).filter((k) => k !== 'id'));
  });

  it('has the values newWorkerSnapshotValues gives in SNAPSHOT_COLUMNS order, for any row', () => {
    const inputs = [
      { status: '已退出', phone: '13912345678' },
      { status: '试用期', probationUntil: '2026-06-01', hiredOn: '2026-01-05' },
      { certificateLevel: '社会工作师', certificateDate: '2020-05-01', educationMajor: '社会工作' },
      { gridCode: '640104001001001', veteran: true, livesInCommunity: true, phone: null },
      { ethnicity: '回族', politicalStatus: '中共党员', educationRecognised: false },
    ];
    for (const [i, extra] of inputs.entries()) {
      const w = ZCreateWorker.parse({
        name: `王小${i}`,
        idNumber: fixtureId('640104', '1988-01-15', i + 1),
        educationLevel: '本科',
        communityCode: '640104001001',
        postTitle: '网格员',
        serviceStartedOn: '2019-03-01',
        ...extra,
      });
      const r = { w, birthDate: '1988-01-15', sex: i % 2 ? '男' : '女', community };
      const snapshot = newWorkerSnapshot('0195b7a2-0000-7000-8000-000000000001', r, '2026-05-01');
      expect(newWorkerSnapshotValues(r, '2026-05-01')).toEqual(
        SNAPSHOT_COLUMNS.map((c) => snapshot[c]),
      );
    }
  });
});
