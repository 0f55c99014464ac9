import { type TProposalView, todayIso, ZProposeExit } from '@shegong/shared';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import {
  App,
  Button,
  Card,
  Form,
  Input,
  Modal,
  Select,
  Space,
  Table,
  Tabs,
  Tag,
  Typography,
} from 'antd';
import { useState } from 'react';
import { Link } from 'react-router';
import { api, apiGet } from '../../api/client.ts';
import { handleFormError, validateWith } from '../../api/forms.ts';
import { useAuth } from '../../auth.tsx';
import { communityWithStreet } from '../../components/community-name.ts';
import { DateInput } from '../../components/date-input.tsx';
import type { TVacancy } from '../recruitment/recruitment-list-page.tsx';
import {
  OrgFilter,
  ProposalTable,
  RuleSource,
  useOrgParam,
  WorkerSelect,
} from '../todo/workflow-ui.tsx';

type TCase = {
  workerId: string;
  workerName: string;
  communityName: string;
  streetName: string;
  postTitle: string | null;
  situation: string;
  rule: string;
  source: string;
  status: '已出现' | '预警';
  evidence: { rule: string; source: string; message: string }[];
};
type TCases = {
  situations: { label: string; rule: string; source: string }[];
  items: TCase[];
  workers: number;
  complete: boolean;
};

/** 退出: the pack's exit situations with their evidence, exit proposals, and vacant posts. */
export const ExitPage = () => {
  const [org, setOrg] = useOrgParam();
  const { can } = useAuth();
  const cases = useQuery({
    queryKey: ['exit-cases', org],
    queryFn: () => apiGet<TCases>(`/api/exit/cases?org=${org}`),
    enabled: !!org,
  });
  const proposals = useQuery({
    queryKey: ['exit-proposals', org],
    queryFn: () => apiGet<{ items: TProposalView[] }>(`/api/proposals?org=${org}&kind=exit`),
    enabled: !!org,
  });
  const vacancies = useQuery({
    queryKey: ['vacancies', org],
    queryFn: () => apiGet<{ items: TVacancy[] }>(`/api/recruitment/vacancies?org=${org}`),
    enabled: !!org,
  });
  const [proposing, setProposing] = useState<Partial<TCase> | null>(null);
  const refresh = [['exit-cases'], ['exit-proposals'], ['vacancies'], ['todo'], ['todo-summary']];
  return (
    <Card
      title="退出"
      extra={
        <Space>
          <OrgFilter value={org} onChange={setOrg} />
          {can('workflow:write') && (
            <Button type="link" size="small" onClick={() => setProposing({})}>
              提出退出建议
            </Button>
          )}
        </Space>
      }
    >
      <Tabs
        items={[
          {
            key: 'cases',
            label: `退出情形（${cases.data?.items.length ?? 0}）`,
            children: (
              <Space orientation="vertical" style={{ width: '100%' }}>
                <Typography.Text type="secondary">
                  政策规定的退出情形：
                  {cases.data?.situations.map((s) => s.label).join('；') || '适用政策未列举'}
                </Typography.Text>
                <Table<TCase>
                  data-testid="exit-cases"
                  rowKey={(c) => `${c.workerId}-${c.situation}`}
                  size="small"
                  loading={cases.isLoading}
                  dataSource={cases.data?.items ?? []}
                  columns={[
                    {
                      title: '人员',
                      width: 160,
                      render: (_, c) => (
                        <Link to={`/workers/${c.workerId}`}>
                          {c.workerName}（{communityWithStreet(c)}）
                        </Link>
                      ),
                    },
                    { title: '情形', dataIndex: 'situation' },
                    {
                      title: '状态',
                      width: 80,
                      render: (_, c) => (
                        <Tag color={c.status === '已出现' ? 'red' : 'orange'}>{c.status}</Tag>
                      ),
                    },
                    {
                      title: '依据',
                      render: (_, c) =>
                        c.evidence.map((e) => (
                          <div key={e.message}>
                            {e.message} <RuleSource source={e.source} rule={e.rule} />
                          </div>
                        )),
                    },
                    {
                      title: '',
                      width: 100,
                      render: (_, c) =>
                        can('workflow:write') && c.status === '已出现' ? (
                          <Button type="link" size="small" onClick={() => setProposing(c)}>
                            提出退出建议
                          </Button>
                        ) : null,
                    },
                  ]}
                />
              </Space>
            ),
          },
          {
            key: 'proposals',
            label: `退出建议（${proposals.data?.items.length ?? 0}）`,
            children: <ProposalTable items={proposals.data?.items ?? []} refresh={refresh} />,
          },
          {
            key: 'vacancies',
            label: '岗位空缺',
            children: (
              <Table<TVacancy>
                rowKey="communityCode"
                size="small"
                dataSource={vacancies.data?.items ?? []}
                columns={[
                  { title: '社区', dataIndex: 'communityName' },
                  {
                    title: '核定职数',
                    render: (_, v) =>
                      v.quota
                        ? `${v.quota.min}${v.quota.max !== null && v.quota.max !== v.quota.min ? `–${v.quota.max}` : ''}`
                        : (v.note ?? '未核定'),
                  },
                  { title: '在岗', dataIndex: 'actual' },
                  { title: '招聘中', dataIndex: 'inCampaigns' },
                  { title: '可招聘（人走岗留）', dataIndex: 'vacancies' },
                ]}
              />
            ),
          },
        ]}
      />
      {proposing && (
        <ExitForm
          org={org}
          initial={proposing}
          situations={cases.data?.situations ?? []}
          onClose={() => setProposing(null)}
          refresh={refresh}
        />
      )}
    </Card>
  );
};

const ExitForm = ({
  org,
  initial,
  situations,
  onClose,
  refresh,
}: {
  org: string;
  initial: Partial<TCase>;
  situations: { label: string }[];
  onClose: () => void;
  refresh: unknown[][];
}) => {
  const { message } = App.useApp();
  const [form] = Form.useForm();
  const queryClient = useQueryClient();
  const save = async () => {
    const parsed = validateWith(form, ZProposeExit, form.getFieldsValue());
    if (!parsed) return;
    try {
      await api('POST', '/api/exit/proposals', parsed);
      message.success('退出建议已提出，待审批');
      await Promise.all(refresh.map((k) => queryClient.invalidateQueries({ queryKey: k })));
      onClose();
    } catch (error) {
      message.error(handleFormError(form, error));
    }
  };
  return (
    <Modal open title="提出退出建议" width={640} onCancel={onClose} onOk={save} okText="提交">
      <Form
        form={form}
        layout="vertical"
        initialValues={{
          workerId: initial.workerId,
          situation: initial.situation,
          exitOn: todayIso(),
          reason: initial.evidence?.[0]?.message,
        }}
      >
        <Form.Item name="workerId" label="人员" required>
          <WorkerSelect org={org} />
        </Form.Item>
        <Form.Item name="situation" label="退出情形" required>
          <Select options={situations.map((s) => ({ value: s.label, label: s.label }))} />
        </Form.Item>
        <Form.Item name="exitOn" label="退出日期" required>
          <DateInput />
        </Form.Item>
        <Form.Item name="reason" label="退出原因" required>
          <Input.TextArea rows={3} />
        </Form.Item>
      </Form>
    </Modal>
  );
};
