import { idNumberCheckChar } from '@shegong/shared';
import { eq } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { systemActor, type TServices } from '../../context.ts';
import { importBatch, importFile, org } from '../../db/schema/index.ts';
import { newId } from '../../security/ids.ts';
import type { TTestClient } from '../../testing/test-app.ts';

// Spreadsheets built by the tests themselves, shaped like the files street offices keep.

export type TFixtureSheet = {
  name: string;
  rows: unknown[][];
  /** Ranges to merge, e.g. 'A1:H1' for a title banner. */
  merges?: string[];
  /** 1-based columns formatted as text (@), e.g. a 身份证号 column done right. */
  textColumns?: number[];
  /** 1-based columns whose numbers are shown as dates. */
  dateColumns?: number[];
  state?: 'visible' | 'hidden';
};

/** An .xlsx file of the given sheets (in memory). */
export const buildXlsx = async (sheets: TFixtureSheet[]): Promise<Buffer> => {
  const wb = new ExcelJS.Workbook();
  for (const s of sheets) {
    const ws = wb.addWorksheet(s.name, { state: s.state ?? 'visible' });
    for (const c of s.textColumns ?? []) ws.getColumn(c).numFmt = '@';
    for (const row of s.rows) ws.addRow(row);
    for (const c of s.dateColumns ?? []) {
      ws.getColumn(c).eachCell((cell) => {
        if (typeof cell.value === 'number' || cell.value instanceof Date)
          cell.numFmt = 'yyyy-mm-dd';
      });
    }
    for (const m of s.merges ?? []) ws.mergeCells(m);
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
};

/** Reads every sheet of an .xlsx back as arrays of cell values (for asserting on exports). */
export const readXlsx = async (file: Uint8Array) => {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(file as unknown as ArrayBuffer);
  return wb.worksheets.map((ws) => {
    const rows: unknown[][] = [];
    ws.eachRow({ includeEmpty: true }, (row, n) => {
      rows[n - 1] = (row.values as unknown[]).slice(1);
    });
    return { name: ws.name, ws, rows };
  });
};

/** A valid 身份证号 from a county code, a birth date and a sequence number. */
export const fixtureId = (county: string, birth: string, seq: number): string => {
  const first17 = `${county}${birth.replaceAll('-', '')}${String(seq % 1000).padStart(3, '0')}`;
  return first17 + idNumberCheckChar(first17);
};

/**
 * A checked batch with its file stored, under an org node (for tests of the batch routes), as
 * an upload would leave it.
 */
export const seedImportBatch = async (
  services: TServices,
  orgCode: string,
  csv = '姓名,身份证号\n',
): Promise<string> => {
  const { db } = services.database;
  const node = (await db.select().from(org).where(eq(org.code, orgCode)))[0]!;
  const id = newId();
  await db.insert(importBatch).values({
    id,
    kind: 'workers',
    fileName: 'test.csv',
    fileSha256: '',
    fileSize: csv.length,
    status: 'checked',
    createdBy: systemActor().id,
    createdByName: 'test',
    orgPath: node.path,
  });
  await db.insert(importFile).values({
    batchId: id,
    contentCipher: services.crypto.encrypt(Buffer.from(csv).toString('base64')),
  });
  return id;
};

/** Polls a job until it has finished. */
export const waitJob = async (client: TTestClient, jobId: string) => {
  for (let i = 0; i < 1200; i++) {
    const res = await client.get(`/api/jobs/${jobId}`);
    if (res.body.status !== 'running' && res.body.status !== 'queued') return res.body;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('job did not finish');
};

/**
 * Uploads a file as a logged-in client (the dry run), optionally commits it, and returns the
 * batch with its issues, as the 数据导入 page does.
 */
export const importThrough = async (
  client: TTestClient,
  csrf: string,
  kind: string,
  file: Buffer | string,
  options: { commit?: 'skip' | 'stop'; fileName?: string; org?: string } = {},
) => {
  const fileName = options.fileName ?? `${kind}.xlsx`;
  const res = await client.app.request(
    `/api/imports?kind=${kind}&fileName=${encodeURIComponent(fileName)}${options.org ? `&org=${options.org}` : ''}`,
    {
      method: 'POST',
      headers: {
        Cookie: client.cookie,
        'X-CSRF-Token': csrf,
        'Content-Type': 'application/octet-stream',
      },
      body: typeof file === 'string' ? file : new Uint8Array(file),
    },
  );
  const up = (await res.json()) as { batch: { id: string }; jobId: string };
  if (res.status !== 202) throw new Error(`upload: ${res.status} ${JSON.stringify(up)}`);
  const checked = await waitJob(client, up.jobId);
  if (checked.status !== 'succeeded') throw new Error(`check: ${JSON.stringify(checked)}`);
  const batchId = up.batch.id;
  if (options.commit) {
    const c = await client.post(`/api/imports/${batchId}/commit`, { onError: options.commit });
    if (c.status !== 202) throw new Error(`commit: ${c.status} ${JSON.stringify(c.body)}`);
    const done = await waitJob(client, c.body.jobId);
    if (done.status !== 'succeeded') throw new Error(`commit job: ${JSON.stringify(done)}`);
  }
  const batch = (await client.get(`/api/imports/${batchId}`)).body;
  const issues = (await client.get(`/api/imports/${batchId}/issues?limit=500`)).body.items as {
    severity: string;
    sheet: string;
    row: number;
    column: string | null;
    message: string;
  }[];
  return { batchId, batch, issues };
};

/** Runs an export job as the client and returns the file's bytes. */
export const exportThrough = async (
  client: TTestClient,
  kind: 'roster' | 'staffing',
  body: Record<string, unknown>,
): Promise<Buffer> => {
  const started = await client.post(`/api/exports/${kind}`, body);
  if (started.status !== 202) throw new Error(`export: ${JSON.stringify(started.body)}`);
  const done = await waitJob(client, started.body.jobId);
  if (done.status !== 'succeeded') throw new Error(`export job: ${JSON.stringify(done)}`);
  const res = await client.app.request(`/api/exports/${started.body.jobId}/file`, {
    headers: { Cookie: client.cookie },
  });
  if (res.status !== 200) throw new Error(`download: ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
};
