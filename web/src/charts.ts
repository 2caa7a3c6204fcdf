// Charts with uPlot (canvas, ~50 KB): time series with a P10–P90 band, and curves over prices.
// Each chart is a <figure> with a caption and its numbers in a table under "Show the data", so a
// screen reader gets what the canvas shows.

import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { h, table } from "./dom";

export interface Line { label: string; values: (number | null)[]; color: string; dash?: number[]; width?: number; }
export interface Band { label: string; low: (number | null)[]; high: (number | null)[]; color: string; }

const PALETTE = { actual: "#1f2933", forecast: "#1f6fb2", baseline: "#b26a00", band: "rgba(31,111,178,0.18)", other: "#2e7d32" };
export const colors = PALETTE;

function responsive(plot: uPlot, holder: HTMLElement, height: number): void {
  const observer = new ResizeObserver(() => plot.setSize({ width: Math.max(280, holder.clientWidth), height }));
  observer.observe(holder);
}

/** The chart's key, drawn by the page (uPlot's own would list the band's two edges as series). */
function legend(items: { label: string; color: string; dash?: number[] }[]): HTMLElement {
  return h("ul", { class: "legend", "aria-hidden": "true" }, ...items.map((item) => {
    const swatch = h("span", { class: `swatch${item.dash ? " dashed" : ""}` });
    swatch.style.borderColor = item.color;
    swatch.style.background = item.dash ? "transparent" : item.color;
    return h("li", {}, swatch, item.label);
  }));
}

function figure(caption: string, summaryRows: HTMLElement, key: HTMLElement): { fig: HTMLElement; holder: HTMLElement } {
  const holder = h("div", { class: "chart", role: "img", "aria-label": caption });
  const fig = h("figure", { class: "chart-figure" }, holder, key, h("figcaption", {}, caption),
    h("details", {}, h("summary", {}, "Show the data"), summaryRows));
  return { fig, holder };
}

/** Daily series over dates (YYYY-MM-DD), optionally with a shaded band. */
export function timeChart(caption: string, dates: string[], lines: Line[], band?: Band, height = 300): HTMLElement {
  const xs = dates.map((d) => Date.parse(`${d}T00:00:00Z`) / 1000);
  const rows = dates.map((date, i) => ({ date, i }));
  const columns: [string, (r: { date: string; i: number }) => string][] = [
    ["Date", (r) => r.date],
    ...lines.map((l): [string, (r: { i: number }) => string] => [l.label, (r) => fmtValue(l.values[r.i])]),
    ...(band ? [[`${band.label} low`, (r: { i: number }) => fmtValue(band.low[r.i])], [`${band.label} high`, (r: { i: number }) => fmtValue(band.high[r.i])]] as [string, (r: { i: number }) => string][] : []),
  ];
  const { fig, holder } = figure(caption, table(caption, columns, rows),
    legend([...lines, ...(band ? [{ label: band.label, color: band.color }] : [])]));
  const series: uPlot.Series[] = [{}];
  const data: uPlot.AlignedData = [xs];
  const bands: uPlot.Band[] = [];
  if (band) {
    series.push({ label: `${band.label} high`, stroke: "transparent", points: { show: false } });
    series.push({ label: `${band.label} low`, stroke: "transparent", points: { show: false } });
    data.push(band.high as number[], band.low as number[]);
    bands.push({ series: [1, 2], fill: PALETTE.band });
  }
  for (const line of lines) {
    series.push({ label: line.label, stroke: line.color, width: line.width ?? 2, dash: line.dash, points: { show: false }, spanGaps: false });
    data.push(line.values as number[]);
  }
  requestAnimationFrame(() => {
    const plot = new uPlot({ width: Math.max(280, holder.clientWidth), height, series, bands, scales: { x: { time: true } },
      axes: [{}, { size: 60 }], legend: { show: false } }, data, holder);
    responsive(plot, holder, height);
  });
  return fig;
}

/** A stretch of x shaded behind the curves (the prices the guardrails allow, the competitors' range). */
export interface Span { label: string; from: number; to: number; color: string; }
/** A vertical line at one x (today's price, the recommended one). */
export interface Mark { label: string; at: number; color: string; }

/** Draws spans and marks under the series, in the plot's own coordinates. */
function spansAndMarks(spans: Span[], marks: Mark[]): uPlot.Plugin {
  return {
    hooks: {
      drawAxes: [(u: uPlot) => {
        const ctx = u.ctx, { top, height } = u.bbox;
        ctx.save();
        for (const span of spans) {
          const x0 = u.valToPos(span.from, "x", true), x1 = u.valToPos(span.to, "x", true);
          ctx.fillStyle = span.color;
          ctx.fillRect(Math.min(x0, x1), top, Math.abs(x1 - x0), height);
        }
        for (const mark of marks) {
          const x = u.valToPos(mark.at, "x", true);
          ctx.strokeStyle = mark.color;
          ctx.lineWidth = 2 * devicePixelRatio;
          ctx.setLineDash([4 * devicePixelRatio, 3 * devicePixelRatio]);
          ctx.beginPath();
          ctx.moveTo(x, top);
          ctx.lineTo(x, top + height);
          ctx.stroke();
        }
        ctx.restore();
      }],
    },
  };
}

/** Curves over a numeric x (prices), over shaded spans and vertical marks. */
export function curveChart(caption: string, xLabel: string, xs: number[], lines: Line[], spans: Span[] = [], marks: Mark[] = [],
                           height = 260): HTMLElement {
  const rows = xs.map((x, i) => ({ x, i }));
  const columns: [string, (r: { x: number; i: number }) => string][] = [
    [xLabel, (r) => fmtValue(r.x)], ...lines.map((l): [string, (r: { i: number }) => string] => [l.label, (r) => fmtValue(l.values[r.i])])];
  const { fig, holder } = figure(caption, table(caption, columns, rows),
    legend([...lines, ...spans.map((sp) => ({ label: sp.label, color: sp.color })), ...marks.map((m) => ({ label: m.label, color: m.color, dash: [4, 3] }))]));
  const series: uPlot.Series[] = [{ label: xLabel }, ...lines.map((l) => ({ label: l.label, stroke: l.color, width: l.width ?? 2, dash: l.dash, scale: l.label === "Units" ? "units" : "money" }))];
  requestAnimationFrame(() => {
    const plot = new uPlot({ width: Math.max(280, holder.clientWidth), height, series,
      scales: { x: { time: false }, units: {}, money: {} },
      axes: [{ label: xLabel }, { scale: "money", size: 70 }, { scale: "units", side: 1, size: 60, grid: { show: false } }],
      legend: { show: false }, plugins: [spansAndMarks(spans, marks)] }, [xs, ...lines.map((l) => l.values as number[])], holder);
    responsive(plot, holder, height);
  });
  return fig;
}

function fmtValue(v: number | null | undefined): string {
  return v === null || v === undefined || Number.isNaN(v) ? "—" : v.toLocaleString("en", { maximumFractionDigits: 2 });
}
