"""Composition root of the copilot Lambda: the same domain services as the API (read only), the
search index, the model chosen by configuration (the planner when none), conversations."""

from dataclasses import dataclass
from typing import Any

from smartretail.auth import CognitoJwtVerifier
from smartretail.copilot.agent import Copilot
from smartretail.copilot.conversations import ConversationStore
from smartretail.copilot.service import CopilotService
from smartretail.copilot.tools import CopilotTools
from smartretail.settings import CopilotSettings
from smartretail.throttle import TenantThrottle


@dataclass
class Services:
    settings: CopilotSettings
    verifier: Any
    copilot: CopilotService
    throttle: TenantThrottle | None = None


def chat_model(settings: CopilotSettings) -> Any:
    if settings.COPILOT_MODEL == "bedrock":
        from smartretail.adapters.aws_bedrock import BedrockConverseModel

        return BedrockConverseModel(settings.COPILOT_MODEL_ID, settings.BEDROCK_GUARDRAIL_ID, settings.BEDROCK_GUARDRAIL_VERSION)
    if settings.COPILOT_MODEL == "openai":
        from smartretail.adapters.aws_secrets import secret_string
        from smartretail.adapters.openai_chat import OpenAiChatModel

        key = secret_string(settings.COPILOT_MODEL_API_KEY_SECRET) if settings.COPILOT_MODEL_API_KEY_SECRET else ""
        return OpenAiChatModel(settings.COPILOT_MODEL_BASE_URL, settings.COPILOT_MODEL_ID, key,
                               timeout_seconds=settings.COPILOT_TIME_BUDGET_SECONDS)
    return None


def build_services(settings: CopilotSettings) -> Services:
    from smartretail.adapters.aws_dynamodb import DynamoItemStore, DynamoRequestCounter
    from smartretail.adapters.serving import serving_services

    from smartretail.adapters.search_index import search_index

    shared = serving_services(settings)
    search = search_index(settings, shared.object_store)
    tools = CopilotTools(shared.forecasts, shared.pricing, shared.documents, shared.kpis)
    copilot = Copilot(tools, search, chat_model(settings), settings.COPILOT_MAX_TURNS, settings.COPILOT_TIME_BUDGET_SECONDS)
    conversations = ConversationStore(DynamoItemStore(settings.CONVERSATIONS_TABLE), settings.CONVERSATION_RETENTION_DAYS)
    return Services(
        settings=settings,
        verifier=CognitoJwtVerifier(settings.AWS_REGION, settings.COGNITO_USER_POOL_ID, settings.COGNITO_CLIENT_ID),
        copilot=CopilotService(copilot, conversations),
        throttle=TenantThrottle(DynamoRequestCounter(settings.REQUEST_COUNTS_TABLE), settings.USER_REQUESTS_PER_MINUTE,
                                who="you have") if settings.REQUEST_COUNTS_TABLE else None,
    )
