import { DownloadOutlined } from '@ant-design/icons';
import type { TBudgetCounty, TBudgetView } from '@shegong/shared';
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
  Space,
  Table,
  Tag,
} from 'antd';
import { useState } from 'react';
import { api } from '../../api/client.ts';
import { EChart } from '../../components/echart.tsx';
import { JobProgress, useJob } from '../../components/job-progress.tsx';
import { OrgTreeSelect } from '../../components/org-tree-select.tsx';
import { yuan } from '../pay/pay-format.ts';

export type TAssumptionValues = {
  socialInsuranceRate?: string;
  housingFundRate?: string;
};

/** The 测算假设 fields: rates the documents do not give, entered by the user and labelled so. */
export const AssumptionFields = () => (
  <>
    <Col xs={12} md={4}>
      <Form.Item
        name="socialInsuranceRate"
        label="单位社保费率（测算假设）"
        rules={[{ pattern: /^\d{1,2}(\.\d{1,2})?%$/, message: '如 16%' }]}
      >
        <Input placeholder="如 16%，不填不计" />
      </Form.Item>
    </Col>
    <Col xs={12} md={4}>
      <Form.Item
        name="housingFundRate"
        label="公积金比例（测算假设）"
        rules={[{ pattern: /^\d{1,2}(\.\d{1,2})?%$/, message: '如 12%' }]}
      >
        <Input placeholder="如 12%，不填不计" />
      </Form.Item>
    </Col>
  </>
);

export const compact = <T extends Record<string, unknown>>(v: T) =>
  Object.fromEntries(
    Object.entries(v).filter(([, x]) => x !== undefined && x !== '' && x !== null),
  );

const payerChart = (v: TBudgetView) => {
  const payers = [...new Set(v.counties.flatMap((c) => c.byPayer.map((p) => p.payer)))];
  return {
    tooltip: { trigger: 'axis' },
    legend: { data: payers, top: 0 },
    grid: { left: 80, right: 20, top: 40, bottom: 40 },
    xAxis: { type: 'category', data: v.counties.map((c) => c.countyName) },
    yAxis: { type: 'value', name: '万元' },
    series: payers.map((p) => ({
      name: p,
      type: 'bar',
      stack: 'payer',
      data: v.counties.map(
        (c) => Math.round((c.byPayer.find((x) => x.payer === p)?.amountFen ?? 0) / 10_000) / 100,
      ),
    })),
  };
};

/** The county table of a budget (shared by the budget and both sides of a what-if). */
export const BudgetTable = ({ view, testId }: { view: TBudgetView; testId?: string }) => {
  const payers = [...new Set(view.counties.flatMap((c) => c.byPayer.map((p) => p.payer)))];
  const items = [...new Set(view.counties.flatMap((c) => c.items.map((i) => i.name)))].filter(
    (n) => n !== '薪酬',
  );
  return (
    <Table<TBudgetCounty>
      size="small"
      rowKey="countyCode"
      data-testid={testId}
      dataSource={view.counties}
      pagination={false}
      scroll={{ x: 'max-content' }}
      columns={[
        { title: '县（市、区）', dataIndex: 'countyName', fixed: 'left' },
        { title: '人数', dataIndex: 'headcount' },
        {
          title: '未核定',
          dataIndex: 'openCount',
          render: (n: number, c) => (n ? <Tag title={c.openReasons.join('；')}>{n}</Tag> : 0),
        },
        { title: '基本薪酬', dataIndex: 'baseFen', render: yuan },
        { title: '绩效（月）', dataIndex: 'performanceFen', render: yuan },
        { title: '津贴', dataIndex: 'allowancesFen', render: yuan },
        { title: '按年发放', dataIndex: 'annualFen', render: yuan },
        { title: '薪酬合计', dataIndex: 'payFen', render: yuan },
        ...items.map((name) => ({
          title: name,
          key: `item-${name}`,
          render: (_: unknown, c: TBudgetCounty) => {
            const i = c.items.find((x) => x.name === name);
            if (!i) return '—';
            const mark = i.assumed
              ? '（假设）'
              : i.bound === 'min'
                ? '（下限）'
                : i.bound === 'max'
                  ? '（上限）'
                  : '';
            return `${yuan(i.amountFen)}${mark}`;
          },
        })),
        {
          title: '经费合计',
          dataIndex: 'totalFen',
          render: (f: number) => <strong>{yuan(f)}</strong>,
        },
        ...payers.map((p) => ({
          title: `其中${p}`,
          key: `payer-${p}`,
          render: (_: unknown, c: TBudgetCounty) =>
            yuan(c.byPayer.find((x) => x.payer === p)?.amountFen ?? 0),
        })),
      ]}
    />
  );
};

/** 年度经费测算: the year's cost per county under the packs, split by the pack's cost-sharing rule. */
export const BudgetPanel = ({ org }: { org: string }) => {
  const { message } = App.useApp();
  const [jobId, setJobId] = useState<string>();
  const job = useJob(jobId);
  const view = (job.data?.result as { view?: TBudgetView } | null)?.view;
  const run = async (values: { org: string; year: number } & TAssumptionValues) => {
    try {
      const r = await api<{ jobId: string }>('POST', '/api/budget/projection', compact(values));
      setJobId(r.jobId);
    } catch (error) {
      message.error(error instanceof Error ? error.message : String(error));
    }
  };
  return (
    <Space orientation="vertical" size={16} style={{ width: '100%' }}>
      <Card size="small">
        <Form
          layout="vertical"
          initialValues={{ org, year: new Date().getFullYear() }}
          onFinish={run}
        >
          <Row gutter={12}>
            <Col xs={24} md={8}>
              <Form.Item name="org" label="范围" rules={[{ required: true }]}>
                <OrgTreeSelect id="budget-org" maxLevel="street" allowClear={false} />
              </Form.Item>
            </Col>
            <Col xs={12} md={4}>
              <Form.Item name="year" label="年度" rules={[{ required: true }]}>
                <InputNumber id="budget-year" min={2000} max={2100} style={{ width: '100%' }} />
              </Form.Item>
            </Col>
            <AssumptionFields />
          </Row>
          <Button type="primary" htmlType="submit" data-testid="budget-run">
            测算
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
          {[...view.assumptions, ...view.notes].map((n) => (
            <Alert key={n} type={n.includes('测算假设') ? 'info' : 'warning'} title={n} showIcon />
          ))}
          <Card
            size="small"
            title={`${view.orgName} ${view.year}年经费测算：合计 ${yuan(view.totalFen)} 元`}
            extra={
              <Button icon={<DownloadOutlined />} href={`/api/exports/${jobId}/file`}>
                下载 Excel
              </Button>
            }
          >
            <BudgetTable view={view} testId="budget-counties" />
          </Card>
          <Card size="small" title="经费分担（万元）">
            <EChart option={payerChart(view)} height={320} testId="budget-chart" />
            <Table
              size="small"
              rowKey="payer"
              pagination={false}
              dataSource={view.byPayer}
              columns={[
                { title: '承担方', dataIndex: 'payer' },
                { title: '金额（元）', dataIndex: 'amountFen', render: yuan },
              ]}
            />
          </Card>
        </>
      )}
    </Space>
  );
};
