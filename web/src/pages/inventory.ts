// Inventory: every series' reorder plan at a store (safety stock, reorder point, order quantity,
// stockout risk) with the reasons, due orders first; propose an order.

import { get, idempotent, post, query } from "../api";
import { catalog, categoryPicker, filterForm, storePicker } from "../data";
import { clear, errorState, fmt, h, section, table } from "../dom";
import { href, Route } from "../router";

export async function renderInventory(main: HTMLElement, route: Route): Promise<void> {
  const cat = await catalog();
  const p = Object.fromEntries(route.params);
  const store = p.store_id || cat.stores[0];
  const dueOnly = h("input", { type: "checkbox", name: "due_only", value: "true", checked: p.due_only === "true" });
  const form = filterForm("inventory", "Which plans", "Show plans",
    storePicker(cat, store, false), categoryPicker(cat, p.category ?? ""),
    h("div", { class: "field" }, h("label", {}, dueOnly, " Due orders only")));
  const plans = h("div"), status = h("p", { class: "state", role: "status" });
  main.append(h("h1", {}, "Inventory"), form,
    h("section", { class: "card", "aria-labelledby": "plans-title" }, h("h2", { id: "plans-title" }, `Reorder plans at ${store}`), status, plans));

  const propose = (row: any) => h("button", { type: "button", class: "small", onclick: async () => {
    try {
      const made = await post("/proposals", { kind: "reorder", sku_id: row.sku_id, store_id: row.store_id, quantity: row.plan.order_quantity }, idempotent());
      status.textContent = `Proposed an order of ${fmt.num(row.plan.order_quantity)} ${row.sku_id} (${made.status}).`;
    } catch (error) { clear(status, errorState(error)); }
  } }, `propose order of ${fmt.num(row.plan.order_quantity)}`);

  void section(plans, "Reorder plans", async () => {
    const r = await get(`/inventory/plans${query({ store_id: store, category: p.category, due_only: p.due_only })}`);
    const risk = (row: any) => {
      const risks = Object.entries(row.plan?.stockout_risk ?? {}) as [string, number][];
      return risks.map(([window, v]) => `${window.replace(/_/g, " ")}: ${fmt.pct(v, 0)}`).join(", ") || "—";
    };
    return table("Reorder plans", [
      ["SKU", (row: any) => h("a", { href: href("forecast", { store_id: row.store_id, sku_id: row.sku_id }) }, row.sku_id)],
      ["Category", (row: any) => row.category ?? "—"],
      ["On hand", (row: any) => fmt.num(row.on_hand)],
      ["Safety stock", (row: any) => fmt.num(row.plan?.safety_stock, 1)],
      ["Reorder point", (row: any) => fmt.num(row.plan?.reorder_point, 1)],
      ["Order", (row: any) => row.plan ? (row.plan.reorder_now ? h("strong", {}, `${fmt.num(row.plan.order_quantity)} now`) : "not yet") : "—"],
      ["Stockout risk", risk],
      ["Why", (row: any) => row.plan ? h("ul", {}, ...Object.entries(row.plan.explanation ?? {}).map(([k, v]) => h("li", {}, `${k.replace(/_/g, " ")}: ${v}`))) : row.reason],
      ["Propose", (row: any) => row.plan?.reorder_now ? propose(row) : ""],
    ], r.plans, "No stock positions for this store: has the training pipeline run?");
  });
}
