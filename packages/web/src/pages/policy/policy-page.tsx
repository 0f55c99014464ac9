import { todayIso } from '@shegong/shared';
import { useQuery } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Col,
  Descriptions,
  Form,
  Input,
  Row,
  Select,
  Space,
  Table,
  Tabs,
  Tag,
  Tooltip,
} from 'antd';
import { useState } from 'react';
import { ApiError, api, apiGet } from '../../api/client.ts';
import { DateInput } from '../../components/date-input.tsx';
import { TraceView, type TTraceStep } from '../../components/trace-view.tsx';
import { shapeText } from './shape-labels.ts';

type TPackSummary = {
  id: string;
  name: string;
  status: string;
  jurisdiction: { name: string; level: string };
  extends: string | null;
  effectiveFrom: string;
  effectiveTo: string | null;
};
type TParameter = {
  name: string;
  description: string;
  unit: string;
  source: string;
  definedIn: string;
  value: string | null;
  versions: Array<{
    from: string;
    to: string | null;
    value: string;
    source: string;
    note?: string;
  }>;
};
type TRule = {
  id: string;
  shape: string;
  description: string;
  source: string;
  definedIn: string;
  effectiveFrom: string;
  effectiveTo: string | null;
  definition: unknown;
};
type TDescription = {
  id: string;
  name: string;
  status: string;
  jurisdiction: { name: string; level: string };
  chain: string[];
  segment: { from: string; to: string | null };
  effectiveFrom: string;
  effectiveBasis: { source: string; description: string } | null;
  sources: Array<{
    key: string;
    title: string;
    issuer: string | null;
    number: string | null;
    issued: string | null;
    effective: string | null;
  }>;
  options: Array<{
    name: string;
    description: string;
    source: string;
    choices: Array<{ key: string; description: string }>;
    chosen: string;
    reason: string;
    definedIn: string;
  }>;
  parameters: TParameter[];
  posts: Array<{ category: string; titles: string[]; description: string; source: string }>;
  rules: TRule[];
};

/** An example input per evaluation, in the documents' own words (see docs/policy-packs.md). */
const EXAMPLES: Record<string, object> = {
  grade: { post: '其他人员', years: 5, education: '本科', certificate: '助理社会工作师' },
  pay: {
    post: '网格员',
    serviceStart: '2015-03-01',
    education: '大专',
    certificate: '社会工作师',
    starRating: 3,
  },
  quota: { households: 3450 },
  eligibility: { birthDate: '1988-05-01', education: '大专', flags: ['退役军人'] },
  alerts: {
    post: '网格员',
    serviceStart: '2006-01-01',
    birthDate: '1985-01-01',
    education: '本科',
  },
  compliance: {
    workers: 20,
    collegeOrAbove: 17,
    certified: 15,
    socialWorkers: 3,
    localResidents: 8,
  },
};

/** 政策: the packs as data — sources, chosen readings, dated parameters, rules — and a 试算. */
export const PolicyPage = () => {
  const packs = useQuery({
    queryKey: ['policy-packs'],
    queryFn: () => apiGet<{ items: TPackSummary[] }>('/api/policy/packs'),
  });
  const [packId, setPackId] = useState<string>('yinchuan-2018');
  const [date, setDate] = useState<string>(todayIso());
  const desc = useQuery({
    queryKey: ['policy-pack', packId, date],
    queryFn: () => apiGet<TDescription>(`/api/policy/packs/${packId}?date=${date}`),
    enabled: !!packId,
  });
  return (
    <Space orientation="vertical" size={16} style={{ width: '100%' }}>
      <Card size="small">
        <Space wrap>
          <span>政策包</span>
          <Select
            style={{ width: 320 }}
            value={packId}
            onChange={setPackId}
            options={(packs.data?.items ?? []).map((p) => ({
              value: p.id,
              label: `${p.name}（${p.id}）`,
            }))}
            data-testid="pack-select"
          />
          <span>日期</span>
          <div style={{ width: 160 }}>
            <DateInput value={date} onChange={(d) => d && setDate(d)} />
          </div>
        </Space>
      </Card>
      {desc.error && <Alert type="error" title={desc.error.message} showIcon />}
      {desc.data && (
        <Card
          title={
            <Space>
              {desc.data.name}
              <Tag>{desc.data.status}</Tag>
            </Space>
          }
          size="small"
        >
          <Tabs
            items={[
              { key: 'overview', label: '概览', children: <Overview d={desc.data} /> },
              {
                key: 'options',
                label: `解读选项（${desc.data.options.length}）`,
                children: <Options d={desc.data} />,
              },
              {
                key: 'params',
                label: `参数（${desc.data.parameters.length}）`,
                children: <Parameters d={desc.data} />,
              },
              { key: 'posts', label: '岗位类别', children: <Posts d={desc.data} /> },
              {
                key: 'rules',
                label: `规则（${desc.data.rules.length}）`,
                children: <Rules d={desc.data} />,
              },
              { key: 'try', label: '试算', children: <TryIt packId={packId} date={date} /> },
            ]}
          />
        </Card>
      )}
    </Space>
  );
};

const Overview = ({ d }: { d: TDescription }) => (
  <Space orientation="vertical" style={{ width: '100%' }}>
    <Descriptions size="small" column={2} bordered>
      <Descriptions.Item label="适用地区">{d.jurisdiction.name}</Descriptions.Item>
      <Descriptions.Item label="继承关系">{d.chain.join(' → ')}</Descriptions.Item>
      <Descriptions.Item label="施行日期">
        {d.effectiveFrom}
        {d.effectiveBasis && (
          <span data-testid="pack-effective-basis">
            （{d.effectiveBasis.description} <Tag color="blue">{d.effectiveBasis.source}</Tag>）
          </span>
        )}
      </Descriptions.Item>
      <Descriptions.Item label="本版本有效期">
        {d.segment.from} 至 {d.segment.to ?? '今后'}
      </Descriptions.Item>
    </Descriptions>
    <Table
      rowKey="key"
      size="small"
      pagination={false}
      dataSource={d.sources}
      data-testid="pack-sources"
      columns={[
        // The key is how clauses cite the document (依据 004 职业化 (十七)); the title names it.
        {
          title: '编号',
          dataIndex: 'key',
          width: 70,
          render: (k: string) => <Tag color="blue">{k}</Tag>,
        },
        { title: '文件名称', dataIndex: 'title' },
        { title: '发文机关', dataIndex: 'issuer' },
        { title: '文号', dataIndex: 'number' },
        { title: '印发', dataIndex: 'issued' },
        { title: '施行', dataIndex: 'effective' },
      ]}
    />
  </Space>
);

const Options = ({ d }: { d: TDescription }) => (
  <Table
    rowKey="name"
    size="small"
    pagination={false}
    dataSource={d.options}
    columns={[
      { title: '有歧义之处', dataIndex: 'description', width: '28%' },
      { title: '依据', dataIndex: 'source', render: (s: string) => <Tag color="blue">{s}</Tag> },
      {
        title: '可选解读',
        render: (_, o) =>
          o.choices.map((c) => (
            <div key={c.key}>
              {c.key === o.chosen ? <Tag color="green">采用</Tag> : <Tag>备选</Tag>}
              {c.description}
            </div>
          )),
      },
      { title: '采用理由', dataIndex: 'reason' },
    ]}
  />
);

const Parameters = ({ d }: { d: TDescription }) => (
  <Table<TParameter>
    rowKey="name"
    size="small"
    pagination={{ pageSize: 20, hideOnSinglePage: true }}
    dataSource={d.parameters}
    expandable={{
      expandedRowRender: (p) => (
        <Table
          rowKey="from"
          size="small"
          pagination={false}
          dataSource={p.versions}
          columns={[
            { title: '自', dataIndex: 'from' },
            { title: '至', dataIndex: 'to', render: (t: string | null) => t ?? '今后' },
            { title: '值', dataIndex: 'value' },
            { title: '依据', dataIndex: 'source' },
            { title: '说明', dataIndex: 'note' },
          ]}
        />
      ),
    }}
    columns={[
      { title: '参数', dataIndex: 'description' },
      {
        title: '当日取值',
        dataIndex: 'value',
        render: (v: string | null, p) => (v === null ? '—' : `${v} ${p.unit}`),
      },
      { title: '依据', dataIndex: 'source', render: (s: string) => <Tag color="blue">{s}</Tag> },
      { title: '定义于', dataIndex: 'definedIn' },
    ]}
  />
);

const Posts = ({ d }: { d: TDescription }) => (
  <Table
    rowKey="category"
    size="small"
    pagination={false}
    dataSource={d.posts}
    columns={[
      { title: '岗位类别', dataIndex: 'category' },
      { title: '包括的职务', dataIndex: 'titles', render: (t: string[]) => t.join('、') },
      { title: '说明', dataIndex: 'description' },
      { title: '依据', dataIndex: 'source', render: (s: string) => <Tag color="blue">{s}</Tag> },
    ]}
  />
);

const Rules = ({ d }: { d: TDescription }) => (
  <Table<TRule>
    rowKey="id"
    size="small"
    pagination={{ pageSize: 20, hideOnSinglePage: true }}
    dataSource={d.rules}
    expandable={{
      expandedRowRender: (r) => (
        <pre style={{ margin: 0, fontSize: 12, whiteSpace: 'pre-wrap' }}>
          {JSON.stringify(r.definition, null, 2)}
        </pre>
      ),
    }}
    columns={[
      { title: '规则', dataIndex: 'description' },
      {
        title: '形式',
        dataIndex: 'shape',
        width: 110,
        render: (s: string) => (
          <Tooltip title={s}>
            <Tag>{shapeText(s)}</Tag>
          </Tooltip>
        ),
      },
      { title: '依据', dataIndex: 'source', render: (s: string) => <Tag color="blue">{s}</Tag> },
      {
        title: '生效',
        onCell: () => ({ style: { whiteSpace: 'nowrap' } }),
        render: (_, r) => `${r.effectiveFrom}${r.effectiveTo ? ` 至 ${r.effectiveTo}` : ''}`,
      },
      {
        title: '定义于',
        dataIndex: 'definedIn',
        onCell: () => ({ style: { whiteSpace: 'nowrap' } }),
      },
    ]}
  />
);

const TryIt = ({ packId, date }: { packId: string; date: string }) => {
  const { message } = App.useApp();
  const [form] = Form.useForm();
  const [result, setResult] = useState<{ value: unknown; trace: TTraceStep[] }>();
  const [error, setError] = useState<string>();
  const evaluation = Form.useWatch('evaluation', form) ?? 'grade';
  const run = async () => {
    const values = form.getFieldsValue(true);
    let input: unknown;
    try {
      input = JSON.parse(values.input);
    } catch {
      form.setFields([{ name: 'input', errors: ['输入不是有效的 JSON'] }]);
      return;
    }
    setError(undefined);
    try {
      setResult(
        await api('POST', `/api/policy/packs/${packId}/eval`, {
          evaluation: values.evaluation,
          date,
          input,
        }),
      );
    } catch (e) {
      setResult(undefined);
      setError(e instanceof ApiError ? e.message : String(e));
      message.error('试算失败');
    }
  };
  return (
    <Row gutter={16}>
      <Col xs={24} lg={10}>
        <Form
          form={form}
          layout="vertical"
          initialValues={{ evaluation: 'grade', input: JSON.stringify(EXAMPLES.grade, null, 2) }}
          onValuesChange={(changed) => {
            if (changed.evaluation)
              form.setFieldValue(
                'input',
                JSON.stringify(EXAMPLES[changed.evaluation] ?? {}, null, 2),
              );
          }}
          onFinish={run}
        >
          <Form.Item name="evaluation" label="求值">
            <Select
              options={[
                { value: 'grade', label: '岗位等级（grade）' },
                { value: 'pay', label: '薪酬（pay）' },
                { value: 'quota', label: '社区职数（quota）' },
                { value: 'eligibility', label: '招聘资格（eligibility）' },
                { value: 'alerts', label: '提醒（alerts）' },
                { value: 'compliance', label: '目标达标（compliance）' },
              ]}
            />
          </Form.Item>
          <Form.Item name="input" label="输入（JSON，用文件中的中文用语）">
            <Input.TextArea rows={10} style={{ fontFamily: 'monospace' }} />
          </Form.Item>
          <Button type="primary" htmlType="submit">
            试算
          </Button>
        </Form>
      </Col>
      <Col xs={24} lg={14}>
        {error && <Alert type="error" title={error} showIcon />}
        {result && (
          <Space orientation="vertical" style={{ width: '100%' }}>
            <Card size="small" title={`结果（${evaluation}）`}>
              <pre data-testid="eval-value" style={{ margin: 0, whiteSpace: 'pre-wrap' }}>
                {JSON.stringify(result.value, null, 2)}
              </pre>
            </Card>
            <Card size="small" title="为什么">
              <TraceView trace={result.trace} />
            </Card>
          </Space>
        )}
      </Col>
    </Row>
  );
};
