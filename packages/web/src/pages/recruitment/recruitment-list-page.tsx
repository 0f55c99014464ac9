import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { POST_TITLES, todayIso, ZCreateCampaign } from '@shegong/shared';
import { useQuery } from '@tanstack/react-query';
import {
  App,
  Button,
  Card,
  Form,
  Input,
  InputNumber,
  Modal,
  Select,
  Space,
  Table,
  Tag,
} from 'antd';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { api, apiGet } from '../../api/client.ts';
import { handleFormError, validateWith } from '../../api/forms.ts';
import { useAuth } from '../../auth.tsx';
import { DateInput } from '../../components/date-input.tsx';
import { OrgTreeSelect } from '../../components/org-tree-select.tsx';
import { OrgFilter, useOrgParam } from '../todo/workflow-ui.tsx';

type TCampaignRow = {
  id: string;
  title: string;
  orgName: string;
  step: string;
  status: string;
  announcedOn: string;
  seats: number;
  applications: number;
};
export type TVacancy = {
  communityCode: string;
  communityName: string;
  quota: { min: number; max: number | null } | null;
  note: string | null;
  actual: number;
  inCampaigns: number;
  vacancies: number;
};

/** 招聘: campaigns of the node, and a new announcement with quota-backed posts. */
export const RecruitmentListPage = () => {
  const [org, setOrg] = useOrgParam();
  const { can } = useAuth();
  const [open, setOpen] = useState(false);
  const list = useQuery({
    queryKey: ['campaigns', org],
    queryFn: () => apiGet<{ items: TCampaignRow[] }>(`/api/recruitment/campaigns?org=${org}`),
    enabled: !!org,
  });
  return (
    <Card
      title="招聘"
      extra={
        <Space>
          <OrgFilter value={org} onChange={setOrg} maxLevel="street" />
          {can('workflow:write') && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setOpen(true)}>
              发布招聘公告
            </Button>
          )}
        </Space>
      }
    >
      <Table<TCampaignRow>
        rowKey="id"
        size="small"
        loading={list.isLoading}
        dataSource={list.data?.items ?? []}
        columns={[
          {
            title: '招聘公告',
            render: (_, c) => <Link to={`/recruitment/${c.id}`}>{c.title}</Link>,
          },
          { title: '组织单位', dataIndex: 'orgName' },
          { title: '公告日期', dataIndex: 'announcedOn', width: 110 },
          { title: '招聘人数', dataIndex: 'seats', width: 90 },
          { title: '报名人数', dataIndex: 'applications', width: 90 },
          {
            title: '环节',
            width: 120,
            render: (_, c) => (
              <Tag color={c.status === '进行中' ? 'blue' : 'default'}>
                {c.status === '进行中' ? c.step : c.status}
              </Tag>
            ),
          },
        ]}
      />
      {open && <CampaignForm onClose={() => setOpen(false)} />}
    </Card>
  );
};

const CampaignForm = ({ onClose }: { onClose: () => void }) => {
  const { message } = App.useApp();
  const navigate = useNavigate();
  const [form] = Form.useForm();
  const orgCode: string | undefined = Form.useWatch('orgCode', form);
  const vacancies = useQuery({
    queryKey: ['vacancies', orgCode],
    queryFn: () => apiGet<{ items: TVacancy[] }>(`/api/recruitment/vacancies?org=${orgCode}`),
    enabled: !!orgCode,
  });
  const save = async () => {
    const values = form.getFieldsValue();
    const parsed = validateWith(form, ZCreateCampaign, values);
    if (!parsed) return;
    try {
      const res = await api<{ id: string }>('POST', '/api/recruitment/campaigns', parsed);
      message.success('招聘公告已发布');
      onClose();
      navigate(`/recruitment/${res.id}`);
    } catch (error) {
      message.error(handleFormError(form, error));
    }
  };
  return (
    <Modal open title="发布招聘公告" width={760} onCancel={onClose} onOk={save} okText="发布">
      <Form
        form={form}
        layout="vertical"
        initialValues={{
          announcedOn: todayIso(),
          applyUntil: todayIso(),
          writtenWeight: 50,
          interviewWeight: 50,
          posts: [{ postTitle: '网格员', seats: 1 }],
        }}
      >
        <Form.Item name="title" label="公告标题" required>
          <Input placeholder="如：2026年××街道专职社区网格员招聘公告" />
        </Form.Item>
        <Form.Item name="orgCode" label="组织单位" required extra="县（市、区）或街道">
          <OrgTreeSelect maxLevel="street" selectable={['county', 'street']} />
        </Form.Item>
        <Space>
          <Form.Item name="announcedOn" label="公告日期" required>
            <DateInput />
          </Form.Item>
          <Form.Item name="applyUntil" label="报名截止" required>
            <DateInput />
          </Form.Item>
          <Form.Item name="writtenWeight" label="笔试权重（%）" required>
            <InputNumber min={0} max={100} />
          </Form.Item>
          <Form.Item name="interviewWeight" label="面试权重（%）" required>
            <InputNumber min={0} max={100} />
          </Form.Item>
        </Space>
        <Form.List name="posts">
          {(fields, { add, remove }) => (
            <>
              {fields.map((f) => (
                <Space key={f.key} align="baseline">
                  <Form.Item
                    name={[f.name, 'communityCode']}
                    label="社区"
                    required
                    style={{ width: 340 }}
                  >
                    <Select
                      aria-label="招聘社区"
                      placeholder={orgCode ? '选择社区' : '请先选择组织单位'}
                      loading={vacancies.isFetching}
                      options={(vacancies.data?.items ?? []).map((v) => ({
                        value: v.communityCode,
                        disabled: v.vacancies === 0,
                        label: `${v.communityName}（${
                          v.quota
                            ? `职数${v.quota.min}${v.quota.max !== null && v.quota.max !== v.quota.min ? `–${v.quota.max}` : ''}，在岗${v.actual}，可招${v.vacancies}`
                            : '未核定职数'
                        }）`,
                      }))}
                    />
                  </Form.Item>
                  <Form.Item name={[f.name, 'postTitle']} label="岗位" required>
                    <Select
                      aria-label="招聘岗位"
                      style={{ width: 130 }}
                      options={POST_TITLES.map((t) => ({ value: t, label: t }))}
                    />
                  </Form.Item>
                  <Form.Item name={[f.name, 'seats']} label="人数" required>
                    <InputNumber aria-label="招聘人数" min={1} />
                  </Form.Item>
                  {fields.length > 1 && <MinusCircleOutlined onClick={() => remove(f.name)} />}
                </Space>
              ))}
              <Button
                type="dashed"
                icon={<PlusOutlined />}
                onClick={() => add({ postTitle: '网格员', seats: 1 })}
              >
                增加岗位
              </Button>
            </>
          )}
        </Form.List>
      </Form>
    </Modal>
  );
};
