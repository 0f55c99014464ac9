import * as z from 'zod';
import type { TCompiledExpr } from '../expr/compile.ts';
import type { TWorkerInput } from '../inputs.ts';
import type { TDuration } from '../schema/common.ts';
import { serviceYears } from '../service-years.ts';
import type { TAlertLevel, TAlertValue } from '../types.ts';
import { addDays, addMonths, ageOn, dayNumber } from '../util/dates.ts';
import { formatFen } from '../util/decimal.ts';
import { resolvePost, type TCompileCtx, type TPostRef, type TRuleEntryOf } from './context.ts';
import { type TGradeProgram, WORKER_EXPR_NAMES, workerEnv } from './grade.ts';
import { step, type TTraceSink } from './trace.ts';

type TAlertEntry = TRuleEntryOf<'alert'>;
export type TAlertProgram = {
  ctx: TCompileCtx;
  grade: TGradeProgram;
  alerts: {
    entry: TAlertEntry;
    applies: (p: TPostRef) => boolean;
    when: TCompiledExpr | null;
    unless: TCompiledExpr | null;
    num: Record<string, number>;
  }[];
};

export const ALERT_EXPR_NAMES = [...WORKER_EXPR_NAMES, 'ageAtHire'];

/** Compiles the alert rules. */
export const compileAlerts = (ctx: TCompileCtx, grade: TGradeProgram): TAlertProgram => ({
  ctx,
  grade,
  alerts: ctx.rules('alert').map((e) => {
    const r = e.rule;
    const num: Record<string, number> = {};
    if (r.check === 'annual-minimum')
      num.min = ctx.ref(e, ['min'], r.min, z.number().positive(), 'number');
    if (r.check === 'secondment') {
      if (r.maxMonths !== undefined)
        num.maxMonths = ctx.ref(
          e,
          ['maxMonths'],
          r.maxMonths,
          z.number().int().positive(),
          'number',
        );
      if (r.maxCount !== undefined)
        num.maxCount = ctx.ref(e, ['maxCount'], r.maxCount, z.number().int().positive(), 'number');
    }
    return {
      entry: e,
      applies: ctx.who(e, r.who),
      when: r.when ? ctx.expr(e, ['when'], r.when, ALERT_EXPR_NAMES) : null,
      unless:
        r.check === 'deadline' && r.unless
          ? ctx.expr(e, ['unless'], r.unless, ALERT_EXPR_NAMES)
          : null,
      num,
    };
  }),
});

const addDuration = (date: string, d: TDuration): string =>
  addDays(addMonths(date, (d.years ?? 0) * 12 + (d.months ?? 0)), d.days ?? 0);
const subDuration = (date: string, d: TDuration): string =>
  addDays(addMonths(date, -((d.years ?? 0) * 12 + (d.months ?? 0))), -(d.days ?? 0));
const durText = (d: TDuration): string =>
  `${d.years ? `${d.years}年` : ''}${d.months ? `${d.months}个月` : ''}${d.days ? `${d.days}天` : ''}`;

/** Level of a dated obligation: overdue after the date, upcoming inside the lead window. */
const levelFor = (date: string, dueOn: string, lead: TDuration): TAlertLevel | null => {
  if (date > dueOn) return 'overdue';
  if (date >= subDuration(dueOn, lead)) return 'upcoming';
  return null;
};

const daysBetween = (a: string, b: string): number => dayNumber(b) - dayNumber(a);

/** Alerts for a worker on the compiled date: training, certificates, contracts, assessments, secondments, honours. */
export const evaluateAlerts = (
  prog: TAlertProgram,
  input: TWorkerInput,
  date: string,
  t: TTraceSink,
): TAlertValue[] => {
  const ctx = prog.ctx;
  const post = resolvePost(ctx.pack, input.post);
  const out: TAlertValue[] = [];
  const periods =
    input.servicePeriods ?? (input.serviceStart ? [{ from: input.serviceStart }] : []);
  const totalYears = input.years ?? (periods.length ? serviceYears(periods, date) : undefined);
  const env = workerEnv(prog.grade, input, post, { years: totalYears });
  env.age = input.birthDate ? ageOn(input.birthDate, date) : null;
  env.ageAtHire = input.birthDate && input.hiredOn ? ageOn(input.birthDate, input.hiredOn) : null;
  const emit = (
    a: TAlertEntry,
    level: TAlertLevel,
    message: string,
    dueOn: string | null,
    inputs: Record<string, unknown>,
  ): void => {
    out.push({ rule: a.rule.id, kind: a.rule.kind, level, message, dueOn, source: a.rule.source });
    step(t, a, inputs, { level, dueOn }, message);
  };
  const LEVEL_TEXT: Record<TAlertLevel, string> = {
    info: '提示',
    upcoming: '即将到期',
    due: '到期',
    overdue: '已逾期',
  };

  for (const a of prog.alerts) {
    const r = a.entry.rule;
    if (!a.applies(post)) continue;
    if (a.when && a.when.run(env) !== true) continue;
    switch (r.check) {
      case 'recurring': {
        const dates =
          r.of === '培训' ? (input.trainings ?? []).map((x) => x.on) : (input.events?.[r.of] ?? []);
        const last = dates
          .filter((d) => d <= date)
          .sort()
          .pop();
        const anchor = last ?? input.hiredOn ?? input.serviceStart;
        const dueOn = anchor ? addDuration(anchor, r.every) : date;
        const level = anchor ? levelFor(date, dueOn, r.lead) : 'due';
        if (level) {
          const head = `${r.description}：每${durText(r.every)}一次`;
          const tail = last ? `，上次${last}` : anchor ? `，${anchor}入职后尚无记录` : '，尚无记录';
          emit(
            a.entry,
            level,
            `${head}${tail}，应于${dueOn}前完成（${LEVEL_TEXT[level]}）`,
            dueOn,
            { last: last ?? null, every: r.every },
          );
        }
        break;
      }
      case 'annual-minimum': {
        const min = a.num.min as number;
        const unit = r.measure === 'days' ? '天' : r.measure === 'hours' ? '课时' : '次';
        const sumFor = (year: string): number =>
          r.of === '培训'
            ? (input.trainings ?? [])
                .filter((x) => x.on.startsWith(year))
                .reduce(
                  (s, x) =>
                    s +
                    (r.measure === 'hours'
                      ? (x.hours ?? (x.days ?? 0) * 8)
                      : r.measure === 'days'
                        ? (x.days ?? 0)
                        : 1),
                  0,
                )
            : (input.events?.[r.of] ?? []).filter((d) => d.startsWith(year)).length;
        const year = date.slice(0, 4);
        const prev = String(Number(year) - 1);
        const start = input.hiredOn ?? input.serviceStart;
        if (!start || start <= `${prev}-01-01`) {
          const done = sumFor(prev);
          if (done < min)
            emit(
              a.entry,
              'overdue',
              `${r.description}：${prev}年度${done}${unit}，不足${min}${unit}`,
              `${prev}-12-31`,
              { year: prev, done, min },
            );
        }
        const done = sumFor(year);
        if (done < min && (!start || start <= `${year}-01-01`)) {
          const yearEnd = `${year}-12-31`;
          const level = levelFor(date, yearEnd, r.lead) ?? 'info';
          emit(
            a.entry,
            level,
            `${r.description}：${year}年度已${done}${unit}，还需${min - done}${unit}，截至${yearEnd}`,
            yearEnd,
            { year, done, min },
          );
        }
        break;
      }
      case 'deadline': {
        const from = input[r.from];
        if (!from) break;
        if (a.unless && a.unless.run(env) === true) break;
        const dueOn = addDays(addDuration(from, r.after), -1);
        const level = levelFor(date, dueOn, r.lead);
        if (level === 'overdue' && r.dropAfter && date > addDuration(dueOn, r.dropAfter)) break;
        if (level) {
          const when =
            level === 'overdue'
              ? `已于${dueOn}到期`
              : `将于${dueOn}到期（还有${daysBetween(date, dueOn)}天）`;
          emit(
            a.entry,
            level,
            `${r.description}：自${from}起${durText(r.after)}内，${when}${r.consequence ? `；${r.consequence}` : ''}`,
            dueOn,
            { [r.from]: from, after: r.after },
          );
        }
        break;
      }
      case 'date-field': {
        const dueOn = input[r.field];
        if (!dueOn) break;
        const level = levelFor(date, dueOn, r.lead);
        if (level === 'overdue' && r.dropAfter && date > addDuration(dueOn, r.dropAfter)) break;
        if (level)
          emit(
            a.entry,
            level,
            `${r.description}：${level === 'overdue' ? `已于${dueOn}届满` : `将于${dueOn}届满（还有${daysBetween(date, dueOn)}天）`}`,
            dueOn,
            { [r.field]: dueOn },
          );
        break;
      }
      case 'consecutive': {
        const years = Object.keys(input.assessments ?? {})
          .filter((y) => y < date.slice(0, 4) || y === date.slice(0, 4))
          .sort();
        let run = 0;
        for (let i = years.length - 1; i >= 0; i--) {
          const y = years[i] as string;
          const next = years[i + 1];
          if (next && Number(next) !== Number(y) + 1) break;
          if (
            !r.results.includes(
              (input.assessments as Record<string, (typeof r.results)[number]>)[
                y
              ] as (typeof r.results)[number],
            )
          )
            break;
          run++;
        }
        const latest = years[years.length - 1];
        if (run >= r.count)
          emit(
            a.entry,
            'overdue',
            `${r.description}：已连续${run}年（至${latest}年度）考核为${r.results.join('/')}；${r.consequence}`,
            null,
            { assessments: input.assessments },
          );
        else if (run > 0 && run === r.count - 1)
          emit(
            a.entry,
            'upcoming',
            `${r.description}：${latest}年度考核为${r.results.join('/')}，如下一年度仍为${r.results.join('/')}，${r.consequence}`,
            null,
            { assessments: input.assessments },
          );
        break;
      }
      case 'secondment': {
        const list = input.secondments ?? [];
        const maxMonths = a.num.maxMonths;
        const maxCount = a.num.maxCount;
        for (const s of list) {
          if (s.from > date) continue;
          if (s.approved === false) {
            emit(a.entry, 'overdue', `${r.description}：${s.from}起的借调未经批准`, null, {
              from: s.from,
              approved: false,
            });
          }
          if (maxMonths === undefined) continue;
          const dueOn = addDays(addMonths(s.from, maxMonths), -1);
          const active = !s.to || s.to >= date;
          if (active) {
            const level = levelFor(date, dueOn, r.lead);
            if (level)
              emit(
                a.entry,
                level,
                `${r.description}：${s.from}起借调/挂职，不得超过${maxMonths}个月，${level === 'overdue' ? `已于${dueOn}超期` : `应于${dueOn}前结束`}`,
                dueOn,
                { from: s.from, to: s.to ?? null, maxMonths },
              );
          } else if (s.to && s.to > dueOn) {
            emit(
              a.entry,
              'info',
              `${r.description}：${s.from}至${s.to}的借调/挂职超过${maxMonths}个月`,
              dueOn,
              { from: s.from, to: s.to, maxMonths },
            );
          }
        }
        const count = list.filter((s) => s.from <= date).length;
        if (maxCount !== undefined && count >= maxCount) {
          emit(
            a.entry,
            count > maxCount ? 'overdue' : 'info',
            `${r.description}：已挂职${count}次，累计不得超过${maxCount}次${count === maxCount ? '，不能再安排' : ''}`,
            null,
            { count, maxCount },
          );
        }
        break;
      }
      case 'milestone': {
        let start: string | undefined;
        if (r.basis === 'in-post') start = input.postStartOn;
        else if (r.basis === 'continuous')
          start = [...periods].sort((x, y) => (x.from < y.from ? -1 : 1)).pop()?.from;
        let years: number | undefined;
        let reachOn = (n: number): string | null => (start ? addMonths(start, 12 * n) : null);
        if (r.basis === 'total' && periods.length) {
          years = serviceYears(periods, date);
          // The day the total reaches n years: search forward month by month (bounded).
          reachOn = (n: number): string | null => {
            let d = periods.map((p) => p.from).sort()[0] as string;
            for (let i = 0; i < 12 * 80 && serviceYears(periods, d) < n; i++) d = addMonths(d, 1);
            while (serviceYears(periods, addDays(d, -1)) >= n) d = addDays(d, -1);
            return serviceYears(periods, d) >= n ? d : null;
          };
        } else if (start) years = serviceYears([{ from: start }], date);
        else if (input.years !== undefined && r.basis !== 'in-post') years = input.years;
        if (years === undefined) break;
        for (const th of r.thresholds) {
          const on = reachOn(th.years);
          const what = `${th.award}${th.amount ? `（${formatFen(th.amount)}）` : ''}`;
          const basisText =
            r.basis === 'in-post'
              ? '连续任职本岗位'
              : r.basis === 'continuous'
                ? '在社区连续工作'
                : '社区工作累计';
          if (years >= th.years) {
            const recent = !on || on > addMonths(date, -12);
            emit(
              a.entry,
              recent ? 'due' : 'info',
              `${r.description}：${basisText}已满${th.years}年${on ? `（${on}）` : ''}，${what}`,
              on,
              { years, threshold: th.years },
            );
          } else if (on && levelFor(date, on, r.lead) === 'upcoming') {
            emit(
              a.entry,
              'upcoming',
              `${r.description}：将于${on}${basisText}满${th.years}年，届时${what}`,
              on,
              { years, threshold: th.years },
            );
          }
        }
        break;
      }
      case 'expr':
        emit(a.entry, r.level, r.message, null, { when: r.when ?? null });
        break;
    }
  }
  if (out.length === 0)
    step(t, { id: 'alerts', source: ctx.pack.node.file.name }, {}, [], '当日没有需要提醒的事项');
  return out;
};
