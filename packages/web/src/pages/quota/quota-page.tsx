import { QuestionCircleOutlined } from '@ant-design/icons';
import {
  ORG_LEVEL_LABELS,
  TITLE_GROUPS,
  type TQuotaRow,
  type TQuotaView,
  todayIso,
} from '@shegong/shared';
import { useQuery } from '@tanstack/react-query';
import {
  Alert,
  Breadcrumb,
  Button,
  Card,
  Col,
  Row,
  Space,
  Spin,
  Statistic,
  Table,
  Tag,
  Tooltip,
  Typography,
} from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useMemo, useState } from 'react';
import { useNavigate, useParams, useSearchParams } from 'react-router';
import { apiGet } from '../../api/client.ts';
import { useAuth } from '../../auth.tsx';
import { DateInput } from '../../components/date-input.tsx';
import { EChart } from '../../components/echart.tsx';
import { rangeText } from '../pay/pay-format.ts';
import { ExportJobButton } from './export-job-button.tsx';
import { QuotaExplainDrawer } from './quota-explain-drawer.tsx';

const STATUS_COLOR: Record<string, string> = {
  缺配: 'red',
  超配: 'orange',
  符合: 'green',
  未核定: 'default',
};

/** A figure that opens its explanation. */
const Why = ({
  children,
  onClick,
  label,
}: {
  children: React.ReactNode;
  onClick: () => void;
  label: string;
}) => (
  <Tooltip title="点击查看依据（为什么）">
    <Button type="link" size="small" style={{ padding: 0 }} onClick={onClick} aria-label={label}>
      {children}
    </Button>
  </Tooltip>
);

const remainderText = (r: TQuotaRow['remainder']) => {
  if (!r) return '—';
  if (r.max === null) return `${r.min > 0 ? '+' : ''}${r.min}以上`;
  if (r.min === r.max) return `${r.min > 0 ? '+' : ''}${r.min}`;
  return `${r.min > 0 ? '+' : ''}${r.min} 至 ${r.max > 0 ? '+' : ''}${r.max}`;
};

const chartOption = (rows: TQuotaRow[]) => ({
  tooltip: { trigger: 'axis' },
  legend: { data: ['核定下限', '核定上限', '实有人数'] },
  grid: { left: 60, right: 20, top: 40, bottom: 60 },
  xAxis: {
    type: 'category',
    data: rows.map((r) => r.name),
    axisLabel: { interval: 0, rotate: rows.length > 8 ? 30 : 0 },
  },
  yAxis: { type: 'value', name: '人' },
  series: [
    {
      name: '核定下限',
      type: 'bar',
      data: rows.map((r) => ({ value: r.quota?.min ?? 0, code: r.code })),
    },
    {
      name: '核定上限',
      type: 'bar',
      data: rows.map((r) => ({ value: r.quota?.max ?? r.quota?.min ?? 0, code: r.code })),
    },
    { name: '实有人数', type: 'bar', data: rows.map((r) => ({ value: r.actual, code: r.code })) },
  ],
});

/**
 * 职数核定: a node's quota under the packs that govern its communities on a date, with its
 * children (drill down to the community), over- and under-staffed communities highlighted, every
 * quota figure opening its explanation, and the 配备明细表 export.
 */
export const QuotaPage = () => {
  const { me } = useAuth();
  const params = useParams();
  const navigate = useNavigate();
  const [search, setSearch] = useSearchParams();
  const code = params.code ?? me?.orgCode ?? '';
  const date = search.get('date') ?? todayIso();
  const [explain, setExplain] = useState<string | null>(null);
  const query = useQuery({
    queryKey: ['quota', code, date],
    queryFn: () => apiGet<TQuotaView>(`/api/quota/${code}?date=${date}`),
    enabled: code !== '',
  });
  // The pack by its name (「银川市推进…实施意见（试行）」), the id in a tooltip.
  const packs = useQuery({
    queryKey: ['policy-packs'],
    queryFn: () => apiGet<{ items: Array<{ id: string; name: string }> }>('/api/policy/packs'),
    retry: false,
  });
  const drill = (child: string) => navigate(`/quota/${child}?date=${date}`);
  const v = query.data;
  const lineNames = useMemo(() => {
    const names: { name: string; inTotal: boolean; within: string | null; reserved: boolean }[] =
      [];
    for (const r of v?.children ?? []) {
      for (const l of r.lines) if (!names.some((n) => n.name === l.name)) names.push(l);
    }
    return names;
  }, [v]);
  if (query.error) return <Alert type="error" title={query.error.message} showIcon />;
  if (!v) return <Spin tip="核定中…" />;
  const n = v.node;
  const childLevel = v.children[0] ? ORG_LEVEL_LABELS[v.children[0].level] : '下级';
  const columns: ColumnsType<TQuotaRow> = [
    {
      title: childLevel,
      dataIndex: 'name',
      fixed: 'left',
      render: (name: string, r) => (
        <a
          href={`/quota/${r.code}?date=${date}`}
          onClick={(e) => {
            e.preventDefault();
            drill(r.code);
          }}
        >
          {name}
        </a>
      ),
    },
    ...(v.children[0]?.level === 'community'
      ? []
      : [{ title: '社区数', dataIndex: 'communities', width: 80 } as const]),
    { title: '常住户数', dataIndex: 'households', width: 90 },
    { title: '常住人口', dataIndex: 'residents', width: 90 },
    {
      title: '核定职数',
      key: 'quota',
      width: 100,
      render: (_: unknown, r: TQuotaRow) => (
        <Why onClick={() => setExplain(r.code)} label={`${r.name}核定职数的依据`}>
          {rangeText(r.quota)}
        </Why>
      ),
    },
    ...lineNames.map((l) => ({
      title: (
        <Tooltip
          title={
            [
              l.within ? `含于${l.within}` : null,
              l.inTotal ? null : '不计入合计',
              l.reserved ? '预留岗位' : null,
            ]
              .filter(Boolean)
              .join('，') || '计入合计'
          }
        >
          <span>
            {l.name}
            {!l.inTotal || l.within ? '*' : ''}
          </span>
        </Tooltip>
      ),
      key: `line-${l.name}`,
      width: 100,
      render: (_: unknown, r: TQuotaRow) => {
        const x = r.lines.find((y) => y.name === l.name);
        return x ? (
          <Why onClick={() => setExplain(r.code)} label={`${r.name}${l.name}的依据`}>
            {rangeText(x)}
          </Why>
        ) : (
          '—'
        );
      },
    })),
    { title: '实有人数', dataIndex: 'actual', width: 80 },
    {
      title: '差额（核定−实有）',
      key: 'remainder',
      width: 120,
      render: (_: unknown, r: TQuotaRow) => remainderText(r.remainder),
    },
    {
      title: '配备情况',
      key: 'status',
      width: 150,
      render: (_: unknown, r: TQuotaRow) =>
        r.status ? (
          <Tooltip title={r.note ?? undefined}>
            <Tag color={STATUS_COLOR[r.status]}>{r.status}</Tag>
          </Tooltip>
        ) : (
          <Space size={4} wrap>
            {r.short > 0 && <Tag color="red">缺配{r.short}</Tag>}
            {r.over > 0 && <Tag color="orange">超配{r.over}</Tag>}
            {r.open > 0 && <Tag>未核定{r.open}</Tag>}
            {r.short + r.over + r.open === 0 && <Tag color="green">符合</Tag>}
          </Space>
        ),
    },
    {
      title: '缺网格员的网格',
      key: 'grids',
      width: 110,
      render: (_: unknown, r: TQuotaRow) => `${r.gridsWithoutWorker} / ${r.grids}`,
    },
  ];

  return (
    <Space orientation="vertical" size={16} style={{ width: '100%' }}>
      <Card size="small">
        <Breadcrumb
          items={v.ancestors.map((a, i) => ({
            title:
              i === v.ancestors.length - 1 ? (
                a.name
              ) : (
                <a
                  href={`/quota/${a.code}?date=${date}`}
                  onClick={(e) => {
                    e.preventDefault();
                    drill(a.code);
                  }}
                >
                  {a.name}
                </a>
              ),
          }))}
        />
        <Row justify="space-between" align="middle" style={{ marginTop: 8 }} gutter={[8, 8]}>
          <Space wrap>
            <h2 style={{ margin: 0 }} data-testid="quota-node-name">
              {n.name}
            </h2>
            <Tag color="blue">{ORG_LEVEL_LABELS[n.level]}</Tag>
            {n.packId && (
              <Tooltip title={n.packId}>
                <Tag>{packs.data?.items.find((p) => p.id === n.packId)?.name ?? n.packId}</Tag>
              </Tooltip>
            )}
          </Space>
          <Space wrap>
            <span>核定日期</span>
            <div style={{ width: 160 }}>
              <DateInput
                id="quota-date"
                value={date}
                onChange={(d) => d && setSearch({ date: d })}
              />
            </div>
            {n.level !== 'community' && (
              <ExportJobButton
                label="导出配备明细表"
                title={`${n.name}社区工作者配备明细表`}
                path="/api/exports/staffing"
                body={{ org: n.code, onDate: date, format: 'xlsx' }}
                testId="quota-export"
              />
            )}
          </Space>
        </Row>
      </Card>

      {v.notes.map((note) => (
        <Alert key={note} type="warning" title={note} showIcon />
      ))}

      <Row gutter={[16, 16]}>
        <Col xs={12} md={8} xl={4}>
          <Card size="small">
            <Statistic
              title={
                <span>
                  核定职数{' '}
                  <QuestionCircleOutlined
                    onClick={() => setExplain(n.code)}
                    aria-label="核定职数的依据"
                  />
                </span>
              }
              value={rangeText(n.quota)}
              suffix="人"
              data-testid="quota-total"
            />
          </Card>
        </Col>
        <Col xs={12} md={8} xl={4}>
          <Card size="small">
            <Statistic title="实有人数" value={n.actual} suffix="人" data-testid="quota-actual" />
          </Card>
        </Col>
        <Col xs={12} md={8} xl={4}>
          <Card size="small">
            <Statistic
              title={
                <Tooltip title="人走岗留：人员退出后岗位保留，空出的职数计入差额">
                  <span>差额（核定−实有）</span>
                </Tooltip>
              }
              value={remainderText(n.remainder)}
              data-testid="quota-remainder"
            />
          </Card>
        </Col>
        <Col xs={12} md={8} xl={4}>
          <Card size="small">
            <Statistic
              title="缺配 / 超配 / 未核定社区"
              value={`${n.short} / ${n.over} / ${n.open}`}
              valueStyle={{ color: n.short > 0 ? '#cf1322' : undefined }}
            />
          </Card>
        </Col>
        <Col xs={12} md={8} xl={4}>
          <Card size="small">
            <Statistic
              title="缺网格员的网格"
              value={n.gridsWithoutWorker}
              suffix={`/ ${n.grids}`}
            />
          </Card>
        </Col>
        {n.standards.map((s) => (
          <Col xs={12} md={8} xl={4} key={s.rule}>
            <Card size="small">
              <Statistic
                title={
                  <span>
                    {s.name}（政策标准）{' '}
                    <QuestionCircleOutlined
                      onClick={() => setExplain(n.code)}
                      aria-label={`${s.name}的依据`}
                    />
                  </span>
                }
                value={rangeText(s)}
                suffix="人"
              />
            </Card>
          </Col>
        ))}
      </Row>

      {n.level === 'community' ? (
        <Card size="small" title="按岗位核定" data-testid="quota-community">
          <Table
            size="small"
            rowKey="name"
            pagination={false}
            dataSource={n.lines}
            columns={[
              { title: '岗位', dataIndex: 'name' },
              {
                title: '核定',
                key: 'range',
                render: (_: unknown, l) => (
                  <Why onClick={() => setExplain(n.code)} label={`${l.name}的依据`}>
                    {rangeText(l)}
                  </Why>
                ),
              },
              {
                title: '说明',
                key: 'note',
                render: (_: unknown, l) =>
                  [
                    l.within ? `含于${l.within}` : null,
                    l.inTotal ? '计入合计' : '不计入合计',
                    l.reserved ? '预留岗位' : null,
                  ]
                    .filter(Boolean)
                    .join('，'),
              },
            ]}
          />
          <Typography.Paragraph style={{ marginTop: 12 }}>
            实有 {n.actual} 人：
            {TITLE_GROUPS.map((g) => `${g.label} ${n.actualByGroup[g.key]} 人`).join('，')}
            {n.actualByGroup.unset ? `，未填写职务 ${n.actualByGroup.unset} 人` : ''}。配备情况：
            <Tag color={STATUS_COLOR[n.status ?? '未核定']}>{n.status}</Tag>
            {n.note && <Typography.Text type="secondary">{n.note}</Typography.Text>}
          </Typography.Paragraph>
          <Button onClick={() => setExplain(n.code)}>为什么是这个职数</Button>
        </Card>
      ) : (
        v.children.length > 0 && (
          <>
            <Card size="small" title={`下级${childLevel}（${v.children.length}个）`}>
              <Table<TQuotaRow>
                size="small"
                rowKey="code"
                data-testid="quota-children"
                dataSource={v.children}
                columns={columns}
                scroll={{ x: 'max-content' }}
                pagination={v.children.length > 50 ? { pageSize: 50 } : false}
                rowClassName={(r) =>
                  r.status === '缺配' ? 'quota-short' : r.status === '超配' ? 'quota-over' : ''
                }
                onRow={(r) => ({
                  style:
                    r.status === '缺配'
                      ? { background: '#fff1f0' }
                      : r.status === '超配'
                        ? { background: '#fff7e6' }
                        : undefined,
                })}
              />
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                标 *
                的岗位含于其他岗位或不计入合计（如网格员由“两委”成员兼任）。点击职数查看依据，点击名称查看下级。
              </Typography.Text>
            </Card>
            <Card size="small" title="核定职数与实有人数">
              <EChart
                option={chartOption(v.children)}
                height={320}
                onClick={(e) => {
                  const c = (e.data as { code?: string } | undefined)?.code;
                  if (c) drill(c);
                }}
                testId="quota-chart"
              />
            </Card>
          </>
        )
      )}
      <QuotaExplainDrawer code={explain} date={date} onClose={() => setExplain(null)} />
    </Space>
  );
};
