"""The copilot on questions written for the project, asked through the local stack as a seller of
the demo tenant (the tenant `./dev up` loads: its sales, the training pipeline's forecasts and
decisions, the sample invoices and certificates, the policies and SOPs).

    python -m benchmarks.copilot_eval            -> benchmarks/results/copilot_eval.json

Each question (benchmarks/copilot_questions.jsonl) names the tools and arguments it needs, the sources
its answer must cite and the facts it must state. Facts are read from the platform's own endpoints at
run time (the forecast's total, the recommended price, the KPI's revenue, a document's reasons), so an
answer is right when its numbers are the endpoints' numbers. Scores (shares 0-1):

- tool_selection: the tools called are exactly the expected ones (none for policies, clarifying
  questions and refusals);
- argument_accuracy: of questions with the right tools, those whose arguments hold the expected ones;
- citation_precision / citation_recall: cited sources (policies, SOPs, documents) that were expected /
  expected sources that were cited;
- facts_correct: every fact stated, nothing it must not say;
- refusals_correct: unanswerable questions refused; answerable_refused: answerable questions refused;
- p50_ms / p95_ms: the question's round trip through the API Gateway emulator, with a real token,
  after one untimed first question (the function's cold start and index load: first_call_ms).

Ours is `smartretail_planner` (the deterministic planner, the default with no model). A model
(Bedrock or an OpenAI-compatible server) is evaluated the same way when the stack is configured with
one; this machine has no credentials for either, so only the planner is scored here.
"""

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from ._results import ROOT, write_result

QUESTIONS = ROOT / "benchmarks" / "copilot_questions.jsonl"
TENANT = "demo"
# The generated documents (smartretail.documents.generator.write) by what is wrong with them; each PDF
# has a scan, and the duplicate is invoice-1 uploaded again (the same invoice number: both are its documents).
DOCUMENTS = {"valid": ["invoice-1", "invoice-duplicate"], "wrong_check_digit": ["invoice-wrong-check-digit"],
             "totals_mismatch": ["invoice-totals-off"], "bad_rate": ["invoice-bad-rate"], "future_date": ["invoice-future-date"],
             "expired": ["certificate-expired"]}
SELLERS = 6
PLATFORM_TOOLS = {"ForecastTool", "PricingTool", "InventoryTool", "DocComplianceTool", "KPIQueryTool"}


class EndpointError(Exception):
    """The endpoint refused: the copilot's answer must then say what the endpoint said."""


class Platform:
    """The demo tenant's API as its sellers see it (several, as each user may ask the copilot 20
    questions a minute)."""

    def __init__(self, api_url: str, tokens: list[str], documents: dict[str, list[dict[str, Any]]]):
        from local_stack.stack import http_json

        self._http, self.api_url, self.tokens, self.documents = http_json, api_url, tokens, documents

    def call(self, method: str, path: str, body: Any = None) -> Any:
        status, answer = self._http(method, self.api_url + path, self.tokens[0], body)
        if status != 200:
            raise EndpointError(answer.get("error", str(answer)))
        return answer

    def resolve(self, value: Any) -> Any:
        """{invoice:K} -> its number, {doc_id:K} -> the PDF's id, {doc_ids:K} -> the PDF's and the scan's."""
        if isinstance(value, dict):
            return {k: self.resolve(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        if not isinstance(value, str):
            return value
        whole = re.fullmatch(r"\{doc_ids:(\w+)\}", value)
        if whole:
            return {"any_of": [d["doc_id"] for d in self.documents[whole.group(1)]]}
        return re.sub(r"\{(invoice|doc_id):(\w+)\}", lambda m: self.documents[m.group(2)][0]["invoice_number" if m.group(1) == "invoice"
                                                                                            else "doc_id"], value)


def _matches(expected: Any, actual: Any) -> bool:
    if isinstance(expected, dict) and "any_of" in expected:
        return actual in expected["any_of"]
    if isinstance(expected, float) or isinstance(actual, float):
        return actual is not None and abs(float(expected) - float(actual)) < 1e-6
    return expected == actual


def _arguments_hold(expected: list[dict[str, Any]], calls: list[dict[str, Any]]) -> bool:
    return all(any(c["tool"] == e["tool"] and all(_matches(v, (c.get("arguments") or {}).get(k)) for k, v in e["arguments"].items())
                   for c in calls) for e in expected)


def _has(answer: str, *forms: str) -> bool:
    return any(form.lower() in answer.lower() for form in forms)


def check_facts(platform: Platform, item: dict[str, Any], reply: dict[str, Any]) -> list[str]:
    """What the answer misses or says wrongly (empty: every fact right)."""
    answer, missing = reply["answer"], []
    for fact in item["facts"]:
        try:
            missing += _check(platform, fact, answer)
        except EndpointError as refused:
            if str(refused) not in answer:
                missing.append(f"the endpoint's answer: {refused}")
    if item.get("ask") and "?" not in answer:
        missing.append("a clarifying question")
    missing += [f"must not say {word!r}" for word in item.get("absent", []) if _has(answer, word)]
    return missing


def _check(platform: Platform, fact: dict[str, Any], answer: str) -> list[str]:
    """What one fact check finds missing from the answer."""
    missing = []
    kind = fact.get("check")
    if "text" in fact:
        if not _has(answer, fact["text"]):
            missing.append(fact["text"])
    elif kind == "reorders":
        body = {"limit": 50, **({"store_id": fact["store_id"]} if "store_id" in fact else {})}
        reorders = [a for a in platform.call("POST", "/recommendations", body)["actions"] if a["type"] == "reorder"]
        reorders.sort(key=lambda a: -a["plan"]["stockout_risk"]["7d"])
        if not reorders and not _has(answer, "No SKU needs reordering"):
            missing.append("no reorders")
        missing += [f"{a['sku_id']} {a['order_quantity']:g}" for a in reorders[:5]
                    if not (a["sku_id"] in answer and f"{a['order_quantity']:g}" in answer)]
    elif kind == "forecast":
        found = platform.call("POST", "/forecast", {k: fact[k] for k in ("store_id", "sku_ids", "horizon_days")})
        for series in found["forecasts"]:
            total = sum(p["expected"] for p in series["series"])  # the units the SKU is expected to sell
            if not (series["sku_id"] in answer and _has(answer, f"{total:,.0f}")):
                missing.append(f"{series['sku_id']} {total:,.0f}")
    elif kind == "suggest":
        found = platform.call("POST", "/pricing-suggest", {"sku_id": fact["sku_id"], "store_id": fact["store_id"]})
        if not _has(answer, f"{found['recommended_price']:,.2f}"):
            missing.append(f"recommended {found['recommended_price']:,.2f}")
    elif kind == "simulate":
        found = platform.call("POST", "/pricing/simulate", {k: v for k, v in fact.items() if k != "check"})
        expected = found["impact"]["units"]["expected"]
        if not _has(answer, f"{expected:,.2f}", f"{expected:,.0f}"):
            missing.append(f"units {expected:,.2f}")
    elif kind == "kpis":
        found = platform.call("GET", "/kpis?" + urlencode({k: v for k, v in fact.items() if k != "check"}))
        if not _has(answer, f"{found['kpis']['revenue']:,.2f}"):
            missing.append(f"revenue {found['kpis']['revenue']:,.2f}")
    elif kind == "document":
        named = [d for d in platform.documents[fact["broken"]] if d["doc_id"] in answer]
        if not named:
            return [f"document {fact['broken']}"]
        found = platform.call("GET", f"/documents/{named[0]['doc_id']}")
        if not _has(answer, found["status"]) or (found.get("reasons") and not _has(answer, found["reasons"][0])):
            missing.append(f"{found['status']}: {found.get('reasons')}")
    elif kind in ("failed_documents", "latest_documents"):
        query = "?status=fail&limit=10" if kind == "failed_documents" else "?limit=10"
        missing += [d["doc_id"] for d in platform.call("GET", "/documents" + query)["documents"] if d["doc_id"] not in answer]
    return missing


def expected_sources(platform: Platform, item: dict[str, Any]) -> list[set[str]]:
    """Each expected source as the set of names that satisfy it (a document's PDF or its scan)."""
    out = []
    for source in item["sources"]:
        if isinstance(source, dict):
            out.append({d["file_name"] for d in platform.documents[source["document"]]})
        else:
            out.append({source})
    return out


def score(platform: Platform, items: list[dict[str, Any]], replies: dict[str, dict[str, Any]], latencies: dict[str, float]) -> dict[str, Any]:
    tool_ok, args_ok, args_n, facts_ok, facts_n = 0, 0, 0, 0, 0
    cited, cited_right, expected_n, expected_found = 0, 0, 0, 0
    refused_right, unanswerable, answerable_refused, answerable = 0, 0, 0, 0
    uncited_policy, failures = 0, []
    for item in items:
        reply = replies[item["id"]]
        calls = [c for c in reply["tool_calls"] if c["tool"] in PLATFORM_TOOLS]
        expected_tools = platform.resolve(item["tools"])
        problems = []
        if {c["tool"] for c in calls} == {t["tool"] for t in expected_tools}:
            tool_ok += 1
            if expected_tools:
                args_n += 1
                if _arguments_hold(expected_tools, calls):
                    args_ok += 1
                else:
                    problems.append(f"arguments {[c.get('arguments') for c in calls]}")
        else:
            problems.append(f"tools {[c['tool'] for c in calls]}")
        sources = expected_sources(platform, item)
        given = [c["source"] for c in reply["citations"] if c["type"] == "document"]
        cited += len(given)
        cited_right += sum(any(g in s for s in sources) for g in given)
        expected_n += len(sources)
        expected_found += sum(any(g in s for g in given) for s in sources)
        if item["answerable"]:
            answerable += 1
            answerable_refused += bool(reply["refused"])
            if reply["refused"]:
                problems.append("refused")
            if item["facts"] or item.get("ask") or item.get("absent"):
                facts_n += 1
                missing = check_facts(platform, item, reply)
                facts_ok += not missing
                problems += missing
            if item["category"] == "policy" and not reply["refused"] and not given:
                uncited_policy += 1
        else:
            unanswerable += 1
            refused_right += bool(reply["refused"]) and not calls
            if not reply["refused"]:
                problems.append("answered an unanswerable question")
        if problems:
            failures.append({"id": item["id"], "question": item["question"], "answer": reply["answer"][:300], "problems": problems})
    times = sorted(latencies.values())
    return {
        "questions": len(items),
        "tool_selection": round(tool_ok / len(items), 3),
        "argument_accuracy": round(args_ok / max(args_n, 1), 3),
        "citation_precision": round(cited_right / max(cited, 1), 3),
        "citation_recall": round(expected_found / max(expected_n, 1), 3),
        "facts_correct": round(facts_ok / max(facts_n, 1), 3),
        "refusals_correct": round(refused_right / max(unanswerable, 1), 3),
        "answerable_refused": round(answerable_refused / max(answerable, 1), 3),
        "uncited_policy_answers": uncited_policy,
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[min(len(times) - 1, int(0.95 * len(times)))], 1),
        "slowest_ms": {k: round(v, 1) for k, v in sorted(latencies.items(), key=lambda kv: -kv[1])[:8]},
        "failures": failures,
    }


def ask_all(platform: Platform, items: list[dict[str, Any]]) -> tuple[dict[str, dict[str, Any]], dict[str, float]]:
    """Each question's reply and round trip; a follow-up is asked by the user of its conversation,
    the others in turn by each seller. A 429 is waited out and not timed."""
    replies, latencies, users = {}, {}, {}
    for i, item in enumerate(items):
        body: dict[str, Any] = {"message": platform.resolve(item["question"])}
        users[item["id"]] = users[item["after"]] if item.get("after") else i % len(platform.tokens)
        if item.get("after"):
            body["conversation_id"] = replies[item["after"]]["conversation_id"]
        if item.get("context"):
            body["context"] = item["context"]
        for attempt in range(2):
            started = time.perf_counter()
            status, reply = platform._http("POST", platform.api_url + "/copilot/chat", platform.tokens[users[item["id"]]], body)
            if status != 429:
                break
            time.sleep(61 - time.time() % 60)  # the limit counts whole minutes
        if status != 200:  # counted as a wrong answer, with what the API said
            reply = {"answer": f"HTTP {status}: {reply}", "citations": [], "tool_calls": [], "refused": False, "conversation_id": None}
        replies[item["id"]], latencies[item["id"]] = reply, (time.perf_counter() - started) * 1000
    return replies, latencies


def main() -> None:
    argparse.ArgumentParser(prog="python -m benchmarks.copilot_eval").parse_args()
    sys.path.insert(0, str(ROOT))
    from local_stack.demo import load_demo_tenant, load_documents
    from local_stack.stack import LocalStack
    from smartretail.documents.generator import write as write_documents

    items = [json.loads(line) for line in QUESTIONS.read_text().splitlines() if line.strip()]
    workdir = Path(tempfile.mkdtemp(prefix="copilot-eval-"))
    stack = LocalStack(workdir=workdir).start()
    try:
        sellers = [stack.create_user(f"eval-seller-{i}", TENANT, "sellers") for i in range(SELLERS)]
        token = stack.id_token(sellers[0].username, sellers[0].password)
        load_demo_tenant(stack, token, TENANT, workdir / "demo-data")
        write_documents(workdir / "documents")
        loaded = {r["file_name"]: r for r in load_documents(stack, token, workdir / "documents")}
        stack.load_knowledge(ROOT / "knowledge")
        documents = {}
        for key, stems in DOCUMENTS.items():
            truth = json.loads((workdir / "documents" / f"{stems[0]}.truth.json").read_text())
            found = [loaded[name] for stem in stems for name in (f"{stem}.pdf", f"{stem}-scan.jpg") if name in loaded]
            documents[key] = [{"doc_id": d["doc_id"], "file_name": d["file_name"],
                               "invoice_number": truth["fields"].get("invoice_number")} for d in found]
        platform = Platform(stack.api_url, [stack.id_token(u.username, u.password) for u in sellers], documents)
        # The function's first question pays its cold start and loads the search index: timed apart,
        # as a Lambda's first invocation is.
        started = time.perf_counter()
        platform.call("POST", "/copilot/chat", {"message": "What is the listing policy for photos?"})
        first_call_ms = round((time.perf_counter() - started) * 1000, 1)
        replies, latencies = ask_all(platform, items)
        result = score(platform, items, replies, latencies)
    finally:
        stack.stop()
    failures = result.pop("failures")
    by_category: dict[str, list[str]] = {}
    for item in items:
        by_category.setdefault(item["category"], []).append(item["id"])
    write_result(
        "copilot_eval",
        f"{len(items)} questions written for the project over the demo tenant as ./dev up loads it (stock-outs, forecasts, "
        "pricing, KPIs, invoices, policies and SOPs, follow-ups, missing filters, unanswerable questions, injection "
        "attempts, paraphrases and typos), asked as a seller through the local API Gateway",
        {"smartretail_planner": {**result, "first_call_ms": first_call_ms}},
        ours="smartretail_planner",
        categories={c: len(ids) for c, ids in by_category.items()},
        failures=failures,
        not_run={"bedrock": "no AWS credentials on this machine", "openai_compatible": "no model server on this machine"},
        targets={"tool_selection": 0.95, "argument_accuracy": 0.90, "citation_precision": 0.90, "citation_recall": 0.90,
                 "refusals_correct": 1.0, "answerable_refused": 0.05, "p95_ms": 1000},
    )


if __name__ == "__main__":
    main()
