/**
 * ECharts as the widgets' charts use it, tree-shaken to the line chart, the grid and the tooltip,
 * drawn on canvas: the smallest renderer (SVG costs ~3.7 KB more gzipped, and a chart's
 * accessible form is the table beside it, not the drawing). Charts import this module with
 * `import()` when they first draw, so that a host's bundler can split ECharts off pages whose
 * charts never show (widgets.js inlines it).
 */
import { init, use, type ComposeOption, type EChartsType } from 'echarts/core';
import { LineChart, type LineSeriesOption } from 'echarts/charts';
import { GridComponent, TooltipComponent, type GridComponentOption, type TooltipComponentOption } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

export type ChartOption = ComposeOption<LineSeriesOption | GridComponentOption | TooltipComponentOption>;

/** The theme's colours and font, as computed on the host (see core/styles.ts). */
export interface ChartTheme {
  text: string;
  muted: string;
  border: string;
  accent: string;
  bg: string;
  font: string;
}

export interface LineSeries {
  name: string;
  values: (number | null)[];
  /** Drawn dashed and muted: the comparison period. */
  dashed?: boolean;
}

export interface LineChartInput {
  /** The x axis' labels, one per point. */
  labels: string[];
  series: LineSeries[];
  theme: ChartTheme;
  /** A value as the axis and the tooltip show it. */
  format: (value: number | null) => string;
  /** The tooltip's lines for the point at an index (text, never markup). */
  tooltip: (index: number) => string[];
  animate: boolean;
}

/** Reads the theme's private custom properties (`--_accent`…) from the element's computed style. */
export function chartTheme(host: Element): ChartTheme {
  const style = getComputedStyle(host);
  const v = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  return {
    text: v('--_text', '#1d2330'),
    muted: v('--_muted', '#5b6475'),
    border: v('--_border', '#dde1e8'),
    accent: v('--_accent', '#2f6fdf'),
    bg: v('--_bg', '#ffffff'),
    font: v('--_font', 'system-ui, sans-serif'),
  };
}

/** A chart drawn in `container` (which must have a size). */
export function createChart(container: HTMLElement): EChartsType {
  use([LineChart, GridComponent, TooltipComponent, CanvasRenderer]);
  return init(container, null, { renderer: 'canvas' });
}

/** The option of a line chart: the first series solid with a soft area, the others dashed if asked. */
export function lineOption(input: LineChartInput): ChartOption {
  const { theme: t } = input;
  return {
    animation: input.animate,
    textStyle: { fontFamily: t.font, color: t.muted },
    // Labels inside the box (what containLabel was before ECharts 6).
    grid: { left: 4, right: 16, top: 12, bottom: 4, outerBoundsMode: 'same', outerBoundsContain: 'axisLabel' },
    xAxis: {
      type: 'category',
      data: input.labels,
      boundaryGap: false,
      axisLine: { lineStyle: { color: t.border } },
      axisTick: { show: false },
      axisLabel: { color: t.muted, hideOverlap: true },
    },
    yAxis: {
      type: 'value',
      minInterval: 1,
      splitNumber: 4,
      splitLine: { lineStyle: { color: t.border } },
      axisLabel: { color: t.muted, formatter: (v: number) => input.format(v) },
    },
    tooltip: {
      trigger: 'axis',
      backgroundColor: t.bg,
      borderColor: t.border,
      textStyle: { color: t.text, fontFamily: t.font },
      axisPointer: { lineStyle: { color: t.muted } },
      // DOM nodes with text, not an HTML string: nothing in a label can become markup.
      formatter: (params) => {
        const first = Array.isArray(params) ? params[0] : params;
        return input.tooltip(first?.dataIndex ?? 0).map((line, i) => {
          const div = document.createElement('div');
          div.textContent = line;
          if (i === 0) div.style.fontWeight = '600';
          return div;
        });
      },
    },
    series: input.series.map((s) => ({
      type: 'line',
      name: s.name,
      data: s.values,
      showSymbol: false,
      symbolSize: 6,
      color: s.dashed ? t.muted : t.accent,
      lineStyle: { width: 2, type: s.dashed ? 'dashed' : 'solid', color: s.dashed ? t.muted : t.accent },
      ...(s.dashed ? {} : { areaStyle: { color: t.accent, opacity: 0.12 } }),
      emphasis: { disabled: true },
      z: s.dashed ? 1 : 2,
    })),
  };
}
