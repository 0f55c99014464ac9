import { BarChart, LineChart, PieChart, TreemapChart } from 'echarts/charts';
import {
  GridComponent,
  LegendComponent,
  TitleComponent,
  TooltipComponent,
  VisualMapComponent,
} from 'echarts/components';
import { type EChartsCoreOption, init, type ECharts as TECharts, use } from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { type CSSProperties, useEffect, useRef } from 'react';

// Only what the pages draw is bundled (tree-shaken `echarts/core`): bar, line, pie and treemap
// with their axes, tooltip, legend and visual map, rendered on canvas.
use([
  BarChart,
  LineChart,
  PieChart,
  TreemapChart,
  GridComponent,
  LegendComponent,
  TitleComponent,
  TooltipComponent,
  VisualMapComponent,
  CanvasRenderer,
]);

/** What a click on a bar, slice or treemap node reports. */
export type TChartClick = { name: string; dataIndex: number; data: unknown };

type TProps = {
  option: EChartsCoreOption;
  height?: number;
  onClick?: (event: TChartClick) => void;
  style?: CSSProperties;
  /** For tests: the container gets `data-testid`. */
  testId?: string;
};

/**
 * An ECharts chart in a div: created on mount, updated when the option changes, resized with its
 * container, disposed on unmount (no canvas or listener outlives the page).
 */
export const EChart = ({ option, height = 300, onClick, style, testId }: TProps) => {
  const ref = useRef<HTMLDivElement>(null);
  const chart = useRef<TECharts | null>(null);
  const clickRef = useRef(onClick);
  clickRef.current = onClick;

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const instance = init(el, undefined, { renderer: 'canvas' });
    chart.current = instance;
    instance.on('click', (params) => {
      const p = params as { name?: string; dataIndex?: number; data?: unknown };
      clickRef.current?.({ name: p.name ?? '', dataIndex: p.dataIndex ?? -1, data: p.data });
    });
    const observer = new ResizeObserver(() => instance.resize());
    observer.observe(el);
    return () => {
      observer.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption(option, { notMerge: true });
  }, [option]);

  return <div ref={ref} style={{ width: '100%', height, ...style }} data-testid={testId} />;
};
