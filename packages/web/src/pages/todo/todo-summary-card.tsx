import type { TTodoSummary } from '@shegong/shared';
import { useQuery } from '@tanstack/react-query';
import { Button, Card, Col, Row, Statistic } from 'antd';
import { useNavigate } from 'react-router';
import { apiGet } from '../../api/client.ts';
import { useAuth } from '../../auth.tsx';

/** The to-do counts of the home page: alerts by urgency, proposals and requests to decide. */
export const TodoSummaryCard = ({ org }: { org: string }) => {
  const { can } = useAuth();
  const navigate = useNavigate();
  const summary = useQuery({
    queryKey: ['todo-summary', org],
    queryFn: () => apiGet<TTodoSummary>(`/api/todo/summary?org=${org}`),
    enabled: !!org && can('workflow:read'),
  });
  if (!can('workflow:read')) return null;
  const s = summary.data;
  const go = () => navigate(`/todo?org=${org}`);
  return (
    <Card
      title="待办"
      size="small"
      style={{ marginBottom: 16 }}
      loading={summary.isLoading}
      extra={
        <Button type="link" size="small" onClick={go}>
          查看
        </Button>
      }
      data-testid="todo-summary"
    >
      <Row gutter={16}>
        <Col span={6}>
          <Statistic
            title="已逾期"
            value={s?.alerts.overdue ?? 0}
            valueStyle={{ color: '#cf1322' }}
          />
        </Col>
        <Col span={6}>
          <Statistic
            title="到期与即将到期"
            value={(s?.alerts.due ?? 0) + (s?.alerts.upcoming ?? 0)}
          />
        </Col>
        <Col span={6}>
          <Statistic title="待审批建议" value={s?.proposals ?? 0} />
        </Col>
        <Col span={6}>
          <Statistic title="待审批申请" value={s?.requests ?? 0} />
        </Col>
      </Row>
    </Card>
  );
};
