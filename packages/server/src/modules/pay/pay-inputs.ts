import type { TCompiledPack, TWorkerInput } from '@shegong/policy';

// The engine's worker input from a registry record: the facts the packs read (title, years of
// community work, education, certificate, probation, the community's star rating, assessments,
// district). Nothing here knows a rule; the pack decides what each fact means.

/** A worker as the pay computation reads it (one row of `loadPayWorkers`). */
export type TPayWorkerRow = {
  id: string;
  name: string;
  postTitle: string | null;
  serviceStartedOn: string;
  priorService: { from: string; to: string }[] | null;
  educationLevel: string;
  educationRecognised: boolean;
  certificateLevel: string;
  certificateDate: string | null;
  birthDate: string;
  hiredOn: string | null;
  probationUntil: string | null;
  exitedOn: string | null;
  status: string;
  livesInCommunity: boolean;
  communityCode: string;
  orgPath: string;
  countyCode: string;
  /** Star rating of the community party organisation on the month's first day. */
  stars: number | null;
  /** Annual assessment results by year (`{ '2025': '合格' }`). */
  assessments: Record<string, string> | null;
  /** One-off amounts of the month from the archive (表彰奖励). */
  oneOffFen: number;
  /** The post (archive 任职) in force on the month's first day, if any. */
  postAtStart?: string | null;
  /** Posts taken inside the month (archive 任职 items starting after its first day). */
  postChanges?: { on: string; title: string }[] | null;
  /**
   * Education changes (archive 学历变动) dated after the month's first day, in date order, each
   * with the education held before it; the record holds the latest.
   */
  educationLater?: { on: string; level: string; recognised: boolean }[] | null;
  /**
   * Certificate changes (archive 证书变动) dated after the month's first day, in date order: the
   * new certificate and its day, and the one held before.
   */
  certificateLater?:
    | {
        on: string;
        level: string;
        date: string | null;
        previousLevel: string;
        previousDate: string | null;
      }[]
    | null;
};

/**
 * Education and certificate changes of the archive (学历变动、证书变动), in date order, as
 * `educationLater` and `certificateLater`: each with what was held before it.
 */
export const laterChanges = (
  items: readonly { kind: string; on: string; data: unknown }[],
): Pick<TPayWorkerRow, 'educationLater' | 'certificateLater'> => {
  const previous = (d: Record<string, unknown>) => (d.previous ?? {}) as Record<string, unknown>;
  const educationLater: NonNullable<TPayWorkerRow['educationLater']> = [];
  const certificateLater: NonNullable<TPayWorkerRow['certificateLater']> = [];
  for (const { kind, on, data } of items) {
    const d = data as Record<string, unknown>;
    if (kind === 'education')
      educationLater.push({
        on,
        level: String(previous(d).level),
        recognised: previous(d).recognised !== false,
      });
    else if (kind === 'certificate')
      certificateLater.push({
        on,
        level: String(d.level),
        date: (d.on as string | null) ?? null,
        previousLevel: String(previous(d).level),
        previousDate: (previous(d).on as string | null) ?? null,
      });
  }
  return { educationLater, certificateLater };
};

/**
 * The education in force on a date: the one held before the first change dated after it, or the
 * record's. A change dated inside a month applies from its day: a month is evaluated on its first
 * day (or the day of joining), so from the next month.
 */
const educationOn = (
  w: Pick<TPayWorkerRow, 'educationLevel' | 'educationRecognised' | 'educationLater'>,
  date: string,
): { level: string; recognised: boolean } => {
  const next = (w.educationLater ?? []).find((c) => c.on > date);
  return next
    ? { level: next.level, recognised: next.recognised }
    : { level: w.educationLevel, recognised: w.educationRecognised };
};

export const monthStart = (month: string) => `${month}-01`;

export const monthEnd = (month: string): string => {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return `${month}-${String(last).padStart(2, '0')}`;
};

export const previousMonth = (month: string): string => {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
};

export const hiredOnOf = (w: Pick<TPayWorkerRow, 'hiredOn' | 'serviceStartedOn'>) =>
  w.hiredOn ?? w.serviceStartedOn;

/**
 * The date a worker's month is evaluated on: the first day of the month, or the day of joining
 * when it falls inside the month (the worker's record on that day governs the month; a change of
 * the record in the middle of a month applies from the next month). A version of the pack that
 * starts inside the month is a different matter: the engine splits the month at it
 * (`registry.payMonth`).
 */
export const evalDateOf = (
  w: Pick<TPayWorkerRow, 'hiredOn' | 'serviceStartedOn'>,
  month: string,
) => {
  const hired = hiredOnOf(w);
  const first = monthStart(month);
  return hired > first && hired <= monthEnd(month) ? hired : first;
};

/**
 * The certificate a month is evaluated with, from its evaluation date: the record's, unless a
 * change is dated after that day — then, when the change falls after the month, the certificate
 * held before it (the whole month is before the change); inside the month, the new certificate
 * with its day and the one held before (`certificateBefore`), which the engine pays until the day
 * or for the whole month as the pack says (`pay-proration` recordChange).
 */
const certificateIn = (
  w: Pick<TPayWorkerRow, 'certificateLevel' | 'certificateDate' | 'certificateLater'>,
  evalOn: string,
): { level: string; date: string | null; before?: string } => {
  const next = (w.certificateLater ?? []).find((c) => c.on > evalOn);
  if (!next) return { level: w.certificateLevel, date: w.certificateDate };
  return next.on <= monthEnd(evalOn.slice(0, 7))
    ? { level: next.level, date: next.date, before: next.previousLevel }
    : { level: next.previousLevel, date: next.previousDate };
};

/**
 * The engine's education and certificate on a date, from the record and the changes dated after
 * it: what pay and the workflows read of them.
 */
export const recordFactsOn = (
  w: Pick<
    TPayWorkerRow,
    | 'educationLevel'
    | 'educationRecognised'
    | 'educationLater'
    | 'certificateLevel'
    | 'certificateDate'
    | 'certificateLater'
  >,
  date: string,
): Pick<
  TWorkerInput,
  'education' | 'educationRecognised' | 'certificate' | 'certificateOn' | 'certificateBefore'
> => {
  const education = educationOn(w, date);
  const certificate = certificateIn(w, date);
  return {
    education: education.level as TWorkerInput['education'],
    educationRecognised: education.recognised,
    certificate: certificate.level as TWorkerInput['certificate'],
    ...(certificate.date ? { certificateOn: certificate.date } : {}),
    ...(certificate.before && certificate.before !== '无'
      ? { certificateBefore: certificate.before as TWorkerInput['certificateBefore'] }
      : {}),
  };
};

/** Whether the month must be pro-rated (joining after its first day or leaving before its last). */
export const partMonth = (w: TPayWorkerRow, month: string): boolean => {
  const hired = hiredOnOf(w);
  return (
    (hired > monthStart(month) && hired <= monthEnd(month)) ||
    (w.exitedOn !== null && w.exitedOn >= monthStart(month) && w.exitedOn < monthEnd(month))
  );
};

/**
 * A worker who takes another post inside the month (not counting the post taken on joining): the
 * record on the evaluation date, with the post then held, and the posts taken after it, each
 * with its day. The engine splits the month at those days (`registry.payMonth`, records).
 */
export const postTimeline = (
  w: TPayWorkerRow,
  evalOn: string,
): { start: TPayWorkerRow; changes: { on: string; title: string }[] } | null => {
  const changes = w.postChanges ?? [];
  const later = changes.filter((c) => c.on > evalOn);
  if (later.length === 0) return null;
  const held = changes.filter((c) => c.on <= evalOn).at(-1)?.title ?? w.postAtStart ?? w.postTitle;
  return { start: { ...w, postTitle: held }, changes: later };
};

/** The engine's input for a worker on a date under a pack. */
export const workerPayInput = (
  w: TPayWorkerRow,
  pack: Pick<TCompiledPack, 'districts'>,
  evalOn: string,
  district: string | null,
): TWorkerInput => {
  const prior = (w.priorService ?? []).filter((p) => p.from && p.to);
  const input: TWorkerInput = {
    post: w.postTitle ?? '',
    ...(prior.length
      ? {
          servicePeriods: [
            ...prior.map((p) => ({ from: p.from, to: p.to })),
            { from: w.serviceStartedOn },
          ],
        }
      : { serviceStart: w.serviceStartedOn }),
    ...recordFactsOn(w, evalOn),
    birthDate: w.birthDate,
    hiredOn: hiredOnOf(w),
    localResident: w.livesInCommunity,
  };
  if (w.exitedOn) input.leftOn = w.exitedOn;
  // The registry's recorded end of probation, when it has one; otherwise the pack's months.
  if (w.probationUntil) input.probation = evalOn < w.probationUntil;
  if (w.stars !== null) input.stars = w.stars;
  if (w.assessments && Object.keys(w.assessments).length > 0) {
    input.assessments = w.assessments as TWorkerInput['assessments'];
    const last = w.assessments[String(Number(evalOn.slice(0, 4)) - 1)];
    if (last) input.assessment = last as TWorkerInput['assessment'];
  }
  if (district && pack.districts.includes(district)) input.district = district;
  return input;
};
