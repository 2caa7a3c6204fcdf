// Admin: model versions with their backtest metrics and status, the tenant's policy and thresholds,
// the audit log (admins), and uploads with their quarantine reasons.

import { get, put } from "../api";
import { groups } from "../auth";
import { clear, errorState, field, fmt, h, section, table } from "../dom";
import { Route } from "../router";
import { uploadsTable } from "./uploads";

export async function renderAdmin(main: HTMLElement, _route: Route): Promise<void> {
  const models = h("div"), policy = h("div"), audit = h("div"), uploads = h("div");
  const admin = groups().includes("admins");
  main.append(h("h1", {}, "Admin"),
    h("section", { class: "card", "aria-labelledby": "models-title" }, h("h2", { id: "models-title" }, "Forecast models"), models),
    h("section", { class: "card", "aria-labelledby": "policy-title" }, h("h2", { id: "policy-title" }, "Policy and thresholds"), policy),
    ...(admin ? [h("section", { class: "card", "aria-labelledby": "audit-title" }, h("h2", { id: "audit-title" }, "Audit log"), audit)] : []),
    h("section", { class: "card", "aria-labelledby": "uploads-title" }, h("h2", { id: "uploads-title" }, "Uploads and quarantine"), uploads));

  void section(models, "Models", async () => {
    const r = await get("/models");
    return table("Forecast models", [
      ["Version", (m: any) => m.model_version],
      ["Status", (m: any) => h("span", { class: `badge ${m.live ? "status-pass" : ""}` }, m.live ? "live" : m.status)],
      ["Trained through", (m: any) => m.trained_through],
      ["WAPE", (m: any) => fmt.pct(m.wape)],
      ["Best baseline", (m: any) => { const b = m.backtest?.best_baseline; return b ? `${b} ${fmt.pct(m.backtest.overall?.[b]?.wape)}` : "—"; }],
      ["80% coverage", (m: any) => fmt.pct(m.backtest?.overall?.smartretail?.coverage_80)],
      ["Series", (m: any) => fmt.num(m.series)],
      ["Why", (m: any) => m.reason ?? ""],
    ], r.models, "No model trained yet: the training pipeline runs after the first uploads.");
  });

  void section(policy, "Policy", async () => policyForm(await get("/policy")));

  if (admin) void section(audit, "Audit log", async () => {
    const { entries } = await get("/audit?limit=100");
    return table("Audit log", [
      ["When", (e: any) => String(e.at ?? e.created_at ?? "").replace("T", " ").slice(0, 19)],
      ["Who", (e: any) => e.actor ?? e.user_id ?? "system"],
      ["Action", (e: any) => e.action],
      ["What", (e: any) => e.entity ?? ""],
    ], entries, "Nothing recorded yet.");
  });

  void section(uploads, "Uploads", async () => uploadsTable(100));
}

/** The tenant policy as a form: one input per setting, grouped by section; managers and admins save it. */
function policyForm(current: Record<string, Record<string, unknown>>): HTMLElement {
  const status = h("p", { class: "state", role: "status" });
  const inputs: [string, string, HTMLInputElement, unknown][] = [];
  const groupsEl = Object.entries(current).map(([sectionName, settings]) => h("fieldset", {},
    h("legend", {}, sectionName.replace(/_/g, " ")),
    h("div", { class: "controls" }, ...Object.entries(settings).map(([name, value]) => {
      const input = h("input", { name: `${sectionName}.${name}`, type: typeof value === "number" || value === null ? "number" : "text", step: "any", value: value === null ? "" : String(value), placeholder: value === null ? "not set" : null });
      inputs.push([sectionName, name, input, value]);
      return field(name.replace(/_/g, " "), input);
    }))));
  const form = h("form", { "aria-label": "Tenant policy" }, ...groupsEl, h("button", { type: "submit" }, "Save policy"), status);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body: Record<string, Record<string, unknown>> = JSON.parse(JSON.stringify(current));
    for (const [sectionName, name, input, before] of inputs) {
      body[sectionName][name] = input.value === "" ? null : typeof before === "number" || before === null ? Number(input.value) : input.value;
    }
    try {
      await put("/policy", body);
      status.textContent = "Saved: new recommendations and alerts use it.";
    } catch (error) { clear(status, errorState(error)); }
  });
  return form;
}
