import { ORG_LEVEL_LABELS } from '@shegong/shared';
import { useQuery } from '@tanstack/react-query';
import { Alert, Card, Col, Descriptions, Row, Statistic, Table, Tag } from 'antd';
import { apiGet } from '../api/client.ts';
import type { TOrgChild, TOrgDetail } from '../api/types.ts';
import { useAuth } from '../auth.tsx';

const count = (n: number) => n.toLocaleString('zh-CN');

/** Counts and children of one node, from the API; a child row selects that child. */
export const OrgSummary = ({
  code,
  onSelect,
}: {
  code: string;
  onSelect: (code: string) => void;
}) => {
  const detail = useQuery({
    queryKey: ['org', code],
    queryFn: () => apiGet<TOrgDetail>(`/api/orgs/${code}`),
    enabled: code !== '',
  });
  const children = useQuery({
    queryKey: ['org-children', code],
    queryFn: () => apiGet<{ items: TOrgChild[] }>(`/api/orgs/${code}/children`),
    enabled: code !== '',
  });
  // The pack by its name (「银川市推进…实施意见（试行）」), not only its id; a role without
  // policy:read (审计、安全管理员) is shown the id.
  const { can } = useAuth();
  const packs = useQuery({
    queryKey: ['policy-packs'],
    queryFn: () => apiGet<{ items: Array<{ id: string; name: string }> }>('/api/policy/packs'),
    retry: false,
    enabled: can('policy:read'),
  });
  const packId = detail.data?.effectivePackId;
  const packName = packs.data?.items.find((p) => p.id === packId)?.name;
  if (detail.error) return <Alert type="error" title={detail.error.message} showIcon />;
  const counts = detail.data?.counts;
  return (
    <>
      <Card
        title={detail.data ? `${detail.data.name}` : '加载中…'}
        extra={detail.data && <Tag color="blue">{ORG_LEVEL_LABELS[detail.data.level]}</Tag>}
      >
        <Row gutter={16}>
          <Col span={6}>
            <Statistic title="街道" value={counts?.streets ?? '-'} loading={detail.isLoading} />
          </Col>
          <Col span={6}>
            <Statistic title="社区" value={counts?.communities ?? '-'} loading={detail.isLoading} />
          </Col>
          <Col span={6}>
            <Statistic title="网格" value={counts?.grids ?? '-'} loading={detail.isLoading} />
          </Col>
          <Col span={6}>
            <Statistic
              title="在岗社区工作者"
              value={counts?.workers ?? '-'}
              loading={detail.isLoading}
              data-testid="worker-count"
            />
          </Col>
        </Row>
        {detail.data && (
          <Descriptions size="small" style={{ marginTop: 16 }} column={3}>
            <Descriptions.Item label="代码">{detail.data.code}</Descriptions.Item>
            <Descriptions.Item label="适用政策包">
              {packId ? (packName ? `${packName}（${packId}）` : packId) : '未设置'}
            </Descriptions.Item>
            <Descriptions.Item label="政策包来源">
              {detail.data.packId ? '本级设定' : '继承上级'}
            </Descriptions.Item>
          </Descriptions>
        )}
      </Card>
      <Card title="下级机构" size="small" style={{ marginTop: 16 }}>
        <Table<TOrgChild>
          rowKey="code"
          size="small"
          loading={children.isLoading}
          dataSource={children.data?.items ?? []}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          onRow={(row) => ({
            onClick: () => onSelect(row.code),
            style: { cursor: 'pointer' },
          })}
          columns={[
            { title: '名称', dataIndex: 'name' },
            { title: '代码', dataIndex: 'code' },
            {
              title: '层级',
              dataIndex: 'level',
              render: (level: TOrgChild['level']) => ORG_LEVEL_LABELS[level],
            },
            // Grouped like the cards above (1,316), not 1316.
            { title: '社区', render: (_, row) => count(row.counts.communities), align: 'right' },
            { title: '网格', render: (_, row) => count(row.counts.grids), align: 'right' },
            { title: '在岗工作者', render: (_, row) => count(row.counts.workers), align: 'right' },
          ]}
        />
      </Card>
    </>
  );
};
