import type { TAlertItem, TProposalView } from '@shegong/shared';
import { useQuery } from '@tanstack/react-query';
import { Alert, Card, Segmented, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { Link } from 'react-router';
import { apiGet } from '../../api/client.ts';
import { communityWithStreet } from '../../components/community-name.ts';
import { LevelTag, OrgFilter, ProposalTable, RuleSource, useOrgParam } from './workflow-ui.tsx';

type TTodo = {
  org: { code: string; name: string };
  date: string;
  alerts: TAlertItem[];
  alertsTotal: number;
  workers: number;
  complete: boolean;
  proposals: TProposalView[];
  requests: number;
};

const KINDS = [
  '全部',
  '考核',
  '培训',
  '证书',
  '合同',
  '任期',
  '试用期',
  '借调',
  '表彰',
  '发展',
  '服务期',
];

/** 待办: the caller's alerts (with the clause of each) and the proposals awaiting a decision. */
export const TodoPage = () => {
  const [org, setOrg] = useOrgParam();
  const [kind, setKind] = useState('全部');
  const todo = useQuery({
    queryKey: ['todo', org, kind],
    queryFn: () =>
      apiGet<TTodo>(
        `/api/todo?org=${org}${kind === '全部' ? '' : `&kind=${encodeURIComponent(kind)}`}`,
      ),
    enabled: !!org,
  });
  const d = todo.data;
  return (
    <Space orientation="vertical" size={16} style={{ width: '100%' }}>
      <Card title="待办" extra={<OrgFilter value={org} onChange={setOrg} />}>
        {todo.error && <Alert type="error" title={todo.error.message} showIcon />}
        {d && !d.complete && (
          <Alert
            type="warning"
            showIcon
            title={`范围内人员较多，只计算了前 ${d.workers} 人，请选择下级单位查看完整待办`}
          />
        )}
        <Typography.Paragraph type="secondary">
          {d
            ? `${d.org.name}：${d.workers} 名在岗人员，${d.date} 的提醒 ${d.alertsTotal} 条，待审批建议 ${d.proposals.length} 条，待审批申请 ${d.requests} 件。`
            : ''}
        </Typography.Paragraph>
      </Card>
      <Card title={`待审批的处理建议（${d?.proposals.length ?? 0}）`} size="small">
        <ProposalTable
          items={d?.proposals ?? []}
          loading={todo.isLoading}
          refresh={[['todo'], ['todo-summary']]}
        />
      </Card>
      <Card
        title={`提醒（${d?.alertsTotal ?? 0}）`}
        size="small"
        extra={<Segmented options={KINDS} value={kind} onChange={(v) => setKind(String(v))} />}
      >
        <Table<TAlertItem>
          data-testid="alert-table"
          rowKey={(a) => `${a.workerId}-${a.rule}-${a.dueOn}-${a.message}`}
          size="small"
          loading={todo.isLoading}
          dataSource={d?.alerts ?? []}
          pagination={{ pageSize: 20 }}
          columns={[
            { title: '级别', dataIndex: 'level', width: 90, render: (l) => <LevelTag level={l} /> },
            { title: '类别', dataIndex: 'kind', width: 70, render: (k) => <Tag>{k}</Tag> },
            {
              title: '人员',
              width: 200,
              render: (_, a) => (
                <Link to={`/workers/${a.workerId}`}>
                  {a.workerName}
                  <Typography.Text type="secondary">（{communityWithStreet(a)}）</Typography.Text>
                </Link>
              ),
            },
            { title: '事项', dataIndex: 'message' },
            { title: '期限', dataIndex: 'dueOn', width: 110 },
            {
              title: '依据',
              width: 150,
              render: (_, a) => <RuleSource source={a.source} rule={a.rule} />,
            },
          ]}
        />
      </Card>
    </Space>
  );
};
