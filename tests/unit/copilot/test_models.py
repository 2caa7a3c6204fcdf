"""The copilot with a model: Bedrock Converse and an OpenAI-compatible server, run against recorded
responses. The tools run as the caller, malformed or out-of-schema arguments go back to the model as
error results, every toolResult follows its toolUse, unsupported figures and claims are removed from
the model's answer, and a model that fails hands the question to the planner."""

import copy
import json
from datetime import date, datetime, timezone
from pathlib import Path

import boto3
import pytest
from botocore.stub import Stubber
from service_fakes import Recorder

from smartretail.adapters.aws_bedrock import BedrockConverseModel
from smartretail.adapters.openai_chat import OpenAiChatModel
from smartretail.auth import Principal
from smartretail.copilot.agent import Copilot
from smartretail.copilot.tools import CopilotTools
from smartretail.search.embedder import WordLlamaEmbedder
from smartretail.search.hybrid import HybridIndex
from smartretail.search.knowledge import knowledge_chunks

RECORDED = Path(__file__).parent / "recorded"
SELLER = Principal("u-a", "tenant-a", frozenset({"sellers"}))
TODAY = date(2026, 12, 2)
PLAN = {"stockout_risk": {"7d": 0.42, "14d": 0.7}, "days_of_cover": 3.5}
FORECAST = {"store_id": "S01", "granularity": "day", "forecasts": [{"sku_id": "BEV-001", "drivers": [], "series": [
    {"date": f"2026-12-0{d}", "yhat": 10.0, "yhat_lower": 8.0, "yhat_upper": 12.0, "expected": 10.0} for d in range(3, 10)]}]}


@pytest.fixture(scope="module")
def knowledge():
    index = HybridIndex(WordLlamaEmbedder())
    index.upsert(knowledge_chunks(Path(__file__).resolve().parents[3] / "knowledge"))
    return index


def _services():
    pricing = Recorder(recommendations={"as_of_date": "2026-11-30", "actions": [
        {"type": "reorder", "store_id": "S01", "sku_id": "BEV-001", "order_quantity": 120.0, "plan": PLAN}]},
        suggest={"sku_id": "BEV-001", "store_id": "S01", "current_price": 2.79, "recommended_price": 2.59})
    forecasts = Recorder(forecast=FORECAST)
    tools = CopilotTools(forecasts, pricing, Recorder(), Recorder(), now=lambda: datetime(2026, 12, 2, tzinfo=timezone.utc))
    return tools, pricing, forecasts


class RecordingBedrock:
    """A bedrock-runtime client answering with recorded responses; botocore checks every request and
    response against the service's model, as the real client would before sending."""

    def __init__(self, responses=(), errors=()):
        self.client = boto3.client("bedrock-runtime", region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="x")
        self.stubber, self.requests = Stubber(self.client), []
        for response in responses:
            self.stubber.add_response("converse", response)
        for code, message in errors:
            self.stubber.add_client_error("converse", service_error_code=code, service_message=message, http_status_code=429)
        self.stubber.activate()

    def converse(self, **request):
        self.requests.append(copy.deepcopy(request))
        return self.client.converse(**request)


def _bedrock(name):
    return RecordingBedrock(json.loads((RECORDED / name).read_text()))


def test_bedrock_picks_the_tool_and_its_unsupported_sentence_is_removed(knowledge):
    tools, pricing, _ = _services()
    client = _bedrock("bedrock_stockouts.json")
    bot = Copilot(tools, knowledge, BedrockConverseModel("eu.anthropic.claude-3-5-haiku-20241022-v1:0", client=client))
    reply = bot.chat(SELLER, "Which SKUs will stock out next week in S01?", today=TODAY)
    assert pricing.calls[0][1] == "tenant-a" and pricing.calls[0][2].store_id == "S01"
    assert reply["answer"].startswith("BEV-001 in S01 has a 42% stock-out risk within 7 days")
    assert "SNK-009" not in reply["answer"] and "85%" not in reply["answer"] and reply["unsupported_removed"] == 1
    assert reply["answered_by"] == "bedrock:eu.anthropic.claude-3-5-haiku-20241022-v1:0"
    assert reply["tool_calls"][0]["arguments"]["store_id"] == "S01" and reply["citations"][0]["data_as_of"] == "2026-11-30"
    second = client.requests[1]
    assert [m["role"] for m in second["messages"]] == ["user", "assistant", "user"]
    assert second["messages"][2]["content"][0]["toolResult"]["toolUseId"] == "tooluse_kZJMlvQmRJ6eAyJE5GIl7Q"
    assert {t["toolSpec"]["name"] for t in second["toolConfig"]["tools"]} >= {"InventoryTool", "SearchKnowledge"}
    client.stubber.assert_no_pending_responses()


def test_a_tenant_slipped_into_arguments_is_refused_and_an_uncited_policy_claim_removed(knowledge):
    tools, pricing, _ = _services()
    client = _bedrock("bedrock_malformed_then_policy.json")
    bot = Copilot(tools, knowledge, BedrockConverseModel("anthropic.claude-3-haiku-20240307-v1:0", client=client))
    reply = bot.chat(SELLER, "What is the return policy for damaged goods?", today=TODAY)
    assert pricing.calls == []  # the out-of-schema call never ran
    refused = client.requests[1]["messages"][2]["content"][0]["toolResult"]
    assert refused["status"] == "error" and "tenant_id" in refused["content"][0]["json"]["error"]
    assert "48 hours" in reply["answer"] and "24 hours" not in reply["answer"]
    assert [c["source"] for c in reply["citations"] if c["type"] == "document"] == ["policies/returns-and-damaged-goods.md"]


def test_bedrock_throttling_falls_back_to_the_planner_with_the_reason(knowledge):
    tools, pricing, _ = _services()
    client = RecordingBedrock(errors=[("ThrottlingException", "Too many requests, please wait before trying again.")])
    bot = Copilot(tools, knowledge, BedrockConverseModel("anthropic.claude-3-haiku-20240307-v1:0", client=client))
    reply = bot.chat(SELLER, "Which SKUs will stock out next week in S01?", today=TODAY)
    assert reply["answered_by"] == "planner" and "ThrottlingException" in reply["fallback_reason"]
    assert "BEV-001 in S01: 42% stock-out risk within 7 days" in reply["answer"]


def test_the_guardrail_is_sent_when_configured():
    client = _bedrock("bedrock_stockouts.json")
    model = BedrockConverseModel("anthropic.claude-3-haiku-20240307-v1:0", guardrail_id="gr-abc123", guardrail_version="2", client=client)
    model.converse("system", [{"role": "user", "content": [{"text": "hello"}]}], [])
    assert client.requests[0]["guardrailConfig"] == {"guardrailIdentifier": "gr-abc123", "guardrailVersion": "2", "trace": "disabled"}


class RecordedServer:
    def __init__(self, answers):
        self.answers, self.requests = list(answers), []

    def __call__(self, url, headers, body):
        self.requests.append((url, headers, copy.deepcopy(body)))
        return self.answers.pop(0)


def test_an_openai_compatible_server_gets_malformed_arguments_back_and_answers_from_the_tool(knowledge):
    tools, _, forecasts = _services()
    server = RecordedServer([(200, a) for a in json.loads((RECORDED / "openai_forecast.json").read_text())])
    bot = Copilot(tools, knowledge, OpenAiChatModel("http://127.0.0.1:8000/v1/", "qwen2.5-7b-instruct", "key-1", post=server))
    reply = bot.chat(SELLER, "How many BEV-001 will S01 sell next week?", today=TODAY)
    assert len(forecasts.calls) == 1 and forecasts.calls[0][2].horizon_days == 7
    assert reply["answer"] == "BEV-001 in S01 is forecast to sell 70 units over the next 7 days (P10-P90 56-84)."
    url, headers, second = server.requests[1]
    assert url == "http://127.0.0.1:8000/v1/chat/completions" and headers["Authorization"] == "Bearer key-1"
    assert second["messages"][-2]["tool_calls"][0]["id"] == "call_a1"
    malformed = json.loads(second["messages"][-1]["content"])
    assert second["messages"][-1]["role"] == "tool" and "not valid JSON" in malformed["error"]
    assert [c["tool"] for c in reply["tool_calls"]] == ["ForecastTool", "ForecastTool"]
    assert reply["tool_calls"][0]["status"] == "error"


def test_a_server_that_is_overloaded_hands_the_question_to_the_planner(knowledge):
    tools, _, _ = _services()
    server = RecordedServer([(429, {"error": {"message": "Rate limit reached", "type": "rate_limit"}})])
    bot = Copilot(tools, knowledge, OpenAiChatModel("http://127.0.0.1:8000/v1", "m", post=server))
    reply = bot.chat(SELLER, "Should I drop the price of BEV-001 in S01?", today=TODAY)
    assert reply["answered_by"] == "planner" and "429" in reply["fallback_reason"]
    assert "Recommended price for BEV-001 in S01: 2.59" in reply["answer"]


def test_a_model_that_never_stops_calling_tools_is_cut_off_and_the_planner_answers(knowledge):
    tools, _, _ = _services()
    loop = {"choices": [{"finish_reason": "tool_calls", "message": {"role": "assistant", "content": None, "tool_calls": [
        {"id": "c", "type": "function", "function": {"name": "InventoryTool", "arguments": "{}"}}]}}]}
    server = RecordedServer([(200, loop)] * 3)
    bot = Copilot(tools, knowledge, OpenAiChatModel("http://127.0.0.1:8000/v1", "m", post=server), max_turns=3)
    reply = bot.chat(SELLER, "Which SKUs will stock out in S01?", today=TODAY)
    assert reply["answered_by"] == "planner" and "3 turns" in reply["fallback_reason"]
