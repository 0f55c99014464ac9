import {
  ApartmentOutlined,
  AuditOutlined,
  BarChartOutlined,
  BellOutlined,
  BookOutlined,
  ContainerOutlined,
  FileProtectOutlined,
  HomeOutlined,
  ImportOutlined,
  LogoutOutlined,
  MoneyCollectOutlined,
  ReadOutlined,
  SafetyOutlined,
  SettingOutlined,
  SolutionOutlined,
  SwapOutlined,
  TeamOutlined,
  TrophyOutlined,
  UnorderedListOutlined,
} from '@ant-design/icons';
import type { TPermission } from '@shegong/shared';
import type { ReactNode } from 'react';

export type TNavItem = {
  path: string;
  label: string;
  icon: ReactNode;
  permission: TPermission | null;
  /** False while the feature is being built: shown greyed out, not as a stub page. */
  ready: boolean;
};

/** The navigation of the app; later features fill the entries marked not ready. */
export const NAV_ITEMS: TNavItem[] = [
  { path: '/', label: '首页', icon: <HomeOutlined />, permission: null, ready: true },
  {
    path: '/todo',
    label: '待办',
    icon: <BellOutlined />,
    permission: 'workflow:read',
    ready: true,
  },
  {
    path: '/orgs',
    label: '机构与社区',
    icon: <ApartmentOutlined />,
    permission: 'org:read',
    ready: true,
  },
  {
    path: '/workers',
    label: '社区工作者',
    icon: <TeamOutlined />,
    permission: 'worker:read',
    ready: true,
  },
  {
    path: '/import',
    label: '数据导入',
    icon: <ImportOutlined />,
    permission: 'import:run',
    ready: true,
  },
  {
    path: '/quota',
    label: '职数核定',
    icon: <SolutionOutlined />,
    permission: 'quota:read',
    ready: true,
  },
  {
    path: '/pay',
    label: '薪酬',
    icon: <MoneyCollectOutlined />,
    permission: 'pay:read',
    ready: true,
  },
  {
    path: '/recruitment',
    label: '招聘',
    icon: <FileProtectOutlined />,
    permission: 'workflow:read',
    ready: true,
  },
  {
    path: '/contracts',
    label: '合同',
    icon: <ContainerOutlined />,
    permission: 'workflow:read',
    ready: true,
  },
  {
    path: '/assessment',
    label: '考核',
    icon: <AuditOutlined />,
    permission: 'workflow:read',
    ready: true,
  },
  {
    path: '/training',
    label: '培训',
    icon: <ReadOutlined />,
    permission: 'workflow:read',
    ready: true,
  },
  {
    path: '/secondment',
    label: '借调挂职',
    icon: <SwapOutlined />,
    permission: 'workflow:read',
    ready: true,
  },
  {
    path: '/exit',
    label: '退出',
    icon: <LogoutOutlined />,
    permission: 'workflow:read',
    ready: true,
  },
  {
    path: '/honours',
    label: '表彰',
    icon: <TrophyOutlined />,
    permission: 'workflow:read',
    ready: true,
  },
  {
    path: '/admission',
    label: '准入清单',
    icon: <UnorderedListOutlined />,
    permission: 'workflow:read',
    ready: true,
  },
  {
    path: '/stats',
    label: '统计',
    icon: <BarChartOutlined />,
    permission: 'stats:read',
    ready: true,
  },
  {
    path: '/policy',
    label: '政策',
    icon: <BookOutlined />,
    permission: 'policy:read',
    ready: true,
  },
  {
    path: '/system',
    label: '系统',
    icon: <SettingOutlined />,
    permission: 'user:manage',
    ready: true,
  },
  {
    path: '/audit',
    label: '审计',
    icon: <SafetyOutlined />,
    permission: 'audit:read',
    ready: true,
  },
];
