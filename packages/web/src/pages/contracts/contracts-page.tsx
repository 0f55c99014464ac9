import { todayIso } from '@shegong/shared';
import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Card, Form, Input, Modal, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { Link } from 'react-router';
import { api, apiGet } from '../../api/client.ts';
import { useAuth } from '../../auth.tsx';
import { communityWithStreet } from '../../components/community-name.ts';
import { DateInput } from '../../components/date-input.tsx';
import { LevelTag, OrgFilter, RuleSource, useAction, useOrgParam } from '../todo/workflow-ui.tsx';

type TRow = {
  workerId: string;
  name: string;
  communityName: string;
  streetName: string;
  postTitle: string | null;
  status: string;
  probationUntil: string | null;
  contract: { type: string | null; startOn: string; endOn: string | null } | null;
  policy: {
    rule: string;
    source: string;
    description: string;
    type: string | null;
    years: number | null;
    endsWithTerm: boolean;
    afterProbation: boolean;
  } | null;
  reminders: {
    rule: string;
    source: string;
    level: 'upcoming' | 'due' | 'overdue';
    message: string;
    kind: string;
  }[];
  noRenewal: { rule: string; source: string; message: string }[];
};

const dayAfter = (iso: string) => {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
};

/** 合同: contracts as the pack sets them, their reminders, renewals and probation ends. */
export const ContractsPage = () => {
  const [org, setOrg] = useOrgParam();
  const { can } = useAuth();
  const key = ['contracts', org];
  const q = useQuery({
    queryKey: key,
    queryFn: () =>
      apiGet<{ items: TRow[]; workers: number; complete: boolean }>(`/api/contracts?org=${org}`),
    enabled: !!org,
  });
  const [signing, setSigning] = useState<TRow | null>(null);
  const { run } = useAction();
  const [form] = Form.useForm();
  const refresh = [key, ['todo'], ['todo-summary']];
  return (
    <Card title="劳动合同（服务协议）" extra={<OrgFilter value={org} onChange={setOrg} />}>
      <Table<TRow>
        data-testid="contract-table"
        rowKey="workerId"
        size="small"
        loading={q.isLoading}
        dataSource={q.data?.items ?? []}
        pagination={{ pageSize: 20 }}
        columns={[
          {
            title: '姓名',
            width: 90,
            render: (_, r) => <Link to={`/workers/${r.workerId}`}>{r.name}</Link>,
          },
          { title: '社区', width: 220, render: (_, r) => communityWithStreet(r) },
          { title: '职务', dataIndex: 'postTitle', width: 90 },
          {
            title: '现合同',
            width: 220,
            render: (_, r) =>
              r.contract ? (
                `${r.contract.type ?? ''} ${r.contract.startOn} 至 ${r.contract.endOn ?? '无固定期限'}`
              ) : (
                <Typography.Text type="secondary">未登记</Typography.Text>
              ),
          },
          {
            title: '政策规定',
            render: (_, r) =>
              r.policy ? (
                <span>
                  {[
                    r.policy.type ?? '劳动合同',
                    r.policy.years ? `${r.policy.years}年` : '',
                    r.policy.endsWithTerm ? '与届期一致' : '',
                    r.policy.afterProbation ? '试用期满后签订' : '',
                  ]
                    .filter(Boolean)
                    .join('，')}
                  <RuleSource source={r.policy.source} rule={r.policy.rule} />
                </span>
              ) : (
                '—'
              ),
          },
          {
            title: '提醒',
            render: (_, r) => (
              <>
                {r.noRenewal.map((n) => (
                  <div key={n.rule}>
                    <Tag color="red">不予续签</Tag>
                    {n.message}
                  </div>
                ))}
                {r.reminders.map((a) => (
                  <div key={`${a.rule}-${a.message}`}>
                    <LevelTag level={a.level} /> {a.message}
                  </div>
                ))}
              </>
            ),
          },
          {
            title: '操作',
            width: 120,
            render: (_, r) =>
              can('workflow:write') ? (
                <Space>
                  {r.status === '试用期' ? (
                    <Button
                      type="link"
                      size="small"
                      onClick={() =>
                        run(
                          () =>
                            api('POST', `/api/contracts/${r.workerId}/probation-end`, {
                              on: r.probationUntil ? dayAfter(r.probationUntil) : todayIso(),
                            }),
                          '已提请转正，待审批',
                          refresh,
                        )
                      }
                    >
                      提请转正
                    </Button>
                  ) : (
                    <Button
                      type="link"
                      size="small"
                      onClick={() => {
                        form.setFieldsValue({
                          startOn: r.contract?.endOn ? dayAfter(r.contract.endOn) : todayIso(),
                          endOn: null,
                          number: null,
                        });
                        setSigning(r);
                      }}
                    >
                      {r.contract ? '续签' : '签订'}
                    </Button>
                  )}
                </Space>
              ) : null,
          },
        ]}
      />
      <Modal
        open={!!signing}
        title={`${signing?.contract ? '续签' : '签订'}劳动合同：${signing?.name ?? ''}`}
        onCancel={() => setSigning(null)}
        onOk={async () => {
          const v = form.getFieldsValue();
          const ok = await run(
            () => api('POST', `/api/contracts/${signing?.workerId}`, v),
            '合同已登记',
            refresh,
          );
          if (ok) setSigning(null);
        }}
      >
        {signing?.policy && (
          <Alert
            type="info"
            showIcon
            style={{ marginBottom: 12 }}
            title={
              <span>
                {signing.policy.description} <RuleSource source={signing.policy.source} />
              </span>
            }
          />
        )}
        <Form form={form} layout="vertical">
          <Form.Item name="startOn" label="开始日期" required>
            <DateInput />
          </Form.Item>
          {!signing?.policy?.years && (
            <Form.Item
              name="endOn"
              label={signing?.policy?.endsWithTerm ? '本届任期届满日期' : '终止日期'}
            >
              <DateInput />
            </Form.Item>
          )}
          <Form.Item name="number" label="合同编号">
            <Input />
          </Form.Item>
        </Form>
      </Modal>
    </Card>
  );
};
