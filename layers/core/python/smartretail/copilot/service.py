"""The copilot as the API serves it: a question in a conversation (new or continued), answered by the
Copilot as the caller, and kept with the user's, tool and assistant turns."""

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ..auth import ALL_GROUPS, Principal
from .agent import Copilot
from .conversations import ConversationStore

_ID = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"


class ChatContext(BaseModel):
    """The page the question is asked from: its store, SKU or document fill what the question leaves out."""

    model_config = ConfigDict(extra="forbid")
    store_id: str | None = Field(default=None, pattern=_ID)
    sku_id: str | None = Field(default=None, pattern=_ID)
    doc_id: str | None = Field(default=None, pattern=r"^doc-[A-Za-z0-9]{1,40}$")
    page: str | None = Field(default=None, max_length=40)


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    conversation_id: str | None = Field(default=None, pattern=r"^conv-[a-f0-9]{20}$",
                                        description="continue this conversation; omit to start one")
    message: str = Field(min_length=1, max_length=2000)
    context: ChatContext | None = None


class CopilotService:
    def __init__(self, copilot: Copilot, conversations: ConversationStore):
        self.copilot, self.conversations = copilot, conversations

    def chat(self, principal: Principal, request: ChatRequest) -> dict[str, Any]:
        principal.require_any(ALL_GROUPS)
        history = [] if request.conversation_id is None else \
            self.conversations.get(principal.tenant_id, principal.user_id, request.conversation_id)["turns"]
        context = request.context.model_dump(exclude_none=True) if request.context else None
        reply = self.copilot.chat(principal, request.message, history, context)
        turns = [{"role": "user", "text": request.message},
                 *({"role": "tool", **call} for call in reply["tool_calls"]),
                 {"role": "assistant", "text": reply["answer"], "intent": reply["intent"], "slots": reply["slots"],
                  "citations": reply["citations"], "refused": reply["refused"]}]
        stored = self.conversations.append(principal.tenant_id, principal.user_id, request.conversation_id, turns)
        return {"conversation_id": stored["conversation_id"], **{k: v for k, v in reply.items() if k not in ("intent", "slots")}}
