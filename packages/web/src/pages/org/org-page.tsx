import {
  CHILD_LEVEL,
  COMMUNITY_KINDS,
  ORG_LEVEL_LABELS,
  ZCreateOrg,
  ZMoveOrg,
  ZOrgFact,
} from '@shegong/shared';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import {
  App,
  Button,
  Card,
  Col,
  Form,
  Input,
  InputNumber,
  Row,
  Select,
  Space,
  Table,
  Tabs,
  Tag,
} from 'antd';
import { Link, useSearchParams } from 'react-router';
import { api, apiGet } from '../../api/client.ts';
import { handleFormError, validateWith } from '../../api/forms.ts';
import type { TOrgDetail } from '../../api/types.ts';
import { useAuth } from '../../auth.tsx';
import { DateInput } from '../../components/date-input.tsx';
import { OrgSummary } from '../../components/org-summary.tsx';
import { OrgTree } from '../../components/org-tree.tsx';
import { OrgTreeSelect } from '../../components/org-tree-select.tsx';

type TFact = {
  id: string;
  effectiveFrom: string;
  householdsRegistered: number | null;
  householdsResident: number | null;
  population: number | null;
  kind: string | null;
  starRating: number | null;
};
type TMove = {
  id: string;
  fromParentCode: string;
  toParentCode: string;
  effectiveOn: string;
  reason: string | null;
};
type TGrid = {
  code: string;
  name: string;
  households: number | null;
  workers: Array<{ id: string; name: string; postTitle: string }>;
};

/** 机构与社区: the tree with drill-down; a community shows its facts over time and its grids. */
export const OrgPage = () => {
  const { me } = useAuth();
  const [params, setParams] = useSearchParams();
  const selected = params.get('code') ?? me?.orgCode ?? '';
  const select = (code: string) => setParams({ code });
  const detail = useQuery({
    queryKey: ['org', selected],
    queryFn: () => apiGet<TOrgDetail>(`/api/orgs/${selected}`),
    enabled: selected !== '',
  });
  const level = detail.data?.level;
  return (
    <Row gutter={16}>
      <Col xs={24} md={8} xl={6}>
        <Card title="机构树" size="small" className="org-tree-card">
          <OrgTree
            rootCode={me?.orgCode ?? ''}
            selected={selected}
            onSelect={select}
            leafLevels={['grid']}
          />
        </Card>
      </Col>
      <Col xs={24} md={16} xl={18}>
        <Space orientation="vertical" size={16} style={{ width: '100%' }}>
          <OrgSummary code={selected} onSelect={select} />
          {detail.data && (
            <Card size="small">
              <Tabs
                items={[
                  ...(level === 'community'
                    ? [
                        {
                          key: 'facts',
                          label: '户数与人口',
                          children: <FactsTab code={selected} />,
                        },
                        { key: 'grids', label: '网格', children: <GridsTab code={selected} /> },
                        {
                          key: 'move',
                          label: '调整所属街道',
                          children: <MoveTab code={selected} />,
                        },
                      ]
                    : []),
                  { key: 'edit', label: '名称与政策包', children: <EditTab node={detail.data} /> },
                  ...(CHILD_LEVEL[detail.data.level]
                    ? [
                        {
                          key: 'add',
                          label: `新增${ORG_LEVEL_LABELS[CHILD_LEVEL[detail.data.level]!]}`,
                          children: <AddChildTab node={detail.data} />,
                        },
                      ]
                    : []),
                ]}
              />
            </Card>
          )}
        </Space>
      </Col>
    </Row>
  );
};

const useRefreshOrg = () => {
  const queryClient = useQueryClient();
  return () =>
    Promise.all(
      ['org', 'org-children', 'org-facts', 'org-grids'].map((k) =>
        queryClient.invalidateQueries({ queryKey: [k] }),
      ),
    );
};

const FactsTab = ({ code }: { code: string }) => {
  const { can } = useAuth();
  const { message } = App.useApp();
  const [form] = Form.useForm();
  const refresh = useRefreshOrg();
  const facts = useQuery({
    queryKey: ['org-facts', code],
    queryFn: () => apiGet<{ items: TFact[]; moves: TMove[] }>(`/api/orgs/${code}/facts`),
  });
  const submit = async () => {
    const values = form.getFieldsValue(true);
    if (!validateWith(form, ZOrgFact, values)) return;
    try {
      await api('POST', `/api/orgs/${code}/facts`, values);
      message.success('已登记');
      form.resetFields();
      await refresh();
    } catch (error) {
      message.error(handleFormError(form, error));
    }
  };
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Table<TFact>
        rowKey="id"
        size="small"
        loading={facts.isLoading}
        dataSource={facts.data?.items ?? []}
        pagination={false}
        columns={[
          { title: '自', dataIndex: 'effectiveFrom' },
          { title: '户籍户数', dataIndex: 'householdsRegistered', align: 'right' },
          { title: '常住户数', dataIndex: 'householdsResident', align: 'right' },
          { title: '常住人口', dataIndex: 'population', align: 'right' },
          { title: '类型', dataIndex: 'kind' },
          {
            title: '党组织星级',
            dataIndex: 'starRating',
            render: (s: number | null) => (s === null ? '—' : `${s} 星`),
          },
        ]}
      />
      {facts.data && facts.data.moves.length > 0 && (
        <Table<TMove>
          rowKey="id"
          size="small"
          title={() => '隶属调整记录'}
          dataSource={facts.data.moves}
          pagination={false}
          columns={[
            { title: '生效日期', dataIndex: 'effectiveOn' },
            { title: '原街道', dataIndex: 'fromParentCode' },
            { title: '新街道', dataIndex: 'toParentCode' },
            { title: '原因', dataIndex: 'reason' },
          ]}
        />
      )}
      {can('org:write') && (
        <Form form={form} layout="inline" onFinish={submit} style={{ rowGap: 8 }}>
          <Form.Item name="effectiveFrom" label="自" required>
            <DateInput />
          </Form.Item>
          <Form.Item name="householdsRegistered" label="户籍户数">
            <InputNumber min={0} />
          </Form.Item>
          <Form.Item name="householdsResident" label="常住户数">
            <InputNumber min={0} />
          </Form.Item>
          <Form.Item name="population" label="常住人口">
            <InputNumber min={0} />
          </Form.Item>
          <Form.Item name="kind" label="类型">
            <Select
              style={{ width: 120 }}
              allowClear
              options={COMMUNITY_KINDS.map((k) => ({ value: k, label: k }))}
            />
          </Form.Item>
          <Form.Item name="starRating" label="星级">
            <InputNumber min={0} max={5} />
          </Form.Item>
          <Button type="primary" htmlType="submit">
            登记
          </Button>
        </Form>
      )}
    </Space>
  );
};

const GridsTab = ({ code }: { code: string }) => {
  const grids = useQuery({
    queryKey: ['org-grids', code],
    queryFn: () => apiGet<{ items: TGrid[] }>(`/api/orgs/${code}/grids`),
  });
  return (
    <Table<TGrid>
      rowKey="code"
      size="small"
      loading={grids.isLoading}
      dataSource={grids.data?.items ?? []}
      pagination={false}
      columns={[
        { title: '网格', dataIndex: 'name' },
        { title: '代码', dataIndex: 'code' },
        { title: '户数', dataIndex: 'households', align: 'right' },
        {
          title: '网格员',
          render: (_, g) =>
            g.workers.length === 0 ? (
              <Tag color="error">未配备</Tag>
            ) : (
              g.workers.map((w) => (
                <Link key={w.id} to={`/workers/${w.id}`} style={{ marginRight: 8 }}>
                  {w.name}（{w.postTitle}）
                </Link>
              ))
            ),
        },
      ]}
    />
  );
};

const MoveTab = ({ code }: { code: string }) => {
  const { message } = App.useApp();
  const [form] = Form.useForm();
  const refresh = useRefreshOrg();
  const submit = async () => {
    const values = form.getFieldsValue(true);
    if (!validateWith(form, ZMoveOrg, values)) return;
    try {
      const result = await api<{ workersMoved: number }>('POST', `/api/orgs/${code}/move`, values);
      message.success(`已调整，随迁工作者 ${result.workersMoved} 人`);
      form.resetFields();
      await refresh();
    } catch (error) {
      message.error(handleFormError(form, error));
    }
  };
  return (
    <Form form={form} layout="vertical" onFinish={submit} style={{ maxWidth: 480 }}>
      <Form.Item name="toParentCode" label="调整到街道" required>
        <OrgTreeSelect selectable={['street']} maxLevel="street" placeholder="选择街道" />
      </Form.Item>
      <Form.Item name="effectiveOn" label="生效日期" required>
        <DateInput />
      </Form.Item>
      <Form.Item name="reason" label="原因" required>
        <Input maxLength={200} />
      </Form.Item>
      <Button type="primary" htmlType="submit">
        调整
      </Button>
    </Form>
  );
};

const usePackOptions = () => {
  const packs = useQuery({
    queryKey: ['policy-packs'],
    queryFn: () => apiGet<{ items: Array<{ id: string; name: string }> }>('/api/policy/packs'),
    retry: false,
  });
  return (packs.data?.items ?? []).map((p) => ({ value: p.id, label: `${p.name}（${p.id}）` }));
};

const EditTab = ({ node }: { node: TOrgDetail }) => {
  const { can } = useAuth();
  const { message } = App.useApp();
  const [form] = Form.useForm();
  const refresh = useRefreshOrg();
  const packs = usePackOptions();
  const submit = async () => {
    try {
      await api('PATCH', `/api/orgs/${node.code}`, form.getFieldsValue(true));
      message.success('已保存');
      await refresh();
    } catch (error) {
      message.error(handleFormError(form, error));
    }
  };
  return (
    <Form
      key={node.code}
      form={form}
      layout="vertical"
      onFinish={submit}
      initialValues={{ name: node.name, packId: node.packId }}
      style={{ maxWidth: 480 }}
      disabled={!can('org:write')}
    >
      <Form.Item name="name" label="名称">
        <Input maxLength={50} />
      </Form.Item>
      <Form.Item
        name="packId"
        label="适用政策包"
        extra={`不设置则继承上级（当前生效：${node.effectivePackId ?? '无'}）`}
      >
        <Select allowClear options={packs} placeholder="继承上级" />
      </Form.Item>
      <Button type="primary" htmlType="submit">
        保存
      </Button>
    </Form>
  );
};

const AddChildTab = ({ node }: { node: TOrgDetail }) => {
  const { message } = App.useApp();
  const [form] = Form.useForm();
  const refresh = useRefreshOrg();
  const submit = async () => {
    const values = { ...form.getFieldsValue(true), parentCode: node.code };
    if (!validateWith(form, ZCreateOrg, values)) return;
    try {
      await api('POST', '/api/orgs', values);
      message.success('已新增');
      form.resetFields();
      await refresh();
    } catch (error) {
      message.error(handleFormError(form, error));
    }
  };
  const childLevel = CHILD_LEVEL[node.level]!;
  const hint: Record<string, string> = {
    street: `${node.code}NNN000（12位）`,
    community: `${node.code.slice(0, 9)}NNN（12位）`,
    grid: `${node.code}NNN（15位）`,
  };
  return (
    <Form form={form} layout="vertical" onFinish={submit} style={{ maxWidth: 480 }}>
      <Form.Item
        name="code"
        label={`${ORG_LEVEL_LABELS[childLevel]}代码`}
        required
        extra={hint[childLevel] ?? 'GB/T 2260 六位代码'}
      >
        <Input maxLength={15} />
      </Form.Item>
      <Form.Item name="name" label="名称" required>
        <Input maxLength={50} />
      </Form.Item>
      <Button type="primary" htmlType="submit">
        新增
      </Button>
    </Form>
  );
};
