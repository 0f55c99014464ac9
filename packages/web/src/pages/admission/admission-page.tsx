import { PlusOutlined } from '@ant-design/icons';
import { ZCreateWorkItemRequest } from '@shegong/shared';
import { useQuery } from '@tanstack/react-query';
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
import { api, apiGet } from '../../api/client.ts';
import { handleFormError, validateWith } from '../../api/forms.ts';
import { useAuth } from '../../auth.tsx';
import { OrgFilter, RuleSource, useAction, useOrgParam } from '../todo/workflow-ui.tsx';

type TItem = {
  no: number;
  category: string | null;
  departments: string[];
  name: string;
  content: string;
  note: string | null;
};
type TRequest = {
  id: string;
  orgName: string;
  name: string;
  departments: string[];
  content: string;
  reason: string;
  funding: string;
  status: string;
  decisionNote: string | null;
};
type TList = {
  org: { code: string; name: string };
  list: {
    packName: string;
    rule: string;
    source: string;
    description: string;
    admission: string | null;
    items: TItem[];
  } | null;
  added: TRequest[];
};

/** 准入清单: the community work items a community may be asked to do, and requests to add one. */
export const AdmissionPage = () => {
  const [org, setOrg] = useOrgParam();
  const { can } = useAuth();
  const { message } = App.useApp();
  const list = useQuery({
    queryKey: ['admission', org],
    queryFn: () => apiGet<TList>(`/api/admission/items?org=${org}`),
    enabled: !!org,
  });
  const requests = useQuery({
    queryKey: ['admission-requests', org],
    queryFn: () => apiGet<{ items: TRequest[] }>(`/api/admission/requests?org=${org}`),
    enabled: !!org,
  });
  const { run } = useAction();
  const [open, setOpen] = useState(false);
  const [form] = Form.useForm();
  const refresh = [['admission'], ['admission-requests'], ['todo-summary']];
  const l = list.data?.list;
  return (
    <Card
      title="社区工作事项准入清单"
      extra={
        <Space>
          <OrgFilter value={org} onChange={setOrg} />
          {can('workflow:write') && (
            <Button icon={<PlusOutlined />} onClick={() => setOpen(true)}>
              申请新增事项
            </Button>
          )}
        </Space>
      }
    >
      {l ? (
        <Typography.Paragraph>
          {l.description}（共{l.items.length}项）
          <RuleSource source={l.source} rule={l.rule} />
          {l.admission && <Typography.Text type="secondary">；{l.admission}</Typography.Text>}
        </Typography.Paragraph>
      ) : (
        <Typography.Paragraph type="secondary">适用的政策没有列出准入清单。</Typography.Paragraph>
      )}
      <Tabs
        items={[
          {
            key: 'items',
            label: `准入事项（${(l?.items.length ?? 0) + (list.data?.added.length ?? 0)}）`,
            children: (
              <Table
                data-testid="work-items"
                rowKey={(r: TItem & { id?: string }) => r.id ?? String(r.no)}
                size="small"
                pagination={{ pageSize: 30 }}
                dataSource={[
                  ...(l?.items ?? []),
                  ...(list.data?.added ?? []).map((a, i) => ({
                    id: a.id,
                    no: (l?.items.length ?? 0) + i + 1,
                    category: `经批准新增（${a.orgName}）`,
                    departments: a.departments,
                    name: a.name,
                    content: a.content,
                    note: `经费：${a.funding}`,
                  })),
                ]}
                columns={[
                  { title: '序号', dataIndex: 'no', width: 60 },
                  { title: '类别', dataIndex: 'category', width: 120 },
                  {
                    title: '部门',
                    dataIndex: 'departments',
                    width: 200,
                    render: (d: string[]) => d.join('、'),
                  },
                  { title: '事项名称', dataIndex: 'name', width: 200 },
                  { title: '工作内容', dataIndex: 'content' },
                  { title: '工作说明', dataIndex: 'note' },
                ]}
              />
            ),
          },
          {
            key: 'requests',
            label: `新增申请（${requests.data?.items.length ?? 0}）`,
            children: (
              <Table<TRequest>
                rowKey="id"
                size="small"
                dataSource={requests.data?.items ?? []}
                columns={[
                  { title: '申请单位', dataIndex: 'orgName' },
                  { title: '事项名称', dataIndex: 'name' },
                  {
                    title: '部门',
                    dataIndex: 'departments',
                    render: (d: string[]) => d.join('、'),
                  },
                  { title: '理由', dataIndex: 'reason' },
                  { title: '经费保障', dataIndex: 'funding' },
                  { title: '状态', dataIndex: 'status', render: (s) => <Tag>{s}</Tag> },
                  {
                    title: '审批',
                    render: (_, r) =>
                      r.status === '待审批' && can('workflow:approve') ? (
                        <Space>
                          <Button
                            type="link"
                            size="small"
                            onClick={() =>
                              run(
                                () => api('POST', `/api/admission/requests/${r.id}/approve`, {}),
                                '已批准，列入准入清单',
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
                                  api('POST', `/api/admission/requests/${r.id}/reject`, {
                                    note: '不予准入',
                                  }),
                                '已驳回',
                                refresh,
                              )
                            }
                          >
                            驳回
                          </Button>
                        </Space>
                      ) : (
                        r.decisionNote
                      ),
                  },
                ]}
              />
            ),
          },
        ]}
      />
      <Modal
        open={open}
        title="申请新增准入事项"
        onCancel={() => setOpen(false)}
        onOk={async () => {
          const v = form.getFieldsValue();
          const parsed = validateWith(form, ZCreateWorkItemRequest, {
            ...v,
            orgCode: v.orgCode ?? org,
          });
          if (!parsed) return;
          try {
            await api('POST', '/api/admission/requests', parsed);
            message.success('已提交，待审批');
            setOpen(false);
            form.resetFields();
            await requests.refetch();
          } catch (error) {
            message.error(handleFormError(form, error));
          }
        }}
      >
        <Form form={form} layout="vertical">
          <Form.Item name="name" label="事项名称" required>
            <Input />
          </Form.Item>
          <Form.Item name="departments" label="主管部门" required>
            <Select mode="tags" placeholder="输入部门后回车" />
          </Form.Item>
          <Form.Item name="content" label="工作内容" required>
            <Input.TextArea rows={2} />
          </Form.Item>
          <Form.Item name="reason" label="申请理由" required>
            <Input.TextArea rows={2} />
          </Form.Item>
          <Form.Item name="funding" label="经费保障（费随事转）" required>
            <Input />
          </Form.Item>
        </Form>
      </Modal>
    </Card>
  );
};
