import { FileExcelOutlined, LockOutlined, SafetyCertificateOutlined } from '@ant-design/icons';
import {
  PAY_RUN_STATUS_LABELS,
  type TPayExplanation,
  type TPayLineView,
  type TPayRunDetail,
} from '@shegong/shared';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Breadcrumb,
  Button,
  Card,
  Descriptions,
  Drawer,
  Popconfirm,
  Space,
  Spin,
  Table,
  Tag,
  Tooltip,
} from 'antd';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { api, apiGet } from '../../api/client.ts';
import { useAuth } from '../../auth.tsx';
import { dateTimeText } from '../../components/date-time.ts';
import { TraceView } from '../../components/trace-view.tsx';
import { yuan, yuanText } from './pay-format.ts';
import { PayParts, type TPayPartView } from './pay-parts.tsx';
import { STATUS_COLOR } from './pay-runs-panel.tsx';

type TWhy = { workerId: string; forMonth: string };

/** "为什么" of one line: the pack's trace from the input the line was computed with. */
const PayExplainDrawer = ({
  runId,
  why,
  onClose,
}: {
  runId: string;
  why: TWhy | null;
  onClose: () => void;
}) => {
  const query = useQuery({
    queryKey: ['pay-explain', runId, why?.workerId, why?.forMonth],
    queryFn: () =>
      apiGet<TPayExplanation>(
        `/api/pay/runs/${runId}/lines/${why!.workerId}/explain?forMonth=${why!.forMonth}`,
      ),
    enabled: !!why,
  });
  const e = query.data;
  const v = e?.value as {
    grade: number | null;
    coefficient: string | null;
    payableFen: number;
    monthDays: number;
    parts?: TPayPartView[];
  } | null;
  return (
    <Drawer
      title={
        e
          ? `为什么：${e.name} ${e.forMonth}${e.kind === 'arrears' ? '（补发扣回）' : ''}`
          : '为什么'
      }
      open={!!why}
      onClose={onClose}
      size="large"
      data-testid="pay-explain"
    >
      {query.error && <Alert type="error" title={query.error.message} showIcon />}
      {!e && !query.error && <Spin />}
      {e && (
        <>
          <Descriptions size="small" column={1} bordered style={{ marginBottom: 16 }}>
            <Descriptions.Item label="政策包">{e.packName ?? e.packId ?? '—'}</Descriptions.Item>
            <Descriptions.Item label="计算日期">{e.evalOn}</Descriptions.Item>
            {v && (
              <Descriptions.Item label="结果">
                {v.grade !== null ? `${v.grade}级，` : ''}
                {v.coefficient ? `系数${v.coefficient}，` : ''}本月应发 {yuanText(v.payableFen)}
              </Descriptions.Item>
            )}
            {e.arrears && (
              <Descriptions.Item label="补发扣回">
                现应发 {yuanText(e.arrears.dueFen)}，已发 {yuanText(e.arrears.paidFen)}，差额{' '}
                {yuanText(e.arrears.diffFen)}
              </Descriptions.Item>
            )}
          </Descriptions>
          {e.error && <Alert type="warning" title={`未核定：${e.error}`} showIcon />}
          {v && <PayParts parts={v.parts} monthDays={v.monthDays} />}
          {e.trace.length > 0 && <TraceView trace={e.trace} />}
        </>
      )}
    </Drawer>
  );
};

/**
 * One street's 工资发放表 of a month: every worker's grade, coefficient and amounts with a
 * "为什么" per line, arrears of earlier locked months, review, lock and the .xlsx export.
 */
export const PayRunPage = () => {
  const { id = '' } = useParams();
  const { can, me } = useAuth();
  const { message } = App.useApp();
  const client = useQueryClient();
  const [why, setWhy] = useState<TWhy | null>(null);
  const query = useQuery({
    queryKey: ['pay-run', id],
    queryFn: () => apiGet<TPayRunDetail>(`/api/pay/runs/${id}`),
  });
  if (query.error) return <Alert type="error" title={query.error.message} showIcon />;
  const d = query.data;
  if (!d) return <Spin tip="加载中…" />;
  const { run } = d;
  const ownReview = !!me && run.reviewedBy === me.id;
  const act = async (action: 'review' | 'lock') => {
    try {
      await api('POST', `/api/pay/runs/${id}/${action}`, { version: run.version });
      message.success(action === 'review' ? '已审核' : '已锁定');
      await client.invalidateQueries({ queryKey: ['pay-run', id] });
      await client.invalidateQueries({ queryKey: ['pay-runs'] });
    } catch (error) {
      message.error(error instanceof Error ? error.message : String(error));
    }
  };
  const regular = d.lines.filter((l) => l.kind === 'regular');
  const arrears = d.lines.filter((l) => l.kind === 'arrears');
  const whyButton = (l: TPayLineView) => (
    <Button
      size="small"
      type="link"
      onClick={() => setWhy({ workerId: l.workerId, forMonth: l.forMonth })}
      aria-label={`${l.name}的计算依据`}
    >
      为什么
    </Button>
  );
  return (
    <Space orientation="vertical" size={16} style={{ width: '100%' }}>
      <Card size="small">
        <Breadcrumb
          items={[
            { title: <Link to={`/pay?month=${run.month}`}>薪酬</Link> },
            { title: `${run.streetName} ${run.month}` },
          ]}
        />
        <Space wrap style={{ marginTop: 8, width: '100%', justifyContent: 'space-between' }}>
          <Space wrap>
            <h2 style={{ margin: 0 }}>
              {run.streetName} {run.month} 工资发放表
            </h2>
            <Tag color={STATUS_COLOR[run.status]} data-testid="pay-run-status">
              {PAY_RUN_STATUS_LABELS[run.status]}
            </Tag>
            <span style={{ color: '#888' }}>第{run.version}次计算</span>
          </Space>
          <Space wrap>
            {can('pay:write') && run.status === 'draft' && (
              <Popconfirm
                title="确认审核该工资表？"
                onConfirm={() => act('review')}
                okText="审核"
                cancelText="取消"
              >
                <Button icon={<SafetyCertificateOutlined />}>审核</Button>
              </Popconfirm>
            )}
            {can('pay:lock') &&
              run.status === 'reviewed' &&
              (ownReview ? (
                // Separation of duties: the server refuses a lock by the sheet's reviewer.
                <Tooltip title="您审核了本表，不能再锁定：请由另一位有锁定权限的人员锁定">
                  <span data-testid="pay-lock-own-review">
                    <Button type="primary" danger icon={<LockOutlined />} disabled>
                      锁定
                    </Button>
                  </span>
                </Tooltip>
              ) : (
                <Popconfirm
                  title="锁定后工资表不再变动，以后的更正计入下月补发扣回。确认锁定？"
                  onConfirm={() => act('lock')}
                  okText="锁定"
                  cancelText="取消"
                >
                  <Button type="primary" danger icon={<LockOutlined />}>
                    锁定
                  </Button>
                </Popconfirm>
              ))}
            <Button icon={<FileExcelOutlined />} href={`/api/pay/runs/${id}/export`}>
              导出工资发放表
            </Button>
          </Space>
        </Space>
        <Descriptions size="small" column={{ xs: 1, md: 4 }} style={{ marginTop: 12 }}>
          <Descriptions.Item label="人数">{run.workerCount}</Descriptions.Item>
          <Descriptions.Item label="未核定">{run.openCount}</Descriptions.Item>
          <Descriptions.Item label="本月应发合计">{yuanText(run.totalFen)}</Descriptions.Item>
          <Descriptions.Item label="其中补发扣回">{yuanText(run.arrearsFen)}</Descriptions.Item>
          <Descriptions.Item label="政策包">
            {run.packs.map((p) => `${p.packId}（${p.from}起版本）`).join('、') || '—'}
          </Descriptions.Item>
          <Descriptions.Item label="计算时间">{dateTimeText(run.computedAt)}</Descriptions.Item>
          <Descriptions.Item label="审核">
            <span data-testid="pay-run-reviewed">
              {run.reviewedAt
                ? `${run.reviewedByName ?? '（账号已删除）'} ${dateTimeText(run.reviewedAt)}`
                : '—'}
            </span>
          </Descriptions.Item>
          <Descriptions.Item label="锁定">
            <span data-testid="pay-run-locked">
              {run.lockedAt
                ? `${run.lockedByName ?? '（账号已删除）'} ${dateTimeText(run.lockedAt)}`
                : '—'}
            </span>
          </Descriptions.Item>
        </Descriptions>
        {run.status === 'locked' && (
          <Alert
            type="info"
            showIcon
            title="本表已锁定，不再变动；以后的更正将作为补发扣回计入以后月份。"
          />
        )}
      </Card>
      <Card size="small" title={`工资明细（${regular.length}人）`}>
        <Table<TPayLineView>
          size="small"
          rowKey={(l) => `${l.workerId}-${l.forMonth}`}
          data-testid="pay-lines"
          dataSource={regular}
          scroll={{ x: 'max-content' }}
          pagination={regular.length > 100 ? { pageSize: 100 } : false}
          columns={[
            { title: '姓名', dataIndex: 'name', fixed: 'left' },
            { title: '社区', dataIndex: 'communityName' },
            { title: '职务', dataIndex: 'title' },
            { title: '岗位类别', dataIndex: 'post', render: (p: string | null) => p ?? '—' },
            { title: '年限', dataIndex: 'years', render: (y: number | null) => y ?? '—' },
            {
              title: '等级',
              dataIndex: 'grade',
              render: (g: number | null, l) => (l.probation ? <Tag>试用期</Tag> : (g ?? '—')),
            },
            { title: '系数', dataIndex: 'coefficient', render: (c: string | null) => c ?? '—' },
            { title: '基本薪酬', dataIndex: 'baseFen', render: yuan },
            { title: '绩效（月）', dataIndex: 'performanceFen', render: yuan },
            { title: '津贴', dataIndex: 'allowancesFen', render: yuan },
            {
              title: '一次性奖励',
              dataIndex: 'oneOffFen',
              render: (f: number) => (f ? yuan(f) : '—'),
            },
            {
              title: '在岗天数',
              key: 'days',
              render: (_: unknown, l) =>
                l.paidDays === null ? '—' : `${l.paidDays}/${l.monthDays}`,
            },
            {
              title: '本月应发',
              dataIndex: 'payableFen',
              render: (f: number | null, l) =>
                l.status === 'open' ? (
                  <Tooltip title={l.reason}>
                    <Tag color="default">未核定</Tag>
                  </Tooltip>
                ) : (
                  <strong>{yuan(f)}</strong>
                ),
            },
            {
              title: '按年发放（年）',
              dataIndex: 'annualFen',
              render: (f: number | null) => (f ? yuan(f) : '—'),
            },
            { title: '依据', key: 'why', fixed: 'right', render: (_: unknown, l) => whyButton(l) },
          ]}
        />
      </Card>
      {arrears.length > 0 && (
        <Card size="small" title={`补发扣回（${arrears.length}条）`} data-testid="pay-arrears">
          <Table<TPayLineView>
            size="small"
            rowKey={(l) => `${l.workerId}-${l.forMonth}`}
            dataSource={arrears}
            pagination={false}
            columns={[
              { title: '姓名', dataIndex: 'name' },
              { title: '社区', dataIndex: 'communityName' },
              { title: '所属月份', dataIndex: 'forMonth' },
              {
                title: '金额',
                dataIndex: 'payableFen',
                render: (f: number | null) => <strong>{yuan(f)}</strong>,
              },
              { title: '说明', dataIndex: 'reason' },
              { title: '依据', key: 'why', render: (_: unknown, l) => whyButton(l) },
            ]}
          />
        </Card>
      )}
      <PayExplainDrawer runId={id} why={why} onClose={() => setWhy(null)} />
    </Space>
  );
};
