import { PlusOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { App, Button, Card, Descriptions, Form, InputNumber, Modal, Space, Table, Tag } from 'antd';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { api, apiGet } from '../../api/client.ts';
import { handleFormError } from '../../api/forms.ts';
import { useAuth } from '../../auth.tsx';
import { OrgTreeSelect } from '../../components/org-tree-select.tsx';
import { OrgFilter, RuleSource, useOrgParam } from '../todo/workflow-ui.tsx';

export type TAssessmentRule = {
  rule: string;
  source: string;
  description: string;
  dimensions: { name: string; weight: string | null }[];
  evaluators: { name: string; weight: string | null }[];
  detailsBy: string | null;
  excellentShareMax: string | null;
  rewards: { grade: string; reward: string }[];
};
type TCycleRow = {
  id: string;
  year: number;
  orgName: string;
  status: string;
  dimensions: { name: string; weight: number }[];
};

/** 考核: the yearly cycles of a node and what the pack says an assessment covers. */
export const AssessmentListPage = () => {
  const [org, setOrg] = useOrgParam();
  const { can } = useAuth();
  const [open, setOpen] = useState(false);
  const list = useQuery({
    queryKey: ['cycles', org],
    queryFn: () =>
      apiGet<{ items: TCycleRow[]; rule: TAssessmentRule | null }>(
        `/api/assessment/cycles?org=${org}`,
      ),
    enabled: !!org,
  });
  const rule = list.data?.rule;
  return (
    <Space orientation="vertical" size={16} style={{ width: '100%' }}>
      <Card
        title="年度考核"
        extra={
          <Space>
            <OrgFilter value={org} onChange={setOrg} maxLevel="street" />
            {can('workflow:write') && (
              <Button type="primary" icon={<PlusOutlined />} onClick={() => setOpen(true)}>
                建立年度考核
              </Button>
            )}
          </Space>
        }
      >
        {rule && (
          <Descriptions size="small" column={1} bordered style={{ marginBottom: 16 }}>
            <Descriptions.Item label="考核规定">
              {rule.description} <RuleSource source={rule.source} rule={rule.rule} />
            </Descriptions.Item>
            <Descriptions.Item label="考核内容">
              {rule.dimensions
                .map((d) => `${d.name}${d.weight ? `（${d.weight}）` : ''}`)
                .join('、')}
              {rule.evaluators.length > 0 &&
                `；${rule.evaluators.map((e) => e.name).join('与')}相结合`}
            </Descriptions.Item>
            {rule.detailsBy && (
              <Descriptions.Item label="权重与细则">{rule.detailsBy}</Descriptions.Item>
            )}
            <Descriptions.Item label="优秀比例">
              {rule.excellentShareMax ? `不超过${rule.excellentShareMax}` : '政策未规定'}
            </Descriptions.Item>
          </Descriptions>
        )}
        <Table<TCycleRow>
          rowKey="id"
          size="small"
          loading={list.isLoading}
          dataSource={list.data?.items ?? []}
          columns={[
            {
              title: '年度',
              dataIndex: 'year',
              width: 80,
              render: (y, c) => <Link to={`/assessment/${c.id}`}>{y}年度</Link>,
            },
            { title: '考核单位', dataIndex: 'orgName' },
            {
              title: '考核内容与权重',
              render: (_, c) => c.dimensions.map((d) => `${d.name}${d.weight}%`).join('、'),
            },
            { title: '状态', dataIndex: 'status', width: 90, render: (s) => <Tag>{s}</Tag> },
          ]}
        />
      </Card>
      {open && <CycleForm onClose={() => setOpen(false)} />}
    </Space>
  );
};

const CycleForm = ({ onClose }: { onClose: () => void }) => {
  const { message } = App.useApp();
  const navigate = useNavigate();
  const [form] = Form.useForm();
  const orgCode: string | undefined = Form.useWatch('orgCode', form);
  const year: number | undefined = Form.useWatch('year', form);
  const rule = useQuery({
    queryKey: ['cycle-rule', orgCode, year],
    queryFn: () =>
      apiGet<{ rule: TAssessmentRule | null }>(
        `/api/assessment/cycles?org=${orgCode}&year=${year}`,
      ),
    enabled: !!orgCode && !!year,
  });
  const dims = rule.data?.rule?.dimensions ?? [];
  const save = async () => {
    const v = form.getFieldsValue();
    try {
      const res = await api<{ id: string }>('POST', '/api/assessment/cycles', {
        orgCode: v.orgCode,
        year: v.year,
        weights: Object.fromEntries(
          dims.filter((d) => !d.weight).map((d) => [d.name, v.weights?.[d.name]]),
        ),
      });
      message.success('年度考核已建立');
      onClose();
      navigate(`/assessment/${res.id}`);
    } catch (error) {
      message.error(handleFormError(form, error));
    }
  };
  return (
    <Modal open title="建立年度考核" width={640} onCancel={onClose} onOk={save} okText="建立">
      <Form form={form} layout="vertical" initialValues={{ year: new Date().getFullYear() - 1 }}>
        <Form.Item name="orgCode" label="考核单位" required extra="街道（乡镇）或县（市、区）">
          <OrgTreeSelect maxLevel="street" selectable={['county', 'street']} />
        </Form.Item>
        <Form.Item name="year" label="考核年度" required>
          <InputNumber min={2000} max={2100} />
        </Form.Item>
        {dims.length > 0 && (
          <Form.Item
            label={`考核内容与权重（%）${rule.data?.rule?.detailsBy ? `：政策未规定权重，由${rule.data.rule.detailsBy}` : ''}`}
          >
            <Space wrap>
              {dims.map((d) => (
                <Form.Item
                  key={d.name}
                  name={['weights', d.name]}
                  label={d.name}
                  noStyle={false}
                  initialValue={d.weight ? undefined : Math.floor(100 / dims.length)}
                >
                  {d.weight ? (
                    <Tag>{d.weight}</Tag>
                  ) : (
                    <InputNumber aria-label={`${d.name}权重`} min={0} max={100} />
                  )}
                </Form.Item>
              ))}
            </Space>
          </Form.Item>
        )}
      </Form>
    </Modal>
  );
};
