import { PlusOutlined } from '@ant-design/icons';
import {
  BORROWER_KINDS,
  SECONDMENT_KINDS,
  type TRuleCheck,
  todayIso,
  ZCreateSecondment,
} from '@shegong/shared';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Form, Input, Modal, Select, Space, Table, Tag } from 'antd';
import { useState } from 'react';
import { Link } from 'react-router';
import { api, apiGet } from '../../api/client.ts';
import { handleFormError, validateWith } from '../../api/forms.ts';
import { useAuth } from '../../auth.tsx';
import { communityWithStreet } from '../../components/community-name.ts';
import { DateInput } from '../../components/date-input.tsx';
import { OrgFilter, useAction, useOrgParam, WorkerSelect } from '../todo/workflow-ui.tsx';

type TRequest = {
  id: string;
  workerId: string;
  name: string;
  communityName: string;
  streetName: string;
  kind: string;
  borrower: string;
  borrowerKind: string;
  purpose: string;
  fromOn: string;
  toOn: string;
  status: string;
  checks: TRuleCheck[];
  overdue: boolean;
  returnedOn: string | null;
};

const STATUS_COLOR: Record<string, string> = {
  待审批: 'blue',
  已批准: 'green',
  已驳回: 'default',
  已归岗: 'default',
};

/** 借调/挂职: requests checked against the pack when made, their approval and the return. */
export const SecondmentPage = () => {
  const [org, setOrg] = useOrgParam();
  const { can } = useAuth();
  const [open, setOpen] = useState(false);
  const key = ['secondments', org];
  const q = useQuery({
    queryKey: key,
    queryFn: () => apiGet<{ items: TRequest[] }>(`/api/secondments?org=${org}`),
    enabled: !!org,
  });
  const { run } = useAction();
  const refresh = [key, ['todo'], ['todo-summary']];
  return (
    <Card
      title="借调与挂职"
      extra={
        <Space>
          <OrgFilter value={org} onChange={setOrg} />
          {can('workflow:write') && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setOpen(true)}>
              申请借调（挂职）
            </Button>
          )}
        </Space>
      }
    >
      <Table<TRequest>
        rowKey="id"
        size="small"
        loading={q.isLoading}
        dataSource={q.data?.items ?? []}
        expandable={{
          expandedRowRender: (r) =>
            r.checks.map((c) => (
              <div key={`${c.rule}-${c.message}`}>
                <Tag color={c.passed ? 'green' : 'red'}>{c.passed ? '符合' : '不符合'}</Tag>
                {c.message}
              </div>
            )),
        }}
        columns={[
          { title: '人员', render: (_, r) => <Link to={`/workers/${r.workerId}`}>{r.name}</Link> },
          { title: '社区', render: (_, r) => communityWithStreet(r) },
          { title: '类型', dataIndex: 'kind', width: 90 },
          { title: '借调单位', render: (_, r) => `${r.borrower}（${r.borrowerKind}）` },
          { title: '期间', width: 200, render: (_, r) => `${r.fromOn} 至 ${r.toOn}` },
          {
            title: '状态',
            width: 130,
            render: (_, r) => (
              <Space>
                <Tag color={STATUS_COLOR[r.status]}>{r.status}</Tag>
                {r.overdue && <Tag color="red">期满未归岗</Tag>}
              </Space>
            ),
          },
          {
            title: '操作',
            width: 180,
            render: (_, r) => (
              <Space>
                {r.status === '待审批' && can('workflow:approve') && (
                  <>
                    <Button
                      type="link"
                      size="small"
                      onClick={() =>
                        run(
                          () => api('POST', `/api/secondments/${r.id}/approve`, {}),
                          '已批准',
                          refresh,
                        )
                      }
                    >
                      批准
                    </Button>
                    <Button
                      type="link"
                      size="small"
                      onClick={() =>
                        run(
                          () =>
                            api('POST', `/api/secondments/${r.id}/reject`, { note: '不予批准' }),
                          '已驳回',
                          refresh,
                        )
                      }
                    >
                      驳回
                    </Button>
                  </>
                )}
                {r.status === '已批准' && can('workflow:write') && (
                  <Button
                    type="link"
                    size="small"
                    onClick={() =>
                      run(
                        () =>
                          api('POST', `/api/secondments/${r.id}/return`, {
                            returnedOn: [r.toOn, todayIso()].sort()[0],
                          }),
                        '已归岗',
                        refresh,
                      )
                    }
                  >
                    归岗
                  </Button>
                )}
              </Space>
            ),
          },
        ]}
      />
      {open && <SecondmentForm org={org} onClose={() => setOpen(false)} refresh={refresh} />}
    </Card>
  );
};

const SecondmentForm = ({
  org,
  onClose,
  refresh,
}: {
  org: string;
  onClose: () => void;
  refresh: unknown[][];
}) => {
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [form] = Form.useForm();
  const [refusal, setRefusal] = useState<string | null>(null);
  const save = async () => {
    setRefusal(null);
    const parsed = validateWith(form, ZCreateSecondment, form.getFieldsValue());
    if (!parsed) return;
    try {
      await api('POST', '/api/secondments', parsed);
      message.success('已提交，待审批');
      await Promise.all(refresh.map((k) => queryClient.invalidateQueries({ queryKey: k })));
      onClose();
    } catch (error) {
      const text = handleFormError(form, error);
      setRefusal(text);
    }
  };
  return (
    <Modal open title="申请借调（挂职）" width={640} onCancel={onClose} onOk={save} okText="提交">
      {refusal && (
        <Alert
          data-testid="secondment-refusal"
          type="error"
          showIcon
          title={refusal}
          style={{ marginBottom: 12 }}
        />
      )}
      <Form
        form={form}
        layout="vertical"
        initialValues={{ kind: '挂职锻炼', borrowerKind: '街道（乡镇）', fromOn: todayIso() }}
      >
        <Form.Item name="workerId" label="人员" required>
          <WorkerSelect org={org} />
        </Form.Item>
        <Space>
          <Form.Item name="kind" label="类型" required>
            <Select
              style={{ width: 120 }}
              options={SECONDMENT_KINDS.map((k) => ({ value: k, label: k }))}
            />
          </Form.Item>
          <Form.Item name="borrower" label="借调（挂职）单位" required>
            <Input />
          </Form.Item>
          <Form.Item name="borrowerKind" label="单位性质" required>
            <Select
              style={{ width: 200 }}
              options={BORROWER_KINDS.map((k) => ({ value: k, label: k }))}
            />
          </Form.Item>
        </Space>
        <Form.Item name="purpose" label="事由" required>
          <Input />
        </Form.Item>
        <Space>
          <Form.Item name="fromOn" label="开始日期" required>
            <DateInput />
          </Form.Item>
          <Form.Item name="toOn" label="结束日期" required>
            <DateInput />
          </Form.Item>
        </Space>
      </Form>
    </Modal>
  );
};
