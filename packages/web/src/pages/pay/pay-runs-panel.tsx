import { CalculatorOutlined } from '@ant-design/icons';
import { PAY_RUN_STATUS_LABELS, type TPayRunStatus, type TPayStreetRow } from '@shegong/shared';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Col, Row, Space, Statistic, Table, Tag } from 'antd';
import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { api, apiGet } from '../../api/client.ts';
import { useAuth } from '../../auth.tsx';
import { DateInput } from '../../components/date-input.tsx';
import { JobProgress, useJob } from '../../components/job-progress.tsx';
import { OrgTreeSelect } from '../../components/org-tree-select.tsx';
import { yuan } from './pay-format.ts';

type TRunsView = {
  node: { code: string; name: string; level: string };
  month: string;
  streets: (TPayStreetRow & { workers: number })[];
  totals: {
    streets: number;
    computed: number;
    locked: number;
    workers: number;
    openCount: number;
    totalFen: number;
    arrearsFen: number;
  };
};

export const STATUS_COLOR: Record<TPayRunStatus, string> = {
  draft: 'blue',
  reviewed: 'gold',
  locked: 'green',
};

/**
 * 工资发放表 of a month: every street under the chosen node with its sheet's state and totals,
 * and the computation of the month for the node as a background job with progress.
 */
export const PayRunsPanel = ({
  org,
  month,
  onChange,
}: {
  org: string;
  month: string;
  onChange: (next: { org?: string; month?: string }) => void;
}) => {
  const { can } = useAuth();
  const { message } = App.useApp();
  const client = useQueryClient();
  const [jobId, setJobId] = useState<string>();
  const job = useJob(jobId);
  const query = useQuery({
    queryKey: ['pay-runs', org, month],
    queryFn: () => apiGet<TRunsView>(`/api/pay/runs?org=${org}&month=${month}`),
    enabled: org !== '',
  });
  useEffect(() => {
    if (job.data?.status === 'succeeded' || job.data?.status === 'failed')
      client.invalidateQueries({ queryKey: ['pay-runs'] });
  }, [job.data?.status, client]);
  const compute = async () => {
    try {
      const res = await api<{ jobId: string }>('POST', '/api/pay/runs/compute', { org, month });
      setJobId(res.jobId);
    } catch (error) {
      message.error(error instanceof Error ? error.message : String(error));
    }
  };
  const v = query.data;
  return (
    <Space orientation="vertical" size={16} style={{ width: '100%' }}>
      <Card size="small">
        <Row gutter={[12, 12]} align="middle">
          <Col xs={24} md={8}>
            <OrgTreeSelect
              id="pay-org"
              value={org}
              onChange={(o) => o && onChange({ org: o })}
              maxLevel="street"
              allowClear={false}
            />
          </Col>
          <Col xs={12} md={4}>
            <DateInput
              id="pay-month"
              picker="month"
              value={`${month}-01`}
              onChange={(d) => d && onChange({ month: d.slice(0, 7) })}
            />
          </Col>
          <Col>
            {can('pay:write') && (
              <Button
                type="primary"
                icon={<CalculatorOutlined />}
                onClick={compute}
                disabled={job.data?.status === 'running'}
                data-testid="pay-compute"
              >
                计算{month}工资
              </Button>
            )}
          </Col>
        </Row>
        {jobId && (
          <div style={{ marginTop: 12 }}>
            <JobProgress job={job.data} />
            {job.data?.status === 'succeeded' &&
            (job.data.result as { locked?: string[] }).locked?.length ? (
              <Alert
                type="info"
                showIcon
                title={`已锁定的${(job.data.result as { locked: string[] }).locked.length}个街道工资表保持不变`}
              />
            ) : null}
          </div>
        )}
      </Card>
      {query.error && <Alert type="error" title={query.error.message} showIcon />}
      {v && (
        <>
          <Row gutter={[16, 16]}>
            <Col xs={12} md={6}>
              <Card size="small">
                <Statistic
                  title="已计算 / 街道"
                  value={`${v.totals.computed} / ${v.totals.streets}`}
                />
              </Card>
            </Col>
            <Col xs={12} md={6}>
              <Card size="small">
                <Statistic title="已锁定" value={v.totals.locked} suffix="个街道" />
              </Card>
            </Col>
            <Col xs={12} md={6}>
              <Card size="small">
                <Statistic
                  title="本月应发合计（元）"
                  value={yuan(v.totals.totalFen)}
                  data-testid="pay-total"
                />
              </Card>
            </Col>
            <Col xs={12} md={6}>
              <Card size="small">
                <Statistic
                  title="其中补发扣回（元） / 未核定人数"
                  value={`${yuan(v.totals.arrearsFen)} / ${v.totals.openCount}`}
                />
              </Card>
            </Col>
          </Row>
          <Card size="small" title={`${v.node.name} ${v.month} 工资发放表`}>
            <Table
              size="small"
              rowKey="streetCode"
              data-testid="pay-streets"
              dataSource={v.streets}
              pagination={v.streets.length > 50 ? { pageSize: 50 } : false}
              columns={[
                { title: '县（市、区）', dataIndex: 'countyName' },
                {
                  title: '街道',
                  dataIndex: 'streetName',
                  render: (name: string, r) =>
                    r.run && r.run.version > 0 ? (
                      <Link to={`/pay/runs/${r.run.id}`}>{name}</Link>
                    ) : (
                      name
                    ),
                },
                { title: '在岗人数', dataIndex: 'workers' },
                {
                  title: '状态',
                  key: 'status',
                  render: (_: unknown, r) =>
                    r.run && r.run.version > 0 ? (
                      <Tag color={STATUS_COLOR[r.run.status]}>
                        {PAY_RUN_STATUS_LABELS[r.run.status]}
                      </Tag>
                    ) : (
                      <Tag>{PAY_RUN_STATUS_LABELS.none}</Tag>
                    ),
                },
                {
                  title: '计算人数',
                  key: 'count',
                  render: (_: unknown, r) => r.run?.workerCount ?? '—',
                },
                {
                  title: '未核定',
                  key: 'open',
                  render: (_: unknown, r) => r.run?.openCount ?? '—',
                },
                {
                  title: '应发合计（元）',
                  key: 'total',
                  render: (_: unknown, r) => (r.run ? yuan(r.run.totalFen) : '—'),
                },
                {
                  title: '补发扣回（元）',
                  key: 'arrears',
                  render: (_: unknown, r) => (r.run ? yuan(r.run.arrearsFen) : '—'),
                },
              ]}
            />
          </Card>
        </>
      )}
    </Space>
  );
};
