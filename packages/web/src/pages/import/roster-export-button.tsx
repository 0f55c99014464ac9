import { DownloadOutlined, ExportOutlined } from '@ant-design/icons';
import { ROSTER_EXPORT_COLUMNS, type TExportFormat, type TRosterColumnKey } from '@shegong/shared';
import { App, Button, Checkbox, Form, Modal, Radio, Space, Typography } from 'antd';
import { useState } from 'react';
import { api } from '../../api/client.ts';
import { useAuth } from '../../auth.tsx';
import { JobProgress, useJob } from '../../components/job-progress.tsx';

const DEFAULT_COLUMNS = ROSTER_EXPORT_COLUMNS.map((c) => c.key).filter(
  (k) => k !== 'monthlyPayFen',
);

/**
 * 导出 on the worker list: the roster of the current filters (org, status) with the columns the
 * user ticks, as .xlsx or CSV; runs as a job with progress, then offers the download.
 */
export const RosterExportButton = ({ org, status }: { org?: string; status?: string }) => {
  const { can } = useAuth();
  const { message } = App.useApp();
  const [open, setOpen] = useState(false);
  const [columns, setColumns] = useState<TRosterColumnKey[]>(DEFAULT_COLUMNS);
  const [format, setFormat] = useState<TExportFormat>('xlsx');
  const [jobId, setJobId] = useState<string>();
  const job = useJob(jobId);
  const start = async () => {
    try {
      const res = await api<{ jobId: string }>('POST', '/api/exports/roster', {
        ...(org ? { org } : {}),
        ...(status ? { status } : {}),
        columns,
        format,
      });
      setJobId(res.jobId);
    } catch (error) {
      message.error(error instanceof Error ? error.message : String(error));
    }
  };
  return (
    <>
      <Button icon={<ExportOutlined />} onClick={() => setOpen(true)}>
        导出
      </Button>
      <Modal
        title="导出花名册"
        open={open}
        width={720}
        onCancel={() => {
          setOpen(false);
          setJobId(undefined);
        }}
        footer={
          job.data?.status === 'succeeded' ? (
            <Button type="primary" icon={<DownloadOutlined />} href={`/api/exports/${jobId}/file`}>
              下载文件
            </Button>
          ) : (
            <Button type="primary" onClick={start} disabled={columns.length === 0 || !!jobId}>
              开始导出
            </Button>
          )
        }
      >
        <Form layout="vertical">
          <Form.Item label="导出列">
            <Checkbox.Group
              value={columns}
              onChange={(v) => setColumns(v as TRosterColumnKey[])}
              options={ROSTER_EXPORT_COLUMNS.map((c) => ({ value: c.key, label: c.header }))}
            />
          </Form.Item>
          <Form.Item label="格式" extra="数据量很大（数十万行以上）时建议 CSV">
            <Radio.Group value={format} onChange={(e) => setFormat(e.target.value)}>
              <Radio value="xlsx">Excel（.xlsx）</Radio>
              <Radio value="csv">CSV（UTF-8）</Radio>
            </Radio.Group>
          </Form.Item>
          {!can('worker:read-sensitive') && (
            <Typography.Text type="secondary">身份证号、手机号将以打码形式导出。</Typography.Text>
          )}
        </Form>
        {jobId && (
          <Space orientation="vertical" style={{ width: '100%' }}>
            <JobProgress job={job.data} />
          </Space>
        )}
      </Modal>
    </>
  );
};
