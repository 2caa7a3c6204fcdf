// Copilot: chat with suggested prompts; each answer shows the tools that ran with their parameters
// and a sources drawer; links go from an answer to the chart or document it rests on.

import { del, get, post } from "../api";
import { clear, errorState, h, section } from "../dom";
import { go, href, Route } from "../router";

const SUGGESTED = [
  "Which SKUs will stock out next week in S01?",
  "Should I drop the price of BEV-001 in S01?",
  "What is the damaged goods policy?",
  "Why did my invoices fail?",
  "What was revenue last month in S02?",
];

/** Where a tool's answer can be seen in full. */
function linkFor(tool: string, args: any): string | null {
  const sku = args.sku_id ?? (Array.isArray(args.sku_ids) ? args.sku_ids[0] : undefined);
  switch (tool) {
    case "ForecastTool": return href("forecast", { store_id: args.store_id, sku_id: sku, horizon_days: args.horizon_days });
    case "PricingTool": return href("pricing", { store_id: args.store_id, sku_id: sku, objective: args.objective });
    case "InventoryTool": return href("inventory", { store_id: args.store_id, category: args.category });
    case "DocComplianceTool": return args.doc_id ? href("documents", {}, args.doc_id) : href("documents");
    case "KPIQueryTool": return href("overview", { start: args.start, end: args.end, store_id: args.store_id, category: args.category, sku_id: sku });
    default: return null;
  }
}

function describeArgs(args: Record<string, unknown>): string {
  return Object.entries(args ?? {}).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(",") : v}`).join(" ");
}

function sources(citations: any[]): HTMLElement | null {
  if (!citations?.length) return null;
  return h("details", { class: "sources" }, h("summary", {}, `Sources (${citations.length})`),
    h("ul", {}, ...citations.map((c) => {
      if (c.type === "tool") {
        const link = linkFor(c.tool, c.arguments);
        return h("li", {}, link ? h("a", { href: link }, c.tool) : c.tool, ` ${describeArgs(c.arguments)}`, c.data_as_of ? ` · data as of ${c.data_as_of}` : "");
      }
      const own = typeof c.doc_id === "string" && c.doc_id.startsWith("doc-");
      return h("li", {}, own ? h("a", { href: href("documents", {}, c.doc_id) }, c.source) : c.source, c.section ? ` › ${c.section}` : "");
    })));
}

function toolBadges(calls: any[]): HTMLElement | null {
  if (!calls?.length) return null;
  return h("div", { class: "tools", "aria-label": "Tools that ran" }, ...calls.map((t) => {
    const link = linkFor(t.tool, t.arguments);
    const text = `${t.tool}(${describeArgs(t.arguments)})${t.status && t.status !== "success" ? ` · ${t.status}` : ""}`;
    return link ? h("a", { class: "tool-badge", href: link }, text) : h("span", { class: "tool-badge" }, text);
  }));
}

function message(role: "user" | "assistant", text: string, extra: (HTMLElement | null)[] = []): HTMLElement {
  return h("article", { class: `message ${role}`, "aria-label": role === "user" ? "You asked" : "Copilot answered" },
    h("div", {}, text), ...extra);
}

export async function renderCopilot(main: HTMLElement, route: Route): Promise<void> {
  const conversationId = route.rest[0] ?? null;
  const log = h("div", { class: "chat", "aria-live": "polite" });
  const history = h("div");
  const input = h("textarea", { id: "copilot-question", name: "message", required: true, maxlength: "2000", placeholder: "Ask about forecasts, prices, stock, documents or policies" });
  const send = h("button", { type: "submit" }, "Ask");
  const form = h("form", { class: "chat-form", "aria-label": "Ask the copilot" }, h("label", { for: "copilot-question", class: "visually-hidden" }, "Question"), input, send);
  const suggestions = h("div", { class: "suggestions", "aria-label": "Suggested questions" },
    ...SUGGESTED.map((q) => h("button", { type: "button", class: "secondary small", onclick: () => { input.value = q; form.requestSubmit(); } }, q)));
  main.append(h("h1", {}, "Copilot"),
    h("div", { class: "doc-view" },
      h("section", { class: "card", "aria-label": "Conversation" }, log, suggestions, form),
      h("section", { class: "card", "aria-labelledby": "hist-title" }, h("h2", { id: "hist-title" }, "Conversations"), history)));

  let current: string | null = conversationId;
  if (current) {
    try {
      const conv = await get(`/copilot/conversations/${encodeURIComponent(current)}`);
      let tools: any[] = [];
      for (const turn of conv.turns) {
        if (turn.role === "user") log.append(message("user", turn.text));
        else if (turn.role === "tool") tools.push(turn);
        else { log.append(message("assistant", turn.text, [toolBadges(tools), sources(turn.citations)])); tools = []; }
      }
    } catch (error) { log.append(errorState(error)); current = null; }
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const question = input.value.trim();
    if (!question) return;
    log.append(message("user", question));
    const pending = h("p", { class: "state loading", role: "status" }, "Thinking …");
    log.append(pending);
    input.value = "";
    send.disabled = true;
    try {
      const r = await post("/copilot/chat", { message: question, ...(current ? { conversation_id: current } : {}) });
      pending.remove();
      log.append(message("assistant", r.answer, [toolBadges(r.tool_calls), sources(r.citations),
        r.refused ? h("p", { class: "muted" }, "The copilot found no source for this and said so rather than guess.") : null]));
      if (!current) { current = r.conversation_id; history.dispatchEvent(new Event("refresh")); history.dataset.current = current ?? ""; }
    } catch (error) {
      pending.replaceWith(errorState(error));
    } finally {
      send.disabled = false;
      input.focus();
    }
  });

  const loadHistory = () => section(history, "Conversations", async () => {
    const { conversations } = await get("/copilot/conversations");
    if (!conversations.length) return h("p", { class: "muted" }, "No earlier conversations.");
    return [h("ul", {}, ...conversations.map((c: any) => h("li", {},
      h("a", { href: href("copilot", {}, c.conversation_id), "aria-current": c.conversation_id === current ? "page" : null }, c.title),
      " ", h("button", { type: "button", class: "small secondary", "aria-label": `Delete conversation: ${c.title}`, onclick: async () => {
        try { await del(`/copilot/conversations/${encodeURIComponent(c.conversation_id)}`); if (c.conversation_id === current) go("copilot"); else void loadHistory(); }
        catch (error) { clear(history, errorState(error)); }
      } }, "delete")))),
      h("p", {}, h("a", { href: href("copilot") }, "New conversation"))];
  });
  history.addEventListener("refresh", () => void loadHistory());
  void loadHistory();
  input.focus();
}
