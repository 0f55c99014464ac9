import { PlusOutlined, SearchOutlined } from '@ant-design/icons';
import {
  CERTIFICATE_LEVELS,
  EDUCATION_LEVELS,
  POST_TITLES,
  type TWorkerView,
  WORKER_STATUSES,
} from '@shegong/shared';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import {
  Alert,
  Button,
  Card,
  Col,
  Form,
  Input,
  Row,
  Select,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd';
import { useEffect, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { apiGet } from '../../api/client.ts';
import type { TWorkerPage } from '../../api/types.ts';
import { useAuth } from '../../auth.tsx';
import { OrgTreeSelect } from '../../components/org-tree-select.tsx';
import { RosterExportButton } from '../import/roster-export-button.tsx';

const FILTER_KEYS = [
  'org',
  'status',
  'postTitle',
  'educationLevel',
  'certificateLevel',
  'q',
] as const;
const options = (values: readonly string[]) => values.map((v) => ({ value: v, label: v }));

export const STATUS_COLORS: Record<string, string> = {
  在岗: 'green',
  试用期: 'blue',
  借调: 'orange',
  已退出: 'default',
};

/** 社区工作者: server-paged (keyset) list with search and filters kept in the URL. */
export const WorkerListPage = () => {
  const { can } = useAuth();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const [form] = Form.useForm();
  // Keyset paging: the cursors of the pages seen so far, to go back.
  const [cursors, setCursors] = useState<string[]>([]);
  const [pageSize, setPageSize] = useState(20);
  const filters = Object.fromEntries(FILTER_KEYS.map((k) => [k, params.get(k) ?? undefined]));
  const after = cursors[cursors.length - 1];
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(filters)) if (v) query.set(k, v);
  query.set('limit', String(pageSize));
  if (after) query.set('after', after);
  const page = useQuery({
    queryKey: ['workers', query.toString()],
    queryFn: () => apiGet<TWorkerPage>(`/api/workers?${query}`),
    placeholderData: keepPreviousData,
  });
  // The total comes with the first page of a search; later pages keep it.
  const [total, setTotal] = useState<{ n: number; capped: boolean }>();
  useEffect(() => {
    if (page.data && page.data.total !== null)
      setTotal({ n: page.data.total, capped: page.data.totalCapped });
  }, [page.data]);
  const search = (values: Record<string, string | undefined>) => {
    const next = new URLSearchParams();
    for (const k of FILTER_KEYS) if (values[k]) next.set(k, values[k]);
    setCursors([]);
    setParams(next);
  };
  return (
    <Space orientation="vertical" size={16} style={{ width: '100%' }}>
      <Card size="small">
        <Form
          form={form}
          layout="inline"
          initialValues={filters}
          onFinish={search}
          className="filter-form"
        >
          <Row gutter={[12, 12]} style={{ width: '100%' }}>
            <Col xs={24} md={8} xl={6}>
              <Form.Item name="q" label="查找" style={{ width: '100%' }}>
                <Input
                  placeholder="姓名、身份证号或手机号"
                  allowClear
                  prefix={<SearchOutlined />}
                />
              </Form.Item>
            </Col>
            <Col xs={24} md={8} xl={6}>
              <Form.Item name="org" label="机构" style={{ width: '100%' }}>
                <OrgTreeSelect placeholder="全部" />
              </Form.Item>
            </Col>
            <Col xs={12} md={4} xl={3}>
              <Form.Item name="status" style={{ width: '100%' }}>
                <Select placeholder="状态" allowClear options={options(WORKER_STATUSES)} />
              </Form.Item>
            </Col>
            <Col xs={12} md={4} xl={3}>
              <Form.Item name="postTitle" style={{ width: '100%' }}>
                <Select placeholder="职务" allowClear options={options(POST_TITLES)} />
              </Form.Item>
            </Col>
            <Col xs={12} md={4} xl={3}>
              <Form.Item name="educationLevel" style={{ width: '100%' }}>
                <Select placeholder="学历" allowClear options={options(EDUCATION_LEVELS)} />
              </Form.Item>
            </Col>
            <Col xs={12} md={4} xl={3}>
              <Form.Item name="certificateLevel" style={{ width: '100%' }}>
                <Select placeholder="社工证" allowClear options={options(CERTIFICATE_LEVELS)} />
              </Form.Item>
            </Col>
            <Col>
              <Space>
                <Button type="primary" htmlType="submit">
                  查询
                </Button>
                <Button
                  onClick={() => {
                    form.resetFields();
                    search({});
                  }}
                >
                  重置
                </Button>
              </Space>
            </Col>
          </Row>
        </Form>
      </Card>
      <Card
        size="small"
        title={
          <Space>
            社区工作者
            {total && (
              <Typography.Text type="secondary" data-testid="worker-total">
                共 {total.n}
                {total.capped ? '+' : ''} 人
              </Typography.Text>
            )}
          </Space>
        }
        extra={
          <Space>
            <RosterExportButton org={filters.org} status={filters.status} />
            {can('worker:write') && (
              <Button
                type="primary"
                icon={<PlusOutlined />}
                onClick={() => navigate('/workers/new')}
              >
                登记工作者
              </Button>
            )}
          </Space>
        }
      >
        {page.error && (
          <Alert type="error" title={page.error.message} showIcon style={{ marginBottom: 12 }} />
        )}
        <Table<TWorkerView>
          rowKey="id"
          size="small"
          loading={page.isFetching}
          dataSource={page.data?.items ?? []}
          pagination={false}
          scroll={{ x: 1000 }}
          onRow={(row) => ({ onDoubleClick: () => navigate(`/workers/${row.id}`) })}
          columns={[
            {
              title: '姓名',
              dataIndex: 'name',
              render: (name: string, row) => <Link to={`/workers/${row.id}`}>{name}</Link>,
            },
            { title: '性别', dataIndex: 'sex', width: 60 },
            { title: '年龄', dataIndex: 'age', width: 60, align: 'right' },
            { title: '身份证号', dataIndex: 'idNumber', width: 190 },
            { title: '街道', dataIndex: 'streetName' },
            { title: '社区', dataIndex: 'communityName' },
            { title: '职务', dataIndex: 'postTitle' },
            { title: '学历', dataIndex: 'educationLevel', width: 90 },
            { title: '社工证', dataIndex: 'certificateLevel' },
            { title: '社区工作年限', dataIndex: 'serviceYears', width: 110, align: 'right' },
            {
              title: '状态',
              dataIndex: 'status',
              width: 80,
              render: (status: string) => <Tag color={STATUS_COLORS[status]}>{status}</Tag>,
            },
          ]}
        />
        <Space style={{ marginTop: 12, justifyContent: 'flex-end', width: '100%' }}>
          <Typography.Text type="secondary">第 {cursors.length + 1} 页</Typography.Text>
          <Button disabled={cursors.length === 0} onClick={() => setCursors((c) => c.slice(0, -1))}>
            上一页
          </Button>
          <Button
            disabled={!page.data?.nextCursor}
            onClick={() =>
              page.data?.nextCursor && setCursors((c) => [...c, page.data!.nextCursor!])
            }
          >
            下一页
          </Button>
          <Select
            value={pageSize}
            style={{ width: 110 }}
            onChange={(v) => {
              setPageSize(v);
              setCursors([]);
            }}
            options={[20, 50, 100].map((n) => ({ value: n, label: `${n} 条/页` }))}
          />
        </Space>
      </Card>
    </Space>
  );
};
