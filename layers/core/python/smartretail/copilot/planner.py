"""The deterministic planner: the copilot's default offline 'model' and its fallback when an LLM
fails. It reads the intent and the slots (SKU, store, category, horizon, document, dates) from the
question and the conversation so far, and says which tools to call with which arguments, which
filter is missing (to ask for it), or that the question is outside what the platform knows."""

import difflib
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from ..ingestion.values import month_number

_SKU = re.compile(r"\b([A-Za-z]{2,5}-\d{2,5})\b")
_STORE = re.compile(r"\b(?:store\s+)?(S\d{1,3})\b", re.I)
_DOC = re.compile(r"\b(doc-[A-Za-z0-9]{4,40})\b")
_INVOICE = re.compile(r"\binvoice\s+(?:no\.?\s*|number\s*|#\s*)?([A-Z0-9][A-Z0-9/\-]*\d[A-Z0-9/\-]*)\b", re.I)
_HORIZON = re.compile(r"\bnext\s+(\d{1,2})\s+(day|week)s?\b|\bnext\s+(week|month)\b|\btomorrow\b", re.I)
_ISO_RANGE = re.compile(r"(\d{4}-\d{2}-\d{2})\s*(?:to|until|-|–|and)\s*(\d{4}-\d{2}-\d{2})")
_MONTH = re.compile(r"\b(january|february|march|april|may|june|july|august|september|october|november|december)\s+(\d{4})\b", re.I)

INTENTS: list[tuple[str, re.Pattern[str]]] = [
    ("stockout", re.compile(r"stock[\s-]?outs?|run(ning)?\s+(out|low)|low\s+on\b|out\s+of\s+stock|reorder|replenish|restock", re.I)),
    ("document", re.compile(r"\binvoices?\b|\bdoc-|certificate|\bdocuments?\b", re.I)),
    ("kpi", re.compile(r"average\s+selling\s+price", re.I)),
    ("price", re.compile(r"\bprice|pricing|discount|cheaper|expensive|markdown|\d\s*%\s*off\b", re.I)),
    ("forecast", re.compile(r"forecast|demand|predict|outlook|expect(ed)?\s+to\s+sell|how\s+many\s+.*\bsell|\bwill\b.*\bsell", re.I)),
    ("kpi", re.compile(r"revenue|\bsales\b|units\s+sold|\bkpis?\b|average\s+selling\s+price|promo(tion)?\s+share", re.I)),
    ("policy", re.compile(r"polic(y|ies)|return|damaged|refund|prohibited|allowed|rules?|sop|procedure|approv|"
                          r"how\s+(do|should|can)\s+i|what\s+(should|must)|gst|vat|listing|shelf\s+life", re.I)),
]


# A question about how things are done, not about the tenant's data: 'What should I do when ...',
# 'When may I snooze an alert?', 'Do forecast overrides expire?'.
_PROCEDURAL = re.compile(r"^\s*(how\b|what\s+(should|must|do|does|happens|is\s+the|are\s+the)\b|when\s+(should|may|must|can|do|does)\b|"
                         r"who\b|why\s+(do|does|must|did\s+my)\b|is\s+there\b|are\s+there\b|(can|do|may|must)\s+i\b|does\b|do\b|my\b)|"
                         r"\b(how|what|when|who)\b.*\b(should|must|may|can|mean|happens|expire|allowed|need)\b", re.I)
_DATA_SLOTS = ("sku_ids", "store_id", "doc_id", "invoice_number", "start", "horizon_days")
# A question about documents that is about the tenant's own ones (not 'which rates may an invoice show').
_OWN_DOCUMENTS = re.compile(r"fail|reject|latest|recent|\bmy\b|\blist\b|\bshow\b|status|upload|\bpass", re.I)
# The words intents are recognised by, for mending typos ('forcast', 'stok', 'pirce') before matching.
_VOCABULARY = ("stock", "stockout", "reorder", "replenish", "restock", "invoice", "invoices", "document", "documents", "certificate",
               "price", "pricing", "discount", "cheaper", "expensive", "markdown", "forecast", "demand", "predict", "outlook",
               "revenue", "sales", "units", "policy", "return", "returns", "damaged", "refund", "prohibited", "allowed",
               "procedure", "approve", "approval", "listing", "rejected", "failed", "running", "expect", "expected")


@dataclass
class Plan:
    intent: str
    tool_calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    search: str | None = None        # a policy question: what to look up
    doc_types: list[str] | None = None
    ask: str | None = None           # a filter is missing: the question back to the user
    refuse: str | None = None        # outside what the platform knows
    slots: dict[str, Any] = field(default_factory=dict)


def _slots(text: str, today: date) -> dict[str, Any]:
    found: dict[str, Any] = {}
    if (sku := _SKU.findall(text)):
        found["sku_ids"] = list(dict.fromkeys(s.upper() for s in sku))
    if (store := _STORE.search(text)):
        found["store_id"] = store.group(1).upper()
    if (doc := _DOC.search(text)):
        found["doc_id"] = doc.group(1)
    elif (invoice := _INVOICE.search(text)):
        found["invoice_number"] = invoice.group(1).upper()
    if (horizon := _HORIZON.search(text)):
        if horizon.group(1):
            found["horizon_days"] = int(horizon.group(1)) * (7 if horizon.group(2).lower() == "week" else 1)
        else:
            word = (horizon.group(3) or "tomorrow").lower()
            found["horizon_days"] = {"week": 7, "month": 28, "tomorrow": 1}[word]
    if (span := _ISO_RANGE.search(text)):
        found["start"], found["end"] = span.group(1), span.group(2)
    elif (month := _MONTH.search(text)) and (number := month_number(month.group(1))):
        first = date(int(month.group(2)), number, 1)
        found["start"], found["end"] = first.isoformat(), ((first + timedelta(days=32)).replace(day=1) - timedelta(days=1)).isoformat()
    elif re.search(r"\blast\s+month\b", text, re.I):
        end = today.replace(day=1) - timedelta(days=1)
        found["start"], found["end"] = end.replace(day=1).isoformat(), end.isoformat()
    elif (days := re.search(r"\blast\s+(\d{1,3})\s+days\b", text, re.I)):
        found["start"], found["end"] = (today - timedelta(days=int(days.group(1)))).isoformat(), today.isoformat()
    return found


def _mended(message: str) -> str:
    """The message with misspelt intent words mended by their closest vocabulary word (difflib's
    ratio at least 0.8: 'stok' -> 'stock', 'forcast' -> 'forecast'); ids and short words untouched."""
    def mend(match: re.Match[str]) -> str:
        word = match.group(0)
        if len(word) < 4 or word.lower() in _VOCABULARY:
            return word
        close = difflib.get_close_matches(word.lower(), _VOCABULARY, n=1, cutoff=0.8)
        return close[0] if close else word
    return re.sub(r"(?<![\w-])[A-Za-z]+(?![\w-])", mend, message)


def plan(message: str, history: list[dict[str, Any]] | None = None, context: dict[str, Any] | None = None,
         today: date | None = None) -> Plan:
    """What to do for `message`, with slots carried over from the conversation's earlier turns and
    from the page the user asks from (`context`: store_id, sku_id, doc_id)."""
    today = today or date.today()
    earlier: dict[str, Any] = {}
    for turn in history or []:
        earlier.update(turn.get("slots", {}))
    for key in ("store_id", "doc_id"):
        if (context or {}).get(key):
            earlier[key] = context[key]  # type: ignore[index]
    if (context or {}).get("sku_id"):
        earlier["sku_ids"] = [context["sku_id"]]  # type: ignore[index]
    now = _slots(message, today)
    slots = {**earlier, **now}
    words = _mended(message)
    if _PROCEDURAL.search(words) and not now.keys() & set(_DATA_SLOTS):
        intent: str | None = "policy"  # how things are done: the policies and SOPs answer, not the data
    else:
        intent = next((name for name, pattern in INTENTS if pattern.search(words)), None)
    if intent == "forecast" and "start" in now and "horizon_days" not in now:
        intent = "kpi"  # 'how many units did S02 sell in August 2026': a past period is the sales, not a forecast
    if intent == "document" and not now.keys() & {"doc_id", "invoice_number"} and not _OWN_DOCUMENTS.search(words):
        intent = "policy"  # 'which GST rates may an invoice show': the rules, not the tenant's documents
    if intent is None and now.keys() & {"sku_ids", "store_id", "horizon_days", "start"} and history:
        intent = history[-1].get("intent")  # 'and for S02?' follows the last question
    if intent is None and "start" in now:
        intent = "kpi"  # 'how did S01 do in December 2025'
    # Anything else is looked up in the knowledge base; with no passage that answers it, the agent says so.
    result = Plan(intent or "policy", slots=slots)
    if intent == "stockout":
        args = {k: slots[k] for k in ("store_id",) if k in slots}
        result.tool_calls.append(("InventoryTool", {**args, "limit": 50}))
    elif intent == "forecast":
        if "store_id" not in slots or "sku_ids" not in slots:
            result.ask = "Which " + " and ".join(w for w, k in (("store", "store_id"), ("SKU", "sku_ids")) if k not in slots) + \
                " should I forecast? For example: 'forecast BEV-001 in S01 for the next 14 days'."
        else:
            result.tool_calls.append(("ForecastTool", {"store_id": slots["store_id"], "sku_ids": slots["sku_ids"],
                                                       "horizon_days": slots.get("horizon_days", 14)}))
    elif intent == "price":
        if "sku_ids" not in slots or "store_id" not in slots:
            result.ask = "Which " + " and ".join(w for w, k in (("SKU", "sku_ids"), ("store", "store_id")) if k not in slots) + \
                " do you mean? For example: 'should I drop the price of BEV-001 in S01?'"
        else:
            args = {"sku_id": slots["sku_ids"][0], "store_id": slots["store_id"]}
            if (pct := re.search(r"(\d{1,2}(?:\.\d+)?)\s*%", message)):
                args["discount_pct"] = float(pct.group(1))
            result.tool_calls.append(("PricingTool", args))
    elif intent == "document":
        if "doc_id" in slots:
            result.tool_calls.append(("DocComplianceTool", {"doc_id": slots["doc_id"]}))
        elif "invoice_number" in slots:
            result.search, result.doc_types = f"invoice {slots['invoice_number']}", ["invoice"]
        else:
            status = "fail" if re.search(r"fail|reject", message, re.I) else None
            result.tool_calls.append(("DocComplianceTool", {"status": status, "limit": 10} if status else {"limit": 10}))
    elif intent == "kpi":
        if "start" not in slots:
            result.ask = "For which period? For example: 'revenue in S01 in September 2026' or 'from 2026-09-01 to 2026-09-30'."
        else:
            args = {"start": slots["start"], "end": slots["end"]}
            args.update({k: slots[k] for k in ("store_id",) if k in slots})
            if "sku_ids" in slots:
                args["sku_id"] = slots["sku_ids"][0]
            result.tool_calls.append(("KPIQueryTool", args))
    else:
        result.search, result.doc_types = message, ["policy", "sop"]
    return result
