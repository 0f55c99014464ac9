import { Table, Tag, Typography } from 'antd';
import { yuanText } from './pay-format.ts';

// A month paid under two or more versions of its pack (a new base or coefficient table from the
// 16th), or a new post, or only partly governed by its pack (it starts inside the month): the
// parts the engine computed (TPayValue.parts, stored with the pay line), each with its dates,
// the version and what that version changed with its clause, and the share of the month's pay.
// Days no pack governs are a row of their own: 无适用政策, with the clause saying why.

export type TPayPartView = {
  from: string;
  to: string;
  /** null: days no version of the pack governs (无适用政策). */
  version: { from: string; to: string | null } | null;
  noPolicy?: { days: number; source: string; reason: string };
  changes: {
    kind: 'parameter' | 'rule' | 'record';
    name: string;
    description: string;
    before: string | null;
    after: string | null;
    source: string;
  }[];
  grade: number | null;
  coefficient: string | null;
  basePayFen: number | null;
  monthlyTotalFen: number;
  paidDays: number;
  payableFen: number;
};

const changeText = (c: TPayPartView['changes'][number]) =>
  c.kind !== 'rule'
    ? `${c.description}：${c.before ?? '无'} → ${c.after ?? '无'}`
    : c.after === null
      ? `不再适用：${c.description}`
      : `适用：${c.description}（自${c.after}起）`;

/** The parts of a split month, or nothing when one version governs it. */
export const PayParts = ({
  parts,
  monthDays,
}: {
  parts: TPayPartView[] | undefined;
  monthDays: number;
}) =>
  parts && parts.length > 1 ? (
    <Table<TPayPartView>
      data-testid="pay-parts"
      rowKey="from"
      size="small"
      pagination={false}
      style={{ marginBottom: 16 }}
      title={() => (
        <Typography.Text strong>
          {parts.some((p) => p.noPolicy)
            ? '本月部分日子无适用政策：按适用政策的日历天数计算（合计即本月应发）'
            : '月内政策版本变更：按日历天数分段计算（各段累计取整到分，合计即本月应发）'}
        </Typography.Text>
      )}
      dataSource={parts}
      columns={[
        { title: '时段', render: (_, p) => `${p.from} 至 ${p.to}` },
        {
          title: '适用版本',
          render: (_, p) =>
            p.version ? (
              `自${p.version.from}起`
            ) : (
              <Typography.Text type="warning">无适用政策</Typography.Text>
            ),
        },
        {
          title: '调整内容及依据',
          render: (_, p) =>
            p.noPolicy ? (
              <div data-testid="pay-part-no-policy">
                {p.noPolicy.reason} <Tag color="orange">{p.noPolicy.source}</Tag>
              </div>
            ) : p.changes.length ? (
              p.changes.map((c) => (
                <div key={`${c.kind}-${c.name}`}>
                  {changeText(c)} <Tag color="blue">{c.source}</Tag>
                </div>
              ))
            ) : (
              <Typography.Text type="secondary">调整前标准</Typography.Text>
            ),
        },
        {
          title: '等级 / 系数',
          render: (_, p) =>
            p.noPolicy
              ? '—'
              : `${p.grade !== null ? `${p.grade}级` : '不定级'}${p.coefficient ? ` / ${p.coefficient}` : ''}`,
        },
        {
          title: '月度合计',
          render: (_, p) => (p.noPolicy ? '—' : yuanText(p.monthlyTotalFen)),
        },
        {
          title: '在岗天数',
          render: (_, p) =>
            p.noPolicy
              ? `0/${monthDays}（${p.noPolicy.days}天不计发）`
              : `${p.paidDays}/${monthDays}`,
        },
        { title: '本段应发', render: (_, p) => yuanText(p.payableFen) },
      ]}
      summary={(rows) => (
        <Table.Summary.Row>
          <Table.Summary.Cell index={0} colSpan={5}>
            合计
          </Table.Summary.Cell>
          <Table.Summary.Cell index={5}>
            {rows.reduce((s, p) => s + p.paidDays, 0)}/{monthDays}
          </Table.Summary.Cell>
          <Table.Summary.Cell index={6}>
            {yuanText(rows.reduce((s, p) => s + p.payableFen, 0))}
          </Table.Summary.Cell>
        </Table.Summary.Row>
      )}
    />
  ) : null;
