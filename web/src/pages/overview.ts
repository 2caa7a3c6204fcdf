// Overview: the period's KPIs against the previous period, today's top actions, open alerts, and
// the forecast against actual units.

import { get, post, query } from "../api";
import { colors, timeChart } from "../charts";
import { addDays, catalog, categoryPicker, daysBetween, defaultPeriod, filterForm, skuPicker, storePicker } from "../data";
import { clear, emptyState, field, fmt, h, section, table, tile } from "../dom";
import { href, Route } from "../router";

export async function renderOverview(main: HTMLElement, route: Route): Promise<void> {
  const cat = await catalog();
  const p = Object.fromEntries(route.params);
  const period = { ...defaultPeriod(cat), ...(p.start && p.end ? { start: p.start, end: p.end } : {}) };
  const form = filterForm("overview", "Filters", "Apply",
    field("From", h("input", { type: "date", name: "start", value: period.start, required: true })),
    field("To", h("input", { type: "date", name: "end", value: period.end, required: true })),
    storePicker(cat, p.store_id ?? ""), categoryPicker(cat, p.category ?? ""), skuPicker(cat, p.sku_id ?? ""));
  const tiles = h("section", { class: "tiles", "aria-label": "Key figures" });
  const actions = h("div"), alerts = h("div"), chart = h("div");
  main.append(h("h1", {}, "Overview"), form, tiles,
    h("div", { class: "grid" },
      h("section", { class: "card", "aria-labelledby": "actions-title" }, h("h2", { id: "actions-title" }, "Top actions today"), actions),
      h("section", { class: "card", "aria-labelledby": "alerts-title" }, h("h2", { id: "alerts-title" }, "Open alerts"), alerts)),
    h("section", { class: "card", "aria-labelledby": "fva-title" }, h("h2", { id: "fva-title" }, "Forecast and actual units"), chart));

  const filters = { store_id: p.store_id, category: p.category, sku_id: p.sku_id };
  const days = daysBetween(period.start, period.end) + 1;
  const previous = { start: addDays(period.start, -days), end: addDays(period.start, -1) };
  const store = p.store_id || cat.stores[0];
  const skus = cat.skus.filter((s) => s.store_ids.includes(store) && (!p.category || s.category === p.category) && (!p.sku_id || s.sku_id === p.sku_id))
    .map((s) => s.sku_id).slice(0, 50);
  const forecast = skus.length ? post("/forecast", { store_id: store, sku_ids: skus, horizon_days: 28, history_days: 56 }) : Promise.resolve(null);

  void section(tiles, "Key figures", async () => {
    const [now, before, fc, acc] = await Promise.all([
      get(`/kpis${query({ ...period, ...filters })}`), get(`/kpis${query({ ...previous, ...filters })}`), forecast.catch(() => null),
      get("/forecast/accuracy").catch(() => null)]);
    const k = now.kpis, b = before.kpis, currency = now.currency ? `${now.currency} ` : "";
    const model = fc?.live_model;
    // Realised accuracy of the served forecasts (the model monitor's last complete week) before the backtest's.
    const weeks = (acc?.weeks ?? []).filter((w: any) => addDays(w.week_start, 7) <= new Date().toISOString().slice(0, 10));
    const realised = weeks.length ? weeks[weeks.length - 1] : null;
    const accuracyTile = realised
      ? tile("Forecast accuracy", `WAPE ${fmt.pct(realised.wape)}`, `realised, week of ${realised.week_start}${model?.wape == null ? "" : `; backtest ${fmt.pct(model.wape)}`}`)
      : tile("Forecast accuracy", model?.wape == null ? "no live model" : `WAPE ${fmt.pct(model.wape)}`,
        model?.wape == null ? "" : `backtest${model.best_baseline_wape == null ? "" : `; ${model.best_baseline.replace(/_/g, " ")} ${fmt.pct(model.best_baseline_wape)}`}`);
    return [
      tile("Revenue", fmt.money(k.revenue, currency), fmt.change(k.revenue, b.revenue)),
      tile("Gross margin", k.gross_margin === null ? "no cost data" : `${fmt.money(k.gross_margin, currency)} (${fmt.pct(k.margin_rate)})`, fmt.change(k.gross_margin, b.gross_margin)),
      accuracyTile,
      tile("Stockout rate", fmt.pct(k.stockout_rate), fmt.change(k.stockout_rate, b.stockout_rate)),
      tile("Inventory turns", k.inventory_turns_annualised === null ? "—" : `${fmt.num(k.inventory_turns_annualised, 1)} a year`, fmt.change(k.inventory_turns_annualised, b.inventory_turns_annualised)),
      tile("Units sold", fmt.num(k.units), fmt.change(k.units, b.units)),
    ];
  });

  void section(actions, "Top actions", async () => {
    const r = await post("/recommendations", { store_id: p.store_id || null, category: p.category || null, limit: 5 });
    return table("Top actions today", [
      ["Action", (a: any) => a.type === "reorder" ? `Order ${fmt.num(a.order_quantity)}` : `Price ${fmt.money(a.current_price)} → ${fmt.money(a.recommended_price)}`],
      ["SKU · store", (a: any) => h("a", { href: a.type === "reorder" ? href("inventory", { store_id: a.store_id }) : href("pricing", { store_id: a.store_id, sku_id: a.sku_id }) }, `${a.sku_id} · ${a.store_id}`)],
      ["Why", (a: any) => a.explanation],
    ], r.actions, "Nothing to do today.");
  });

  void section(alerts, "Open alerts", async () => {
    const r = await get(`/alerts${query({ status: "open", limit: 5 })}`);
    return [table("Open alerts", [
      ["Severity", (a: any) => h("span", { class: `badge sev-${a.severity}` }, a.severity)],
      ["Alert", (a: any) => a.title],
    ], r.alerts.slice(0, 5), "No open alerts."), h("p", {}, h("a", { href: href("alerts") }, "All alerts"))];
  });

  void section(chart, "Forecast", async () => {
    const fc = await forecast;
    if (!fc) return emptyState("No SKUs match these filters.");
    return forecastVsActual(fc, skus.length === 1 ? `${skus[0]} at ${store}` : `${skus.length} SKUs at ${store}`);
  });
}

/** Actual units, then the forecast with its band and the seasonal-naive baseline, summed over SKUs. */
export function forecastVsActual(fc: any, what: string): HTMLElement {
  const sum = (rows: any[][], key: string, date: string) => rows.reduce((t, series) => t + (series.find((d: any) => d.date === date)?.[key] ?? 0), 0);
  const items: any[] = fc.forecasts;
  const historyDates = [...new Set(items.flatMap((i) => (i.history ?? []).map((d: any) => d.date)))].sort();
  const forecastDates = [...new Set(items.flatMap((i) => i.series.map((d: any) => d.date)))].sort();
  const dates = [...historyDates, ...forecastDates];
  const histories = items.map((i) => i.history ?? []), series = items.map((i) => i.series), baselines = items.map((i) => i.baseline ?? []);
  const nulls = (n: number) => Array(n).fill(null);
  const actual = [...historyDates.map((d) => sum(histories, "units", d)), ...nulls(forecastDates.length)];
  const yhat = [...nulls(historyDates.length), ...forecastDates.map((d) => sum(series, "yhat", d))];
  const baseline = [...nulls(historyDates.length), ...forecastDates.map((d) => sum(baselines, "yhat", d))];
  const low = [...nulls(historyDates.length), ...forecastDates.map((d) => sum(series, "yhat_lower", d))];
  const high = [...nulls(historyDates.length), ...forecastDates.map((d) => sum(series, "yhat_upper", d))];
  const container = h("div");
  clear(container, timeChart(`Units of ${what}: actual, forecast (P50) with its P10–P90 band, and the seasonal-naive baseline`, dates, [
    { label: "Actual", values: actual, color: colors.actual },
    { label: "Forecast P50", values: yhat, color: colors.forecast },
    { label: "Seasonal naive", values: baseline, color: colors.baseline, dash: [6, 4] },
  ], { label: "P10–P90", low, high, color: colors.band }));
  return container;
}
