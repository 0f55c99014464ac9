import { useQuery } from '@tanstack/react-query';
import { Alert, Progress, Space, Typography } from 'antd';
import { apiGet } from '../api/client.ts';

export type TJobView = {
  id: string;
  kind: string;
  title: string;
  status: 'queued' | 'running' | 'succeeded' | 'failed' | 'interrupted';
  done: number;
  total: number | null;
  message: string | null;
  result: unknown;
  error: { code: string; message: string } | null;
};

/** Polls a background job until it ends. */
export const useJob = (id: string | undefined) =>
  useQuery({
    queryKey: ['job', id],
    queryFn: () => apiGet<TJobView>(`/api/jobs/${id}`),
    enabled: !!id,
    refetchInterval: (query) => {
      const status = query.state.data?.status;
      return status === 'running' || status === 'queued' || status === undefined ? 700 : false;
    },
  });

/** Live progress of a background job, and its error in Chinese if it failed. */
export const JobProgress = ({ job }: { job: TJobView | undefined }) => {
  if (!job) return null;
  const percent = job.total
    ? Math.min(100, Math.floor((job.done / job.total) * 100))
    : job.status === 'succeeded'
      ? 100
      : 0;
  return (
    <Space orientation="vertical" style={{ width: '100%' }} data-testid="job-progress">
      <Typography.Text>
        {job.title}
        {job.total ? `：${job.done} / ${job.total}` : ''}
        {job.message ? `（${job.message}）` : ''}
      </Typography.Text>
      <Progress
        percent={percent}
        status={
          job.status === 'failed' || job.status === 'interrupted'
            ? 'exception'
            : job.status === 'succeeded'
              ? 'success'
              : 'active'
        }
      />
      {job.error && <Alert type="error" title={job.error.message} showIcon />}
      {job.status === 'interrupted' && (
        <Alert type="warning" title={job.message ?? '任务中断'} showIcon />
      )}
    </Space>
  );
};
