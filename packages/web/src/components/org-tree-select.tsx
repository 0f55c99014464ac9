import { ORG_LEVEL_LABELS, type TOrgLevel } from '@shegong/shared';
import { useQuery } from '@tanstack/react-query';
import { TreeSelect } from 'antd';
import { useState } from 'react';
import { apiGet } from '../api/client.ts';
import type { TOrgChild, TOrgDetail } from '../api/types.ts';
import { useAuth } from '../auth.tsx';

type TNode = {
  id: string;
  pId: string | null;
  value: string;
  title: string;
  isLeaf: boolean;
  level: TOrgLevel;
};

type TProps = {
  value?: string | null;
  onChange?: (value: string | undefined) => void;
  /** Levels that may be chosen; others only open. */
  selectable?: TOrgLevel[];
  /** Deepest level shown. */
  maxLevel?: TOrgLevel;
  placeholder?: string;
  allowClear?: boolean;
  id?: string;
};

const DEPTH: Record<TOrgLevel, number> = {
  country: 0,
  province: 1,
  city: 2,
  county: 3,
  street: 4,
  community: 5,
  grid: 6,
};

/** Picks a node of the caller's part of the org tree, loading children as they are opened. */
export const OrgTreeSelect = ({
  value,
  onChange,
  selectable,
  maxLevel = 'community',
  placeholder = '选择机构',
  allowClear = true,
  id,
}: TProps) => {
  const { me } = useAuth();
  const root = useQuery({
    queryKey: ['org', me?.orgCode],
    queryFn: () => apiGet<TOrgDetail>(`/api/orgs/${me!.orgCode}`),
    enabled: !!me,
  });
  const [loaded, setLoaded] = useState<TNode[]>([]);
  const rootNode: TNode[] = root.data
    ? [
        {
          id: root.data.code,
          pId: null,
          value: root.data.code,
          title: root.data.name,
          level: root.data.level,
          isLeaf: DEPTH[root.data.level] >= DEPTH[maxLevel],
        },
      ]
    : [];
  const nodes = [...rootNode, ...loaded.filter((n) => n.id !== root.data?.code)].map((n) => ({
    ...n,
    selectable: !selectable || selectable.includes(n.level),
    title: `${n.title}（${ORG_LEVEL_LABELS[n.level]}）`,
  }));
  // A value not yet in the loaded tree (the page opened with ?org= from a link or a reload)
  // showed as its bare code ("640104"): its name is read once and given to the select.
  const known = nodes.find((n) => n.value === value);
  const chosen = useQuery({
    queryKey: ['org', value],
    queryFn: () => apiGet<TOrgDetail>(`/api/orgs/${value}`),
    enabled: !!value && !known && !!root.data,
  });
  const label = known
    ? known.title
    : chosen.data
      ? `${chosen.data.name}（${ORG_LEVEL_LABELS[chosen.data.level]}）`
      : undefined;
  const loadData = async (parent: string | undefined) => {
    if (!parent || loaded.some((n) => n.pId === parent)) return;
    const result = await apiGet<{ items: TOrgChild[] }>(`/api/orgs/${parent}/children`);
    setLoaded((current) => [
      ...current,
      ...result.items
        .filter((c) => DEPTH[c.level] <= DEPTH[maxLevel])
        .map((c) => ({
          id: c.code,
          pId: parent,
          value: c.code,
          title: c.name,
          level: c.level,
          isLeaf: DEPTH[c.level] >= DEPTH[maxLevel],
        })),
    ]);
  };
  return (
    <TreeSelect
      id={id}
      style={{ width: '100%' }}
      treeDataSimpleMode
      treeData={nodes}
      loadData={(node) => loadData((node as { id?: string }).id)}
      labelInValue
      value={value ? { value, label: label ?? value } : undefined}
      onChange={(v) => onChange?.((v as { value: string } | undefined)?.value)}
      placeholder={placeholder}
      allowClear={allowClear}
      showSearch={false}
      treeDefaultExpandedKeys={me ? [me.orgCode] : []}
      popupMatchSelectWidth={false}
    />
  );
};
