import { KeyOutlined, LogoutOutlined, UserOutlined } from '@ant-design/icons';
import { ROLE_LABELS } from '@shegong/shared';
import { Button, Dropdown, Layout, Menu, Space, Tooltip, Typography } from 'antd';
import { Outlet, useLocation, useNavigate } from 'react-router';
import { useAuth } from '../auth.tsx';
import { NAV_ITEMS } from './nav.tsx';

const { Header, Sider, Content } = Layout;

export const AppLayout = () => {
  const { me, can, logout } = useAuth();
  const navigate = useNavigate();
  const location = useLocation();
  const items = NAV_ITEMS.filter((item) => item.permission === null || can(item.permission)).map(
    (item) => ({
      key: item.path,
      icon: item.icon,
      disabled: !item.ready,
      label: item.ready ? (
        item.label
      ) : (
        <Tooltip title="建设中，即将上线" placement="right">
          <span>{item.label}</span>
        </Tooltip>
      ),
    }),
  );
  const selected =
    NAV_ITEMS.filter((i) => i.path !== '/' && location.pathname.startsWith(i.path)).map(
      (i) => i.path,
    )[0] ?? '/';
  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Sider width={200} theme="dark" breakpoint="lg" collapsedWidth={64}>
        <div className="brand">社工</div>
        <Menu
          theme="dark"
          mode="inline"
          selectedKeys={[selected]}
          items={items}
          onClick={({ key }) => navigate(key)}
        />
      </Sider>
      <Layout>
        <Header className="app-header">
          <Typography.Text strong>社区工作者队伍管理系统</Typography.Text>
          <Dropdown
            menu={{
              items: [
                { key: 'password', icon: <KeyOutlined />, label: '修改密码' },
                { key: 'logout', icon: <LogoutOutlined />, label: '退出登录' },
              ],
              onClick: async ({ key }) => {
                if (key === 'password') {
                  navigate('/account/password');
                  return;
                }
                await logout();
                navigate('/login');
              },
            }}
          >
            <Button type="text" data-testid="user-menu">
              <Space>
                <UserOutlined />
                {me?.displayName}
                <Typography.Text type="secondary">{me ? ROLE_LABELS[me.role] : ''}</Typography.Text>
              </Space>
            </Button>
          </Dropdown>
        </Header>
        <Content className="app-content">
          <Outlet />
        </Content>
      </Layout>
    </Layout>
  );
};
