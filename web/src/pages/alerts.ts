// Alerts: severity, SKU, store, reason and the recommended action; acknowledge, resolve, snooze.

import { get, post, query } from "../api";
import { filterForm } from "../data";
import { clear, errorState, field, h, section, select, table } from "../dom";
import { href, Route } from "../router";

const STATUSES: [string, string][] = [["", "Open and acknowledged"], ["open", "Open"], ["acknowledged", "Acknowledged"], ["snoozed", "Snoozed"], ["resolved", "Resolved"]];
const SEVERITIES: [string, string][] = [["", "Any severity"], ["high", "High"], ["medium", "Medium"], ["low", "Low"]];

export async function renderAlerts(main: HTMLElement, route: Route): Promise<void> {
  const p = Object.fromEntries(route.params);
  const form = filterForm("alerts", "Which alerts", "Show",
    field("Status", select("status", STATUSES, p.status ?? "")), field("Severity", select("severity", SEVERITIES, p.severity ?? "")));
  const list = h("div"), status = h("p", { class: "state", role: "status" });
  main.append(h("h1", {}, "Alerts"), form, h("section", { class: "card", "aria-label": "Alerts" }, status, list));

  const load = () => section(list, "Alerts", async () => {
    const r = await get(`/alerts${query({ status: p.status, severity: p.severity, limit: 200 })}`);
    const shown = p.status ? r.alerts : r.alerts.filter((a: any) => a.status === "open" || a.status === "acknowledged");
    const act = (a: any, action: string, body: object = {}) => h("button", { type: "button", class: "small", onclick: async () => {
      try {
        await post(`/alerts/${encodeURIComponent(a.alert_id)}/${action}`, body);
        status.textContent = `${a.title}: ${action === "snooze" ? "snoozed for a day" : `${action}d`}.`;
        void load();
      } catch (error) { clear(status, errorState(error)); }
    } }, action === "snooze" ? "snooze 1 day" : action);
    return table("Alerts", [
      ["Severity", (a: any) => h("span", { class: `badge sev-${a.severity}` }, a.severity)],
      ["Alert", (a: any) => h("div", {}, h("strong", {}, a.title), h("div", { class: "muted" }, String(a.type).replace(/_/g, " ")))],
      ["SKU · store", (a: any) => a.sku_id ? h("a", { href: href("forecast", { store_id: a.store_id, sku_id: a.sku_id }) }, `${a.sku_id} · ${a.store_id ?? ""}`) :
        a.details?.doc_id ? h("a", { href: href("documents", {}, a.details.doc_id) }, a.details.doc_id) : "—"],
      ["Reason", (a: any) => a.reason],
      ["Recommended action", (a: any) => a.recommended_action],
      ["Status", (a: any) => `${a.status}${a.snoozed_until ? ` until ${a.snoozed_until.slice(0, 16).replace("T", " ")}` : ""}`],
      ["Actions", (a: any) => a.status === "resolved" ? "" : h("div", { class: "actions" },
        ...(a.status === "open" || a.status === "snoozed" ? [act(a, "acknowledge")] : []),
        ...(a.status !== "snoozed" ? [act(a, "snooze", { hours: 24 })] : []),
        act(a, "resolve"))],
    ], shown, "No alerts here.");
  });
  void load();
}
