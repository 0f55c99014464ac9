import { PlusOutlined } from '@ant-design/icons';
import { COURSE_KINDS, todayIso, ZCreateCourse } from '@shegong/shared';
import { useQuery } from '@tanstack/react-query';
import {
  App,
  Button,
  Card,
  Drawer,
  Form,
  Input,
  InputNumber,
  List,
  Modal,
  Select,
  Space,
  Table,
  Tabs,
  Tag,
  Typography,
} from 'antd';
import { useState } from 'react';
import { Link } from 'react-router';
import { api, apiGet } from '../../api/client.ts';
import { handleFormError, validateWith } from '../../api/forms.ts';
import { useAuth } from '../../auth.tsx';
import { communityWithStreet } from '../../components/community-name.ts';
import { DateInput } from '../../components/date-input.tsx';
import { OrgTreeSelect } from '../../components/org-tree-select.tsx';
import {
  LevelTag,
  OrgFilter,
  RuleSource,
  useAction,
  useOrgParam,
  WorkerSelect,
} from '../todo/workflow-ui.tsx';

type TFinding = {
  rule: string;
  source: string;
  level: 'info' | 'upcoming' | 'due' | 'overdue';
  message: string;
};
type TPerson = {
  workerId: string;
  name: string;
  communityCode: string;
  communityName: string;
  streetName: string;
  postTitle: string | null;
  status: '达标' | '未达标' | '即将到期';
  findings: TFinding[];
};
type TCompliance = {
  year: number;
  date: string;
  rules: { id: string; description: string; source: string }[];
  people: TPerson[];
  communities: {
    communityCode: string;
    communityName: string;
    streetName: string;
    total: number;
    compliant: number;
    met: boolean;
  }[];
  workers: number;
  complete: boolean;
};
type TCourse = {
  id: string;
  title: string;
  kind: string;
  orgName: string;
  orgCode: string;
  startOn: string;
  endOn: string;
  hours: number;
  days: number;
  attendees: number;
};

const STATUS_COLOR = { 达标: 'green', 未达标: 'red', 即将到期: 'orange' } as const;

/** 培训: compliance with the pack's training rules, the courses, and the case studies. */
export const TrainingPage = () => {
  const [org, setOrg] = useOrgParam();
  return (
    <Card title="培训" extra={<OrgFilter value={org} onChange={setOrg} />}>
      <Tabs
        items={[
          { key: 'compliance', label: '达标情况', children: <CompliancePanel org={org} /> },
          { key: 'courses', label: '培训班', children: <CoursesPanel org={org} /> },
          { key: 'cases', label: '工作案例', children: <CaseStudiesPanel org={org} /> },
        ]}
      />
    </Card>
  );
};

const CompliancePanel = ({ org }: { org: string }) => {
  const [year, setYear] = useState(new Date().getFullYear());
  const q = useQuery({
    queryKey: ['training-compliance', org, year],
    queryFn: () => apiGet<TCompliance>(`/api/training/compliance?org=${org}&year=${year}`),
    enabled: !!org,
  });
  const d = q.data;
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Space>
        年度
        <InputNumber
          aria-label="年度"
          value={year}
          min={2000}
          max={2100}
          onChange={(v) => v && setYear(v)}
        />
        {d && <Typography.Text type="secondary">按 {d.date} 的培训记录判断</Typography.Text>}
      </Space>
      {d?.rules.map((r) => (
        <div key={r.id}>
          <Tag>规定</Tag>
          {r.description} <RuleSource source={r.source} rule={r.id} />
        </div>
      ))}
      <Table<TCompliance['communities'][number]>
        data-testid="community-compliance"
        rowKey="communityCode"
        size="small"
        loading={q.isLoading}
        dataSource={d?.communities ?? []}
        pagination={{ pageSize: 10, hideOnSinglePage: true }}
        columns={[
          { title: '社区', render: (_, c) => communityWithStreet(c) },
          { title: '人数', dataIndex: 'total', width: 80 },
          { title: '达标', dataIndex: 'compliant', width: 80 },
          {
            title: '状态',
            width: 100,
            render: (_, c) => (
              <Tag color={c.met ? 'green' : 'red'}>{c.met ? '全部达标' : '未全部达标'}</Tag>
            ),
          },
        ]}
      />
      <Table<TPerson>
        data-testid="person-compliance"
        rowKey="workerId"
        size="small"
        loading={q.isLoading}
        dataSource={d?.people ?? []}
        pagination={{ pageSize: 20 }}
        columns={[
          {
            title: '姓名',
            width: 100,
            render: (_, p) => <Link to={`/workers/${p.workerId}`}>{p.name}</Link>,
          },
          { title: '社区', width: 220, render: (_, p) => communityWithStreet(p) },
          { title: '职务', dataIndex: 'postTitle', width: 100 },
          {
            title: '状态',
            width: 90,
            render: (_, p) => <Tag color={STATUS_COLOR[p.status]}>{p.status}</Tag>,
          },
          {
            title: '说明',
            render: (_, p) =>
              p.findings.map((f) => (
                <div key={`${f.rule}-${f.message}`}>
                  <LevelTag level={f.level} /> {f.message}{' '}
                  <RuleSource source={f.source} rule={f.rule} />
                </div>
              )),
          },
        ]}
      />
    </Space>
  );
};

const CoursesPanel = ({ org }: { org: string }) => {
  const { can } = useAuth();
  const [creating, setCreating] = useState(false);
  const [open, setOpen] = useState<TCourse | null>(null);
  const q = useQuery({
    queryKey: ['courses', org],
    queryFn: () => apiGet<{ items: TCourse[] }>(`/api/training/courses?org=${org}`),
    enabled: !!org,
  });
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      {can('workflow:write') && (
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
          登记培训班
        </Button>
      )}
      <Table<TCourse>
        rowKey="id"
        size="small"
        loading={q.isLoading}
        dataSource={q.data?.items ?? []}
        columns={[
          {
            title: '培训班',
            render: (_, c) => (
              <Button type="link" size="small" onClick={() => setOpen(c)}>
                {c.title}
              </Button>
            ),
          },
          { title: '类型', dataIndex: 'kind', width: 90 },
          { title: '举办单位', dataIndex: 'orgName' },
          { title: '时间', width: 200, render: (_, c) => `${c.startOn} 至 ${c.endOn}` },
          { title: '学时', dataIndex: 'hours', width: 70 },
          { title: '天数', dataIndex: 'days', width: 70 },
          { title: '参训人数', dataIndex: 'attendees', width: 90 },
        ]}
      />
      {creating && <CourseForm onClose={() => setCreating(false)} onSaved={(c) => setOpen(c)} />}
      {open && <CourseDrawer course={open} onClose={() => setOpen(null)} />}
    </Space>
  );
};

const CourseForm = ({
  onClose,
  onSaved,
}: {
  onClose: () => void;
  onSaved: (c: TCourse) => void;
}) => {
  const { message } = App.useApp();
  const [form] = Form.useForm();
  const save = async () => {
    const parsed = validateWith(form, ZCreateCourse, form.getFieldsValue());
    if (!parsed) return;
    try {
      const res = await api<{ id: string }>('POST', '/api/training/courses', parsed);
      message.success('培训班已登记');
      onClose();
      const full = await apiGet<{ course: TCourse }>(`/api/training/courses/${res.id}`);
      onSaved({ ...full.course, orgName: '', attendees: 0 });
    } catch (error) {
      message.error(handleFormError(form, error));
    }
  };
  return (
    <Modal open title="登记培训班" onCancel={onClose} onOk={save} okText="保存">
      <Form
        form={form}
        layout="vertical"
        initialValues={{ kind: '轮训', startOn: todayIso(), endOn: todayIso() }}
      >
        <Form.Item name="title" label="培训名称" required>
          <Input />
        </Form.Item>
        <Form.Item name="kind" label="培训类型" required>
          <Select options={COURSE_KINDS.map((k) => ({ value: k, label: k }))} />
        </Form.Item>
        <Form.Item name="orgCode" label="举办单位" required>
          <OrgTreeSelect />
        </Form.Item>
        <Space>
          <Form.Item name="startOn" label="开始日期" required>
            <DateInput />
          </Form.Item>
          <Form.Item name="endOn" label="结束日期" required>
            <DateInput />
          </Form.Item>
        </Space>
        <Space>
          <Form.Item name="hours" label="学时" required>
            <InputNumber min={0} />
          </Form.Item>
          <Form.Item name="days" label="天数" required>
            <InputNumber min={0} />
          </Form.Item>
        </Space>
      </Form>
    </Modal>
  );
};

const CourseDrawer = ({ course, onClose }: { course: TCourse; onClose: () => void }) => {
  const key = ['course', course.id];
  const q = useQuery({
    queryKey: key,
    queryFn: () =>
      apiGet<{
        course: TCourse;
        attendees: {
          workerId: string;
          name: string;
          communityName: string;
          streetName: string | null;
          postTitle: string;
        }[];
      }>(`/api/training/courses/${course.id}`),
  });
  const { can } = useAuth();
  const { run, busy } = useAction();
  const [pick, setPick] = useState<string | undefined>();
  const orgCode = q.data?.course.orgCode ?? course.orgCode;
  const refresh = [key, ['courses'], ['training-compliance']];
  const addAll = async () => {
    const all = await apiGet<{ items: { id: string; status: string }[] }>(
      `/api/workers?org=${orgCode}&limit=200`,
    );
    const ids = all.items.filter((w) => w.status !== '已退出').map((w) => w.id);
    if (ids.length)
      await run(
        () => api('POST', `/api/training/courses/${course.id}/attendance`, { workerIds: ids }),
        `已登记 ${ids.length} 人参训`,
        refresh,
      );
  };
  return (
    <Drawer open size="large" title={course.title} onClose={onClose}>
      <p>
        {course.startOn} 至 {course.endOn}，{course.hours} 学时，{course.days} 天
      </p>
      {can('workflow:write') && (
        <Space style={{ marginBottom: 12 }} wrap>
          <div style={{ width: 320 }}>
            <WorkerSelect org={orgCode} value={pick} onChange={setPick} id="course-worker" />
          </div>
          <Button
            disabled={!pick}
            loading={busy}
            onClick={() =>
              pick &&
              run(
                () =>
                  api('POST', `/api/training/courses/${course.id}/attendance`, {
                    workerIds: [pick],
                  }),
                '已登记参训',
                refresh,
              )
            }
          >
            登记参训
          </Button>
          <Button loading={busy} onClick={addAll}>
            登记举办单位全部人员
          </Button>
        </Space>
      )}
      <List
        data-testid="attendees"
        size="small"
        bordered
        dataSource={q.data?.attendees ?? []}
        renderItem={(a) => (
          <List.Item>
            {a.name} · {communityWithStreet(a)} · {a.postTitle}
          </List.Item>
        )}
      />
    </Drawer>
  );
};

type TCase = {
  id: string;
  name: string;
  communityName: string;
  streetName: string;
  year: number;
  title: string;
  submittedOn: string;
  status: string;
};

const CaseStudiesPanel = ({ org }: { org: string }) => {
  const { can } = useAuth();
  const key = ['case-studies', org];
  const q = useQuery({
    queryKey: key,
    queryFn: () => apiGet<{ items: TCase[] }>(`/api/training/case-studies?org=${org}`),
    enabled: !!org,
  });
  const { run } = useAction();
  const [form] = Form.useForm();
  const refresh = [key, ['training-compliance']];
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Typography.Text type="secondary">
        政策要求撰写工作案例或典型经验总结的（如温州“每人每年一篇，由乡镇（街道）统一审核”），审核通过后计入达标情况。
      </Typography.Text>
      {can('workflow:write') && (
        <Form
          form={form}
          layout="inline"
          initialValues={{ year: new Date().getFullYear(), submittedOn: todayIso() }}
          onFinish={async (v) => {
            const ok = await run(
              () => api('POST', '/api/training/case-studies', v),
              '已提交',
              refresh,
            );
            if (ok) form.resetFields(['title']);
          }}
        >
          <Form.Item
            name="workerId"
            label="人员"
            rules={[{ required: true }]}
            style={{ width: 320 }}
          >
            <WorkerSelect org={org} />
          </Form.Item>
          <Form.Item name="year" label="年度">
            <InputNumber />
          </Form.Item>
          <Form.Item name="title" label="标题" rules={[{ required: true }]}>
            <Input />
          </Form.Item>
          <Form.Item name="submittedOn" label="提交日期">
            <DateInput />
          </Form.Item>
          <Button htmlType="submit">提交案例</Button>
        </Form>
      )}
      <Table<TCase>
        rowKey="id"
        size="small"
        dataSource={q.data?.items ?? []}
        columns={[
          { title: '姓名', dataIndex: 'name' },
          { title: '社区', render: (_, c) => communityWithStreet(c) },
          { title: '年度', dataIndex: 'year', width: 70 },
          { title: '标题', dataIndex: 'title' },
          { title: '提交日期', dataIndex: 'submittedOn', width: 110 },
          { title: '状态', dataIndex: 'status', width: 80 },
          {
            title: '审核',
            width: 140,
            render: (_, c) =>
              c.status === '待审核' && can('workflow:write') ? (
                <Space>
                  <Button
                    type="link"
                    size="small"
                    onClick={() =>
                      run(
                        () =>
                          api('POST', `/api/training/case-studies/${c.id}/review`, {
                            status: '已通过',
                          }),
                        '已通过',
                        refresh,
                      )
                    }
                  >
                    通过
                  </Button>
                  <Button
                    type="link"
                    size="small"
                    onClick={() =>
                      run(
                        () =>
                          api('POST', `/api/training/case-studies/${c.id}/review`, {
                            status: '退回',
                          }),
                        '已退回',
                        refresh,
                      )
                    }
                  >
                    退回
                  </Button>
                </Space>
              ) : null,
          },
        ]}
      />
    </Space>
  );
};
