import { EditOutlined, PlusOutlined } from '@ant-design/icons';
import {
  ARCHIVE_KIND_LABELS,
  ASSESSMENT_GRADES,
  CONTRACT_TYPES,
  type TArchiveItemView,
  type TWorkerView,
  yuanDigits,
  ZCreateArchiveItem,
  ZUpdateWorker,
} from '@shegong/shared';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Checkbox,
  Col,
  Descriptions,
  Drawer,
  Empty,
  Form,
  Input,
  InputNumber,
  Modal,
  Row,
  Select,
  Skeleton,
  Space,
  Table,
  Tabs,
  Tag,
  Timeline,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useParams } from 'react-router';
import { api, apiGet } from '../../api/client.ts';
import { handleFormError, validateWith } from '../../api/forms.ts';
import type { THistoryEntry } from '../../api/types.ts';
import { useAuth } from '../../auth.tsx';
import { DateInput } from '../../components/date-input.tsx';
import { dateTimeText } from '../../components/date-time.ts';
import { cleanValues, WorkerFormFields } from './worker-form.tsx';
import { STATUS_COLORS } from './worker-list-page.tsx';
import { WorkerPayTab } from './worker-pay-tab.tsx';

type TDetail = { worker: TWorkerView; archive: TArchiveItemView[] };

const FIELD_LABELS: Record<string, string> = {
  name: '姓名',
  phoneMasked: '手机号',
  ethnicity: '民族',
  politicalStatus: '政治面貌',
  educationLevel: '学历',
  educationMajor: '专业',
  educationRecognised: '国家承认学历',
  certificateLevel: '社工证',
  certificateDate: '取证日期',
  veteran: '退役军人',
  livesInCommunity: '居住在本社区',
  serviceStartedOn: '开始社区工作',
  priorService: '此前社区工作经历',
  status: '状态',
  communityCode: '社区',
  gridCode: '网格',
  orgPath: '机构路径',
  postTitle: '职务',
  hiredOn: '入职日期',
  probationUntil: '试用期至',
  exitedOn: '退出日期',
  countyCode: '县级代码',
  idNumberMasked: '身份证号',
};
const ACTION_LABELS: Record<string, string> = {
  create: '登记',
  update: '修改',
  'archive-add': '添加档案',
};

const show = (v: unknown): string =>
  v === null || v === undefined
    ? '（空）'
    : typeof v === 'boolean'
      ? v
        ? '是'
        : '否'
      : typeof v === 'object'
        ? JSON.stringify(v)
        : String(v);

/** One line per archive item, in the words of the archive. */
const describeItem = (item: TArchiveItemView): string => {
  const d = item.data as Record<string, string | number | boolean | undefined>;
  switch (item.kind) {
    case 'post':
      return `任${d.title}${d.oneShoulder ? '（一肩挑）' : ''}`;
    case 'education': {
      const previous = item.data.previous as { level?: string } | undefined;
      return `学历变更为${d.level}${d.recognised === false ? '（未认定）' : ''}${
        d.major ? `，${d.major}` : ''
      }${previous?.level ? `（原${previous.level}）` : ''}`;
    }
    case 'certificate': {
      const previous = item.data.previous as { level?: string } | undefined;
      return `社工证变更为${d.level}${d.on ? `（${d.on}取得）` : ''}${
        previous?.level ? `，原${previous.level}` : ''
      }`;
    }
    case 'contract':
      return `签订劳动合同（${d.type}${d.probationMonths ? `，试用期${d.probationMonths}个月` : ''}）`;
    case 'assessment':
      return `${d.year}年度考核：${d.grade}`;
    case 'training':
      return `参加培训“${d.course}”${d.hours}学时${d.passed === false ? '（未通过）' : ''}`;
    case 'pay':
      return `薪酬调整：${d.reason}，月 ${yuanDigits(Number(d.monthlyFen))} 元`;
    case 'reward':
      return `表彰奖励：${d.title}${d.amountFen ? `，${yuanDigits(Number(d.amountFen))} 元` : ''}`;
    case 'penalty':
      return `惩戒：${d.title}`;
    case 'secondment':
      return `借调/挂职至 ${d.to}${d.purpose ? `（${d.purpose}）` : ''}`;
    case 'exit':
      return `退出：${d.reason}`;
    default:
      return String(d.text ?? '');
  }
};

export const WorkerDetailPage = () => {
  const { id = '' } = useParams();
  const { can } = useAuth();
  const queryClient = useQueryClient();
  const detail = useQuery({
    queryKey: ['worker', id],
    queryFn: () => apiGet<TDetail>(`/api/workers/${id}`),
  });
  const history = useQuery({
    queryKey: ['worker-history', id],
    queryFn: () => apiGet<{ items: THistoryEntry[] }>(`/api/workers/${id}/history`),
  });
  const [editing, setEditing] = useState(false);
  const [adding, setAdding] = useState(false);
  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: ['worker', id] }),
      queryClient.invalidateQueries({ queryKey: ['worker-history', id] }),
      queryClient.invalidateQueries({ queryKey: ['workers'] }),
    ]);
  if (detail.error) return <Alert type="error" title={detail.error.message} showIcon />;
  if (!detail.data) return <Skeleton active />;
  const w = detail.data.worker;
  return (
    <Space orientation="vertical" size={16} style={{ width: '100%' }}>
      <Card
        title={
          <Space>
            <span data-testid="worker-name">{w.name}</span>
            <Tag color={STATUS_COLORS[w.status]} data-testid="worker-status">
              {w.status}
            </Tag>
          </Space>
        }
        extra={
          can('worker:write') && (
            <Button icon={<EditOutlined />} onClick={() => setEditing(true)}>
              修改
            </Button>
          )
        }
      >
        <Descriptions size="small" column={{ xs: 1, md: 2, xl: 3 }} bordered>
          <Descriptions.Item label="身份证号">{w.idNumber}</Descriptions.Item>
          <Descriptions.Item label="性别 / 年龄">
            {w.sex} / {w.age} 岁（{w.birthDate}）
          </Descriptions.Item>
          <Descriptions.Item label="手机号">{w.phone ?? '—'}</Descriptions.Item>
          <Descriptions.Item label="街道 / 社区">
            <span data-testid="worker-place">
              {w.streetName} / {w.communityName}
            </span>
          </Descriptions.Item>
          <Descriptions.Item label="职务">{w.postTitle}</Descriptions.Item>
          <Descriptions.Item label="网格">{w.gridCode ?? '—'}</Descriptions.Item>
          <Descriptions.Item label="政治面貌">{w.politicalStatus}</Descriptions.Item>
          <Descriptions.Item label="民族">{w.ethnicity}</Descriptions.Item>
          <Descriptions.Item label="学历">
            {w.educationLevel}
            {w.educationMajor ? `（${w.educationMajor}）` : ''}
            {!w.educationRecognised && <Tag color="warning">非国家承认</Tag>}
          </Descriptions.Item>
          <Descriptions.Item label="社工证">
            {w.certificateLevel}
            {w.certificateDate ? `（${w.certificateDate}）` : ''}
          </Descriptions.Item>
          <Descriptions.Item label="社区工作年限">
            <span data-testid="service-years">{w.serviceYears}</span> 年（自 {w.serviceStartedOn}
            {w.priorService.length > 0 ? `，含此前 ${w.priorService.length} 段本省社区经历` : ''}）
          </Descriptions.Item>
          <Descriptions.Item label="退役军人 / 本社区居民">
            {w.veteran ? '是' : '否'} / {w.livesInCommunity ? '是' : '否'}
          </Descriptions.Item>
          {w.probationUntil && (
            <Descriptions.Item label="试用期至">{w.probationUntil}</Descriptions.Item>
          )}
          {w.exitedOn && (
            <Descriptions.Item label="退出日期">
              <span data-testid="worker-exited-on">{w.exitedOn}</span>
            </Descriptions.Item>
          )}
        </Descriptions>
      </Card>
      <Row gutter={16}>
        <Col xs={24} lg={12}>
          <Card
            title="人事档案"
            size="small"
            extra={
              can('worker:write') && (
                <Button size="small" icon={<PlusOutlined />} onClick={() => setAdding(true)}>
                  添加档案
                </Button>
              )
            }
          >
            {detail.data.archive.length === 0 ? (
              <Empty description="暂无档案" />
            ) : (
              <Timeline
                data-testid="archive-timeline"
                items={[...detail.data.archive].reverse().map((item) => ({
                  key: item.id,
                  color: item.kind === 'exit' ? 'red' : item.kind === 'post' ? 'blue' : 'gray',
                  content: (
                    <div>
                      <Typography.Text type="secondary">
                        {item.startOn}
                        {item.endOn ? ` 至 ${item.endOn}` : ''} · {ARCHIVE_KIND_LABELS[item.kind]}
                      </Typography.Text>
                      <div>{describeItem(item)}</div>
                    </div>
                  ),
                }))}
              />
            )}
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card size="small">
            <Tabs
              items={[
                {
                  key: 'history',
                  label: '变更历史',
                  children: (
                    <Table<THistoryEntry>
                      data-testid="history-table"
                      rowKey="seq"
                      size="small"
                      loading={history.isLoading}
                      dataSource={[...(history.data?.items ?? [])].reverse()}
                      pagination={{ pageSize: 10, hideOnSinglePage: true }}
                      expandable={{
                        expandedRowRender: (row) => <ChangeList entry={row} />,
                        rowExpandable: (row) => row.action === 'update',
                      }}
                      columns={[
                        {
                          title: '时间',
                          dataIndex: 'at',
                          render: (at: string) => dateTimeText(at),
                        },
                        { title: '操作人', dataIndex: 'actorName' },
                        {
                          title: '操作',
                          dataIndex: 'action',
                          render: (a: string) => ACTION_LABELS[a] ?? a,
                        },
                        {
                          title: '内容',
                          render: (_, row) =>
                            row.action === 'update'
                              ? Object.keys(row.after ?? {})
                                  .map((k) => FIELD_LABELS[k] ?? k)
                                  .join('、')
                              : row.action === 'archive-add'
                                ? ARCHIVE_KIND_LABELS[
                                    (row.after?.kind as keyof typeof ARCHIVE_KIND_LABELS) ?? 'note'
                                  ]
                                : '',
                        },
                      ]}
                    />
                  ),
                },
                ...(can('pay:read')
                  ? [{ key: 'pay', label: '薪酬', children: <WorkerPayTab workerId={w.id} /> }]
                  : []),
              ]}
            />
          </Card>
        </Col>
      </Row>
      <EditDrawer open={editing} worker={w} onClose={() => setEditing(false)} onSaved={refresh} />
      <AddArchiveModal
        open={adding}
        workerId={w.id}
        onClose={() => setAdding(false)}
        onSaved={refresh}
      />
    </Space>
  );
};

const ChangeList = ({ entry }: { entry: THistoryEntry }) => (
  <Descriptions size="small" column={1} bordered>
    {Object.keys(entry.after ?? {}).map((k) => (
      <Descriptions.Item key={k} label={FIELD_LABELS[k] ?? k}>
        {show(entry.before?.[k])} → {show(entry.after?.[k])}
      </Descriptions.Item>
    ))}
    {entry.reason && <Descriptions.Item label="原因">{entry.reason}</Descriptions.Item>}
  </Descriptions>
);

const EditDrawer = ({
  open,
  worker,
  onClose,
  onSaved,
}: {
  open: boolean;
  worker: TWorkerView;
  onClose: () => void;
  onSaved: () => Promise<unknown>;
}) => {
  const [form] = Form.useForm();
  const { message } = App.useApp();
  const [saving, setSaving] = useState(false);
  const submit = async () => {
    const values = cleanValues(form.getFieldsValue(true));
    delete values.idNumber;
    const payload = { ...values, version: worker.version };
    if (!validateWith(form, ZUpdateWorker, payload)) return;
    setSaving(true);
    try {
      await api('PATCH', `/api/workers/${worker.id}`, payload);
      message.success('已保存');
      await onSaved();
      onClose();
    } catch (error) {
      message.error(handleFormError(form, error));
    } finally {
      setSaving(false);
    }
  };
  return (
    <Drawer
      title={`修改：${worker.name}`}
      open={open}
      onClose={onClose}
      size="large"
      destroyOnHidden
      extra={
        <Button type="primary" loading={saving} onClick={() => form.submit()}>
          保存
        </Button>
      }
    >
      <Form
        form={form}
        layout="vertical"
        onFinish={submit}
        initialValues={{ ...worker, phone: worker.idNumberMasked ? undefined : worker.phone }}
      >
        <WorkerFormFields form={form} editing />
        <Row gutter={16}>
          <Col xs={24} md={8}>
            <Form.Item
              name="effectiveOn"
              label="变动生效日期"
              extra="职务、社区、学历或状态变动自该日起生效，默认今天；学历在月中变动的，自次月起计薪"
            >
              <DateInput />
            </Form.Item>
          </Col>
          <Col xs={24} md={16}>
            <Form.Item name="reason" label="变动原因">
              <Input maxLength={200} />
            </Form.Item>
          </Col>
        </Row>
        <Form.Item
          name="correction"
          valuePropName="checked"
          extra="勾选表示原登记有误：更正后的学历、社工证用于以往各月的工资（已锁定月份生成补发），不按日期记为变动"
        >
          <Checkbox>更正登记错误（不是变动）</Checkbox>
        </Form.Item>
      </Form>
    </Drawer>
  );
};

const ARCHIVE_KINDS = [
  'contract',
  'assessment',
  'training',
  'pay',
  'reward',
  'penalty',
  'secondment',
  'note',
] as const;

const AddArchiveModal = ({
  open,
  workerId,
  onClose,
  onSaved,
}: {
  open: boolean;
  workerId: string;
  onClose: () => void;
  onSaved: () => Promise<unknown>;
}) => {
  const [form] = Form.useForm();
  const { message } = App.useApp();
  const kind = Form.useWatch('kind', form) as (typeof ARCHIVE_KINDS)[number] | undefined;
  const submit = async () => {
    const values = form.getFieldsValue(true);
    const data = { ...(values.data ?? {}) };
    if (data.yuan !== undefined) {
      data[kind === 'pay' ? 'monthlyFen' : 'amountFen'] = Math.round(Number(data.yuan) * 100);
      delete data.yuan;
    }
    const payload = {
      kind: values.kind,
      startOn: values.startOn,
      endOn: values.endOn ?? null,
      data,
    };
    if (!validateWith(form, ZCreateArchiveItem, payload)) return;
    try {
      await api('POST', `/api/workers/${workerId}/archive`, payload);
      message.success('已添加');
      form.resetFields();
      await onSaved();
      onClose();
    } catch (error) {
      message.error(handleFormError(form, error));
    }
  };
  return (
    <Modal
      title="添加档案条目"
      open={open}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText="添加"
      destroyOnHidden
    >
      <Form form={form} layout="vertical" onFinish={submit} initialValues={{ kind: 'training' }}>
        <Form.Item name="kind" label="类型">
          <Select
            options={ARCHIVE_KINDS.map((k) => ({ value: k, label: ARCHIVE_KIND_LABELS[k] }))}
          />
        </Form.Item>
        <Row gutter={12}>
          <Col span={12}>
            <Form.Item name="startOn" label="日期" required>
              <DateInput />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="endOn" label="结束日期">
              <DateInput />
            </Form.Item>
          </Col>
        </Row>
        {kind === 'contract' && (
          <>
            <Form.Item name={['data', 'type']} label="合同类型" required>
              <Select options={CONTRACT_TYPES.map((t) => ({ value: t, label: t }))} />
            </Form.Item>
            <Form.Item name={['data', 'probationMonths']} label="试用期（月）" initialValue={0}>
              <InputNumber min={0} max={12} />
            </Form.Item>
          </>
        )}
        {kind === 'assessment' && (
          <>
            <Form.Item name={['data', 'year']} label="年度" required>
              <InputNumber min={1990} max={2100} />
            </Form.Item>
            <Form.Item name={['data', 'grade']} label="等次" required>
              <Select options={ASSESSMENT_GRADES.map((g) => ({ value: g, label: g }))} />
            </Form.Item>
          </>
        )}
        {kind === 'training' && (
          <>
            <Form.Item name={['data', 'course']} label="培训名称" required>
              <Input />
            </Form.Item>
            <Form.Item name={['data', 'hours']} label="学时" required>
              <InputNumber min={0} max={2000} />
            </Form.Item>
            <Form.Item name={['data', 'days']} label="天数">
              <InputNumber min={0} max={365} />
            </Form.Item>
          </>
        )}
        {(kind === 'pay' || kind === 'reward') && (
          <>
            <Form.Item
              name={['data', kind === 'pay' ? 'reason' : 'title']}
              label={kind === 'pay' ? '变动原因' : '奖励名称'}
              required
            >
              <Input />
            </Form.Item>
            <Form.Item name={['data', 'yuan']} label={kind === 'pay' ? '月薪（元）' : '奖金（元）'}>
              <InputNumber min={0} precision={2} />
            </Form.Item>
          </>
        )}
        {kind === 'penalty' && (
          <Form.Item name={['data', 'title']} label="惩戒事由" required>
            <Input />
          </Form.Item>
        )}
        {kind === 'secondment' && (
          <>
            <Form.Item name={['data', 'to']} label="借调（挂职）单位" required>
              <Input />
            </Form.Item>
            <Form.Item name={['data', 'purpose']} label="事由">
              <Input />
            </Form.Item>
          </>
        )}
        {kind === 'note' && (
          <Form.Item name={['data', 'text']} label="内容" required>
            <Input.TextArea rows={3} />
          </Form.Item>
        )}
      </Form>
    </Modal>
  );
};
