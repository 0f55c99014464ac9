import { DownloadOutlined, UploadOutlined } from '@ant-design/icons';
import {
  IMPORT_BATCH_STATUS_LABELS,
  IMPORT_KIND_LABELS,
  IMPORT_KINDS,
  IMPORT_SPECS,
  type TImportBatchStatus,
  type TImportBatchView,
  type TImportIssue,
  type TImportKind,
  type TImportOnError,
} from '@shegong/shared';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Descriptions,
  Form,
  Radio,
  Select,
  Space,
  Table,
  Tag,
  Typography,
  Upload,
  type UploadFile,
} from 'antd';
import { useEffect, useState } from 'react';
import { ApiError, api, apiGet } from '../../api/client.ts';
import { useAuth } from '../../auth.tsx';
import { dateTimeText } from '../../components/date-time.ts';
import { JobProgress, useJob } from '../../components/job-progress.tsx';
import { OrgTreeSelect } from '../../components/org-tree-select.tsx';

const STATUS_COLORS: Record<TImportBatchStatus, string> = {
  checking: 'processing',
  checked: 'blue',
  committing: 'processing',
  committed: 'green',
  rejected: 'orange',
  failed: 'red',
};

type TIssueRow = TImportIssue & { seq: number };

const finished = (s?: string) => s === 'succeeded' || s === 'failed' || s === 'interrupted';

/** Sends the file as the request body (no multipart: the server reads it as it comes). */
const uploadFile = async (file: File, kind: TImportKind, org: string | undefined, csrf: string) => {
  const query = new URLSearchParams({ kind, fileName: file.name });
  if (org) query.set('org', org);
  const response = await fetch(`/api/imports?${query}`, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/octet-stream', 'X-CSRF-Token': csrf },
    body: file,
  });
  const json = (await response.json()) as unknown;
  if (!response.ok) throw new ApiError(response.status, json as never);
  return json as { batch: TImportBatchView; jobId: string };
};

const Counts = ({ batch }: { batch: TImportBatchView }) => (
  <Descriptions size="small" column={{ xs: 2, md: 4, xl: 7 }} data-testid="import-counts">
    <Descriptions.Item label="数据行">{batch.counts.rows}</Descriptions.Item>
    <Descriptions.Item label="有效">{batch.counts.valid}</Descriptions.Item>
    <Descriptions.Item label="有误">{batch.counts.invalid}</Descriptions.Item>
    <Descriptions.Item label="新增">{batch.counts.created}</Descriptions.Item>
    <Descriptions.Item label="修改">{batch.counts.updated}</Descriptions.Item>
    <Descriptions.Item label="无变化">{batch.counts.unchanged}</Descriptions.Item>
    {batch.status === 'committed' && (
      <Descriptions.Item label="跳过">{batch.counts.skipped}</Descriptions.Item>
    )}
  </Descriptions>
);

/** The problems of a batch, page by page, each with its sheet, row and column. */
const IssueTable = ({ batchId, total }: { batchId: string; total: number }) => {
  const [page, setPage] = useState(1);
  const size = 20;
  const issues = useQuery({
    queryKey: ['import-issues', batchId, page],
    queryFn: () =>
      apiGet<{ items: TIssueRow[] }>(
        `/api/imports/${batchId}/issues?offset=${(page - 1) * size}&limit=${size}`,
      ),
  });
  return (
    <Table<TIssueRow>
      rowKey="seq"
      size="small"
      data-testid="import-issues"
      loading={issues.isFetching}
      dataSource={issues.data?.items ?? []}
      pagination={{
        current: page,
        pageSize: size,
        total,
        onChange: setPage,
        showSizeChanger: false,
      }}
      columns={[
        {
          title: '',
          dataIndex: 'severity',
          width: 64,
          render: (s: string) =>
            s === 'error' ? <Tag color="red">错误</Tag> : <Tag color="gold">提示</Tag>,
        },
        { title: '工作表', dataIndex: 'sheet', width: 140 },
        { title: '行', dataIndex: 'row', width: 64, render: (r: number) => (r > 0 ? r : '—') },
        {
          title: '列',
          key: 'column',
          width: 160,
          render: (_: unknown, i) =>
            i.column ? `${i.columnLetter ? `${i.columnLetter} ` : ''}${i.column}` : '—',
        },
        { title: '说明', dataIndex: 'message' },
      ]}
    />
  );
};

/** 数据导入: template → upload → check (dry run) → report → commit, and the list of batches. */
export const ImportPage = () => {
  const { me } = useAuth();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [kind, setKind] = useState<TImportKind>('workers');
  const [org, setOrg] = useState<string | undefined>(me?.orgCode);
  const [files, setFiles] = useState<UploadFile[]>([]);
  const [uploading, setUploading] = useState(false);
  const [batchId, setBatchId] = useState<string>();
  const [checkJobId, setCheckJobId] = useState<string>();
  const [commitJobId, setCommitJobId] = useState<string>();
  const [onError, setOnError] = useState<TImportOnError>('stop');
  const checkJob = useJob(checkJobId);
  const commitJob = useJob(commitJobId);
  const batch = useQuery({
    queryKey: ['import-batch', batchId, checkJob.data?.status, commitJob.data?.status],
    queryFn: () => apiGet<TImportBatchView>(`/api/imports/${batchId}`),
    enabled: !!batchId && finished(commitJobId ? commitJob.data?.status : checkJob.data?.status),
  });
  const batches = useQuery({
    queryKey: ['import-batches'],
    queryFn: () => apiGet<{ items: TImportBatchView[] }>('/api/imports'),
  });
  useEffect(() => {
    if (finished(checkJob.data?.status) || finished(commitJob.data?.status)) {
      void queryClient.invalidateQueries({ queryKey: ['import-batches'] });
    }
  }, [checkJob.data?.status, commitJob.data?.status, queryClient]);

  const check = async () => {
    const file = files[0]?.originFileObj;
    if (!file) {
      message.warning('请先选择文件');
      return;
    }
    setUploading(true);
    try {
      const res = await uploadFile(file, kind, org, me?.csrfToken ?? '');
      setBatchId(res.batch.id);
      setCheckJobId(res.jobId);
      setCommitJobId(undefined);
    } catch (error) {
      message.error(error instanceof Error ? error.message : String(error));
    } finally {
      setUploading(false);
    }
  };

  const commit = async () => {
    try {
      const res = await api<{ jobId: string }>('POST', `/api/imports/${batchId}/commit`, {
        onError,
      });
      setCommitJobId(res.jobId);
    } catch (error) {
      message.error(error instanceof Error ? error.message : String(error));
    }
  };

  const b = batch.data;
  const columns = IMPORT_SPECS[kind].columns;
  return (
    <Space orientation="vertical" size={16} style={{ width: '100%' }}>
      <Card size="small" title="数据导入">
        <Form layout="vertical" style={{ maxWidth: 720 }}>
          <Form.Item label="导入类型" htmlFor="import-kind">
            <Select
              id="import-kind"
              value={kind}
              onChange={(v) => setKind(v)}
              options={IMPORT_KINDS.map((k) => ({ value: k, label: IMPORT_KIND_LABELS[k] }))}
            />
          </Form.Item>
          <Form.Item
            label="导入到"
            extra="文件中超出所选机构的地点（社区、网格、人员）将作为错误列出"
            htmlFor="import-org"
          >
            <OrgTreeSelect id="import-org" value={org} onChange={setOrg} allowClear={false} />
          </Form.Item>
          <Form.Item
            label="文件"
            extra={`Excel（.xlsx）或 CSV；必填列：${columns
              .filter((c) => c.required)
              .map((c) => c.header)
              .join('、')}`}
          >
            <Space wrap>
              <Upload
                accept=".xlsx,.csv"
                maxCount={1}
                fileList={files}
                beforeUpload={() => false}
                onChange={({ fileList }) => setFiles(fileList.slice(-1))}
              >
                <Button icon={<UploadOutlined />}>选择文件</Button>
              </Upload>
              <Button icon={<DownloadOutlined />} href={`/api/imports/templates/${kind}`}>
                下载模板
              </Button>
            </Space>
          </Form.Item>
          <Button type="primary" loading={uploading} onClick={check} disabled={files.length === 0}>
            检查文件
          </Button>
        </Form>
      </Card>
      {checkJobId && (
        <Card size="small" title="检查结果（试导入，未写入）">
          <Space orientation="vertical" style={{ width: '100%' }}>
            <JobProgress job={checkJob.data} />
            {b && (
              <>
                <Counts batch={b} />
                {b.errorCount + b.warningCount > 0 ? (
                  <>
                    <Space>
                      <Typography.Text>
                        错误 {b.errorCount} 条，提示 {b.warningCount} 条
                      </Typography.Text>
                      <Button
                        size="small"
                        icon={<DownloadOutlined />}
                        href={`/api/imports/${b.id}/report`}
                      >
                        下载错误报告
                      </Button>
                    </Space>
                    <IssueTable batchId={b.id} total={b.errorCount + b.warningCount} />
                  </>
                ) : (
                  <Alert type="success" showIcon title="没有发现问题" />
                )}
                {b.status !== 'committed' && !commitJobId && (
                  <Space wrap>
                    <Radio.Group value={onError} onChange={(e) => setOnError(e.target.value)}>
                      <Radio value="stop">有错误则全部不导入</Radio>
                      <Radio value="skip">跳过有误的行，导入其余 {b.counts.valid} 行</Radio>
                    </Radio.Group>
                    <Button type="primary" onClick={commit}>
                      确认导入
                    </Button>
                  </Space>
                )}
              </>
            )}
          </Space>
        </Card>
      )}
      {commitJobId && (
        <Card size="small" title="导入">
          <Space orientation="vertical" style={{ width: '100%' }}>
            <JobProgress job={commitJob.data} />
            {b && finished(commitJob.data?.status) && (
              <Alert
                data-testid="import-result"
                type={b.status === 'committed' ? 'success' : 'warning'}
                showIcon
                title={
                  b.status === 'committed'
                    ? `已导入：新增 ${b.counts.created}，修改 ${b.counts.updated}，无变化 ${b.counts.unchanged}，跳过 ${b.counts.skipped}`
                    : `${IMPORT_BATCH_STATUS_LABELS[b.status]}：请修正错误后重新上传，或选择跳过有误的行`
                }
              />
            )}
          </Space>
        </Card>
      )}
      <Card size="small" title="导入记录">
        <Table<TImportBatchView>
          rowKey="id"
          size="small"
          data-testid="import-batches"
          loading={batches.isFetching}
          dataSource={batches.data?.items ?? []}
          pagination={{ pageSize: 10 }}
          columns={[
            {
              title: '时间',
              dataIndex: 'createdAt',
              render: (t: string) => dateTimeText(t),
            },
            { title: '类型', dataIndex: 'kindLabel' },
            { title: '文件', dataIndex: 'fileName' },
            {
              title: '状态',
              dataIndex: 'status',
              render: (s: TImportBatchStatus) => (
                <Tag color={STATUS_COLORS[s]}>{IMPORT_BATCH_STATUS_LABELS[s]}</Tag>
              ),
            },
            {
              title: '行数（有误）',
              key: 'rows',
              render: (_: unknown, r) => `${r.counts.rows}（${r.counts.invalid}）`,
            },
            {
              title: '新增 / 修改',
              key: 'changes',
              render: (_: unknown, r) => `${r.counts.created} / ${r.counts.updated}`,
            },
            { title: '操作人', dataIndex: 'createdBy' },
            {
              title: '',
              key: 'report',
              render: (_: unknown, r) =>
                r.errorCount + r.warningCount > 0 ? (
                  <a href={`/api/imports/${r.id}/report`}>错误报告</a>
                ) : null,
            },
          ]}
        />
      </Card>
    </Space>
  );
};
