"""The copilot's tools: each a strict JSON schema (unknown arguments are refused, so a model cannot
slip a tenant in) mapped onto an existing domain service, with no HTTP hop. Arguments are validated
before anything runs; the tenant is always the caller's; a tool's error comes back as its result
(what an agent hands the model as a toolResult), never as an exception.

Each result says when its data is from (`data_as_of`) and when it was computed, for the answer's
citations."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any, Callable, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..auth import ALL_GROUPS, Principal
from ..errors import DomainError
from ..forecasting.serving import ForecastRequest
from ..kpis import KpiQuery
from ..pricing.service import PricingSuggestRequest, RecommendationsRequest, SimulateRequest

STRICT = ConfigDict(extra="forbid")


class ForecastArgs(ForecastRequest):
    """Demand forecast (P10/P50/P90 per day or week, with drivers) of up to 50 SKUs in one store."""

    model_config = STRICT


class PricingArgs(BaseModel):
    """A SKU's recommended price within the tenant's guardrails; with `price` or `discount_pct`, the
    what-if simulation of that price instead."""

    model_config = STRICT
    sku_id: str = Field(min_length=1, max_length=64)
    store_id: str = Field(min_length=1, max_length=64)
    price: float | None = Field(default=None, gt=0, le=1e6, description="a price to simulate")
    discount_pct: float | None = Field(default=None, gt=0, lt=100, description="a discount to simulate, % off today's price")
    objective: Literal["maximize_margin", "maximize_revenue", "match_competitors"] = "maximize_margin"

    @model_validator(mode="after")
    def _one_scenario(self) -> "PricingArgs":
        if self.price is not None and self.discount_pct is not None:
            raise ValueError("give a price or a discount_pct to simulate, not both")
        return self


class InventoryArgs(RecommendationsRequest):
    """Reorder plans that are due: safety stock, reorder point, order quantity, stock-out risk and why."""

    model_config = STRICT


class DocumentArgs(BaseModel):
    """One document's status, failed rules with reasons and fields (by doc_id), or the latest documents."""

    model_config = STRICT
    doc_id: str | None = Field(default=None, pattern=r"^doc-[A-Za-z0-9]{1,40}$")
    status: Literal["pass", "fail", "needs_review", "reviewed_pass", "reviewed_fail", "processing"] | None = None
    doc_type: Literal["invoice", "gst_certificate", "receipt"] | None = None
    limit: int = Field(default=10, ge=1, le=50)


class KpiArgs(KpiQuery):
    """Revenue, units, average selling price, promotion share and stock-out days over a period."""

    model_config = STRICT


@dataclass(frozen=True)
class Tool:
    name: str
    args: type[BaseModel]
    run: Callable[[str, Any], dict[str, Any]]  # (tenant_id, validated args) -> service answer
    as_of: Callable[[dict[str, Any]], str | None]

    def spec(self) -> dict[str, Any]:
        """The tool as Bedrock Converse's toolConfig names it (OpenAI's 'function' carries the same)."""
        return {"toolSpec": {"name": self.name, "description": (self.args.__doc__ or "").strip(),
                             "inputSchema": {"json": self.args.model_json_schema()}}}


def _forecast_as_of(result: dict[str, Any]) -> str | None:
    """The forecast starts the day after the data the model was trained through."""
    firsts = [item["series"][0].get("date") or item["series"][0].get("week_start") for item in result.get("forecasts", []) if item.get("series")]
    return (date.fromisoformat(min(firsts)) - timedelta(days=1)).isoformat() if firsts else None


class CopilotTools:
    """The five tools over the services the API also uses (built by the same composition root)."""

    def __init__(self, forecasts: Any, pricing: Any, documents: Any, kpis: Any, now: Callable[[], datetime] | None = None):
        self._now = now or (lambda: datetime.now(timezone.utc))

        def price(tenant: str, a: PricingArgs) -> dict[str, Any]:
            if a.price is None and a.discount_pct is None:
                return pricing.suggest(tenant, PricingSuggestRequest(sku_id=a.sku_id, store_id=a.store_id, objective=a.objective))
            return pricing.simulate(tenant, SimulateRequest(sku_id=a.sku_id, store_id=a.store_id, price=a.price, discount_pct=a.discount_pct))

        def forecast(tenant: str, a: ForecastArgs) -> dict[str, Any]:
            """The forecast with each SKU's totals over the horizon, so an answer's totals are the tool's own."""
            found = forecasts.forecast(tenant, a)
            return {**found, "totals": [{"sku_id": item["sku_id"], "units": round(sum(p["yhat"] for p in item["series"]), 2),
                                         "expected_units": round(sum(p["expected"] for p in item["series"]), 2),
                                         "p10": round(sum(p["yhat_lower"] for p in item["series"]), 2),
                                         "p90": round(sum(p["yhat_upper"] for p in item["series"]), 2)}
                                        for item in found.get("forecasts", [])]}

        def reorders(tenant: str, a: InventoryArgs) -> dict[str, Any]:
            found = pricing.recommendations(tenant, a)
            return {**found, "actions": [x for x in found.get("actions", []) if x.get("type") == "reorder"]}

        def document(tenant: str, a: DocumentArgs) -> dict[str, Any]:
            if a.doc_id:
                return documents.get(tenant, a.doc_id)
            return {"documents": documents.list(tenant, a.status, a.doc_type, a.limit)}

        self.tools = {tool.name: tool for tool in (
            Tool("ForecastTool", ForecastArgs, forecast, _forecast_as_of),
            Tool("PricingTool", PricingArgs, price, lambda r: r.get("data_as_of")),
            Tool("InventoryTool", InventoryArgs, reorders, lambda r: r.get("as_of_date") or r.get("data_as_of")),
            Tool("DocComplianceTool", DocumentArgs, document,
                 lambda r: r.get("updated_at") or max((d.get("updated_at") or "" for d in r.get("documents", [])), default=None) or None),
            Tool("KPIQueryTool", KpiArgs, kpis.kpis, lambda r: max((d["date"] for d in r.get("daily", [])), default=None)),
        )}

    def specs(self) -> list[dict[str, Any]]:
        return [tool.spec() for tool in self.tools.values()]

    def run(self, principal: Principal, name: str, arguments: Any) -> dict[str, Any]:
        """One tool call: {"tool", "arguments" (as validated), "status": "success", "result",
        "data_as_of", "computed_at"} or {"tool", "status": "error", "error"} for the model to read."""
        principal.require_any(ALL_GROUPS)
        tool = self.tools.get(name)
        if tool is None:
            return {"tool": name, "status": "error", "error": f"no tool named {name!r}; the tools are {', '.join(self.tools)}"}
        try:
            args = tool.args.model_validate(arguments if isinstance(arguments, dict) else {})
        except ValidationError as error:
            problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'arguments'}: {e['msg']}" for e in error.errors())
            return {"tool": name, "status": "error", "error": f"invalid arguments: {problems}"}
        try:
            result = tool.run(principal.tenant_id, args)
        except DomainError as error:  # not found, not enough data, ...: the model says so rather than guessing
            return {"tool": name, "arguments": args.model_dump(mode="json"), "status": "error", "error": str(error)}
        return {"tool": name, "arguments": args.model_dump(mode="json", exclude_none=True), "status": "success", "result": result,
                "data_as_of": tool.as_of(result), "computed_at": self._now().isoformat(timespec="seconds")}
