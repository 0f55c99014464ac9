import { FileExcelOutlined, QuestionCircleOutlined } from '@ant-design/icons';
import {
  CHILD_INDICATOR_META,
  CHILD_INDICATORS,
  ORG_LEVEL_LABELS,
  STAT_STRUCTURES,
  statTable,
  type TChildIndicator,
  type TStatStructure,
  type TStatsDashboard,
  type TStatTarget,
} from '@shegong/shared';
import { useQuery } from '@tanstack/react-query';
import {
  Alert,
  Breadcrumb,
  Button,
  Card,
  Col,
  Progress,
  Row,
  Segmented,
  Select,
  Space,
  Spin,
  Statistic,
  Table,
  Tag,
  Tooltip,
} from 'antd';
import { useMemo, useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { apiGet } from '../../api/client.ts';
import { useAuth } from '../../auth.tsx';
import { EChart } from '../../components/echart.tsx';
import {
  barOption,
  childrenBarOption,
  childrenTreemapOption,
  pieOption,
  trendOption,
} from './stat-charts.ts';
import { formatCount, formatFen, formatNumber, formatPercent } from './stat-format.ts';
import { ChartCard, StatTable } from './stat-table.tsx';

/** How each breakdown is drawn: shares of a whole as pies, ordered scales as bars. */
const CHART_KIND: Record<TStatStructure, 'bar' | 'pie' | 'hbar'> = {
  age: 'bar',
  sex: 'pie',
  education: 'bar',
  political: 'pie',
  certificate: 'pie',
  title: 'hbar',
  category: 'pie',
  service: 'bar',
  status: 'pie',
  local: 'pie',
};

const TargetRow = ({ t }: { t: TStatTarget }) => {
  const percent = t.units
    ? t.units.total > 0
      ? Math.round((t.units.met / t.units.total) * 100)
      : 0
    : t.total > 0
      ? Math.round((t.count / t.total) * 1000) / 10
      : 0;
  return (
    <Progress
      percent={percent}
      status={t.met ? 'success' : t.status === '未到期' ? 'active' : 'exception'}
      format={() => (t.units ? `${t.units.met}/${t.units.total}个${t.units.label}达标` : t.actual)}
    />
  );
};

const TargetsCard = ({ targets }: { targets: TStatTarget[] }) => (
  <Card size="small" title="目标达成（政策包）" data-testid="stats-targets">
    <Table<TStatTarget>
      size="small"
      rowKey="rule"
      pagination={false}
      dataSource={targets}
      columns={[
        {
          title: '目标',
          dataIndex: 'description',
          render: (d: string, t) => (
            <Tooltip title={`依据：${t.source}`}>
              <span>{d}</span>
            </Tooltip>
          ),
        },
        { title: '要求', dataIndex: 'required', width: 120 },
        { title: '进度', width: 260, render: (_, t) => <TargetRow t={t} /> },
        {
          title: '状态',
          dataIndex: 'status',
          width: 90,
          render: (s: string, t) => (
            <Tag color={t.met ? 'green' : s === '未到期' ? 'blue' : 'red'}>{s}</Tag>
          ),
        },
        { title: '期限', dataIndex: 'dueBy', width: 110, render: (d: string | null) => d ?? '—' },
      ]}
    />
  </Card>
);

const ChildrenPanel = ({
  data,
  onDrill,
}: {
  data: TStatsDashboard;
  onDrill: (code: string) => void;
}) => {
  const [indicator, setIndicator] = useState<TChildIndicator>('headcount');
  const [view, setView] = useState<'bar' | 'map' | 'table'>('bar');
  const table = statTable(data, 'children');
  const height = Math.max(240, Math.min(900, data.children.length * 26 + 60));
  const option = useMemo(
    () =>
      view === 'map'
        ? childrenTreemapOption(data.children, indicator)
        : childrenBarOption(data.children, indicator),
    [data.children, indicator, view],
  );
  const drill = (event: { data: unknown }) => {
    const code = (event.data as { code?: string } | undefined)?.code;
    if (code) onDrill(code);
  };
  const childLevel = data.children[0] ? ORG_LEVEL_LABELS[data.children[0].level] : '下级';
  return (
    <Card
      size="small"
      title={`下级${childLevel}对比（${data.children.length}个）`}
      data-testid="stats-children"
      extra={
        <Space>
          <Select<TChildIndicator>
            size="small"
            value={indicator}
            onChange={setIndicator}
            style={{ width: 160 }}
            aria-label="对比指标"
            options={CHILD_INDICATORS.map((k) => ({
              value: k,
              label: CHILD_INDICATOR_META[k].label,
            }))}
          />
          <Segmented
            size="small"
            value={view}
            onChange={(v) => setView(v as 'bar' | 'map' | 'table')}
            options={[
              { label: '柱状图', value: 'bar' },
              { label: '分布图', value: 'map' },
              { label: '表格', value: 'table' },
            ]}
          />
          <Button
            size="small"
            type="link"
            href={`/api/stats/${data.node.code}/export?table=children`}
            aria-label="导出下级单位对比"
          >
            导出
          </Button>
        </Space>
      }
    >
      {view === 'table' ? (
        <StatTable table={table} onRow={(row) => onDrill(String(row.code))} />
      ) : (
        <EChart
          option={option}
          height={view === 'map' ? 420 : height}
          onClick={drill}
          testId="stats-children-chart"
        />
      )}
      {view !== 'table' && (
        <div style={{ color: '#888', fontSize: 12 }}>
          点击{view === 'map' ? '方块' : '柱条'}查看该{childLevel}的统计。
          {view === 'map' &&
            '分布图按在岗人数定面积、按所选指标着色（离线环境无行政区划边界数据，故不绘制地图）。'}
        </div>
      )}
    </Card>
  );
};

/**
 * 统计: the dashboard of one node of the caller's part of the tree, with drill-down into its
 * children (a bar, a tile or a row), the numbers of every chart as a table, and .xlsx exports.
 */
export const StatsPage = () => {
  const { me } = useAuth();
  const params = useParams();
  const navigate = useNavigate();
  const code = params.code ?? me?.orgCode ?? '';
  const query = useQuery({
    queryKey: ['stats', code],
    queryFn: () => apiGet<TStatsDashboard>(`/api/stats/${code}`),
    enabled: code !== '',
  });
  const drill = (child: string) => navigate(`/stats/${child}`);
  if (query.error) return <Alert type="error" title={query.error.message} showIcon />;
  const d = query.data;
  if (!d) return <Spin tip="统计中…" />;
  const exportHref = (table: string) => `/api/stats/${d.node.code}/export?table=${table}`;
  const standard = d.density.standard;
  // Siblings are compared on the parent's page, when the parent is within the caller's scope.
  const parent = d.node.trail.at(-2);

  return (
    <Space direction="vertical" size={16} style={{ width: '100%' }}>
      <Card size="small">
        <Breadcrumb
          data-testid="stats-trail"
          items={d.node.trail.map((t, i) => ({
            title:
              i === d.node.trail.length - 1 ? (
                t.name
              ) : (
                <a
                  href={`/stats/${t.code}`}
                  onClick={(e) => {
                    e.preventDefault();
                    drill(t.code);
                  }}
                >
                  {t.name}
                </a>
              ),
          }))}
        />
        <Row justify="space-between" align="middle" style={{ marginTop: 8 }}>
          <Space>
            <h2 style={{ margin: 0 }} data-testid="stats-node-name">
              {d.node.name}
            </h2>
            <Tag color="blue">{ORG_LEVEL_LABELS[d.node.level]}</Tag>
            {d.pack && <Tag>{d.pack.name}</Tag>}
            <span style={{ color: '#888' }}>统计时点 {d.asOf}</span>
          </Space>
          <Space>
            {parent && (
              <Button onClick={() => drill(parent.code)}>
                与同级{ORG_LEVEL_LABELS[d.node.level]}对比
              </Button>
            )}
            <Button
              type="primary"
              icon={<FileExcelOutlined />}
              href={`/api/stats/${d.node.code}/report`}
            >
              导出统计报表
            </Button>
          </Space>
        </Row>
      </Card>

      {d.notes.map((n) => (
        <Alert key={n} type="info" title={n} showIcon />
      ))}

      <Row gutter={[16, 16]}>
        <Col xs={12} md={8} xl={4}>
          <Card size="small">
            <Statistic
              title="在岗社区工作者"
              value={d.headcount}
              suffix="人"
              data-testid="stats-headcount"
            />
          </Card>
        </Col>
        <Col xs={12} md={8} xl={4}>
          <Card size="small">
            <Statistic
              title="街道 / 社区 / 网格"
              value={`${formatCount(d.orgs.streets)} / ${formatCount(d.orgs.communities)} / ${formatCount(d.orgs.grids)}`}
            />
          </Card>
        </Col>
        <Col xs={12} md={8} xl={4}>
          <Card size="small">
            <Tooltip title={standard ? `${standard.note}（${standard.source}）` : undefined}>
              <Statistic
                title={`每万常住人口${standard?.perTenThousand ? `（标准 ${standard.perTenThousand}）` : ''}`}
                value={formatNumber(d.density.perTenThousand)}
                suffix="人"
              />
            </Tooltip>
          </Card>
        </Col>
        <Col xs={12} md={8} xl={4}>
          <Card size="small">
            <Statistic
              title={
                <Tooltip
                  title={
                    standard
                      ? `按常住人口配备标准计算：${standard.note}（${standard.source}）。不是核定职数，见“职数配备率”`
                      : '适用政策包未规定按人口配备的标准'
                  }
                >
                  <span data-testid="stats-standard-help">
                    按标准应配 <QuestionCircleOutlined />
                  </span>
                </Tooltip>
              }
              value={standard ? formatCount(standard.expected) : '—'}
              suffix={standard ? '人' : undefined}
            />
          </Card>
        </Col>
        <Col xs={12} md={8} xl={4}>
          <Card size="small">
            <Tooltip
              title={
                d.quota
                  ? `在岗人数 ÷ 核定职数 ${formatCount(d.quota.min)}${d.quota.max === d.quota.min ? '' : `–${d.quota.max === null ? '不限' : formatCount(d.quota.max)}`} 人（${d.quota.communitiesCounted}个社区）。${
                      d.quota.basis
                        ? `核定职数为各社区${d.quota.basis.lines.join('、')}之和（${d.quota.basis.sources.join('、')}）`
                        : ''
                    }${standard ? `，与“按标准应配”（按常住人口，${standard.source}）口径不同` : ''}`
                  : '适用政策包未规定社区职数'
              }
            >
              <div data-testid="stats-quota-help">
                <Statistic
                  title={
                    <>
                      职数配备率 <QuestionCircleOutlined />
                    </>
                  }
                  value={formatPercent(d.quota?.fill)}
                />
              </div>
            </Tooltip>
          </Card>
        </Col>
        <Col xs={12} md={8} xl={4}>
          <Card size="small">
            <Statistic title="平均年龄" value={formatNumber(d.averageAge)} suffix="岁" />
          </Card>
        </Col>
      </Row>

      {d.targets.length > 0 && <TargetsCard targets={d.targets} />}

      {d.children.length > 0 && <ChildrenPanel data={d} onDrill={drill} />}

      <ChartCard
        table={statTable(d, 'trend')}
        exportHref={exportHref('trend')}
        chart={<EChart option={trendOption(d.trend)} height={300} />}
      />

      <Row gutter={[16, 16]}>
        {STAT_STRUCTURES.filter((s) => d.structures[s].length > 0).map((s) => (
          <Col key={s} xs={24} lg={12} xxl={8}>
            <ChartCard
              table={statTable(d, s)}
              exportHref={exportHref(s)}
              chart={
                <EChart
                  option={
                    CHART_KIND[s] === 'pie'
                      ? pieOption(d.structures[s])
                      : barOption(d.structures[s], CHART_KIND[s] === 'hbar')
                  }
                  height={280}
                />
              }
            />
          </Col>
        ))}
      </Row>

      <Card size="small" title="薪酬支出">
        {d.pay ? (
          <Table
            size="small"
            rowKey="month"
            pagination={false}
            dataSource={d.pay.months}
            columns={[
              { title: '月份', dataIndex: 'month' },
              {
                title: '应发合计',
                dataIndex: 'totalFen',
                align: 'right',
                render: (fen: number) => formatFen(fen),
              },
            ]}
          />
        ) : (
          <span style={{ color: '#888' }}>尚无薪酬核算结果，核算后在此显示各月薪酬支出。</span>
        )}
      </Card>
    </Space>
  );
};
