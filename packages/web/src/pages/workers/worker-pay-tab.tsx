import { QuestionCircleOutlined } from '@ant-design/icons';
import type { TPayExplanation, TPayLineView } from '@shegong/shared';
import { useQuery } from '@tanstack/react-query';
import {
  Alert,
  Button,
  Collapse,
  Descriptions,
  Drawer,
  Empty,
  Space,
  Spin,
  Table,
  Tag,
  Typography,
} from 'antd';
import { useState } from 'react';
import { apiGet } from '../../api/client.ts';
import { DateInput } from '../../components/date-input.tsx';
import { TraceView, type TTraceStep } from '../../components/trace-view.tsx';
import { currentMonth, yuanText } from '../pay/pay-format.ts';
import { PayParts, type TPayPartView } from '../pay/pay-parts.tsx';

// 薪酬 of one worker for a month, as the 工资发放表 would compute it now (GET /api/pay/workers/:id,
// nothing written): grade, coefficient, base, performance, allowances, probation pay and the
// month's payable amount, each with its "为什么" — the engine's trace steps for that figure, with
// the clauses they come from, and the whole computation below.

type TPayValue = {
  post: string;
  title: string | null;
  years: number | null;
  probation: boolean;
  grade: number | null;
  baseGrade: number | null;
  bumps: number;
  coefficient: string | null;
  basePayFen: number;
  performanceFen: number;
  performancePeriod: 'month' | 'year' | null;
  allowances: { rule: string; name: string; amountFen: number; period: 'month' | 'year' }[];
  floorTopUpFen: number;
  protectedFen: number;
  pensionOffsetFen: number;
  monthlyTotalFen: number;
  annualLumpSumFen: number;
  paidDays: number;
  monthDays: number;
  payableFen: number;
  /** Present when a version of the pack starting inside the month changed the figures. */
  parts?: TPayPartView[];
};

type TWorkerPay = { line: TPayLineView; explanation: TPayExplanation };
type TPackRules = { rules: { id: string; shape: string }[] };

const GRADE_SHAPES = [
  'service-years',
  'grade-by-years',
  'grade-by-promotion',
  'grade-by-expr',
  'grade-bump',
  'grade-bump-limits',
  'probation',
];

type TFigure = {
  key: string;
  label: string;
  value: React.ReactNode;
  /** Rule shapes (and non-rule step ids) whose steps explain the figure. */
  shapes: string[];
};

const per = (p: 'month' | 'year' | null) => (p === 'year' ? '/年（一次性发放）' : '/月');

const figuresOf = (v: TPayValue, line: TPayLineView): TFigure[] => [
  {
    key: 'grade',
    label: '岗位等级',
    value:
      v.grade !== null
        ? `${v.grade}级（${v.post}${v.title ? ` · ${v.title}` : ''}，工作年限${v.years ?? '—'}年）`
        : `不定级（${v.post}${v.probation ? '，试用期' : ''}）`,
    shapes: ['posts', ...GRADE_SHAPES],
  },
  {
    key: 'coefficient',
    label: '等级系数',
    value: v.coefficient ?? '—',
    shapes: ['posts', ...GRADE_SHAPES, 'grade-coefficients'],
  },
  {
    key: 'base',
    label: '基本薪酬',
    value: `${yuanText(v.basePayFen)}/月${
      v.pensionOffsetFen ? `（扣除退休金后实发${yuanText(v.basePayFen - v.pensionOffsetFen)}）` : ''
    }`,
    shapes: ['grade-coefficients', 'pay-base', 'probation', 'pay-protection'],
  },
  {
    key: 'performance',
    label: '绩效薪酬',
    value: v.performancePeriod
      ? `${yuanText(v.performanceFen)}${per(v.performancePeriod)}`
      : v.probation
        ? '试用期不发'
        : '无',
    shapes: ['pay-performance', 'probation'],
  },
  {
    key: 'allowances',
    label: '津贴补贴',
    value:
      v.allowances.length || line.oneOffFen
        ? [
            ...v.allowances.map((a) => `${a.name} ${yuanText(a.amountFen)}${per(a.period)}`),
            ...(line.oneOffFen ? [`一次性奖励 ${yuanText(line.oneOffFen)}`] : []),
          ].join('；')
        : '无',
    shapes: ['pay-allowance', 'archive-reward'],
  },
  {
    key: 'probation',
    label: '试用期薪酬',
    value: v.probation
      ? `试用期：基本薪酬 ${yuanText(v.basePayFen)}/月${v.performancePeriod ? '' : '，不发绩效'}`
      : '不在试用期',
    shapes: ['probation'],
  },
  {
    key: 'monthly',
    label: '月度合计',
    value: `${yuanText(v.monthlyTotalFen)}/月${
      v.parts
        ? `（${v.parts[0]?.noPolicy ? '政策施行日标准' : '月初标准'}；${v.parts
            .map((p) =>
              p.noPolicy
                ? `${p.from.slice(5)}起无适用政策`
                : `${p.from.slice(5)}起${yuanText(p.monthlyTotalFen)}`,
            )
            .join('，')}）`
        : ''
    }${v.annualLumpSumFen ? `；另按年一次性发放 ${yuanText(v.annualLumpSumFen)}` : ''}`,
    shapes: [
      'version-part',
      'pay-base',
      'pay-performance',
      'pay-allowance',
      'pay-floor',
      'pay-protection',
      'total',
    ],
  },
  {
    key: 'payable',
    label: '本月应发',
    value: `${yuanText(line.payableFen)}（在岗${v.paidDays}/${v.monthDays}天${
      v.parts
        ? v.parts.some((p) => p.noPolicy)
          ? `，其中${v.parts
              .filter((p) => p.noPolicy)
              .map((p) => `${p.from.slice(5)}至${p.to.slice(5)}`)
              .join('、')}无适用政策、不计发`
          : `，按政策版本分${v.parts.length}段计算`
        : ''
    }）`,
    shapes: ['pay-proration', 'month', 'total', 'archive-reward', 'version-part', 'no-policy'],
  },
];

export const WorkerPayTab = ({ workerId }: { workerId: string }) => {
  const [month, setMonth] = useState(currentMonth);
  const [why, setWhy] = useState<TFigure | null>(null);
  const pay = useQuery({
    queryKey: ['worker-pay', workerId, month],
    queryFn: () => apiGet<TWorkerPay>(`/api/pay/workers/${workerId}?month=${month}`),
  });
  const e = pay.data?.explanation;
  // The shapes of the pack's rules, to pick out the steps of each figure.
  const pack = useQuery({
    queryKey: ['policy-pack-rules', e?.packId, e?.evalOn],
    queryFn: () => apiGet<TPackRules>(`/api/policy/packs/${e!.packId}?date=${e!.evalOn}`),
    enabled: !!e?.packId,
    staleTime: 600_000,
  });
  const v = e?.value as TPayValue | null | undefined;
  const figures = v && pay.data ? figuresOf(v, pay.data.line) : [];
  const shapeOf = new Map((pack.data?.rules ?? []).map((r) => [r.id, r.shape]));
  const trace: TTraceStep[] = e?.trace ?? [];
  const stepsOf = (f: TFigure) =>
    pack.data ? trace.filter((s) => f.shapes.includes(shapeOf.get(s.rule) ?? s.rule)) : trace;

  return (
    <Space orientation="vertical" style={{ width: '100%' }} data-testid="worker-pay">
      <Space wrap>
        <label htmlFor="worker-pay-month">月份</label>
        <div style={{ width: 150 }}>
          <DateInput
            id="worker-pay-month"
            picker="month"
            value={`${month}-01`}
            onChange={(d) => d && setMonth(d.slice(0, 7))}
          />
        </div>
        {e && (
          <Typography.Text type="secondary">
            {e.packName ?? e.packId ?? '未设置政策包'}，按 {e.evalOn} 的档案试算（不写入）
          </Typography.Text>
        )}
      </Space>
      {pay.error && <Alert type="error" title={pay.error.message} showIcon />}
      {pay.isLoading && <Spin />}
      {e?.error && <Alert type="warning" title={`未核定：${e.error}`} showIcon />}
      {e && !v && !e.error && <Empty description="本月无薪酬数据" />}
      {figures.length > 0 && (
        <Table<TFigure>
          data-testid="worker-pay-figures"
          rowKey="key"
          size="small"
          pagination={false}
          dataSource={figures}
          columns={[
            { title: '项目', dataIndex: 'label', width: 110 },
            { title: '金额 / 结果', dataIndex: 'value' },
            {
              title: '依据',
              width: 90,
              render: (_, f) => (
                <Button
                  size="small"
                  type="link"
                  icon={<QuestionCircleOutlined />}
                  aria-label={`${f.label}的计算依据`}
                  onClick={() => setWhy(f)}
                >
                  为什么
                </Button>
              ),
            },
          ]}
        />
      )}
      {v && <PayParts parts={v.parts} monthDays={v.monthDays} />}
      <Drawer
        title={why ? `为什么：${why.label}` : '为什么'}
        open={!!why}
        onClose={() => setWhy(null)}
        size="large"
        data-testid="worker-pay-explain"
      >
        {why && e && (
          <>
            <Descriptions size="small" column={1} bordered style={{ marginBottom: 16 }}>
              <Descriptions.Item label={why.label}>{why.value}</Descriptions.Item>
              <Descriptions.Item label="政策包">{e.packName ?? e.packId ?? '—'}</Descriptions.Item>
              <Descriptions.Item label="计算日期">{e.evalOn}</Descriptions.Item>
            </Descriptions>
            {(why.key === 'payable' || why.key === 'monthly') && (
              <PayParts parts={v?.parts} monthDays={v?.monthDays ?? 0} />
            )}
            {stepsOf(why).length > 0 ? (
              <TraceView trace={stepsOf(why)} />
            ) : (
              <Empty description="本项没有适用的规则（政策包未规定）" />
            )}
            <Collapse
              size="small"
              items={[
                {
                  key: 'all',
                  label: (
                    <span>
                      完整计算过程 <Tag>{trace.length}步</Tag>
                    </span>
                  ),
                  children: <TraceView trace={trace} />,
                },
              ]}
            />
          </>
        )}
      </Drawer>
    </Space>
  );
};
