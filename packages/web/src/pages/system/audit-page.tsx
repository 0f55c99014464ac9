import { SafetyCertificateOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Alert, App, Button, Card, Form, Input, Select, Space, Table, Typography } from 'antd';
import { useState } from 'react';
import { api, apiGet } from '../../api/client.ts';
import { useAuth } from '../../auth.tsx';
import { dateTimeText } from '../../components/date-time.ts';
import { OrgTreeSelect } from '../../components/org-tree-select.tsx';
import { AUDIT_ENTITY_LABELS, auditActionText, auditEntityText } from './audit-labels.ts';

type TEntry = {
  seq: number;
  at: string;
  actorName: string;
  action: string;
  entity: string;
  entityId: string;
  before: unknown;
  after: unknown;
  reason: string | null;
};

/** 审计: the audit log within the caller's scope, newest first, and the chain check. */
export const AuditPage = () => {
  const { can } = useAuth();
  const { message } = App.useApp();
  const [filters, setFilters] = useState<Record<string, string>>({});
  const [before, setBefore] = useState<number[]>([]);
  const params = new URLSearchParams({ ...filters, limit: '50' });
  const cursor = before[before.length - 1];
  if (cursor) params.set('before', String(cursor));
  const log = useQuery({
    queryKey: ['audit', params.toString()],
    queryFn: () => apiGet<{ items: TEntry[]; nextBefore: number | null }>(`/api/audit?${params}`),
  });
  const [verifying, setVerifying] = useState(false);
  const [verdict, setVerdict] = useState<{ ok: boolean; count: number; message?: string }>();
  const verify = async () => {
    setVerifying(true);
    try {
      setVerdict(await api('GET', '/api/audit/verify'));
    } catch (error) {
      message.error(error instanceof Error ? error.message : String(error));
    } finally {
      setVerifying(false);
    }
  };
  return (
    <Space orientation="vertical" size={16} style={{ width: '100%' }}>
      <Card size="small">
        <Form
          layout="inline"
          onFinish={(v) => {
            setBefore([]);
            setFilters(
              Object.fromEntries(Object.entries(v).filter(([, x]) => x)) as Record<string, string>,
            );
          }}
        >
          <Form.Item name="entity" label="对象">
            <Select
              allowClear
              style={{ width: 120 }}
              options={Object.entries(AUDIT_ENTITY_LABELS).map(([value, label]) => ({
                value,
                label,
              }))}
            />
          </Form.Item>
          <Form.Item name="entityId" label="对象编号">
            <Input allowClear style={{ width: 280 }} />
          </Form.Item>
          <Form.Item name="org" label="机构">
            <div style={{ width: 240 }}>
              <OrgTreeSelect />
            </div>
          </Form.Item>
          <Button type="primary" htmlType="submit">
            查询
          </Button>
        </Form>
      </Card>
      <Card
        size="small"
        title="审计日志"
        extra={
          can('audit:verify') && (
            <Button icon={<SafetyCertificateOutlined />} loading={verifying} onClick={verify}>
              校验审计链
            </Button>
          )
        }
      >
        {verdict && (
          <Alert
            style={{ marginBottom: 12 }}
            showIcon
            type={verdict.ok ? 'success' : 'error'}
            title={
              verdict.ok
                ? `审计链完整：共 ${verdict.count} 条记录，哈希链与签名检查点均一致`
                : verdict.message
            }
          />
        )}
        {log.error && <Alert type="error" title={log.error.message} showIcon />}
        <Table<TEntry>
          rowKey="seq"
          size="small"
          loading={log.isFetching}
          dataSource={log.data?.items ?? []}
          pagination={false}
          expandable={{
            expandedRowRender: (e) => (
              <pre style={{ margin: 0, fontSize: 12, whiteSpace: 'pre-wrap' }}>
                {JSON.stringify({ before: e.before, after: e.after }, null, 2)}
              </pre>
            ),
          }}
          columns={[
            { title: '序号', dataIndex: 'seq', width: 80 },
            {
              title: '时间',
              dataIndex: 'at',
              render: (at: string) => dateTimeText(at),
            },
            { title: '操作人', dataIndex: 'actorName' },
            { title: '操作', dataIndex: 'action', render: auditActionText },
            { title: '对象', dataIndex: 'entity', render: auditEntityText },
            {
              title: '对象编号',
              dataIndex: 'entityId',
              render: (id: string) => <Typography.Text code>{id}</Typography.Text>,
            },
            { title: '原因／来源', dataIndex: 'reason' },
          ]}
        />
        <Space style={{ marginTop: 12, justifyContent: 'flex-end', width: '100%' }}>
          <Button disabled={before.length === 0} onClick={() => setBefore((b) => b.slice(0, -1))}>
            较新
          </Button>
          <Button
            disabled={!log.data?.nextBefore}
            onClick={() => log.data?.nextBefore && setBefore((b) => [...b, log.data!.nextBefore!])}
          >
            较早
          </Button>
        </Space>
      </Card>
    </Space>
  );
};
