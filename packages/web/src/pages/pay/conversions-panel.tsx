import {
  CONVERSION_STATUS_LABELS,
  type TConversionLineView,
  type TConversionStatus,
  type TConversionView,
} from '@shegong/shared';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Col,
  Descriptions,
  Form,
  Popconfirm,
  Row,
  Segmented,
  Select,
  Space,
  Spin,
  Table,
  Tag,
} from 'antd';
import { useEffect, useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { api, apiGet } from '../../api/client.ts';
import { useAuth } from '../../auth.tsx';
import { JobProgress, useJob } from '../../components/job-progress.tsx';
import { OrgTreeSelect } from '../../components/org-tree-select.tsx';
import { ExportJobButton } from '../quota/export-job-button.tsx';
import { yuan, yuanText } from './pay-format.ts';

type TPackSummary = {
  id: string;
  name: string;
  effectiveFrom: string;
  versions: { from: string; to: string | null }[];
};

const STATUS_COLOR: Record<TConversionStatus, string> = {
  computing: 'blue',
  ready: 'gold',
  approved: 'green',
  failed: 'red',
};

/** The packs and the dates on which each has a new version (possible conversion dates). */
export const usePacks = () =>
  useQuery({
    queryKey: ['policy-packs'],
    queryFn: () => apiGet<{ items: TPackSummary[] }>('/api/policy/packs'),
  });

/**
 * 薪酬套改: start a conversion for a node and one of its pack's version dates (a background job
 * comparing every worker before and after), and the list of conversions.
 */
export const ConversionsPanel = ({ org }: { org: string }) => {
  const { can } = useAuth();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const client = useQueryClient();
  const packs = usePacks();
  const [form] = Form.useForm<{ org: string; packId: string; effectiveOn: string }>();
  const packId = Form.useWatch('packId', form);
  const [started, setStarted] = useState<{ id: string; jobId: string }>();
  const job = useJob(started?.jobId);
  const list = useQuery({
    queryKey: ['pay-conversions', org],
    queryFn: () => apiGet<{ items: TConversionView[] }>(`/api/pay/conversions?org=${org}`),
    enabled: org !== '',
  });
  useEffect(() => {
    if (job.data?.status === 'succeeded' && started) {
      client.invalidateQueries({ queryKey: ['pay-conversions'] });
      navigate(`/pay/conversions/${started.id}`);
    }
  }, [job.data?.status, started, client, navigate]);
  const pack = packs.data?.items.find((p) => p.id === packId);
  const submit = async (values: { org: string; packId: string; effectiveOn: string }) => {
    try {
      setStarted(await api<{ id: string; jobId: string }>('POST', '/api/pay/conversions', values));
    } catch (error) {
      message.error(error instanceof Error ? error.message : String(error));
    }
  };
  return (
    <Space orientation="vertical" size={16} style={{ width: '100%' }}>
      {can('pay:write') && (
        <Card size="small" title="发起薪酬套改">
          <Form form={form} layout="vertical" initialValues={{ org }} onFinish={submit}>
            <Row gutter={12}>
              <Col xs={24} md={8}>
                <Form.Item
                  name="org"
                  label="范围"
                  rules={[{ required: true, message: '请选择范围' }]}
                >
                  <OrgTreeSelect id="conversion-org" maxLevel="street" />
                </Form.Item>
              </Col>
              <Col xs={24} md={8}>
                <Form.Item
                  name="packId"
                  label="政策包"
                  rules={[{ required: true, message: '请选择政策包' }]}
                >
                  <Select
                    id="conversion-pack"
                    options={(packs.data?.items ?? []).map((p) => ({ value: p.id, label: p.name }))}
                  />
                </Form.Item>
              </Col>
              <Col xs={24} md={8}>
                <Form.Item
                  name="effectiveOn"
                  label="新版本施行日期"
                  rules={[{ required: true, message: '请选择日期' }]}
                  extra="政策包的新版本（新的基数、新的等级表）自该日起施行"
                >
                  <Select
                    id="conversion-date"
                    options={(pack?.versions ?? [])
                      .filter((v) => v.from !== pack?.effectiveFrom)
                      .map((v) => ({ value: v.from, label: v.from }))}
                  />
                </Form.Item>
              </Col>
            </Row>
            <Button type="primary" htmlType="submit" disabled={job.data?.status === 'running'}>
              计算套改前后
            </Button>
          </Form>
          {started && (
            <div style={{ marginTop: 12 }}>
              <JobProgress job={job.data} />
            </div>
          )}
        </Card>
      )}
      <Card size="small" title="套改记录">
        <Table<TConversionView>
          size="small"
          rowKey="id"
          loading={list.isLoading}
          dataSource={list.data?.items ?? []}
          pagination={false}
          onRow={(r) => ({
            onClick: () => navigate(`/pay/conversions/${r.id}`),
            style: { cursor: 'pointer' },
          })}
          columns={[
            { title: '套改', dataIndex: 'title' },
            {
              title: '状态',
              dataIndex: 'status',
              render: (s: TConversionStatus) => (
                <Tag color={STATUS_COLOR[s]}>{CONVERSION_STATUS_LABELS[s]}</Tag>
              ),
            },
            { title: '人数', dataIndex: 'workerCount' },
            { title: '上调', dataIndex: 'raisedCount' },
            { title: '下调', dataIndex: 'loweredCount' },
            {
              title: '月薪酬差额合计（元）',
              key: 'diff',
              render: (_: unknown, r) => yuan(r.afterTotalFen - r.beforeTotalFen),
            },
          ]}
        />
      </Card>
    </Space>
  );
};

/** One conversion: totals, each worker before and after, approval and the 薪酬套改表. */
export const ConversionPage = () => {
  const { id = '' } = useParams();
  const { can } = useAuth();
  const { message } = App.useApp();
  const client = useQueryClient();
  const [filter, setFilter] = useState<'all' | 'changed' | 'raised' | 'lowered' | 'open'>(
    'changed',
  );
  const [page, setPage] = useState(1);
  const [approveJob, setApproveJob] = useState<string>();
  const approval = useJob(approveJob);
  const query = useQuery({
    queryKey: ['pay-conversion', id, filter, page],
    queryFn: () =>
      apiGet<{ conversion: TConversionView; total: number; items: TConversionLineView[] }>(
        `/api/pay/conversions/${id}?filter=${filter}&offset=${(page - 1) * 100}&limit=100`,
      ),
  });
  useEffect(() => {
    if (approval.data?.status === 'succeeded')
      client.invalidateQueries({ queryKey: ['pay-conversion', id] });
  }, [approval.data?.status, client, id]);
  if (query.error) return <Alert type="error" title={query.error.message} showIcon />;
  const d = query.data;
  if (!d) return <Spin />;
  const c = d.conversion;
  const approve = async () => {
    try {
      const r = await api<{ jobId: string }>('POST', `/api/pay/conversions/${id}/approve`);
      setApproveJob(r.jobId);
    } catch (error) {
      message.error(error instanceof Error ? error.message : String(error));
    }
  };
  return (
    <Space orientation="vertical" size={16} style={{ width: '100%' }}>
      <Card
        size="small"
        title={c.title}
        extra={
          <Space>
            <Tag color={STATUS_COLOR[c.status]}>{CONVERSION_STATUS_LABELS[c.status]}</Tag>
            <ExportJobButton
              label="导出薪酬套改表"
              title="薪酬套改表"
              path={`/api/pay/conversions/${id}/export`}
              body={{ format: 'xlsx' }}
            />
            {can('workflow:approve') && c.status === 'ready' && (
              <Popconfirm
                title="审批后新薪酬写入人事档案；已锁定月份将在下月工资表中补发。确认审批？"
                onConfirm={approve}
                okText="审批"
                cancelText="取消"
              >
                <Button type="primary">审批套改</Button>
              </Popconfirm>
            )}
          </Space>
        }
      >
        <Descriptions size="small" column={{ xs: 1, md: 3 }}>
          <Descriptions.Item label="政策包">{c.packId}</Descriptions.Item>
          <Descriptions.Item label="版本">
            {c.beforeFrom} 起 → {c.afterFrom} 起
          </Descriptions.Item>
          <Descriptions.Item label="比较人数">{c.workerCount}</Descriptions.Item>
          <Descriptions.Item label="上调 / 下调">
            {c.raisedCount} / {c.loweredCount}
          </Descriptions.Item>
          <Descriptions.Item label="未核定">{c.openCount}</Descriptions.Item>
          <Descriptions.Item label="月薪酬合计">
            {yuanText(c.beforeTotalFen)} → {yuanText(c.afterTotalFen)}（差额{' '}
            {yuanText(c.afterTotalFen - c.beforeTotalFen)}）
          </Descriptions.Item>
        </Descriptions>
        {c.lockedMonths.length > 0 && (
          <Alert
            type="warning"
            showIcon
            title={`追溯调整：${c.lockedMonths.join('、')} 的工资表已锁定，差额将在下次计算工资表时作为补发扣回发放。`}
          />
        )}
        {approveJob && <JobProgress job={approval.data} />}
      </Card>
      <Card
        size="small"
        title={`套改前后对比（${d.total}人）`}
        extra={
          <Segmented
            value={filter}
            onChange={(v) => {
              setFilter(v as typeof filter);
              setPage(1);
            }}
            options={[
              { label: '有变化', value: 'changed' },
              { label: '上调', value: 'raised' },
              { label: '下调', value: 'lowered' },
              { label: '未核定', value: 'open' },
              { label: '全部', value: 'all' },
            ]}
          />
        }
      >
        <Table<TConversionLineView>
          size="small"
          rowKey="workerId"
          data-testid="conversion-lines"
          dataSource={d.items}
          scroll={{ x: 'max-content' }}
          pagination={{
            current: page,
            pageSize: 100,
            total: d.total,
            onChange: setPage,
            showSizeChanger: false,
          }}
          columns={[
            { title: '姓名', dataIndex: 'name' },
            { title: '社区', dataIndex: 'communityName' },
            { title: '岗位类别', dataIndex: 'post' },
            { title: '年限', dataIndex: 'years' },
            { title: '原等级', dataIndex: 'beforeGrade' },
            { title: '原系数', dataIndex: 'beforeCoefficient' },
            { title: '原基本薪酬', dataIndex: 'beforeBaseFen', render: yuan },
            { title: '新等级', dataIndex: 'afterGrade' },
            { title: '新系数', dataIndex: 'afterCoefficient' },
            { title: '新基本薪酬', dataIndex: 'afterBaseFen', render: yuan },
            {
              title: '月差额',
              dataIndex: 'diffFen',
              render: (f: number | null, l) =>
                l.status === 'open' ? (
                  <Tag title={l.reason ?? ''}>未核定</Tag>
                ) : (
                  <span
                    style={{
                      color: (f ?? 0) > 0 ? '#389e0d' : (f ?? 0) < 0 ? '#cf1322' : undefined,
                    }}
                  >
                    {yuan(f)}
                  </span>
                ),
            },
          ]}
        />
      </Card>
    </Space>
  );
};
