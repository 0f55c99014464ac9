import {
  PROPOSAL_KIND_LABELS,
  type TAlertItem,
  type TProposalView,
  type TWorkerView,
} from '@shegong/shared';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Form, Input, Modal, Select, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api, apiGet } from '../../api/client.ts';
import { useAuth } from '../../auth.tsx';
import { communityWithStreet } from '../../components/community-name.ts';
import { OrgTreeSelect } from '../../components/org-tree-select.tsx';
import { yuanText } from '../pay/pay-format.ts';

// Pieces the workflow pages share: the node chosen (kept in the URL), clause tags, alert
// levels, the worker picker, calls with a message, and the proposals table with its decisions.

/** The node a workflow page is about: `?org=` or the caller's own node. */
export const useOrgParam = (): [string, (code: string | undefined) => void] => {
  const { me } = useAuth();
  const [params, setParams] = useSearchParams();
  const org = params.get('org') ?? me?.orgCode ?? '';
  const setOrg = (code: string | undefined) => {
    const next = new URLSearchParams(params);
    if (code) next.set('org', code);
    else next.delete('org');
    setParams(next);
  };
  return [org, setOrg];
};

/** The node picker of a page header. */
export const OrgFilter = ({
  value,
  onChange,
  maxLevel = 'community',
}: {
  value: string;
  onChange: (code: string | undefined) => void;
  maxLevel?: 'street' | 'community';
}) => (
  <Space>
    <label htmlFor="workflow-org">单位</label>
    <div style={{ width: 280 }}>
      <OrgTreeSelect
        id="workflow-org"
        value={value}
        onChange={onChange}
        maxLevel={maxLevel}
        allowClear={false}
      />
    </div>
  </Space>
);

/** The clause a figure or a decision comes from. */
export const RuleSource = ({ source, rule }: { source: string | null; rule?: string | null }) =>
  source ? (
    <Tag color="blue" title={rule ?? undefined}>
      {source}
    </Tag>
  ) : null;

export const LEVEL_LABELS: Record<TAlertItem['level'], { text: string; color: string }> = {
  overdue: { text: '已逾期', color: 'red' },
  due: { text: '到期', color: 'orange' },
  upcoming: { text: '即将到期', color: 'blue' },
  info: { text: '提示', color: 'default' },
};

export const LevelTag = ({ level }: { level: TAlertItem['level'] }) => (
  <Tag color={LEVEL_LABELS[level].color}>{LEVEL_LABELS[level].text}</Tag>
);

/** Calls the API, shows success or the server's Chinese message, and refreshes queries. */
export const useAction = () => {
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [busy, setBusy] = useState(false);
  const run = async <T,>(
    call: () => Promise<T>,
    done: string,
    refresh: readonly unknown[][] = [],
  ): Promise<T | undefined> => {
    setBusy(true);
    try {
      const result = await call();
      if (done) message.success(done);
      await Promise.all(refresh.map((key) => queryClient.invalidateQueries({ queryKey: key })));
      return result;
    } catch (error) {
      message.error({
        content: (
          <span data-testid="action-error">
            {error instanceof Error ? error.message : String(error)}
          </span>
        ),
        duration: 8,
      });
      return undefined;
    } finally {
      setBusy(false);
    }
  };
  return { run, busy };
};

/** Picks an active worker under a node by name (server search). */
export const WorkerSelect = ({
  org,
  value,
  onChange,
  id,
}: {
  org: string;
  value?: string;
  onChange?: (id: string) => void;
  id?: string;
}) => {
  const [q, setQ] = useState('');
  const list = useQuery({
    queryKey: ['worker-pick', org, q],
    queryFn: () =>
      apiGet<{ items: TWorkerView[] }>(
        `/api/workers?org=${org}&limit=30${q ? `&q=${encodeURIComponent(q)}` : ''}`,
      ),
    enabled: !!org,
  });
  return (
    <Select
      id={id}
      showSearch={{ filterOption: false, onSearch: setQ }}
      value={value}
      onChange={onChange}
      placeholder="输入姓名查找"
      loading={list.isFetching}
      options={(list.data?.items ?? [])
        .filter((w) => w.status !== '已退出')
        .map((w) => ({
          value: w.id,
          label: `${w.name}（${communityWithStreet(w)} ${w.postTitle ?? ''} ${w.status}）`,
        }))}
    />
  );
};

/** Proposals with their clause; someone with `workflow:approve` approves or rejects them. */
export const ProposalTable = ({
  items,
  refresh,
  loading,
}: {
  items: TProposalView[];
  refresh: unknown[][];
  loading?: boolean;
}) => {
  const { can } = useAuth();
  const { run, busy } = useAction();
  const [rejecting, setRejecting] = useState<TProposalView | null>(null);
  const [form] = Form.useForm<{ note: string }>();
  return (
    <>
      <Table<TProposalView>
        data-testid="proposal-table"
        rowKey="id"
        size="small"
        loading={loading}
        dataSource={items}
        pagination={{ pageSize: 10, hideOnSinglePage: true }}
        columns={[
          {
            title: '类型',
            dataIndex: 'kind',
            width: 110,
            render: (k: TProposalView['kind']) => (
              <Tag color="purple">{PROPOSAL_KIND_LABELS[k]}</Tag>
            ),
          },
          {
            title: '人员',
            render: (_, p) => (
              <Link to={`/workers/${p.workerId}`}>
                {p.workerName}
                <Typography.Text type="secondary">（{p.communityName}）</Typography.Text>
              </Link>
            ),
          },
          { title: '理由', dataIndex: 'reason' },
          {
            title: '依据',
            width: 150,
            render: (_, p) => <RuleSource source={p.ruleSource} rule={p.rule} />,
          },
          { title: '状态', dataIndex: 'status', width: 80 },
          {
            title: '操作',
            width: 150,
            render: (_, p) =>
              p.status === '待审批' && can('workflow:approve') ? (
                <Space>
                  <Button
                    size="small"
                    type="primary"
                    loading={busy}
                    onClick={() =>
                      run(
                        () => api('POST', `/api/proposals/${p.id}/approve`, {}),
                        '已批准并办理',
                        refresh,
                      )
                    }
                  >
                    批准
                  </Button>
                  <Button size="small" onClick={() => setRejecting(p)}>
                    驳回
                  </Button>
                </Space>
              ) : (
                (p.decisionNote ?? '')
              ),
          },
        ]}
      />
      <Modal
        title="驳回处理建议"
        open={!!rejecting}
        onCancel={() => setRejecting(null)}
        onOk={async () => {
          const { note } = await form.validateFields();
          const ok = await run(
            () => api('POST', `/api/proposals/${rejecting?.id}/reject`, { note }),
            '已驳回',
            refresh,
          );
          if (ok) setRejecting(null);
        }}
      >
        <Form form={form} layout="vertical">
          <Form.Item
            name="note"
            label="驳回理由"
            rules={[{ required: true, message: '请填写驳回理由' }]}
          >
            <Input.TextArea rows={3} />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
};

/** Hundredths of a point as text (8550 → 85.50). */
export const score = (v: number | null | undefined) =>
  v === null || v === undefined ? '—' : (v / 100).toFixed(2);

/** Fen as 元 with two decimals (`500000` → `5,000.00元`), as on the pay pages. */
export const yuan = yuanText;
