"""The copilot with its deterministic planner answers the design's four questions from the tools'
own numbers and cited passages, asks when a filter is missing, follows the conversation, and says
so when it has no source."""

from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from service_fakes import Recorder

from smartretail.adapters.memory import MemoryItemStore, MemoryObjectStore
from smartretail.auth import Principal
from smartretail.copilot.agent import Copilot
from smartretail.copilot.tools import CopilotTools
from smartretail.documents.service import DocumentService, UploadDocumentRequest
from smartretail.search.documents import document_chunks
from smartretail.search.embedder import WordLlamaEmbedder
from smartretail.search.hybrid import HybridIndex
from smartretail.search.knowledge import knowledge_chunks

SELLER = Principal("u-a", "tenant-a", frozenset({"sellers"}))
TODAY = date(2026, 12, 2)


@pytest.fixture(scope="module")
def embedder():
    return WordLlamaEmbedder()


@pytest.fixture
def copilot(embedder):
    plan = {"stockout_risk": {"7d": 0.42, "14d": 0.7}, "days_of_cover": 3.5}
    pricing = Recorder(recommendations={"as_of_date": "2026-09-30", "actions": [
        {"type": "reorder", "store_id": "S01", "sku_id": "BEV-001", "order_quantity": 120.0, "plan": plan},
        {"type": "price", "store_id": "S01", "sku_id": "SNK-002"}]},
        suggest={"sku_id": "BEV-001", "store_id": "S01", "current_price": 2.79, "recommended_price": 2.59,
                 "impact": {"horizon_days": 7, "margin": {"change": 14.2}}, "rationale": "demand is elastic here"})
    documents = DocumentService(MemoryObjectStore(), MemoryItemStore(), "docs", max_bytes=1024, url_ttl_seconds=60)
    slot = documents.create_upload(SELLER, UploadDocumentRequest(doc_type="invoice", file_name="inv-0042.pdf"), None)
    record = documents.record("tenant-a", slot["doc_id"])
    reasons = ["the seller's GSTIN 29ABCDE1234F1Z6 fails its check digit"]
    documents.mark("tenant-a", record, status="fail", reasons=reasons)
    index = HybridIndex(embedder)
    index.upsert(knowledge_chunks(Path(__file__).resolve().parents[3] / "knowledge"))
    index.upsert(document_chunks("tenant-a", documents.record("tenant-a", slot["doc_id"]),
                                 {"status": "fail", "reasons": reasons, "fields": {"invoice_number": {"value": "INV-0042"}}}, "Tax Invoice INV-0042"))
    tools = CopilotTools(Recorder(), pricing, documents, Recorder(), now=lambda: datetime(2026, 12, 2, tzinfo=timezone.utc))
    return Copilot(tools, index), pricing, slot["doc_id"]


def test_which_skus_will_stock_out_next_week_in_a_store(copilot):
    bot, pricing, _ = copilot
    reply = bot.chat(SELLER, "Which SKUs will stock out next week in S01?", today=TODAY)
    assert pricing.calls[0][1] == "tenant-a" and pricing.calls[0][2].store_id == "S01"
    assert "BEV-001 in S01: 42% stock-out risk within 7 days" in reply["answer"] and "SNK-002" not in reply["answer"]
    assert reply["tool_calls"][0]["tool"] == "InventoryTool" and reply["citations"][0]["data_as_of"] == "2026-09-30"


def test_why_an_invoice_was_rejected_is_answered_with_its_reasons(copilot):
    bot, _, doc_id = copilot
    reply = bot.chat(SELLER, "Why was invoice INV-0042 rejected?", today=TODAY)
    assert "fails its check digit" in reply["answer"] and doc_id in reply["answer"]
    assert {c["type"] for c in reply["citations"]} == {"document", "tool"}


def test_a_policy_question_is_answered_by_quoting_a_cited_passage(copilot):
    reply = copilot[0].chat(SELLER, "What is the return policy for damaged goods?", today=TODAY)
    assert reply["citations"][0]["source"] == "policies/returns-and-damaged-goods.md"
    assert "48 hours" in reply["answer"] and "[policies/returns-and-damaged-goods.md" in reply["answer"]


def test_a_missing_store_is_asked_for_and_the_follow_up_completes_the_question(copilot):
    bot, pricing, _ = copilot
    first = bot.chat(SELLER, "Should I drop the price of BEV-001?", today=TODAY)
    assert "store" in first["answer"] and not first["tool_calls"]
    second = bot.chat(SELLER, "in S01", history=[{"intent": first["intent"], "slots": first["slots"]}], today=TODAY)
    assert pricing.calls[-1][0] == "suggest" and pricing.calls[-1][2].sku_id == "BEV-001"
    assert "Recommended price for BEV-001 in S01: 2.59 (today 2.79)" in second["answer"]


def test_without_a_source_the_copilot_says_so(copilot):
    for question in ("What will the weather be in Paris tomorrow?", "What is the policy on drone deliveries to Mars?"):
        reply = copilot[0].chat(SELLER, question, today=TODAY)
        assert reply["refused"] and not reply["tool_calls"], question


def test_a_question_about_how_things_are_done_goes_to_the_procedures_not_to_the_data(copilot):
    bot, pricing, _ = copilot
    reply = bot.chat(SELLER, "What should I do when I get a stockout alert?", today=TODAY)
    assert not pricing.calls and not reply["tool_calls"]
    assert reply["citations"][0]["source"] == "sops/replenishment.md" and "same day" in reply["answer"]


def test_kpis_with_a_figure_missing_say_what_is_known(embedder):
    kpis = Recorder(kpis={"period": {"start": "2026-09-01", "end": "2026-09-15"}, "currency": "EUR", "daily": [],
                          "kpis": {"revenue": 120.5, "units": 40, "average_selling_price": None, "promo_share": None, "stockout_days": 0}})
    tools = CopilotTools(Recorder(), Recorder(), Recorder(), kpis, now=lambda: datetime(2026, 12, 2, tzinfo=timezone.utc))
    reply = Copilot(tools, HybridIndex(embedder)).chat(SELLER, "units sold of SNK-003 from 2026-09-01 until 2026-09-15", today=TODAY)
    assert reply["answer"] == "From 2026-09-01 to 2026-09-15: revenue 120.50 EUR, 40 units, 0 stock-out days."
