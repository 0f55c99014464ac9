import { PlusOutlined, UploadOutlined } from '@ant-design/icons';
import {
  CERTIFICATE_LEVELS,
  EDUCATION_LEVELS,
  RECRUITMENT_STEPS,
  type TApplicationView,
  todayIso,
  ZCreateApplication,
} from '@shegong/shared';
import { useQuery } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Checkbox,
  Descriptions,
  Form,
  Input,
  InputNumber,
  Modal,
  Popover,
  Select,
  Skeleton,
  Space,
  Steps,
  Table,
  Tag,
  Typography,
} from 'antd';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { api, apiGet } from '../../api/client.ts';
import { handleFormError, validateWith } from '../../api/forms.ts';
import { useAuth } from '../../auth.tsx';
import { communityWithStreet } from '../../components/community-name.ts';
import { DateInput } from '../../components/date-input.tsx';
import { RuleSource, score, useAction } from '../todo/workflow-ui.tsx';

type TPost = {
  id: string;
  communityName: string;
  streetName: string;
  postTitle: string;
  seats: number;
};
type TCampaignView = {
  campaign: {
    id: string;
    title: string;
    step: string;
    status: string;
    announcedOn: string;
    applyUntil: string;
    writtenWeight: number;
    interviewWeight: number;
    noticeFrom: string | null;
    noticeUntil: string | null;
    hiredOn: string | null;
  };
  posts: TPost[];
  policy: {
    packName: string;
    recruitment: {
      procedure: string[] | null;
      source: string;
      rule: string;
      description: string;
    } | null;
    applicantFlags: { name: string; description: string }[];
  } | null;
  applications: TApplicationView[];
  candidates: string[];
  reserve: { ratio: string; rule: string; source: string; hired: number; used: number } | null;
};

const STEP_OF_FIELD = {
  review: ['报名', '资格审查'],
  writtenScore: ['笔试'],
  interviewScore: ['面试'],
  medical: ['体检'],
  background: ['考察'],
} as const;

/** Reads an uploaded CSV as UTF-8, or as GBK when it is not valid UTF-8 (Excel's Chinese CSV). */
const readCsv = async (file: File): Promise<string> => {
  const bytes = await file.arrayBuffer();
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('gbk').decode(bytes);
  }
};

/** One campaign: its steps, posts, applicants with their eligibility, scores and ranking. */
export const CampaignPage = () => {
  const { id = '' } = useParams();
  const { can } = useAuth();
  const { message } = App.useApp();
  const key = ['campaign', id];
  const q = useQuery({
    queryKey: key,
    queryFn: () => apiGet<TCampaignView>(`/api/recruitment/campaigns/${id}`),
  });
  const { run, busy } = useAction();
  const [adding, setAdding] = useState(false);
  const [noticing, setNoticing] = useState(false);
  const [hiring, setHiring] = useState(false);
  const [reserve, setReserve] = useState<string[]>([]);
  if (q.error) return <Alert type="error" title={q.error.message} showIcon />;
  if (!q.data) return <Skeleton active />;
  const { campaign: c, posts, applications, policy } = q.data;
  const writable = can('workflow:write') && c.status === '进行中';
  const steps = policy?.recruitment?.procedure ?? [...RECRUITMENT_STEPS];
  const at = RECRUITMENT_STEPS.indexOf(c.step as (typeof RECRUITMENT_STEPS)[number]);
  const next = RECRUITMENT_STEPS[at + 1];
  const patch = (appId: string, body: object) =>
    run(() => api('PATCH', `/api/recruitment/applications/${appId}`, body), '', [key]);
  const advance = (body: object) =>
    run(
      () => api('POST', `/api/recruitment/campaigns/${id}/advance`, { step: next, ...body }),
      `已进入“${next}”`,
      [key],
    );
  const editable = (field: keyof typeof STEP_OF_FIELD) =>
    writable && (STEP_OF_FIELD[field] as readonly string[]).includes(c.step);
  const postName = (postId: string) => {
    const p = posts.find((x) => x.id === postId);
    return p ? `${communityWithStreet(p)} ${p.postTitle}` : '';
  };
  const result = (field: 'medical' | 'background') => (_: unknown, a: TApplicationView) =>
    editable(field) && a.review === '通过' ? (
      <Select
        size="small"
        aria-label={`${a.name}${field === 'medical' ? '体检' : '考察'}`}
        style={{ width: 90 }}
        value={a[field] ?? undefined}
        onChange={(v) => patch(a.id, { [field]: v })}
        options={[
          { value: '合格', label: '合格' },
          { value: '不合格', label: '不合格' },
        ]}
      />
    ) : (
      (a[field] ?? '')
    );
  const scoreCell =
    (field: 'writtenScore' | 'interviewScore') => (_: unknown, a: TApplicationView) =>
      editable(field) && a.review === '通过' ? (
        <InputNumber
          size="small"
          aria-label={`${a.name}${field === 'writtenScore' ? '笔试' : '面试'}成绩`}
          min={0}
          max={100}
          step={0.5}
          defaultValue={a[field] === null ? undefined : a[field] / 100}
          onBlur={(e) => {
            const v = e.target.value === '' ? null : Number(e.target.value);
            const old = a[field] === null ? null : a[field] / 100;
            if (v !== old) patch(a.id, { [field]: v });
          }}
        />
      ) : (
        score(a[field])
      );
  return (
    <Space orientation="vertical" size={16} style={{ width: '100%' }}>
      <Card
        title={<span data-testid="campaign-title">{c.title}</span>}
        extra={
          <Space>
            <Tag color={c.status === '进行中' ? 'blue' : 'green'} data-testid="campaign-step">
              {c.status === '进行中' ? c.step : c.status}
            </Tag>
            {writable && next && next !== '聘用' && (
              <Button
                type="primary"
                loading={busy}
                onClick={() => (next === '公示' ? setNoticing(true) : advance({}))}
              >
                进入下一环节：{next}
              </Button>
            )}
            {c.step === '公示' && c.status === '进行中' && can('workflow:approve') && (
              <Button type="primary" onClick={() => setHiring(true)}>
                聘用
              </Button>
            )}
          </Space>
        }
      >
        <Steps
          size="small"
          current={steps.indexOf(c.status === '已完成' ? '聘用' : c.step)}
          items={steps.map((s) => ({ title: s }))}
        />
        <Descriptions size="small" column={3} style={{ marginTop: 16 }}>
          <Descriptions.Item label="公告日期">{c.announcedOn}</Descriptions.Item>
          <Descriptions.Item label="报名截止">{c.applyUntil}</Descriptions.Item>
          <Descriptions.Item label="成绩权重">
            笔试 {c.writtenWeight}% · 面试 {c.interviewWeight}%
          </Descriptions.Item>
          <Descriptions.Item label="适用政策">
            {policy?.packName ?? '—'}{' '}
            {policy?.recruitment && <RuleSource source={policy.recruitment.source} />}
          </Descriptions.Item>
          {c.noticeFrom && (
            <Descriptions.Item label="公示期">
              {c.noticeFrom} 至 {c.noticeUntil}
            </Descriptions.Item>
          )}
          {c.hiredOn && <Descriptions.Item label="聘用日期">{c.hiredOn}</Descriptions.Item>}
        </Descriptions>
        <Table<TPost>
          size="small"
          rowKey="id"
          pagination={false}
          dataSource={posts}
          columns={[
            { title: '社区', render: (_, p) => communityWithStreet(p) },
            { title: '岗位', dataIndex: 'postTitle' },
            { title: '招聘人数', dataIndex: 'seats' },
          ]}
        />
      </Card>
      <Card
        title={`报名人员（${applications.length}）`}
        size="small"
        extra={
          writable &&
          c.step === '报名' && (
            <Space>
              <Button icon={<PlusOutlined />} onClick={() => setAdding(true)}>
                录入报名
              </Button>
              <label className="ant-btn ant-btn-default">
                <UploadOutlined /> 导入报名表（CSV）
                <input
                  type="file"
                  accept=".csv,text/csv"
                  hidden
                  data-testid="applications-file"
                  onChange={async (e) => {
                    const file = e.target.files?.[0];
                    e.target.value = '';
                    if (!file) return;
                    const csv = await readCsv(file);
                    const res = await run(
                      () =>
                        api<{ imported: number }>(
                          'POST',
                          `/api/recruitment/campaigns/${id}/applications/import`,
                          { csv },
                        ),
                      '',
                      [key],
                    );
                    if (res) message.success(`已导入 ${res.imported} 人`);
                  }}
                />
              </label>
            </Space>
          )
        }
      >
        <Typography.Paragraph type="secondary">
          报名表列：姓名、身份证号、手机号、学历、专业、社工证、取证日期、报考社区、报考岗位，以及每个报名情形一列（填“是/否”）：
          {policy?.applicantFlags.map((f) => f.name).join('、') || '无'}。
        </Typography.Paragraph>
        <Table<TApplicationView>
          data-testid="application-table"
          rowKey="id"
          size="small"
          dataSource={applications}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          scroll={{ x: 1200 }}
          rowSelection={
            q.data.reserve && c.status === '已完成' && can('workflow:write')
              ? {
                  selectedRowKeys: reserve,
                  onChange: (keys) => setReserve(keys as string[]),
                  getCheckboxProps: (a) => ({ disabled: a.outcome !== '未录用' }),
                }
              : undefined
          }
          columns={[
            { title: '姓名', dataIndex: 'name', fixed: 'left', width: 90 },
            { title: '报考岗位', render: (_, a) => postName(a.postId), width: 160 },
            { title: '年龄', dataIndex: 'age', width: 60 },
            { title: '学历', dataIndex: 'educationLevel', width: 70 },
            { title: '社工证', dataIndex: 'certificateLevel', width: 110 },
            {
              title: '报名条件',
              width: 100,
              render: (_, a) => (
                <Popover
                  title="按政策审查报名条件"
                  content={
                    <div style={{ maxWidth: 420 }}>
                      {a.eligibility.criteria.map((x) => (
                        <div key={x.rule}>
                          <Tag
                            color={x.passed ? 'green' : x.level === 'required' ? 'red' : 'orange'}
                          >
                            {x.passed ? '符合' : x.level === 'required' ? '不符合' : '提示'}
                          </Tag>
                          {x.reason} <RuleSource source={x.source} />
                        </div>
                      ))}
                      {a.eligibility.priorities.map((p) => (
                        <div key={p.rule}>
                          <Tag color="gold">优先</Tag>
                          {p.label} <RuleSource source={p.source} />
                        </div>
                      ))}
                    </div>
                  }
                >
                  <Tag color={a.eligible ? 'green' : 'red'} data-testid={`eligible-${a.name}`}>
                    {a.eligible ? '符合' : '不符合'}
                  </Tag>
                  {a.eligibility.priorities.length > 0 && (
                    <Tag color="gold">优先{a.eligibility.priorities.length}</Tag>
                  )}
                </Popover>
              ),
            },
            {
              title: '资格审查',
              width: 110,
              render: (_, a) =>
                editable('review') ? (
                  <Select
                    size="small"
                    aria-label={`${a.name}资格审查`}
                    style={{ width: 90 }}
                    value={a.review === '待审查' ? undefined : a.review}
                    placeholder="待审查"
                    onChange={(v) => patch(a.id, { review: v })}
                    options={[
                      { value: '通过', label: '通过' },
                      { value: '不通过', label: '不通过' },
                    ]}
                  />
                ) : (
                  a.review
                ),
            },
            { title: '笔试', width: 90, render: scoreCell('writtenScore') },
            { title: '面试', width: 90, render: scoreCell('interviewScore') },
            { title: '总成绩', width: 80, render: (_, a) => score(a.total) },
            {
              title: '排名',
              width: 70,
              render: (_, a) =>
                a.rank === null ? (
                  ''
                ) : (
                  <span title={a.tieBreak ?? undefined}>
                    {a.rank}
                    {a.tieBreak ? '*' : ''}
                  </span>
                ),
            },
            { title: '体检', width: 100, render: result('medical') },
            { title: '考察', width: 100, render: result('background') },
            {
              title: '结果',
              width: 120,
              render: (_, a) =>
                a.workerId ? (
                  <Link to={`/workers/${a.workerId}`}>
                    <Tag color="green">{a.outcome}</Tag>
                  </Link>
                ) : a.outcome ? (
                  <Tag>{a.outcome}</Tag>
                ) : q.data.candidates.includes(a.id) ? (
                  <Tag color="blue">候选</Tag>
                ) : null,
            },
          ]}
        />
        {applications.some((a) => a.tieBreak) && (
          <Typography.Text type="secondary">
            * 总成绩相同的，按优先条件（同等条件下优先聘用）排序。
          </Typography.Text>
        )}
        {q.data.reserve && c.status === '已完成' && (
          <Alert
            style={{ marginTop: 12 }}
            type="info"
            showIcon
            title={
              <Space>
                后备人才库：不超过录用人数的{q.data.reserve.ratio}（已录用{q.data.reserve.hired}
                人，已纳入{q.data.reserve.used}人），储备至下一次招聘公告发布
                <RuleSource source={q.data.reserve.source} />
                <Button
                  size="small"
                  disabled={reserve.length === 0}
                  onClick={() =>
                    run(
                      () =>
                        api('POST', `/api/recruitment/campaigns/${id}/reserve`, {
                          applicationIds: reserve,
                        }),
                      '已纳入后备人才库',
                      [key],
                    ).then(() => setReserve([]))
                  }
                >
                  纳入后备人才库
                </Button>
              </Space>
            }
          />
        )}
      </Card>
      {adding && (
        <ApplicationForm
          campaignId={id}
          posts={posts}
          flags={policy?.applicantFlags ?? []}
          onClose={() => setAdding(false)}
          onSaved={() => q.refetch()}
        />
      )}
      <DatesModal
        open={noticing}
        title="进入公示"
        fields={[
          { name: 'noticeFrom', label: '公示开始' },
          { name: 'noticeUntil', label: '公示结束' },
        ]}
        onClose={() => setNoticing(false)}
        onOk={async (v) => !!(await advance(v))}
      />
      <DatesModal
        open={hiring}
        title="公示期满，办理聘用"
        fields={[{ name: 'hiredOn', label: '聘用日期', initial: todayIso() }]}
        onClose={() => setHiring(false)}
        onOk={async (v) =>
          !!(await run(
            () => api('POST', `/api/recruitment/campaigns/${id}/hire`, v),
            '已聘用，已登记为社区工作者',
            [key],
          ))
        }
      />
    </Space>
  );
};

const DatesModal = ({
  open,
  title,
  fields,
  onClose,
  onOk,
}: {
  open: boolean;
  title: string;
  fields: { name: string; label: string; initial?: string }[];
  onClose: () => void;
  onOk: (values: Record<string, string>) => Promise<boolean>;
}) => {
  const [form] = Form.useForm();
  return (
    <Modal
      open={open}
      title={title}
      onCancel={onClose}
      destroyOnHidden
      onOk={async () => {
        if (await onOk(form.getFieldsValue())) onClose();
      }}
    >
      <Form
        form={form}
        layout="vertical"
        initialValues={Object.fromEntries(fields.map((f) => [f.name, f.initial]))}
      >
        {fields.map((f) => (
          <Form.Item key={f.name} name={f.name} label={f.label} required>
            <DateInput />
          </Form.Item>
        ))}
      </Form>
    </Modal>
  );
};

const ApplicationForm = ({
  campaignId,
  posts,
  flags,
  onClose,
  onSaved,
}: {
  campaignId: string;
  posts: TPost[];
  flags: { name: string; description: string }[];
  onClose: () => void;
  onSaved: () => void;
}) => {
  const { message } = App.useApp();
  const [form] = Form.useForm();
  const save = async () => {
    const parsed = validateWith(form, ZCreateApplication, form.getFieldsValue());
    if (!parsed) return;
    try {
      const res = await api<{ eligible: boolean }>(
        'POST',
        `/api/recruitment/campaigns/${campaignId}/applications`,
        parsed,
      );
      message.success(
        res.eligible ? '已报名，符合报名条件' : '已报名，不符合报名条件（见报名条件）',
      );
      form.resetFields();
      onSaved();
    } catch (error) {
      message.error(handleFormError(form, error));
    }
  };
  return (
    <Modal
      open
      title="录入报名"
      width={640}
      onCancel={onClose}
      onOk={save}
      okText="保存"
      cancelText="关闭"
    >
      <Form
        form={form}
        layout="vertical"
        initialValues={{
          postId: posts[0]?.id,
          certificateLevel: '无',
          flags: [],
          educationRecognised: true,
        }}
      >
        <Form.Item name="postId" label="报考岗位" required>
          <Select
            options={posts.map((p) => ({
              value: p.id,
              label: `${communityWithStreet(p)} ${p.postTitle}`,
            }))}
          />
        </Form.Item>
        <Space>
          <Form.Item name="name" label="姓名" required>
            <Input />
          </Form.Item>
          <Form.Item name="idNumber" label="身份证号" required>
            <Input style={{ width: 220 }} />
          </Form.Item>
          <Form.Item name="phone" label="手机号">
            <Input />
          </Form.Item>
        </Space>
        <Space>
          <Form.Item name="educationLevel" label="学历" required>
            <Select
              style={{ width: 120 }}
              options={EDUCATION_LEVELS.map((e) => ({ value: e, label: e }))}
            />
          </Form.Item>
          <Form.Item name="educationMajor" label="专业">
            <Input />
          </Form.Item>
          <Form.Item name="certificateLevel" label="社工证">
            <Select
              style={{ width: 150 }}
              options={CERTIFICATE_LEVELS.map((e) => ({ value: e, label: e }))}
            />
          </Form.Item>
          <Form.Item name="certificateDate" label="取证日期">
            <DateInput />
          </Form.Item>
        </Space>
        <Form.Item name="flags" label="报名情形">
          <Checkbox.Group options={flags.map((f) => ({ value: f.name, label: f.description }))} />
        </Form.Item>
      </Form>
    </Modal>
  );
};
