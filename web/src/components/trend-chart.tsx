import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';

import { formatAxis, formatMoney, formatMonth } from '../format.js';
import type { MonthlyTrendPoint } from '../types.js';

/**
 * The monthly trend of one currency as a uPlot chart: income and expenses as bars, net as a line.
 * uPlot draws on a canvas, so it needs numbers: Number() converts each point for its pixel
 * position only; every amount a person reads (axis ticks aside) is formatted from the API's
 * string, and the table next to the chart holds the exact values.
 */
export function TrendChart({ points, currency }: { points: MonthlyTrendPoint[]; currency: string }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el || points.length === 0) return;
    const styles = getComputedStyle(el);
    const color = (name: string, fallback: string) => styles.getPropertyValue(name).trim() || fallback;
    const ink = color('--ink-muted', '#555');
    const grid = color('--line', '#ddd');
    const bars = uPlot.paths.bars?.({ size: [0.35, 40], align: 0 });
    const x = points.map((_, i) => i);
    const data: uPlot.AlignedData = [
      x,
      points.map((p) => Number(p.income)),
      points.map((p) => -Number(p.expenses.replace(/^-/, ''))),
      points.map((p) => Number(p.net)),
    ];
    const axis = { stroke: ink, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
    const options: uPlot.Options = {
      width: Math.max(280, el.clientWidth),
      height: 260,
      legend: { show: true },
      cursor: { points: { show: false } },
      scales: { x: { time: false, range: [-0.6, points.length - 0.4] } },
      axes: [
        {
          ...axis,
          // One label per month while they fit (about 64 CSS pixels each), every 2nd, 3rd… month when not.
          splits: (u: uPlot) => {
            const fit = Math.max(1, Math.floor(u.bbox.width / devicePixelRatio / 64));
            const step = Math.ceil(points.length / fit);
            return x.filter((i) => i % step === 0);
          },
          values: (_u, splits) => splits.map((i) => (points[i] ? formatMonth(points[i].month) : '')),
        },
        { ...axis, size: 80, values: (_u, splits) => splits.map((v) => formatAxis(v, currency)) },
      ],
      series: [
        { label: 'Month', value: (_u, v) => (points[v]?.month ? formatMonth(points[v].month) : '—') },
        {
          label: 'Income',
          stroke: color('--income', '#1a7f37'),
          fill: color('--income', '#1a7f37'),
          paths: bars,
          points: { show: false },
          value: (_u, _v, _s, i) => (i === null ? '—' : formatMoney(points[i]?.income ?? '0', currency)),
        },
        {
          label: 'Expenses',
          stroke: color('--expense', '#c62828'),
          fill: color('--expense', '#c62828'),
          paths: bars,
          points: { show: false },
          value: (_u, _v, _s, i) => (i === null ? '—' : formatMoney(points[i]?.expenses ?? '0', currency)),
        },
        {
          label: 'Net',
          stroke: color('--accent', '#1f5fbf'),
          width: 2,
          value: (_u, _v, _s, i) =>
            i === null ? '—' : formatMoney(points[i]?.net ?? '0', currency, { signed: true }),
        },
      ],
    };
    const plot = new uPlot(options, data, el);
    const resize = new ResizeObserver(() =>
      plot.setSize({ width: Math.max(280, el.clientWidth), height: 260 }),
    );
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [points, currency]);
  return (
    <div
      ref={box}
      class="chart"
      role="img"
      aria-label={`Monthly income, expenses and net in ${currency}, ${points.length} months; the table below lists the values`}
    />
  );
}
