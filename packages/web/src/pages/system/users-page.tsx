import { PlusOutlined } from '@ant-design/icons';
import { isAdminRole, ROLE_LABELS, ROLES, type TRole } from '@shegong/shared';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Form,
  Input,
  Modal,
  Select,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd';
import { useState } from 'react';
import { api, apiGet } from '../../api/client.ts';
import { handleFormError } from '../../api/forms.ts';
import { useAuth } from '../../auth.tsx';
import { dateTimeText } from '../../components/date-time.ts';
import { OrgTreeSelect } from '../../components/org-tree-select.tsx';

type TUser = {
  id: string;
  username: string;
  displayName: string;
  role: TRole;
  orgCode: string;
  orgName: string | null;
  disabled: boolean;
  lockedUntil: string | null;
  failedLogins: number;
  mustChangePassword: boolean;
  lastLoginAt: string | null;
};

/** 系统 · 账号管理: the security administrator's accounts within their scope. */
export const UsersPage = () => {
  const { message, modal } = App.useApp();
  const { me } = useAuth();
  const queryClient = useQueryClient();
  const users = useQuery({
    queryKey: ['users'],
    queryFn: () => apiGet<{ items: TUser[] }>('/api/users?limit=200'),
  });
  const [creating, setCreating] = useState(false);
  const [form] = Form.useForm();
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['users'] });
  const showTemporary = (username: string, password: string) =>
    modal.info({
      title: `账号 ${username} 的临时密码`,
      content: (
        <Space orientation="vertical">
          <Typography.Text copyable code data-testid="temporary-password">
            {password}
          </Typography.Text>
          <Typography.Text type="secondary">只显示这一次；首次登录后须修改。</Typography.Text>
        </Space>
      ),
    });
  const act = async (label: string, run: () => Promise<unknown>) => {
    try {
      await run();
      message.success(label);
      await refresh();
    } catch (error) {
      message.error(error instanceof Error ? error.message : String(error));
    }
  };
  const create = async () => {
    try {
      const created = await api<{ username: string; temporaryPassword: string }>(
        'POST',
        '/api/users',
        form.getFieldsValue(true),
      );
      setCreating(false);
      form.resetFields();
      await refresh();
      showTemporary(created.username, created.temporaryPassword);
    } catch (error) {
      message.error(handleFormError(form, error));
    }
  };
  return (
    <Card
      title="账号管理"
      extra={
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
          新建账号
        </Button>
      }
    >
      {users.error && <Alert type="error" title={users.error.message} showIcon />}
      <Table<TUser>
        rowKey="id"
        size="small"
        loading={users.isLoading}
        dataSource={users.data?.items ?? []}
        pagination={{ pageSize: 50, hideOnSinglePage: true }}
        columns={[
          { title: '用户名', dataIndex: 'username' },
          { title: '姓名', dataIndex: 'displayName' },
          { title: '角色', dataIndex: 'role', render: (r: TRole) => ROLE_LABELS[r] ?? r },
          { title: '所属机构', render: (_, u) => `${u.orgName ?? ''}（${u.orgCode}）` },
          {
            title: '状态',
            render: (_, u) => (
              <Space size={4}>
                {u.disabled && <Tag>已停用</Tag>}
                {u.lockedUntil && new Date(u.lockedUntil) > new Date() && (
                  <Tag color="red">已锁定</Tag>
                )}
                {u.mustChangePassword && <Tag color="orange">须改密码</Tag>}
                {!u.disabled &&
                  !u.mustChangePassword &&
                  !(u.lockedUntil && new Date(u.lockedUntil) > new Date()) && (
                    <Tag color="green">正常</Tag>
                  )}
              </Space>
            ),
          },
          {
            title: '最近登录',
            dataIndex: 'lastLoginAt',
            render: (iso: string | null) => dateTimeText(iso),
          },
          {
            title: '操作',
            render: (_, u) =>
              // The server refuses to administer one's own account here; say so instead of
              // offering buttons that answer with an error.
              u.id === me?.id ? (
                <Typography.Text type="secondary">本人账号（改密码请用右上角菜单）</Typography.Text>
              ) : isAdminRole(u.role) ? (
                // 三员分立: the server refuses to change these accounts through the API.
                <Typography.Text type="secondary">
                  三员账号，只能在服务器上用命令行管理
                </Typography.Text>
              ) : (
                <Space size={4}>
                  {u.lockedUntil && (
                    <Button
                      size="small"
                      onClick={() => act('已解锁', () => api('POST', `/api/users/${u.id}/unlock`))}
                    >
                      解锁
                    </Button>
                  )}
                  <Button
                    size="small"
                    onClick={() =>
                      act('已重置', async () => {
                        const r = await api<{ temporaryPassword: string }>(
                          'POST',
                          `/api/users/${u.id}/reset-password`,
                        );
                        showTemporary(u.username, r.temporaryPassword);
                      })
                    }
                  >
                    重置密码
                  </Button>
                  <Button
                    size="small"
                    danger={!u.disabled}
                    onClick={() => {
                      const toggle = () =>
                        act(u.disabled ? '已启用' : '已停用', () =>
                          api('PATCH', `/api/users/${u.id}`, { disabled: !u.disabled }),
                        );
                      if (u.disabled) return toggle();
                      modal.confirm({
                        title: `停用账号 ${u.username}（${u.displayName}）？`,
                        content: '停用后该账号立即退出登录，不能再登录，直到重新启用。',
                        okText: '停用',
                        okButtonProps: { danger: true },
                        cancelText: '取消',
                        onOk: toggle,
                      });
                    }}
                  >
                    {u.disabled ? '启用' : '停用'}
                  </Button>
                </Space>
              ),
          },
        ]}
      />
      <Modal
        title="新建账号"
        open={creating}
        onCancel={() => setCreating(false)}
        onOk={() => form.submit()}
        okText="创建"
        destroyOnHidden
      >
        <Form form={form} layout="vertical" onFinish={create}>
          <Form.Item
            name="username"
            label="用户名"
            required
            extra="3–32位字母、数字、下划线、点或连字符"
          >
            <Input />
          </Form.Item>
          <Form.Item name="displayName" label="姓名" required>
            <Input />
          </Form.Item>
          <Form.Item
            name="role"
            label="角色"
            required
            extra="系统管理员、安全管理员、审计管理员（三员）账号只能在服务器上用命令行 shegong user add 创建"
          >
            <Select
              options={ROLES.filter((r) => !isAdminRole(r)).map((r) => ({
                value: r,
                label: ROLE_LABELS[r],
              }))}
            />
          </Form.Item>
          <Form.Item name="orgCode" label="所属机构" required>
            <OrgTreeSelect maxLevel="community" />
          </Form.Item>
        </Form>
      </Modal>
    </Card>
  );
};
