"""The copilot's answer with the deterministic planner: the planned tool calls run through the
tools (the caller's tenant), policy questions are answered by quoting the best passage of the
knowledge base, every number comes from a tool result and every policy sentence from a cited
chunk; with no source the copilot says so rather than guessing."""

import re
from datetime import date
from typing import Any

from ..auth import Principal
from .planner import plan
from .tools import CopilotTools

_WORD = re.compile(r"[A-Za-zÀ-ÿ]{4,}")
_STOP = {"what", "when", "which", "where", "should", "would", "could", "there", "their", "about", "with", "from", "this",
         "that", "have", "does", "many", "much", "will", "your", "they", "them", "into", "than", "then", "some", "policy"}


def _words(text: str) -> set[str]:
    """Content words, by their first four letters ('shipping' and 'ship' are one)."""
    return {w.lower()[:4] for w in _WORD.findall(text)} - {s[:4] for s in _STOP}


def _answers(question: str, passage: str) -> bool:
    """Grounded enough to quote: the passage holds at least half of the question's content words
    ('drone deliveries to Mars' shares only 'deliveries' with the returns policy: not an answer)."""
    asked = _words(question)
    return bool(asked) and 2 * len(asked & _words(passage)) >= len(asked)


def _quote(question: str, passage: str, sentences: int = 2) -> str:
    """The passage's sentences that share the most words with the question, in their order."""
    body = passage.split("\n", 1)[1] if "\n" in passage else passage  # past the section's heading line
    parts = [p.strip() for p in re.split(r"(?<=[.!?])\s+|\n+", body) if len(p.strip()) > 20]
    asked = _words(question)
    best = sorted(parts, key=lambda p: -len(asked & _words(p)))[:sentences]
    return " ".join(p for p in parts if p in best)


class Copilot:
    def __init__(self, tools: CopilotTools, search: Any):
        self.tools, self.search = tools, search

    def chat(self, principal: Principal, message: str, history: list[dict[str, Any]] | None = None,
             context: dict[str, Any] | None = None, today: date | None = None) -> dict[str, Any]:
        planned = plan(message, history, context, today)
        answer: dict[str, Any] = {"intent": planned.intent, "slots": planned.slots, "citations": [], "tool_calls": []}
        if planned.refuse or planned.ask:
            return {**answer, "answer": planned.refuse or planned.ask, "refused": bool(planned.refuse)}
        results = [self._call(principal, name, args, answer) for name, args in planned.tool_calls]
        if planned.search is not None:
            hits = self.search.search(principal.tenant_id, planned.search, k=3, doc_types=planned.doc_types)
            grounded = [h for h in hits if _answers(planned.search, h.text)]
            if not grounded:
                return {**answer, "answer": "I found no policy, procedure or document of yours that answers this, so I will not "
                                            "guess.", "refused": True}
            top = grounded[0]
            answer["citations"].append({"type": "document", "source": top.metadata["source"], "section": top.metadata["section"],
                                        "doc_id": top.metadata["doc_id"], "chunk_id": top.chunk_id})
            if planned.intent == "document":  # an invoice found by its number: its status and reasons
                results.append(self._call(principal, "DocComplianceTool", {"doc_id": top.metadata["doc_id"]}, answer))
            else:
                return {**answer, "answer": f"{_quote(message, top.text)} [{top.metadata['source']}, {top.metadata['section']}]",
                        "refused": False}
        return {**answer, "answer": _render(planned.intent, results, planned.slots), "refused": False}

    def _call(self, principal: Principal, name: str, args: dict[str, Any], answer: dict[str, Any]) -> dict[str, Any]:
        out = self.tools.run(principal, name, args)
        answer["tool_calls"].append({k: out.get(k) for k in ("tool", "arguments", "status", "data_as_of", "computed_at", "error")
                                     if out.get(k) is not None})
        if out["status"] == "success":
            answer["citations"].append({"type": "tool", "tool": name, "arguments": out["arguments"], "data_as_of": out["data_as_of"]})
        return out


def _money(value: Any) -> str:
    return f"{value:,.2f}" if isinstance(value, (int, float)) else str(value)


def _render(intent: str, results: list[dict[str, Any]], slots: dict[str, Any]) -> str:
    """The answer from the tools' own numbers; a tool's error is said as it is."""
    failed = [r for r in results if r["status"] != "success"]
    if failed:
        return f"I could not get that: {failed[0]['error']}"
    result = results[-1]["result"]
    if intent == "stockout":
        risky = sorted((a for a in result.get("actions", [])), key=lambda a: -a.get("plan", {}).get("stockout_risk", {}).get("7d", 0))
        if not risky:
            return "No SKU needs reordering now" + (f" in {slots['store_id']}" if "store_id" in slots else "") + \
                ": stock on hand and on order covers the forecast over the lead time."
        lines = [f"{a['sku_id']} in {a['store_id']}: {a['plan']['stockout_risk']['7d']:.0%} stock-out risk within 7 days, "
                 f"{a['plan']['days_of_cover']:.1f} days of cover; reorder {a['order_quantity']:g} units" for a in risky[:10]]
        return "SKUs at risk of a stock-out, highest first:\n" + "\n".join(f"- {line}" for line in lines)
    if intent == "forecast":
        parts = []
        for item in result.get("forecasts", []):
            total = sum(p["yhat"] for p in item["series"])
            low, high = sum(p["yhat_lower"] for p in item["series"]), sum(p["yhat_upper"] for p in item["series"])
            drivers = ", ".join(f"{d['driver']} {d['effect_pct']:+.0f}%" for d in item.get("drivers", [])[:3])
            parts.append(f"{item['sku_id']} in {result['store_id']}: {total:,.0f} units over {len(item['series'])} "
                         f"{result.get('granularity', 'day')}s (P10-P90 {low:,.0f}-{high:,.0f})" + (f"; drivers: {drivers}" if drivers else ""))
        return "\n".join(parts) or "No forecast is available for that."
    if intent == "price":
        if "recommended_price" in result:
            impact = result.get("impact", {}).get("margin", {})
            return (f"Recommended price for {result['sku_id']} in {result['store_id']}: {_money(result['recommended_price'])} "
                    f"(today {_money(result.get('current_price'))})" +
                    (f"; expected margin change {_money(impact.get('change'))} over {result['impact'].get('horizon_days')} days" if impact else "") +
                    (f". {result['rationale']}" if result.get("rationale") else "."))
        breaks = "; ".join(b["reason"] for b in result.get("breaks_guardrails", []))
        units = result.get("impact", {}).get("units", {})
        return (f"At that price {result['sku_id']} in {result['store_id']} is expected to sell {_money(units.get('expected'))} units "
                f"(now {_money(units.get('current'))})" + (f"; it breaks the guardrails: {breaks}" if breaks else "; within the guardrails."))
    if intent == "document":
        if "documents" in result:
            docs = result["documents"]
            return "\n".join(f"- {d['doc_id']} ({d['file_name']}): {d['status']}" + (f": {'; '.join(d['reasons'])}" if d.get("reasons") else "")
                             for d in docs) or "You have no documents matching that."
        reasons = "; ".join(result.get("reasons", []))
        return f"Document {result['doc_id']} ({result.get('file_name', '')}) is {result['status']}" + (f": {reasons}" if reasons else ".")
    if intent == "kpi":
        k = result["kpis"]
        return (f"From {result['period']['start']} to {result['period']['end']}: revenue {_money(k['revenue'])} {result.get('currency', '')}, "
                f"{k['units']:,.0f} units, average selling price {_money(k['average_selling_price'])}, "
                f"promotion share {k['promo_share']:.0%}, {k['stockout_days']} stock-out days.")
    return "Done."
