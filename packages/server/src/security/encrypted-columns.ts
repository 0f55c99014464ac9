/**
 * Every encrypted column of the schema, with the blind index computed from it. `shegong rekey`
 * re-encrypts exactly these: a feature that adds an encrypted column lists it here (a test
 * checks that every `*_cipher` column of the database is listed).
 */
export type TEncryptedColumn = {
  table: string;
  /**
   * The primary key, walked in order so a rekey can resume where it stopped; the SQL type of
   * each column casts the saved cursor back.
   */
  key: readonly { column: string; type: 'uuid' | 'integer' | 'bigint' | 'text' }[];
  cipher: string;
  /** Blind index of the same value, recomputed under the new key; none when not searchable. */
  hash?: string;
};

const uuidKey = [{ column: 'id', type: 'uuid' }] as const;
const stageKey = [
  { column: 'batch_id', type: 'uuid' },
  { column: 'seq', type: 'integer' },
] as const;

export const ENCRYPTED_COLUMNS: readonly TEncryptedColumn[] = [
  { table: 'worker', key: uuidKey, cipher: 'id_number_cipher', hash: 'id_number_hash' },
  { table: 'worker', key: uuidKey, cipher: 'phone_cipher', hash: 'phone_hash' },
  // Import staging and the uploaded file (kept until the batch is applied or discarded).
  {
    table: 'import_stage_worker',
    key: stageKey,
    cipher: 'id_number_cipher',
    hash: 'id_number_hash',
  },
  { table: 'import_stage_worker', key: stageKey, cipher: 'phone_cipher', hash: 'phone_hash' },
  { table: 'import_file', key: [{ column: 'batch_id', type: 'uuid' }], cipher: 'content_cipher' },
  // Applicants of recruitment campaigns (招聘报名).
  {
    table: 'recruitment_application',
    key: uuidKey,
    cipher: 'id_number_cipher',
    hash: 'id_number_hash',
  },
  { table: 'recruitment_application', key: uuidKey, cipher: 'phone_cipher' },
];

export const columnKey = (c: TEncryptedColumn): string => `${c.table}.${c.cipher}`;
