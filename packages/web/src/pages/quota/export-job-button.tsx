import { DownloadOutlined, FileExcelOutlined } from '@ant-design/icons';
import { App, Button, Modal } from 'antd';
import { useState } from 'react';
import { api } from '../../api/client.ts';
import { JobProgress, useJob } from '../../components/job-progress.tsx';

/**
 * A button that starts an export job (POST returning `{ jobId }`), shows its progress and then
 * offers the file (`/api/exports/:jobId/file`).
 */
export const ExportJobButton = ({
  label,
  title,
  path,
  body,
  testId,
}: {
  label: string;
  title: string;
  path: string;
  body: unknown;
  testId?: string;
}) => {
  const { message } = App.useApp();
  const [jobId, setJobId] = useState<string>();
  const [open, setOpen] = useState(false);
  const job = useJob(jobId);
  const start = async () => {
    setOpen(true);
    try {
      const res = await api<{ jobId: string }>('POST', path, body);
      setJobId(res.jobId);
    } catch (error) {
      message.error(error instanceof Error ? error.message : String(error));
      setOpen(false);
    }
  };
  return (
    <>
      <Button icon={<FileExcelOutlined />} onClick={start} data-testid={testId}>
        {label}
      </Button>
      <Modal
        title={title}
        open={open}
        onCancel={() => {
          setOpen(false);
          setJobId(undefined);
        }}
        footer={
          <Button
            type="primary"
            icon={<DownloadOutlined />}
            disabled={job.data?.status !== 'succeeded'}
            href={`/api/exports/${jobId}/file`}
          >
            下载文件
          </Button>
        }
      >
        <JobProgress job={job.data} />
      </Modal>
    </>
  );
};
