import { DownloadOutlined } from '@ant-design/icons';
import type { TStatTableData } from '@shegong/shared';
import { Button, Card, Segmented, Table } from 'antd';
import { type ReactNode, useState } from 'react';
import { formatCell } from './stat-format.ts';

/** The rows behind a chart, formatted as on the exported sheet. */
export const StatTable = ({
  table,
  onRow,
}: {
  table: TStatTableData;
  onRow?: (row: Record<string, string | number | null>) => void;
}) => (
  <Table
    size="small"
    rowKey={(row) => String(row.code ?? row.label ?? row.year ?? row.description)}
    dataSource={table.rows}
    pagination={{ pageSize: 50, hideOnSinglePage: true }}
    scroll={{ x: 'max-content' }}
    data-testid={`stat-table-${table.key}`}
    onRow={
      onRow ? (row) => ({ onClick: () => onRow(row), style: { cursor: 'pointer' } }) : undefined
    }
    columns={table.columns.map((c) => ({
      key: c.key,
      dataIndex: c.key,
      title: c.title,
      align: c.kind === 'text' ? 'left' : 'right',
      render: (v: string | number | null) => formatCell(c.kind, v),
    }))}
  />
);

/** A chart with its numbers as a table beside it (图表 / 表格) and an .xlsx export. */
export const ChartCard = ({
  table,
  exportHref,
  chart,
  extra,
  onRow,
}: {
  table: TStatTableData;
  exportHref: string;
  chart: ReactNode;
  extra?: ReactNode;
  onRow?: (row: Record<string, string | number | null>) => void;
}) => {
  const [view, setView] = useState<'chart' | 'table'>('chart');
  return (
    <Card
      size="small"
      title={table.title}
      data-testid={`stat-card-${table.key}`}
      extra={
        <>
          {extra}
          <Segmented
            size="small"
            value={view}
            onChange={(v) => setView(v as 'chart' | 'table')}
            options={[
              { label: '图表', value: 'chart' },
              { label: '表格', value: 'table' },
            ]}
          />
          <Button
            size="small"
            type="link"
            icon={<DownloadOutlined />}
            href={exportHref}
            aria-label={`导出${table.title}`}
          >
            导出
          </Button>
        </>
      }
    >
      {view === 'chart' ? chart : <StatTable table={table} onRow={onRow} />}
    </Card>
  );
};
