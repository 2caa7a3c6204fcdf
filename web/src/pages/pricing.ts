// Pricing: today's price, the competitor band, elasticity with its range, the recommended price and
// the guardrails; a what-if control across prices; propose -> approve (managers) -> apply, with the
// trail of who did what.

import { get, getFile, idempotent, post } from "../api";
import { groups } from "../auth";
import { colors, curveChart } from "../charts";
import { catalog, filterForm, skuPicker, storePicker } from "../data";
import { clear, download, emptyState, errorState, field, fmt, h, section, select, table, tile } from "../dom";
import { Route } from "../router";

const OBJECTIVES: [string, string][] = [["maximize_margin", "Maximise margin"], ["maximize_revenue", "Maximise revenue"], ["match_competitors", "Match competitors"]];

export async function renderPricing(main: HTMLElement, route: Route): Promise<void> {
  const cat = await catalog();
  const p = Object.fromEntries(route.params);
  const store = p.store_id || cat.stores[0];
  const sku = p.sku_id || cat.skus.find((s) => s.store_ids.includes(store))?.sku_id || "";
  const objective = p.objective || "maximize_margin";
  const form = filterForm("pricing", "Which price", "Recommend a price",
    storePicker(cat, store, false), skuPicker(cat, sku, false), field("Objective", select("objective", OBJECTIVES, objective)));
  const summary = h("section", { class: "tiles", "aria-label": "Price evidence" });
  const recommendation = h("div"), whatIf = h("div"), proposals = h("div");
  main.append(h("h1", {}, "Pricing"), form, summary,
    h("div", { class: "grid" },
      h("section", { class: "card", "aria-labelledby": "rec-title" }, h("h2", { id: "rec-title" }, "Recommendation and guardrails"), recommendation),
      h("section", { class: "card", "aria-labelledby": "whatif-title" }, h("h2", { id: "whatif-title" }, "What if the price were …"), whatIf)),
    h("section", { class: "card", "aria-labelledby": "prop-title" }, h("h2", { id: "prop-title" }, "Proposals for this SKU"), proposals));
  if (!sku) { summary.append(emptyState("This store has no SKUs with data.")); return; }

  const loadProposals = () => section(proposals, "Proposals", async () => proposalTable(store, sku, loadProposals));
  void section(summary, "Price evidence", async () => {
    const r = await post("/pricing-suggest", { store_id: store, sku_id: sku, objective });
    const e = r.evidence, el = e.elasticity, c = e.competitors;
    clear(recommendation, ...recommendationView(r, store, sku, loadProposals));
    clear(whatIf, whatIfView(r, store, sku));
    return [
      tile("Today's price", fmt.money(r.current_price)),
      tile("Competitor band", c.median == null ? "none known" : `${fmt.money(c.low)} – ${fmt.money(c.high)}`, c.median == null ? "" : `median ${fmt.money(c.median)}`),
      tile("Elasticity", el ? `${el.value}` : "unknown", el ? `90% range ${el.range_90[0]} to ${el.range_90[1]}${el.identified ? "" : ` (${el.level} level)`}` : "no price variation to learn from"),
      tile("Recommended", fmt.money(r.recommended_price), r.method.replace(/_/g, " ")),
    ];
  }).then(() => { if (!recommendation.childElementCount) clear(recommendation, emptyState("No recommendation (see above).")); });
  void loadProposals();
}

function impactTable(impact: any, candidateLabel: string): HTMLElement {
  const rows = ["units", "revenue", "margin"].filter((m) => impact[m]).map((m) => ({ m, ...impact[m] }));
  return table(`Expected over the next ${impact.horizon_days} days`, [
    [`Next ${impact.horizon_days} days`, (r: any) => r.m],
    ["Today's price", (r: any) => fmt.num(r.current, 2)],
    [candidateLabel, (r: any) => fmt.num(r.expected, 2)],
    ["Change (90% range)", (r: any) => `${r.change >= 0 ? "+" : ""}${fmt.num(r.change, 2)} (${fmt.num(r.change_range[0], 2)} to ${fmt.num(r.change_range[1], 2)})`],
  ], rows);
}

function recommendationView(r: any, store: string, sku: string, reload: () => void): HTMLElement[] {
  const status = h("p", { class: "state", role: "status" });
  const guardrails = table("Guardrails", [
    ["Guardrail", (g: any) => g.guardrail.replace(/_/g, " ")],
    ["Allows", (g: any) => `${g.low == null ? "any" : fmt.money(g.low)} – ${g.high == null ? "any" : fmt.money(g.high)}`],
    ["At the recommended price", (g: any) => {
      const inside = (g.low == null || r.recommended_price >= g.low - 1e-9) && (g.high == null || r.recommended_price <= g.high + 1e-9);
      return h("span", { class: inside ? "passed" : "failed" }, inside ? (r.guardrails.bound_by.includes(g.guardrail) ? "passed (binding)" : "passed") : "failed");
    }],
    ["Why", (g: any) => g.reason],
  ], r.guardrails.applied, "No guardrail applies to this SKU.");
  const propose = h("button", { type: "button", onclick: async () => {
    try {
      const made = await post("/proposals", { kind: "price", sku_id: sku, store_id: store, new_price: r.recommended_price }, idempotent());
      status.textContent = `Proposed ${fmt.money(r.recommended_price)}: ${made.needs_approval ? "a manager must approve it" : "ready to approve"}.`;
      reload();
    } catch (error) { clear(status, errorState(error)); }
  } }, `Propose ${fmt.money(r.recommended_price)}`);
  return [
    h("p", {}, `${r.rationale}.`),
    ...(r.guardrails.relaxed.length ? [h("p", { class: "muted" }, r.guardrails.relaxed.map((x: any) => `Relaxed: ${x.reason}.`).join(" "))] : []),
    ...(r.notes.length ? [h("p", { class: "muted" }, r.notes.join(" "))] : []),
    guardrails, impactTable(r.impact, "Recommended"), h("div", { class: "actions" }, propose), status,
    h("p", { class: "muted" }, `Data as of ${r.data_as_of ?? "—"}.`),
  ];
}

function whatIfView(r: any, store: string, sku: string): HTMLElement {
  const current = r.current_price;
  const [low, high] = [Math.max(0.01, current * 0.6), current * 1.4];
  const slider = h("input", { type: "range", min: low.toFixed(2), max: high.toFixed(2), step: "0.01", value: String(r.recommended_price), name: "price", "aria-describedby": "whatif-value" });
  const number = h("input", { type: "number", min: "0.01", step: "0.01", value: String(r.recommended_price), name: "price-number" });
  const result = h("div", { "aria-live": "polite" }), curve = h("div");
  let newest = 0;
  const simulate = async (price: number) => {
    const mine = ++newest;
    try {
      const s = await post("/pricing/simulate", { store_id: store, sku_id: sku, price });
      if (mine !== newest) return;
      const failed = new Set(s.breaks_guardrails.map((b: any) => b.guardrail));
      clear(result,
        h("p", { id: "whatif-value" }, `At ${fmt.money(price)}:`),
        impactTable(s.impact, "At this price"),
        s.breaks_guardrails.length
          ? h("ul", { class: "failed" }, ...s.breaks_guardrails.map((b: any) => h("li", {}, `Fails ${b.guardrail.replace(/_/g, " ")}: ${b.reason}`)))
          : h("p", { class: "passed" }, "Passes every guardrail."),
        h("p", { class: "muted" }, r.guardrails.applied.filter((g: any) => !failed.has(g.guardrail)).map((g: any) => `Passes ${g.guardrail.replace(/_/g, " ")}.`).join(" ")));
    } catch (error) { if (mine === newest) clear(result, errorState(error)); }
  };
  let timer = 0;
  const changed = (value: string, other: HTMLInputElement) => {
    other.value = value;
    clearTimeout(timer);
    timer = window.setTimeout(() => void simulate(Number(value)), 200);
  };
  slider.addEventListener("input", () => changed(slider.value, number));
  number.addEventListener("change", () => changed(number.value, slider));
  void simulate(r.recommended_price);
  void section(curve, "Impact across prices", async () => {
    const prices = Array.from({ length: 9 }, (_, i) => Math.round((low + ((high - low) * i) / 8) * 100) / 100);
    const answers = await Promise.all(prices.map((price) => post("/pricing/simulate", { store_id: store, sku_id: sku, price })));
    const pick = (m: string) => answers.map((a) => a.impact[m]?.expected ?? null);
    const [allowedLow, allowedHigh] = r.guardrails.allowed_range;
    const competitors = r.evidence.competitors;
    return curveChart(`Expected units, revenue and margin over the next ${answers[0].impact.horizon_days} days across prices`, "Price", prices, [
      { label: "Revenue", values: pick("revenue"), color: colors.forecast },
      { label: "Margin", values: pick("margin"), color: colors.other },
      { label: "Units", values: pick("units"), color: colors.baseline, dash: [6, 4] },
    ], [
      { label: `Allowed by the guardrails (${fmt.money(allowedLow)} – ${allowedHigh == null ? "any" : fmt.money(allowedHigh)})`, from: allowedLow, to: allowedHigh ?? high, color: "rgba(46,125,50,0.12)" },
      ...(competitors.low == null ? [] : [{ label: `Competitors (${fmt.money(competitors.low)} – ${fmt.money(competitors.high)})`, from: competitors.low, to: competitors.high, color: "rgba(176,0,32,0.10)" }]),
    ], [
      { label: `Today ${fmt.money(r.current_price)}`, at: r.current_price, color: "#52606d" },
      { label: `Recommended ${fmt.money(r.recommended_price)}`, at: r.recommended_price, color: "#1f4e79" },
    ]);
  });
  return h("div", {}, h("div", { class: "controls" }, field("Candidate price (slider)", slider), field("Candidate price", number)), result, curve);
}

const NEXT: Record<string, string[]> = { proposed: ["approve", "reject"], approved: ["apply", "reject"] };

async function proposalTable(store: string, sku: string, reload: () => void): Promise<HTMLElement> {
  const { proposals } = await get("/proposals?limit=100");
  const mine = proposals.filter((x: any) => x.sku_id === sku && x.store_id === store);
  if (!mine.length) return emptyState("No proposals for this SKU at this store yet.");
  const manager = groups().some((g) => g === "managers" || g === "admins");
  const status = h("p", { class: "state", role: "status" });
  const act = (x: any, action: string) => h("button", { type: "button", class: "small", onclick: async () => {
    try { await post(`/proposals/${encodeURIComponent(x.proposal_id)}/${action}`, {}); reload(); }
    catch (error) { clear(status, errorState(error)); }
  } }, action);
  const payload = (x: any) => h("button", { type: "button", class: "small secondary", onclick: async () => {
    try { download(`price-change-${x.proposal_id}.csv`, await getFile(`/proposals/${encodeURIComponent(x.proposal_id)}/payload`)); }
    catch (error) { clear(status, errorState(error)); }
  } }, "apply payload (CSV)");
  return h("div", {}, table("Proposals", [
    ["Change", (x: any) => x.kind === "price" ? `${fmt.money(x.before?.price)} → ${fmt.money(x.after?.price)} (${x.change_pct}%)` : `${x.after?.quantity} units`],
    ["Status", (x: any) => h("span", { class: `badge status-${x.status}` }, x.status)],
    ["Trail", (x: any) => h("ul", {}, ...trail(x).map((t) => h("li", {}, t)))],
    ["Actions", (x: any) => h("div", { class: "actions" },
      // Rejecting, and approving a change over the threshold, are a manager's.
      ...(NEXT[x.status] ?? []).filter((a) => manager || a === "apply" || (a === "approve" && !x.needs_approval)).map((a) => act(x, a)),
      ...(x.status === "applied" ? [payload(x)] : []),
      ...(x.status === "proposed" && x.needs_approval && !manager ? [h("span", { class: "muted" }, "awaiting a manager")] : []))],
  ], mine), status);
}

function trail(x: any): string[] {
  const at = (v: string | undefined) => (v ? v.replace("T", " ").slice(0, 16) : "");
  return [
    `proposed by ${x.created_by ?? x.proposed_by ?? "?"} ${at(x.created_at)}`,
    ...(x.approved_at ? [`approved by ${x.decided_by} ${at(x.approved_at)}`] : []),
    ...(x.rejected_at ? [`rejected by ${x.decided_by} ${at(x.rejected_at)}`] : []),
    ...(x.applied_at ? [`applied by ${x.applied_by} ${at(x.applied_at)}`] : []),
    ...(x.expired_at ? [`expired ${at(x.expired_at)}`] : []),
  ];
}
