import { Tabs } from 'antd';
import { useSearchParams } from 'react-router';
import { useAuth } from '../../auth.tsx';
import { BudgetPanel } from '../budget/budget-panel.tsx';
import { WhatIfPanel } from '../budget/what-if-panel.tsx';
import { ConversionsPanel } from './conversions-panel.tsx';
import { currentMonth } from './pay-format.ts';
import { PayRunsPanel } from './pay-runs-panel.tsx';

const TABS = ['runs', 'conversions', 'budget', 'what-if'] as const;
type TTab = (typeof TABS)[number];

/**
 * 薪酬: 工资发放表 by street and month, 薪酬套改, 经费测算 and 政策测算 — the node, month and tab
 * kept in the address so a page can be shared and reloaded.
 */
export const PayPage = () => {
  const { me } = useAuth();
  const [search, setSearch] = useSearchParams();
  const org = search.get('org') ?? me?.orgCode ?? '';
  const month = search.get('month') ?? currentMonth();
  const tab = (TABS as readonly string[]).includes(search.get('tab') ?? '')
    ? (search.get('tab') as TTab)
    : 'runs';
  const set = (next: Record<string, string | undefined>) => {
    const merged = { org, month, tab, ...next };
    setSearch(
      Object.fromEntries(Object.entries(merged).filter(([, v]) => v)) as Record<string, string>,
    );
  };
  return (
    <Tabs
      activeKey={tab}
      onChange={(key) => set({ tab: key })}
      destroyOnHidden
      items={[
        {
          key: 'runs',
          label: '工资发放表',
          children: <PayRunsPanel org={org} month={month} onChange={(n) => set(n)} />,
        },
        { key: 'conversions', label: '薪酬套改', children: <ConversionsPanel org={org} /> },
        { key: 'budget', label: '经费测算', children: <BudgetPanel org={org} /> },
        { key: 'what-if', label: '政策测算', children: <WhatIfPanel org={org} /> },
      ]}
    />
  );
};
