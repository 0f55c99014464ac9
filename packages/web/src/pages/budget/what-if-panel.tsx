import { DownloadOutlined } from '@ant-design/icons';
import type { TWhatIfView } from '@shegong/shared';
import { useQuery } from '@tanstack/react-query';
import {
  Alert,
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
  Statistic,
  Table,
  Typography,
} from 'antd';
import { useState } from 'react';
import { api, apiGet } from '../../api/client.ts';
import { EChart } from '../../components/echart.tsx';
import { JobProgress, useJob } from '../../components/job-progress.tsx';
import { OrgTreeSelect } from '../../components/org-tree-select.tsx';
import { usePacks } from '../pay/conversions-panel.tsx';
import { rangeText, yuan } from '../pay/pay-format.ts';
import { AssumptionFields, BudgetTable, compact, type TAssumptionValues } from './budget-panel.tsx';

type TPackDescription = {
  parameters: {
    name: string;
    description: string;
    unit: string;
    value: string | null;
    section: string;
  }[];
  options: {
    name: string;
    description: string;
    chosen: string;
    choices: { key: string; description: string }[];
  }[];
};

type TForm = {
  org: string;
  year: number;
  packId: string;
  parameters?: Record<string, string | number | undefined>;
  options?: Record<string, string | undefined>;
  rules?: string;
} & TAssumptionValues;

const countyChart = (v: TWhatIfView) => ({
  tooltip: { trigger: 'axis' },
  legend: { data: ['现行', '测算'], top: 0 },
  grid: { left: 80, right: 20, top: 40, bottom: 40 },
  xAxis: { type: 'category', data: v.current.counties.map((c) => c.countyName) },
  yAxis: { type: 'value', name: '万元' },
  series: [
    {
      name: '现行',
      type: 'bar',
      data: v.current.counties.map((c) => Math.round(c.totalFen / 10_000) / 100),
    },
    {
      name: '测算',
      type: 'bar',
      data: v.current.counties.map(
        (c) =>
          Math.round(
            (v.draft.counties.find((d) => d.countyCode === c.countyCode)?.totalFen ?? 0) / 10_000,
          ) / 100,
      ),
    },
  ],
});

const bandChart = (v: TWhatIfView) => ({
  tooltip: { trigger: 'axis' },
  grid: { left: 60, right: 20, top: 20, bottom: 60 },
  xAxis: {
    type: 'category',
    data: v.diffBands.map((b) => b.label),
    axisLabel: { interval: 0, rotate: 20 },
  },
  yAxis: { type: 'value', name: '人' },
  series: [{ type: 'bar', data: v.diffBands.map((b) => b.count) }],
});

/**
 * 政策测算: an edited copy of a pack (a new base amount, another reading, a new table or quota
 * formula as rules) against the real workforce, beside the pack as it stands.
 */
export const WhatIfPanel = ({ org }: { org: string }) => {
  const { message } = App.useApp();
  const [form] = Form.useForm<TForm>();
  const packId = Form.useWatch('packId', form);
  const year = Form.useWatch('year', form);
  const packs = usePacks();
  const described = useQuery({
    queryKey: ['policy-pack', packId, year],
    queryFn: () =>
      apiGet<TPackDescription>(
        `/api/policy/packs/${packId}?date=${year ?? new Date().getFullYear()}-01-01`,
      ),
    enabled: !!packId,
  });
  const [jobId, setJobId] = useState<string>();
  const job = useJob(jobId);
  const view = (job.data?.result as { view?: TWhatIfView } | null)?.view;
  const run = async (values: TForm) => {
    let rules: unknown[] | undefined;
    if (values.rules?.trim()) {
      try {
        rules = JSON.parse(values.rules) as unknown[];
        if (!Array.isArray(rules)) throw new Error();
      } catch {
        message.error('规则应为 JSON 数组');
        return;
      }
    }
    const parameters = compact(values.parameters ?? {});
    const options = compact(values.options ?? {});
    try {
      const r = await api<{ jobId: string }>('POST', '/api/budget/what-if', {
        ...compact({ org: values.org, year: values.year, packId: values.packId }),
        ...compact({
          socialInsuranceRate: values.socialInsuranceRate,
          housingFundRate: values.housingFundRate,
        }),
        ...(Object.keys(parameters).length ? { parameters } : {}),
        ...(Object.keys(options).length ? { options } : {}),
        ...(rules ? { rules } : {}),
      });
      setJobId(r.jobId);
    } catch (error) {
      message.error(error instanceof Error ? error.message : String(error));
    }
  };
  const params = (described.data?.parameters ?? []).filter((p) => p.section === 'parameters');
  return (
    <Space orientation="vertical" size={16} style={{ width: '100%' }}>
      <Card size="small">
        <Form
          form={form}
          layout="vertical"
          initialValues={{ org, year: new Date().getFullYear() }}
          onFinish={run}
        >
          <Row gutter={12}>
            <Col xs={24} md={8}>
              <Form.Item name="org" label="范围" rules={[{ required: true }]}>
                <OrgTreeSelect id="whatif-org" maxLevel="street" allowClear={false} />
              </Form.Item>
            </Col>
            <Col xs={12} md={4}>
              <Form.Item name="year" label="年度" rules={[{ required: true }]}>
                <InputNumber min={2000} max={2100} style={{ width: '100%' }} />
              </Form.Item>
            </Col>
            <Col xs={24} md={12}>
              <Form.Item
                name="packId"
                label="测算的政策包"
                rules={[{ required: true, message: '请选择政策包' }]}
              >
                <Select
                  id="whatif-pack"
                  options={(packs.data?.items ?? []).map((p) => ({ value: p.id, label: p.name }))}
                />
              </Form.Item>
            </Col>
          </Row>
          {params.length > 0 && (
            <Card
              size="small"
              type="inner"
              title="修改参数（留空为不变）"
              style={{ marginBottom: 12 }}
            >
              <Row gutter={12}>
                {params.map((p) => (
                  <Col xs={24} md={8} key={p.name}>
                    <Form.Item
                      name={['parameters', p.name]}
                      label={`${p.description}（现行 ${p.value ?? '—'}${p.unit}）`}
                    >
                      <Input id={`whatif-param-${p.name}`} placeholder={`新的值（${p.unit}）`} />
                    </Form.Item>
                  </Col>
                ))}
              </Row>
            </Card>
          )}
          {(described.data?.options ?? []).length > 0 && (
            <Card
              size="small"
              type="inner"
              title="改用另一种理解（可选）"
              style={{ marginBottom: 12 }}
            >
              <Row gutter={12}>
                {(described.data?.options ?? []).map((o) => (
                  <Col xs={24} md={8} key={o.name}>
                    <Form.Item name={['options', o.name]} label={o.description}>
                      <Select
                        allowClear
                        placeholder={`现行：${o.chosen}`}
                        options={o.choices.map((c) => ({ value: c.key, label: c.description }))}
                      />
                    </Form.Item>
                  </Col>
                ))}
              </Row>
            </Card>
          )}
          <Form.Item
            name="rules"
            label="新的规则（高级：按政策包写法的 JSON 数组，同 id 替换现行规则，如新的等级表或职数公式）"
          >
            <Input.TextArea
              rows={3}
              placeholder='[{"id":"yc-quota-committee","shape":"quota-line", …}]'
            />
          </Form.Item>
          <Row gutter={12}>
            <AssumptionFields />
          </Row>
          <Button type="primary" htmlType="submit" data-testid="whatif-run">
            开始测算
          </Button>
        </Form>
        {jobId && (
          <div style={{ marginTop: 12 }}>
            <JobProgress job={job.data} />
          </div>
        )}
      </Card>
      {view && (
        <>
          <Alert type="info" showIcon title={`${view.draftName}：${view.edits.join('；')}`} />
          {view.current.assumptions.map((a) => (
            <Alert key={a} type="info" title={a} showIcon />
          ))}
          <Row gutter={[16, 16]}>
            <Col xs={12} md={6}>
              <Card size="small">
                <Statistic title="现行经费合计（元）" value={yuan(view.current.totalFen)} />
              </Card>
            </Col>
            <Col xs={12} md={6}>
              <Card size="small">
                <Statistic title="测算经费合计（元）" value={yuan(view.draft.totalFen)} />
              </Card>
            </Col>
            <Col xs={12} md={6}>
              <Card size="small">
                <Statistic
                  title="年薪酬差额（元，各人差额之和）"
                  value={yuan(view.diffFen)}
                  data-testid="whatif-diff"
                />
              </Card>
            </Col>
            <Col xs={12} md={6}>
              <Card size="small">
                <Statistic
                  title="上调 / 下调 / 不变（人）"
                  value={`${view.raised} / ${view.lowered} / ${view.unchanged}`}
                />
              </Card>
            </Col>
          </Row>
          <Card
            size="small"
            title="各县对比（万元）"
            extra={
              <Button icon={<DownloadOutlined />} href={`/api/exports/${jobId}/file`}>
                下载 Excel
              </Button>
            }
          >
            <EChart option={countyChart(view)} height={300} testId="whatif-chart" />
          </Card>
          <Row gutter={[16, 16]}>
            <Col xs={24} md={12}>
              <Card size="small" title="月薪酬变化分布">
                <EChart option={bandChart(view)} height={260} />
              </Card>
            </Col>
            <Col xs={24} md={12}>
              <Card size="small" title="职数变化（7月1日）">
                <Table
                  size="small"
                  rowKey="countyCode"
                  pagination={false}
                  dataSource={view.quota}
                  columns={[
                    { title: '县（市、区）', dataIndex: 'countyName' },
                    { title: '现行', key: 'c', render: (_: unknown, q) => rangeText(q.current) },
                    { title: '测算', key: 'd', render: (_: unknown, q) => rangeText(q.draft) },
                  ]}
                />
              </Card>
            </Col>
          </Row>
          <Card size="small" title="现行">
            <BudgetTable view={view.current} />
          </Card>
          <Card size="small" title="测算">
            <BudgetTable view={view.draft} testId="whatif-draft" />
          </Card>
          <Card size="small" title="变化最大的人员">
            <Table
              size="small"
              rowKey="workerId"
              pagination={false}
              dataSource={view.largest}
              columns={[
                { title: '姓名', dataIndex: 'name' },
                { title: '县（市、区）', dataIndex: 'countyName' },
                { title: '现行年薪酬', dataIndex: 'beforeFen', render: yuan },
                { title: '测算年薪酬', dataIndex: 'afterFen', render: yuan },
                { title: '差额', dataIndex: 'diffFen', render: yuan },
              ]}
            />
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              全部人员的差异见下载的 Excel（“个人差异”表）。
            </Typography.Text>
          </Card>
        </>
      )}
    </Space>
  );
};
