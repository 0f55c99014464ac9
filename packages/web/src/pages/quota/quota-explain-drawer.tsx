import type { TQuotaExplanation } from '@shegong/shared';
import { useQuery } from '@tanstack/react-query';
import { Alert, Descriptions, Drawer, Spin, Tag } from 'antd';
import { apiGet } from '../../api/client.ts';
import { TraceView } from '../../components/trace-view.tsx';
import { rangeText } from '../pay/pay-format.ts';

/** "为什么": the quota of a node evaluated by its pack, each step with its rule and clause. */
export const QuotaExplainDrawer = ({
  code,
  date,
  onClose,
}: {
  code: string | null;
  date: string;
  onClose: () => void;
}) => {
  const query = useQuery({
    queryKey: ['quota-explain', code, date],
    queryFn: () => apiGet<TQuotaExplanation>(`/api/quota/${code}/explain?date=${date}`),
    enabled: !!code,
  });
  const e = query.data;
  const value = e?.value as { min: number; max: number | null } | null | undefined;
  return (
    <Drawer
      title={e ? `为什么：${e.name}的职数` : '为什么'}
      open={!!code}
      onClose={onClose}
      size="large"
      data-testid="quota-explain"
    >
      {query.error && <Alert type="error" title={query.error.message} showIcon />}
      {!e && !query.error && <Spin />}
      {e && (
        <>
          <Descriptions size="small" column={1} bordered style={{ marginBottom: 16 }}>
            <Descriptions.Item label="政策包">
              {e.packName ?? e.packId ?? '—'} {e.packId && <Tag>{e.packId}</Tag>}
            </Descriptions.Item>
            <Descriptions.Item label="日期">{e.date}</Descriptions.Item>
            <Descriptions.Item label="依据数据">
              {e.input ? JSON.stringify({ ...e.input, communities: undefined }) : '—'}
              {Array.isArray((e.input as { communities?: unknown[] } | null)?.communities) &&
                `，所辖社区 ${(e.input as { communities: unknown[] }).communities.length} 个`}
            </Descriptions.Item>
            {value && (
              <Descriptions.Item label="结果">
                <strong>{rangeText(value)}</strong> 人
              </Descriptions.Item>
            )}
          </Descriptions>
          {e.error && <Alert type="warning" title={`未核定：${e.error}`} showIcon />}
          {e.trace.length > 0 && <TraceView trace={e.trace} />}
        </>
      )}
    </Drawer>
  );
};
