import {
  CHILD_INDICATOR_META,
  type TChildIndicator,
  type TStatChild,
  type TStatCount,
  type TStatTrendPoint,
} from '@shegong/shared';
import type { EChartsCoreOption } from 'echarts/core';
import { formatCell } from './stat-format.ts';

// ECharts options of the statistics page, built from the dashboard figures (pure functions).

const GRID = { left: 48, right: 16, top: 32, bottom: 48, containLabel: true };

export const barOption = (items: readonly TStatCount[], horizontal = false): EChartsCoreOption => {
  const category = {
    type: 'category',
    data: items.map((i) => i.label),
    axisLabel: { interval: 0 },
  };
  const value = { type: 'value', minInterval: 1 };
  return {
    tooltip: { trigger: 'axis' },
    grid: GRID,
    xAxis: horizontal
      ? value
      : { ...category, axisLabel: { interval: 0, rotate: items.length > 6 ? 30 : 0 } },
    yAxis: horizontal ? { ...category, inverse: true } : value,
    series: [
      {
        type: 'bar',
        name: '人数',
        data: items.map((i) => i.count),
        label: { show: true, position: horizontal ? 'right' : 'top' },
        barMaxWidth: 36,
      },
    ],
  };
};

export const pieOption = (items: readonly TStatCount[]): EChartsCoreOption => ({
  tooltip: { trigger: 'item', formatter: '{b}：{c}人（{d}%）' },
  legend: { bottom: 0, type: 'scroll' },
  series: [
    {
      type: 'pie',
      radius: ['35%', '65%'],
      center: ['50%', '45%'],
      data: items.filter((i) => i.count > 0).map((i) => ({ name: i.label, value: i.count })),
      label: { formatter: '{b}\n{d}%' },
    },
  ],
});

export const trendOption = (points: readonly TStatTrendPoint[]): EChartsCoreOption => ({
  tooltip: { trigger: 'axis' },
  legend: { bottom: 0 },
  grid: GRID,
  xAxis: { type: 'category', data: points.map((p) => String(p.year)) },
  yAxis: [
    { type: 'value', name: '年末人数', minInterval: 1 },
    { type: 'value', name: '进出人数', minInterval: 1, splitLine: { show: false } },
  ],
  series: [
    { type: 'line', name: '年末人数', data: points.map((p) => p.headcount), smooth: true },
    {
      type: 'bar',
      name: '新进',
      yAxisIndex: 1,
      data: points.map((p) => p.joined),
      barMaxWidth: 18,
    },
    {
      type: 'bar',
      name: '退出',
      yAxisIndex: 1,
      data: points.map((p) => p.exited),
      barMaxWidth: 18,
    },
  ],
});

const indicatorOf = (c: TStatChild, k: TChildIndicator) => c.indicators[k];

/** The children compared by one indicator, largest first; a bar click drills into that child. */
export const childrenBarOption = (
  children: readonly TStatChild[],
  indicator: TChildIndicator,
): EChartsCoreOption => {
  const meta = CHILD_INDICATOR_META[indicator];
  const sorted = [...children].sort(
    (a, b) => (indicatorOf(b, indicator) ?? -1) - (indicatorOf(a, indicator) ?? -1),
  );
  return {
    tooltip: {
      trigger: 'axis',
      valueFormatter: (v: unknown) =>
        formatCell(meta.unit === 'count' ? 'count' : meta.unit, v as number),
    },
    grid: { ...GRID, left: 8 },
    xAxis: {
      type: 'value',
      axisLabel:
        meta.unit === 'percent' ? { formatter: (v: number) => `${Math.round(v * 100)}%` } : {},
    },
    yAxis: { type: 'category', inverse: true, data: sorted.map((c) => c.name) },
    series: [
      {
        type: 'bar',
        name: meta.label,
        data: sorted.map((c) => ({ value: indicatorOf(c, indicator), code: c.code })),
        label: {
          show: true,
          position: 'right',
          formatter: (p: { value: number | null }) =>
            formatCell(meta.unit === 'count' ? 'count' : meta.unit, p.value),
        },
        barMaxWidth: 24,
        cursor: 'pointer',
      },
    ],
  };
};

/**
 * The children as a map-like grid: each child a tile, its area the headcount and its colour the
 * chosen indicator (a choropleth without boundaries: no China boundary GeoJSON is available
 * offline). A tile click drills into that child.
 */
export const childrenTreemapOption = (
  children: readonly TStatChild[],
  indicator: TChildIndicator,
): EChartsCoreOption => {
  const meta = CHILD_INDICATOR_META[indicator];
  const values = children
    .map((c) => indicatorOf(c, indicator))
    .filter((v): v is number => v !== null);
  const min = values.length ? Math.min(...values) : 0;
  const max = values.length ? Math.max(...values) : 1;
  const fmt = (v: number | null) => formatCell(meta.unit === 'count' ? 'count' : meta.unit, v);
  return {
    tooltip: {
      formatter: (p: { name: string; data: { value: [number, number | null] } }) =>
        `${p.name}<br/>在岗人数：${p.data.value[0]}<br/>${meta.label}：${fmt(p.data.value[1])}`,
    },
    visualMap: {
      type: 'continuous',
      min,
      max: max === min ? min + 1 : max,
      dimension: 1,
      seriesIndex: 0,
      orient: 'horizontal',
      left: 'center',
      bottom: 0,
      calculable: false,
      text: [fmt(max), fmt(min)],
      inRange: { color: ['#e0f3f8', '#4575b4'] },
    },
    series: [
      {
        type: 'treemap',
        roam: false,
        nodeClick: false,
        breadcrumb: { show: false },
        bottom: 40,
        top: 8,
        left: 8,
        right: 8,
        visualDimension: 1,
        label: {
          show: true,
          formatter: (p: { name: string; data: { value: [number, number | null] } }) =>
            `${p.name}\n${fmt(p.data.value[1])}`,
        },
        data: children.map((c) => ({
          name: c.name,
          code: c.code,
          value: [Math.max(1, c.indicators.headcount ?? 0), indicatorOf(c, indicator)],
        })),
      },
    ],
  };
};
