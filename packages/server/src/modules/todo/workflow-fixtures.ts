import { idNumberCheckChar } from '@shegong/shared';
import type { TTestClient } from '../../testing/test-app.ts';

// Helpers of the workflow tests: workers registered through the API, with the archive items a
// test needs, so that every test reads the records as users write them.

let seq = 0;
/** A valid 身份证号 of a person born on the date (county 640104 unless given). */
export const testIdNumber = (birth = '1990-03-07', county = '640104') => {
  const first17 = `${county}${birth.replaceAll('-', '')}${String(100 + (seq++ % 800)).padStart(3, '0')}`;
  return first17 + idNumberCheckChar(first17);
};

export const registerWorker = async (
  client: TTestClient,
  fields: Record<string, unknown> & { communityCode: string },
): Promise<string> => {
  const res = await client.post('/api/workers', {
    name: '测试人员',
    idNumber: testIdNumber(
      typeof fields.birth === 'string' ? fields.birth : '1990-03-07',
      String(fields.communityCode).slice(0, 6),
    ),
    educationLevel: '大专',
    serviceStartedOn: '2018-05-01',
    postTitle: '网格员',
    ...Object.fromEntries(Object.entries(fields).filter(([k]) => k !== 'birth')),
  });
  if (res.status !== 201) throw new Error(`register failed: ${JSON.stringify(res.body)}`);
  return res.body.id as string;
};

export const addArchive = async (
  client: TTestClient,
  workerId: string,
  item: Record<string, unknown>,
) => {
  const res = await client.post(`/api/workers/${workerId}/archive`, item);
  if (res.status !== 201) throw new Error(`archive failed: ${JSON.stringify(res.body)}`);
  return res.body.id as string;
};

export const assess = (client: TTestClient, workerId: string, year: number, grade: string) =>
  addArchive(client, workerId, {
    kind: 'assessment',
    startOn: `${year}-12-31`,
    data: { year, grade },
  });
