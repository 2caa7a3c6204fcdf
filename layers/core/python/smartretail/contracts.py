"""Dataset contracts: the columns a seller's file must have and what each value must look like.

One contract per ingestible dataset. The validation Lambda applies them row by row (no pandas, so it
streams files of any size); the ETL relies on rows that passed them.
"""

import re
from collections import Counter
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Mapping

from .ingestion.values import ValueFormat

_TRUE = {"true", "1", "yes", "y", "t"}
_FALSE = {"false", "0", "no", "n", "f", ""}
CONTRACT_FORMAT = ValueFormat()  # ISO dates, a decimal point: the contract's own forms


class Kind(str, Enum):
    STRING = "string"
    DATE = "date"
    TIMESTAMP = "timestamp"
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
    # Headers sellers' exports use for this column ("Qty", "Sale Date"), compared by `header_key`.
    synonyms: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()  # the only values a string column takes (compared in lower case)

    def parse(self, raw: Any, fmt: ValueFormat = CONTRACT_FORMAT) -> tuple[Any, str | None, tuple[str, ...]]:
        """(value, None, what was normalised) or (None, reason, ()). Blank optional values become None."""
        text = "" if raw is None else (raw if isinstance(raw, str) else None)
        if text is not None:
            text = text.strip()
            if text == "":
                if self.required:
                    return None, f"{self.name} is required", ()
                return (False if self.kind is Kind.BOOLEAN else None), None, ()
        try:
            value, notes = self._parse_value(raw if text is None else text, fmt)
            return value, None, notes
        except ValueError as exc:
            return None, f"{self.name} {exc} (got {str(raw)[:40]!r})", ()

    def _parse_value(self, value: Any, fmt: ValueFormat) -> tuple[Any, tuple[str, ...]]:
        if self.kind is Kind.STRING:
            value = str(value).strip()
            if len(value) > self.max_length:
                raise ValueError(f"must be at most {self.max_length} characters")
            if self.choices:
                value = value.lower().replace(" ", "_").replace("-", "_")
                if value not in self.choices:
                    raise ValueError(f"must be one of {', '.join(self.choices)}")
            return value, ()
        if self.kind is Kind.CURRENCY:
            value = str(value).strip().upper()
            if len(value) != 3 or not value.isalpha():
                raise ValueError("must be a 3-letter ISO 4217 code such as EUR")
            return value, ()
        if self.kind is Kind.DATE:
            return fmt.date(value)
        if self.kind is Kind.TIMESTAMP:
            return fmt.timestamp(value)
        if self.kind is Kind.BOOLEAN:
            if isinstance(value, bool):
                return value, ()
            lowered = str(value).strip().lower()
            if lowered in _TRUE:
                return True, ()
            if lowered in _FALSE:
                return False, ()
            raise ValueError("must be true or false")
        number, notes = fmt.number(value)
        if self.kind is Kind.INTEGER:
            if number != int(number):
                raise ValueError("must be a whole number")
            number = int(number)
        if self.minimum is not None:
            below = number <= self.minimum if self.exclusive_minimum else number < self.minimum
            if below:
                bound = ">" if self.exclusive_minimum else ">="
                raise ValueError(f"must be {bound} {self.minimum:g}")
        return number, notes


@dataclass(frozen=True)
class DatasetContract:
    dataset: str          # the name in the API path, e.g. "competitor-prices"
    contract: str         # the contract / table name, e.g. "competitor_prices"
    description: str
    columns: tuple[Column, ...]
    # Whether the ETL cleans it into the lake's tables; shopper events feed the storefront's training instead.
    cleaned_by_etl: bool = True
    column_names: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "column_names", tuple(c.name for c in self.columns))

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    def validate_row(self, row: Mapping[str, Any], fmt: ValueFormat = CONTRACT_FORMAT,
                     normalised: Counter | None = None) -> tuple[dict[str, Any] | None, list[str]]:
        """The typed row, or None and every reason it was rejected. What an accepted row needed
        normalised (a decimal comma, a day-first date) is counted into `normalised`."""
        values: dict[str, Any] = {}
        reasons: list[str] = []
        notes: list[str] = []
        for column in self.columns:
            value, reason, column_notes = column.parse(row.get(column.name), fmt)
            if reason:
                reasons.append(reason)
            else:
                values[column.name] = value
                notes.extend(column_notes)
        if reasons:
            return None, reasons
        if normalised is not None:
            normalised.update(notes)
        return values, []


def normalise_header(name: str) -> str:
    """'Store ID ' -> 'store_id': sellers' exports differ in case and spacing, not in meaning."""
    return "_".join(name.strip().lstrip("\ufeff").lower().replace("-", " ").split())


def header_key(name: str) -> str:
    """'Store #', 'Item No.', 'Sale-Date', 'StockCode' -> 'store', 'item_no', 'sale_date', 'stock_code': how a header is looked
    up among a column's synonyms (punctuation carries no meaning there)."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name.strip().lstrip("\ufeff"))  # 'StockCode' -> 'Stock_Code'
    return re.sub(r"[^\w]+", "_", spaced.lower()).strip("_")


_ID_COLUMN = dict(kind=Kind.STRING, max_length=64)
# Headers as sellers' spreadsheets and point-of-sale exports write them (English, German, French).
_DATE = ("day", "sale_date", "sales_date", "transaction_date", "order_date", "invoice_date", "business_date", "datum", "fecha")
_STORE = ("store", "outlet", "shop", "branch", "location", "site", "store_code", "store_no", "store_number", "outlet_id",
          "shop_id", "location_id", "filiale", "magasin")
_SKU = ("sku", "item", "item_id", "item_code", "item_no", "item_number", "product_id", "product_code", "article",
        "article_no", "article_number", "sku_code", "stock_code", "stockcode", "artikel", "artikelnummer", "code_article")
_CURRENCY = ("currency_code", "ccy", "währung", "waehrung", "devise")

CONTRACTS: dict[str, DatasetContract] = {
    c.dataset: c
    for c in (
        DatasetContract(
            dataset="sales",
            contract="sales_transactions",
            description="Units sold per SKU, store and day (one row per transaction or per day).",
            columns=(
                Column("date", Kind.DATE, synonyms=_DATE),
                Column("store_id", **_ID_COLUMN, synonyms=_STORE),
                Column("sku_id", **_ID_COLUMN, synonyms=_SKU),
                Column("units", Kind.DECIMAL, minimum=0, synonyms=("qty", "quantity", "units_sold", "qty_sold", "quantity_sold",
                                                                  "sold", "unit_sales", "sales_qty", "sales_units", "menge", "quantité", "quantite")),
                Column("price", Kind.DECIMAL, required=False, minimum=0, exclusive_minimum=True,
                       synonyms=("unit_price", "unitprice", "selling_price", "sale_price", "price_each", "sell_price", "preis", "prix")),
                Column("promo_flag", Kind.BOOLEAN, required=False, synonyms=("promo", "promotion", "on_promo", "on_promotion")),
                Column("currency", Kind.CURRENCY, required=False, synonyms=_CURRENCY),
                Column("source_event_id", Kind.STRING, required=False, max_length=128,
                       synonyms=("transaction_id", "receipt_id", "event_id", "order_line_id")),
            ),
        ),
        DatasetContract(
            dataset="inventory",
            contract="inventory_snapshots",
            description="End-of-day stock per SKU and store; blank on_hand means unknown.",
            columns=(
                Column("date", Kind.DATE, synonyms=_DATE + ("snapshot_date", "stock_date")),
                Column("store_id", **_ID_COLUMN, synonyms=_STORE),
                Column("sku_id", **_ID_COLUMN, synonyms=_SKU),
                Column("on_hand", Kind.INTEGER, required=False, minimum=0,
                       synonyms=("stock", "stock_on_hand", "soh", "qty_on_hand", "quantity_on_hand", "on_hand_qty", "bestand")),
                Column("on_order", Kind.INTEGER, required=False, minimum=0, synonyms=("qty_on_order", "open_orders", "incoming")),
                Column("lead_time_days", Kind.INTEGER, required=False, minimum=0, synonyms=("lead_time", "leadtime", "lead_time_d")),
            ),
        ),
        DatasetContract(
            dataset="products",
            contract="product_master",
            description="The catalogue: one row per SKU.",
            columns=(
                Column("sku_id", **_ID_COLUMN, synonyms=_SKU),
                Column("name", Kind.STRING, max_length=256, synonyms=("product_name", "item_name", "title", "product_title", "description")),
                Column("category", Kind.STRING, max_length=128, synonyms=("product_category", "category_name", "department", "dept")),
                Column("brand", Kind.STRING, required=False, max_length=128, synonyms=("brand_name", "manufacturer", "marke", "marque")),
                # Marketplaces: who sells the item (storefront lists show at most three of one seller in a row).
                Column("seller_id", Kind.STRING, required=False, max_length=64, synonyms=("seller", "vendor", "vendor_id", "merchant", "merchant_id")),
                Column("unit_cost", Kind.DECIMAL, required=False, minimum=0, synonyms=("cost", "cost_price", "purchase_price", "cogs")),
                Column("list_price", Kind.DECIMAL, required=False, minimum=0, exclusive_minimum=True,
                       synonyms=("price", "retail_price", "regular_price", "rrp", "msrp")),
                Column("min_margin_pct", Kind.DECIMAL, required=False, minimum=0),
                Column("currency", Kind.CURRENCY, required=False, synonyms=_CURRENCY),
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
                Column("date", Kind.DATE, synonyms=_DATE + ("observed_date", "price_date", "observed_on")),
                Column("sku_id", **_ID_COLUMN, synonyms=_SKU),
                Column("competitor", Kind.STRING, max_length=128, synonyms=("competitor_name", "retailer", "rival")),
                Column("price", Kind.DECIMAL, minimum=0, exclusive_minimum=True, synonyms=("competitor_price", "shelf_price", "observed_price")),
                Column("store_id", Kind.STRING, required=False, max_length=64, synonyms=_STORE),
                Column("currency", Kind.CURRENCY, required=False, synonyms=_CURRENCY),
            ),
        ),
        DatasetContract(
            dataset="shopper-events",
            contract="shopper_events",
            description="What storefront shoppers did: one row per view, add to cart or purchase of an item "
                        "(a blank event_type is a purchase); the same events the storefront's events route takes.",
            columns=(
                Column("event_id", Kind.STRING, max_length=128, synonyms=("id", "interaction_id", "order_line_id")),
                Column("user_id", Kind.STRING, max_length=128,
                       synonyms=("user", "shopper_id", "customer_id", "customer", "customerid", "member_number", "member_id")),
                Column("item_id", Kind.STRING, max_length=128, synonyms=_SKU + ("sku_id", "product_uid")),
                Column("event_type", Kind.STRING, required=False, choices=("view", "add_to_cart", "purchase"),
                       synonyms=("event", "type", "action", "interaction", "interaction_type")),
                Column("timestamp", Kind.TIMESTAMP, synonyms=("time", "event_time", "datetime", "date_time", "ts", "created_at",
                                                              "occurred_at", "invoice_date", "order_date", "date")),
                Column("session_id", Kind.STRING, required=False, max_length=128, synonyms=("session", "visit_id")),
                Column("store_id", Kind.STRING, required=False, max_length=64, synonyms=_STORE + ("region", "country")),
                Column("quantity", Kind.DECIMAL, required=False, minimum=0, exclusive_minimum=True, synonyms=("qty", "units")),
                Column("price", Kind.DECIMAL, required=False, minimum=0, synonyms=("unit_price", "unitprice", "item_price")),
            ),
            cleaned_by_etl=False,
        ),
    )
}
