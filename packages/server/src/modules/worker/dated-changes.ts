// The facts of a worker record that pay reads by date (学历, 社工证): a change of either is kept
// in the archive with its day and what was held before, so a month before the day is paid on
// the old one (pay-inputs.ts, laterChanges / recordFactsOn). A worker change and a roster import
// write them alike.

/** The record's fields the archive dates. */
export type TDatedFields = {
  educationLevel: string;
  educationRecognised: boolean;
  educationMajor: string | null;
  certificateLevel: string;
  certificateDate: string | null;
};

/**
 * The archive items a change of the record brings: 学历变动 from `on` (the change's effective
 * day), 证书变动 from the new certificate's day (or `on` without one), each with what was held
 * before.
 */
export const datedChangeItems = (
  before: TDatedFields,
  after: TDatedFields,
  on: string,
): { kind: 'education' | 'certificate'; startOn: string; data: Record<string, unknown> }[] => {
  const items: ReturnType<typeof datedChangeItems> = [];
  const education = (w: TDatedFields) => ({
    level: w.educationLevel,
    recognised: w.educationRecognised,
    major: w.educationMajor ?? null,
  });
  if (
    before.educationLevel !== after.educationLevel ||
    before.educationRecognised !== after.educationRecognised ||
    (before.educationMajor ?? null) !== (after.educationMajor ?? null)
  )
    items.push({
      kind: 'education',
      startOn: on,
      data: { ...education(after), previous: education(before) },
    });
  const certificate = (w: TDatedFields) => ({
    level: w.certificateLevel,
    on: w.certificateDate ?? null,
  });
  if (
    before.certificateLevel !== after.certificateLevel ||
    (before.certificateDate ?? null) !== (after.certificateDate ?? null)
  )
    items.push({
      kind: 'certificate',
      startOn: after.certificateDate ?? on,
      data: { ...certificate(after), previous: certificate(before) },
    });
  return items;
};
