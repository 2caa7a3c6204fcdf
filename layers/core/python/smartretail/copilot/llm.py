"""The copilot's model port. Messages are kept in Bedrock Converse's shape (roles user/assistant,
content blocks text / toolUse / toolResult); an adapter for another API translates both ways.
Adapters: smartretail.adapters.aws_bedrock.BedrockConverseModel and
smartretail.adapters.openai_chat.OpenAiChatModel. With no model the deterministic planner answers."""

from dataclasses import dataclass, field
from typing import Any, Protocol


class ModelUnavailable(Exception):
    """The model did not give a usable answer (throttled, timed out, refused the request): the copilot
    answers with its planner instead and says so."""


@dataclass
class ToolUse:
    id: str
    name: str
    input: Any              # the arguments as the model wrote them: a dict, or the raw text when it was not JSON
    malformed: str | None = None  # why `input` could not be read as JSON arguments


@dataclass
class ModelTurn:
    content: list[dict[str, Any]]  # the assistant's content blocks, to send back with the next request
    stop_reason: str               # end_turn, tool_use, max_tokens, guardrail_intervened, ...
    tool_uses: list[ToolUse] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(block["text"] for block in self.content if "text" in block).strip()


class ChatModel(Protocol):
    name: str

    def converse(self, system: str, messages: list[dict[str, Any]], tools: list[dict[str, Any]]) -> ModelTurn:
        """One model turn; raises ModelUnavailable when there is none to use."""


def tool_result(tool_use_id: str, result: dict[str, Any]) -> dict[str, Any]:
    """A toolResult block: an error result is marked so, for the model to read and correct."""
    return {"toolResult": {"toolUseId": tool_use_id, "content": [{"json": result}],
                           "status": "error" if result.get("status") == "error" else "success"}}
