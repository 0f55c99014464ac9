import { ImportOutlined } from '@ant-design/icons';
import { ASSESSMENT_GRADES, type TProposalView } from '@shegong/shared';
import { useQuery } from '@tanstack/react-query';
import {
  Alert,
  Button,
  Card,
  InputNumber,
  Select,
  Skeleton,
  Space,
  Statistic,
  Table,
  Tag,
} from 'antd';
import { Link, useParams } from 'react-router';
import { api, apiGet } from '../../api/client.ts';
import { useAuth } from '../../auth.tsx';
import { communityWithStreet } from '../../components/community-name.ts';
import { ProposalTable, RuleSource, score, useAction } from '../todo/workflow-ui.tsx';
import type { TAssessmentRule } from './assessment-list-page.tsx';

type TRow = {
  workerId: string;
  name: string;
  communityName: string;
  streetName: string;
  postTitle: string | null;
  status: string;
  grade: string | null;
  scores: Record<string, number>;
  total: number | null;
};
type TCycle = {
  cycle: {
    id: string;
    year: number;
    status: string;
    orgPath: string;
    dimensions: { name: string; weight: number }[];
  };
  rule: TAssessmentRule | null;
  workers: TRow[];
  counts: Record<string, number>;
  proposals: TProposalView[];
};

/** One cycle: each worker's dimension scores and grade (written to the archive), and the
 * consequences the pack gives, as proposals. */
export const CyclePage = () => {
  const { id = '' } = useParams();
  const { can } = useAuth();
  const key = ['cycle', id];
  const q = useQuery({
    queryKey: key,
    queryFn: () => apiGet<TCycle>(`/api/assessment/cycles/${id}`),
  });
  const { run, busy } = useAction();
  if (q.error) return <Alert type="error" title={q.error.message} showIcon />;
  if (!q.data) return <Skeleton active />;
  const { cycle, rule, workers, counts, proposals } = q.data;
  const writable = can('workflow:write') && cycle.status === '进行中';
  const save = (result: object) =>
    run(() => api('PUT', `/api/assessment/cycles/${id}/results`, { results: [result] }), '已保存', [
      key,
    ]);
  return (
    <Space orientation="vertical" size={16} style={{ width: '100%' }}>
      <Card
        title={`${cycle.year}年度考核`}
        extra={
          <Space>
            <Link to="/import" title="在“数据导入”中选择“年度考核结果”">
              <Button icon={<ImportOutlined />}>从 Excel 导入考核结果</Button>
            </Link>
            {writable && (
              <Button
                type="primary"
                loading={busy}
                onClick={() =>
                  run(
                    () => api('POST', `/api/assessment/cycles/${id}/consequences`),
                    '已按政策生成处理建议',
                    [key],
                  )
                }
              >
                生成处理建议
              </Button>
            )}
          </Space>
        }
      >
        {rule && (
          <p>
            考核内容：{cycle.dimensions.map((d) => `${d.name}（${d.weight}%）`).join('、')}
            <RuleSource source={rule.source} rule={rule.rule} />
            {rule.excellentShareMax && <Tag color="orange">优秀不超过{rule.excellentShareMax}</Tag>}
          </p>
        )}
        <Space size={32}>
          {ASSESSMENT_GRADES.map((g) => (
            <Statistic key={g} title={g} value={counts[g] ?? 0} />
          ))}
          <Statistic title="未评定" value={workers.filter((w) => !w.grade).length} />
        </Space>
      </Card>
      <Card title={`考核人员（${workers.length}）`} size="small">
        <Table<TRow>
          data-testid="cycle-table"
          rowKey="workerId"
          size="small"
          dataSource={workers}
          pagination={{ pageSize: 30, hideOnSinglePage: true }}
          columns={[
            {
              title: '姓名',
              render: (_, w) => <Link to={`/workers/${w.workerId}`}>{w.name}</Link>,
            },
            { title: '社区', render: (_, w) => communityWithStreet(w) },
            { title: '职务', dataIndex: 'postTitle' },
            ...cycle.dimensions.map((d) => ({
              title: `${d.name}（${d.weight}%）`,
              width: 100,
              render: (_: unknown, w: TRow) =>
                writable ? (
                  <InputNumber
                    size="small"
                    aria-label={`${w.name}${d.name}得分`}
                    min={0}
                    max={100}
                    defaultValue={
                      w.scores[d.name] === undefined
                        ? undefined
                        : (w.scores[d.name] as number) / 100
                    }
                    onBlur={(e) => {
                      if (e.target.value === '') return;
                      const scores = Object.fromEntries(
                        Object.entries(w.scores).map(([k, v]) => [k, v / 100]),
                      );
                      scores[d.name] = Number(e.target.value);
                      save({ workerId: w.workerId, scores });
                    }}
                  />
                ) : (
                  score(w.scores[d.name])
                ),
            })),
            { title: '总分', width: 80, render: (_, w) => score(w.total) },
            {
              title: '等次',
              width: 120,
              render: (_, w) =>
                writable ? (
                  <Select
                    size="small"
                    aria-label={`${w.name}考核等次`}
                    style={{ width: 100 }}
                    value={w.grade ?? undefined}
                    placeholder="未评定"
                    onChange={(grade) => save({ workerId: w.workerId, grade })}
                    options={ASSESSMENT_GRADES.map((g) => ({ value: g, label: g }))}
                  />
                ) : (
                  (w.grade ?? '未评定')
                ),
            },
          ]}
        />
      </Card>
      <Card title={`处理建议（${proposals.length}）`} size="small">
        <ProposalTable items={proposals} refresh={[key, ['todo'], ['todo-summary']]} />
      </Card>
    </Space>
  );
};
