"""The copilot's model on any OpenAI-compatible chat-completions server (vLLM, llama.cpp's server,
Ollama, LM Studio, a hosted gateway) by base URL. The copilot's Converse-shaped messages are
translated both ways: toolUse blocks to `tool_calls`, toolResult blocks to `tool` messages. The
standard library's HTTP client keeps the function's packages as they are."""

import json
import urllib.error
import urllib.request
from typing import Any, Callable

from ..copilot.llm import ModelTurn, ModelUnavailable, ToolUse

# (url, headers, body) -> (status, parsed JSON body); replaced in tests by recorded answers.
Post = Callable[[str, dict[str, str], dict[str, Any]], tuple[int, dict[str, Any]]]


def _urllib_post(timeout: float) -> Post:
    def post(url: str, headers: dict[str, str], body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        request = urllib.request.Request(url, data=json.dumps(body).encode(), headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310 - the configured model server
                return answer.status, json.loads(answer.read() or b"{}")
        except urllib.error.HTTPError as error:
            try:
                return error.code, json.loads(error.read() or b"{}")
            except ValueError:
                return error.code, {}
        except (urllib.error.URLError, TimeoutError, ValueError) as error:
            raise ModelUnavailable(f"the model server did not answer: {error}") from error
    return post


def to_openai(system: str, messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = [{"role": "system", "content": system}]
    for message in messages:
        texts = [b["text"] for b in message["content"] if "text" in b]
        if message["role"] == "assistant":
            calls = [{"id": b["toolUse"]["toolUseId"], "type": "function",
                      "function": {"name": b["toolUse"]["name"], "arguments": json.dumps(b["toolUse"]["input"])}}
                     for b in message["content"] if "toolUse" in b]
            out.append({"role": "assistant", "content": "\n".join(texts) or None, **({"tool_calls": calls} if calls else {})})
            continue
        for block in message["content"]:
            if "toolResult" in block:
                result = block["toolResult"]
                first = result["content"][0]  # the copilot sends one json block per result
                out.append({"role": "tool", "tool_call_id": result["toolUseId"], "content": json.dumps(first.get("json", first.get("text")))})
        if texts:
            out.append({"role": "user", "content": "\n".join(texts)})
    return out


def _tool(spec: dict[str, Any]) -> dict[str, Any]:
    tool = spec["toolSpec"]
    return {"type": "function", "function": {"name": tool["name"], "description": tool["description"],
                                             "parameters": tool["inputSchema"]["json"]}}


class OpenAiChatModel:
    def __init__(self, base_url: str, model: str, api_key: str = "", timeout_seconds: float = 20.0, post: Post | None = None):
        self._url = base_url.rstrip("/") + "/chat/completions"
        self._model, self.name = model, f"openai:{model}"
        self._headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {api_key}"} if api_key else {})}
        self._post = post or _urllib_post(timeout_seconds)

    def converse(self, system: str, messages: list[dict[str, Any]], tools: list[dict[str, Any]]) -> ModelTurn:
        body: dict[str, Any] = {"model": self._model, "messages": to_openai(system, messages), "temperature": 0}
        if tools:
            body["tools"] = [_tool(spec) for spec in tools]
        status, answer = self._post(self._url, self._headers, body)
        if status != 200:
            error = answer.get("error")
            message = error.get("message") if isinstance(error, dict) else error
            raise ModelUnavailable(f"the model server answered {status}" + (f": {message}" if message else ""))
        try:
            choice = answer["choices"][0]
            message = choice["message"]
        except (KeyError, IndexError, TypeError) as error:
            raise ModelUnavailable("the model server's answer has no message") from error
        content: list[dict[str, Any]] = [{"text": message["content"]}] if message.get("content") else []
        uses = []
        for call in message.get("tool_calls") or []:
            raw = call.get("function", {}).get("arguments") or "{}"
            try:
                arguments, malformed = json.loads(raw), None
            except ValueError as error:
                arguments, malformed = raw, str(error)
            if malformed is None and not isinstance(arguments, dict):
                malformed = f"got {type(arguments).__name__}"
            use = ToolUse(call["id"], call["function"]["name"], arguments, malformed)
            uses.append(use)
            content.append({"toolUse": {"toolUseId": use.id, "name": use.name,
                                        "input": arguments if isinstance(arguments, dict) else {}}})
        stop = {"tool_calls": "tool_use", "stop": "end_turn", "length": "max_tokens",
                "content_filter": "guardrail_intervened"}.get(choice.get("finish_reason") or "", "end_turn")
        return ModelTurn(content=content, stop_reason="tool_use" if uses else stop, tool_uses=uses)
