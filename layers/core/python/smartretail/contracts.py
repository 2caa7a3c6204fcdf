"""Dataset contracts: the columns a seller's file must have and what each value must look like.

One contract per ingestible dataset. The validation Lambda applies them row by row (no pandas, so it
streams files of any size); the ETL relies on rows that passed them.
"""

import math
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from typing import Any, Mapping

_TRUE = {"true", "1", "yes", "y", "t"}
_FALSE = {"false", "0", "no", "n", "f", ""}
MIN_YEAR, MAX_YEAR = 1990, 2100


class Kind(str, Enum):
    STRING = "string"
    DATE = "date"
    DECIMAL = "decimal"
    INTEGER = "integer"
    BOOLEAN = "boolean"
    CURRENCY = "currency"


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    required: bool = True
    minimum: float | None = None
    exclusive_minimum: bool = False
    max_length: int = 64

    def parse(self, raw: Any) -> tuple[Any, str | None]:
        """(value, None) or (None, reason). Blank optional values become None."""
        text = "" if raw is None else (raw if isinstance(raw, str) else None)
        if text is not None:
            text = text.strip()
            if text == "":
                if self.required:
                    return None, f"{self.name} is required"
                return (False if self.kind is Kind.BOOLEAN else None), None
        try:
            return self._parse_value(raw if text is None else text), None
        except ValueError as exc:
            return None, f"{self.name} {exc} (got {str(raw)[:40]!r})"

    def _parse_value(self, value: Any) -> Any:
        if self.kind is Kind.STRING:
            value = str(value).strip()
            if len(value) > self.max_length:
                raise ValueError(f"must be at most {self.max_length} characters")
            return value
        if self.kind is Kind.CURRENCY:
            value = str(value).strip().upper()
            if len(value) != 3 or not value.isalpha():
                raise ValueError("must be a 3-letter ISO 4217 code such as EUR")
            return value
        if self.kind is Kind.DATE:
            return _parse_date(value).isoformat()
        if self.kind is Kind.BOOLEAN:
            if isinstance(value, bool):
                return value
            lowered = str(value).strip().lower()
            if lowered in _TRUE:
                return True
            if lowered in _FALSE:
                return False
            raise ValueError("must be true or false")
        number = _parse_number(value)
        if self.kind is Kind.INTEGER:
            if number != int(number):
                raise ValueError("must be a whole number")
            number = int(number)
        if self.minimum is not None:
            below = number <= self.minimum if self.exclusive_minimum else number < self.minimum
            if below:
                bound = ">" if self.exclusive_minimum else ">="
                raise ValueError(f"must be {bound} {self.minimum:g}")
        return number


def _parse_number(value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError("must be a number")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError("must be a number like 12.5 (dot as decimal separator)") from None
    if not math.isfinite(number):
        raise ValueError("must be a finite number")
    return number


def _parse_date(value: Any) -> date:
    text = str(value).strip()
    try:
        parsed = date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text).date()
    except ValueError:
        raise ValueError("must be an ISO-8601 date such as 2024-03-31") from None
    if not MIN_YEAR <= parsed.year <= MAX_YEAR:
        raise ValueError(f"must be between {MIN_YEAR} and {MAX_YEAR}")
    return parsed


@dataclass(frozen=True)
class DatasetContract:
    dataset: str          # the name in the API path, e.g. "competitor-prices"
    contract: str         # the contract / table name, e.g. "competitor_prices"
    description: str
    columns: tuple[Column, ...]
    column_names: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "column_names", tuple(c.name for c in self.columns))

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    def check_header(self, header: list[str]) -> tuple[list[str], list[str]]:
        """(missing required columns, ignored unknown columns) of a normalised header."""
        missing = [c for c in self.required_columns if c not in header]
        ignored = [h for h in header if h not in self.column_names]
        return missing, ignored

    def validate_row(self, row: Mapping[str, Any]) -> tuple[dict[str, Any] | None, list[str]]:
        """The typed row, or None and every reason it was rejected."""
        values: dict[str, Any] = {}
        reasons: list[str] = []
        for column in self.columns:
            value, reason = column.parse(row.get(column.name))
            if reason:
                reasons.append(reason)
            else:
                values[column.name] = value
        if reasons:
            return None, reasons
        return values, []


def normalise_header(name: str) -> str:
    """'Store ID ' -> 'store_id': sellers' exports differ in case and spacing, not in meaning."""
    return "_".join(name.strip().lstrip("\ufeff").lower().replace("-", " ").split())


_ID_COLUMN = dict(kind=Kind.STRING, max_length=64)

CONTRACTS: dict[str, DatasetContract] = {
    c.dataset: c
    for c in (
        DatasetContract(
            dataset="sales",
            contract="sales_transactions",
            description="Units sold per SKU, store and day (one row per transaction or per day).",
            columns=(
                Column("date", Kind.DATE),
                Column("store_id", **_ID_COLUMN),
                Column("sku_id", **_ID_COLUMN),
                Column("units", Kind.DECIMAL, minimum=0),
                Column("price", Kind.DECIMAL, required=False, minimum=0, exclusive_minimum=True),
                Column("promo_flag", Kind.BOOLEAN, required=False),
                Column("currency", Kind.CURRENCY, required=False),
                Column("source_event_id", Kind.STRING, required=False, max_length=128),
            ),
        ),
        DatasetContract(
            dataset="inventory",
            contract="inventory_snapshots",
            description="End-of-day stock per SKU and store; blank on_hand means unknown.",
            columns=(
                Column("date", Kind.DATE),
                Column("store_id", **_ID_COLUMN),
                Column("sku_id", **_ID_COLUMN),
                Column("on_hand", Kind.INTEGER, required=False, minimum=0),
                Column("on_order", Kind.INTEGER, required=False, minimum=0),
                Column("lead_time_days", Kind.INTEGER, required=False, minimum=0),
            ),
        ),
        DatasetContract(
            dataset="products",
            contract="product_master",
            description="The catalogue: one row per SKU.",
            columns=(
                Column("sku_id", **_ID_COLUMN),
                Column("name", Kind.STRING, max_length=256),
                Column("category", Kind.STRING, max_length=128),
                Column("brand", Kind.STRING, required=False, max_length=128),
                Column("unit_cost", Kind.DECIMAL, required=False, minimum=0),
                Column("list_price", Kind.DECIMAL, required=False, minimum=0, exclusive_minimum=True),
                Column("min_margin_pct", Kind.DECIMAL, required=False, minimum=0),
                Column("currency", Kind.CURRENCY, required=False),
                # Pricing guardrails and ordering terms, all optional.
                Column("min_price", Kind.DECIMAL, required=False, minimum=0),
                Column("max_price", Kind.DECIMAL, required=False, minimum=0, exclusive_minimum=True),
                Column("map_price", Kind.DECIMAL, required=False, minimum=0),
                Column("moq", Kind.INTEGER, required=False, minimum=0),
                Column("max_order_qty", Kind.INTEGER, required=False, minimum=0, exclusive_minimum=True),
            ),
        ),
        DatasetContract(
            dataset="competitor-prices",
            contract="competitor_prices",
            description="Observed competitor shelf prices per SKU and day.",
            columns=(
                Column("date", Kind.DATE),
                Column("sku_id", **_ID_COLUMN),
                Column("competitor", Kind.STRING, max_length=128),
                Column("price", Kind.DECIMAL, minimum=0, exclusive_minimum=True),
                Column("store_id", Kind.STRING, required=False, max_length=64),
                Column("currency", Kind.CURRENCY, required=False),
            ),
        ),
    )
}
