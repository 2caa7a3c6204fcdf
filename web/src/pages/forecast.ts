// Forecast: pick a store, category or SKU and a horizon; actual units, the forecast with its
// P10–P90 band, the seasonal-naive baseline, the drivers; export CSV/JSON; alerts on stockout risk.

import { getFile, post, query } from "../api";
import { groups } from "../auth";
import { catalog, categoryPicker, filterForm, skuPicker, storePicker } from "../data";
import { download, emptyState, errorState, field, fmt, h, section, select, table } from "../dom";
import { Route } from "../router";
import { forecastVsActual } from "./overview";

const HORIZONS: [string, string][] = [["7", "7 days"], ["14", "14 days"], ["28", "28 days"], ["56", "8 weeks"], ["91", "13 weeks"]];

export async function renderForecast(main: HTMLElement, route: Route): Promise<void> {
  const cat = await catalog();
  const p = Object.fromEntries(route.params);
  const store = p.store_id || cat.stores[0];
  const horizon = p.horizon_days || "28";
  const form = filterForm("forecast", "What to forecast", "Show forecast",
    storePicker(cat, store, false), categoryPicker(cat, p.category ?? ""), skuPicker(cat, p.sku_id ?? "", true, p.category ?? ""),
    field("Horizon", select("horizon_days", HORIZONS, horizon)));
  form.querySelector("select[name=category]")!.addEventListener("change", () => {
    const picked = (form.querySelector("select[name=category]") as HTMLSelectElement).value;
    form.querySelector("select[name=sku_id]")!.closest(".field")!.replaceWith(skuPicker(cat, "", true, picked));
  });

  const skus = cat.skus.filter((s) => s.store_ids.includes(store) && (!p.category || s.category === p.category) && (!p.sku_id || s.sku_id === p.sku_id))
    .map((s) => s.sku_id).slice(0, 50);
  const chart = h("div"), drivers = h("div"), exports = h("div", { class: "actions" }), status = h("p", { class: "state", role: "status" });
  main.append(h("h1", {}, "Forecast"), form,
    h("section", { class: "card", "aria-labelledby": "fc-title" }, h("h2", { id: "fc-title" }, `Demand at ${store}`), chart),
    h("div", { class: "grid" },
      h("section", { class: "card", "aria-labelledby": "drivers-title" }, h("h2", { id: "drivers-title" }, "Drivers"), drivers),
      h("section", { class: "card", "aria-labelledby": "export-title" }, h("h2", { id: "export-title" }, "Export and alerts"), exports, status)));
  if (!skus.length) { chart.append(emptyState("No SKUs with data match these choices.")); return; }

  const request = { store_id: store, sku_ids: skus, horizon_days: Number(horizon), history_days: 56 };
  const answer = post("/forecast", request);
  void section(chart, "Forecast", async () => {
    const fc = await answer;
    const notes = fc.forecasts.filter((f: any) => f.note).map((f: any) => `${f.sku_id}: ${f.note}`);
    const model = fc.live_model;
    // The total to plan with: each day's expected units (from its band and median), not a sum of medians.
    const expected = fc.forecasts.reduce((all: number, f: any) => all + f.series.reduce((t: number, d: any) => t + d.expected, 0), 0);
    return [
      forecastVsActual(fc, skus.length === 1 ? skus[0] : `${skus.length} SKUs${p.category ? ` in ${p.category}` : ""}`),
      h("p", {}, `Expected over the next ${horizon} days: ${fmt.num(expected)} units (the total reorder plans count).`),
      h("p", { class: "muted" }, model ? `Model ${model.model_version}, trained through ${model.trained_through}; backtest WAPE ${fmt.pct(model.wape)}${model.best_baseline_wape == null ? "" : ` against ${model.best_baseline} ${fmt.pct(model.best_baseline_wape)}`}.` : "No live model: seasonal naive."),
      ...(notes.length ? [h("ul", { class: "muted" }, ...notes.slice(0, 5).map((n: string) => h("li", {}, n)))] : []),
    ];
  });
  void section(drivers, "Drivers", async () => {
    const fc = await answer;
    const rows = fc.forecasts.flatMap((f: any) => f.drivers.map((d: any) => ({ ...d, sku_id: f.sku_id })));
    return table("Drivers of the forecast", [
      ["SKU", (d: any) => d.sku_id], ["Driver", (d: any) => d.driver.replace(/_/g, " ")],
      ["Effect", (d: any) => `${d.effect_pct > 0 ? "+" : ""}${d.effect_pct}%`], ["Impact", (d: any) => d.impact],
    ], rows.slice(0, 30), "The model names no drivers for these SKUs (a seasonal-naive forecast has none).");
  });

  const exportAs = (format: "csv" | "json") => h("button", { type: "button", class: "secondary", onclick: async () => {
    status.textContent = "Preparing the export …";
    try {
      const blob = await getFile(`/forecast/export${query({ store_id: store, sku_ids: skus.join(","), horizon_days: horizon, format })}`);
      download(`forecast-${store}.${format}`, blob);
      status.textContent = `Exported ${format.toUpperCase()}.`;
    } catch (error) { status.replaceWith(errorState(error)); }
  } }, `Export ${format.toUpperCase()}`);
  exports.append(exportAs("csv"), exportAs("json"));
  if (groups().some((g) => g === "managers" || g === "admins")) exports.append(stockoutSubscription(status));
  else exports.append(h("p", { class: "muted" }, "Managers can have stockout-risk alerts sent by email."));
}

function stockoutSubscription(status: HTMLElement): HTMLElement {
  const email = h("input", { type: "email", name: "email", required: true, autocomplete: "email" });
  const form = h("form", { class: "controls", "aria-label": "Alert me on stockout risk" },
    field("Email for stockout-risk alerts", email), h("button", { type: "submit" }, "Alert me on stockout risk"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const r = await post("/alerts/subscriptions", { email: email.value, alert_types: ["stockout_risk"] });
      status.textContent = `${r.email}: ${r.status.replace(/_/g, " ")}. ${r.note}`;
    } catch (error) { status.textContent = ""; status.append(errorState(error)); }
  });
  return form;
}
