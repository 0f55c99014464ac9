import { ORG_LEVEL_LABELS } from '@shegong/shared';
import { useQuery } from '@tanstack/react-query';
import { Skeleton, Tree } from 'antd';
import type { DataNode, EventDataNode } from 'antd/es/tree';
import { useState } from 'react';
import { apiGet } from '../api/client.ts';
import type { TOrgChild, TOrgDetail } from '../api/types.ts';

type TTreeNode = DataNode & { key: string; isLeaf?: boolean };

const toTreeNode = (child: TOrgChild, leafLevels: string[]): TTreeNode => ({
  key: child.code,
  title: `${child.name}（${ORG_LEVEL_LABELS[child.level]}）`,
  isLeaf: leafLevels.includes(child.level),
});

const replaceChildren = (nodes: TTreeNode[], key: string, children: TTreeNode[]): TTreeNode[] =>
  nodes.map((node) =>
    node.key === key
      ? { ...node, children }
      : node.children
        ? { ...node, children: replaceChildren(node.children as TTreeNode[], key, children) }
        : node,
  );

/** The caller's part of the org tree, loading children from the API as nodes open. */
export const OrgTree = ({
  rootCode,
  selected,
  onSelect,
  leafLevels = ['community', 'grid'],
}: {
  rootCode: string;
  selected: string;
  onSelect: (code: string) => void;
  leafLevels?: string[];
}) => {
  const root = useQuery({
    queryKey: ['org', rootCode],
    queryFn: () => apiGet<TOrgDetail>(`/api/orgs/${rootCode}`),
    enabled: rootCode !== '',
  });
  const [tree, setTree] = useState<TTreeNode[] | undefined>();
  if (root.isLoading) return <Skeleton active />;
  const treeData =
    tree ??
    (root.data
      ? [
          {
            key: root.data.code,
            title: `${root.data.name}（${ORG_LEVEL_LABELS[root.data.level]}）`,
          },
        ]
      : []);
  const loadData = async (node: EventDataNode<TTreeNode>) => {
    if (node.children) return;
    const result = await apiGet<{ items: TOrgChild[] }>(`/api/orgs/${node.key}/children`);
    setTree((current) =>
      replaceChildren(
        current ?? treeData,
        node.key,
        result.items.map((c) => toTreeNode(c, leafLevels)),
      ),
    );
  };
  return (
    <Tree<TTreeNode>
      data-testid="org-tree"
      treeData={treeData}
      loadData={loadData}
      selectedKeys={[selected]}
      onSelect={(keys) => keys[0] && onSelect(String(keys[0]))}
      defaultExpandedKeys={[rootCode]}
    />
  );
};
