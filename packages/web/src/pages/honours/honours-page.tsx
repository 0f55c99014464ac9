import { useQuery } from '@tanstack/react-query';
import { Button, Card, Table, Tag } from 'antd';
import { Link } from 'react-router';
import { api, apiGet } from '../../api/client.ts';
import { useAuth } from '../../auth.tsx';
import { communityWithStreet } from '../../components/community-name.ts';
import {
  LevelTag,
  OrgFilter,
  RuleSource,
  useAction,
  useOrgParam,
  yuan,
} from '../todo/workflow-ui.tsx';

type THonour = {
  workerId: string;
  name: string;
  communityName: string;
  streetName: string;
  postTitle: string | null;
  rule: string;
  kind: string;
  level: 'info' | 'upcoming' | 'due' | 'overdue';
  message: string;
  dueOn: string | null;
  source: string;
  years: number | null;
  award: string | null;
  amountFen: number | null;
  reached: boolean;
  proposal: { id: string; status: string } | null;
};

/** 表彰与发展: long-service awards and career paths the pack sets, proposed for approval. */
export const HonoursPage = () => {
  const [org, setOrg] = useOrgParam();
  const { can } = useAuth();
  const key = ['honours', org];
  const q = useQuery({
    queryKey: key,
    queryFn: () => apiGet<{ items: THonour[] }>(`/api/honours?org=${org}`),
    enabled: !!org,
  });
  const { run } = useAction();
  return (
    <Card title="表彰与发展" extra={<OrgFilter value={org} onChange={setOrg} />}>
      <Table<THonour>
        data-testid="honour-table"
        rowKey={(h) => `${h.workerId}-${h.rule}-${h.years}`}
        size="small"
        loading={q.isLoading}
        dataSource={q.data?.items ?? []}
        columns={[
          {
            title: '人员',
            width: 260,
            render: (_, h) => (
              <Link to={`/workers/${h.workerId}`}>
                {h.name}（{communityWithStreet(h)}）
              </Link>
            ),
          },
          { title: '类别', dataIndex: 'kind', width: 70, render: (k) => <Tag>{k}</Tag> },
          { title: '状态', width: 90, render: (_, h) => <LevelTag level={h.level} /> },
          { title: '事项', dataIndex: 'message' },
          { title: '奖励', width: 100, render: (_, h) => yuan(h.amountFen) },
          {
            title: '依据',
            width: 150,
            render: (_, h) => <RuleSource source={h.source} rule={h.rule} />,
          },
          {
            title: '建议',
            width: 110,
            render: (_, h) =>
              h.proposal ? (
                <Tag>{h.proposal.status}</Tag>
              ) : h.reached && h.years && can('workflow:write') ? (
                <Button
                  type="link"
                  size="small"
                  onClick={() =>
                    run(
                      () =>
                        api('POST', '/api/honours/proposals', {
                          workerId: h.workerId,
                          rule: h.rule,
                          years: h.years,
                        }),
                      '已提出建议，待审批',
                      [key, ['todo'], ['todo-summary']],
                    )
                  }
                >
                  提出建议
                </Button>
              ) : null,
          },
        ]}
      />
    </Card>
  );
};
