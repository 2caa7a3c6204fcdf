"""The storefront's catalogue as search sees it, shared by both search indexes (OpenSearch in AWS,
the in-process index locally): products, the answer page, price bands for facets, filters, and what
shoppers type made comparable with what catalogues print. Standard library only: the storefront
function imports it without the local index's libraries."""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterable

_UNITS = [
    (r"(\d+)\s*/\s*(\d+)", r"\1/\2"),
    (r"(\d)\s*(?:inches|inch|in\.|in\b|\")", r"\1 in "),
    (r"(\d)\s*(?:feet|foot|ft\.|ft\b|')", r"\1 ft "),
    (r"(\d)\s*(?:gallons|gallon|gal\.|gal\b)", r"\1 gal "),
    (r"(\d)\s*(?:pounds|pound|lbs\.|lbs|lb\.|lb\b)", r"\1 lb "),
    (r"(\d)\s*(?:ounces|ounce|oz\.|oz\b)", r"\1 oz "),
    (r"(\d)\s*(?:volts|volt|v\b)", r"\1 volt "),
    (r"(\d)\s*(?:watts|watt|w\b)", r"\1 watt "),
    (r"(\d)\s*(?:amps|amp|a\b)", r"\1 amp "),
    (r"(\d)\s*(?:millimeters|millimetres|mm\b)", r"\1 mm "),
    (r"(\d)\s*(?:centimeters|centimetres|cm\b)", r"\1 cm "),
    (r"(\d)\s*(?:liters|litres|liter|litre|l\b)", r"\1 l "),
    (r"(\d)\s*(?:kilograms|kilogram|kg\b)", r"\1 kg "),
    (r"(\d)\s*(?:sq\.?\s*ft\.?|square\s+feet|square\s+foot)", r"\1 sqft "),
    (r"(\d)\s*(?:cu\.?\s*ft\.?|cubic\s+feet|cubic\s+foot)", r"\1 cuft "),
    (r"(\d)\s*(?:x|by|\*)\s*(?=\d)", r"\1 x "),
]
_UNITS = [(re.compile(pattern), replacement) for pattern, replacement in _UNITS]

# Words shoppers use for what catalogues call otherwise (both directions are added).
SYNONYMS = {
    "fridge": "refrigerator", "tv": "television", "ac": "air conditioner", "bbq": "grill",
    "couch": "sofa", "telly": "television", "sneakers": "shoes", "trainers": "shoes", "hoodie": "sweatshirt",
    "mic": "microphone", "cellphone": "phone", "mobile": "phone", "laptop": "notebook", "lightbulb": "light bulb",
    "bulb": "light bulb", "faucet": "tap", "nappies": "diapers", "diaper": "diapers", "tshirt": "t shirt", "tee": "t shirt",
    "weedeater": "trimmer", "weedwacker": "trimmer", "sheetrock": "drywall", "gyprock": "drywall", "tub": "bathtub",
}

PRICE_BANDS = [(0, 10), (10, 25), (25, 50), (50, 100), (100, 250), (250, 500), (500, math.inf)]
FACET_SIZE = 20  # categories and brands listed per facet


def normalise(text: str) -> str:
    """Lower case, units spelled one way, punctuation out (decimal points and fractions kept)."""
    text = text.lower()
    for pattern, replacement in _UNITS:
        text = pattern.sub(replacement, text)
    text = re.sub(r"[^a-z0-9./ ]+", " ", text)
    text = re.sub(r"(?<![0-9])[./]|[./](?![0-9])", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def both_ways(synonyms: dict[str, str]) -> dict[str, str]:
    """A synonym list read in both directions (a multi-word target is not expanded back)."""
    return {**{v: k for k, v in synonyms.items() if " " not in v}, **synonyms}


def expand(query: str, synonyms: dict[str, str]) -> str:
    extra = [synonyms[w] for w in query.split() if w in synonyms and synonyms[w] not in query]
    return " ".join([query, *extra])


def price_band(price: float) -> str:
    low, high = next(b for b in PRICE_BANDS if b[0] <= price < b[1])
    return f"{low}-{'' if high == math.inf else high}"


@dataclass(frozen=True)
class Product:
    item_id: str
    title: str
    category: str | None = None
    brand: str | None = None
    price: float | None = None
    in_stock: bool = True
    popularity: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    def record(self) -> dict[str, Any]:
        """What an index stores of a product (and `from_record` reads back)."""
        return {"item_id": self.item_id, "title": self.title, "category": self.category, "brand": self.brand,
                "price": self.price, "in_stock": self.in_stock, "popularity": self.popularity}

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> "Product":
        return cls(str(record["item_id"]), record.get("title") or "", record.get("category"), record.get("brand"),
                   None if record.get("price") is None else float(record["price"]), bool(record.get("in_stock", True)),
                   float(record.get("popularity") or 0.0))

    def listing(self, score: float) -> dict[str, Any]:
        """The product as a search page lists it."""
        return {"item_id": self.item_id, "title": self.title, "category": self.category, "brand": self.brand,
                "price": self.price, "in_stock": self.in_stock, "score": round(float(score), 4)}


def catalog_products(records: Iterable[dict[str, Any]]) -> list[Product]:
    """Products from the storefront's item records (smartretail.storefront.serving.CatalogItem with the
    training run's popularity): stock None means not tracked, so available."""
    return [Product(str(r["item_id"]), r.get("title") or "", r.get("category"), r.get("brand"),
                    None if r.get("price") is None else float(r["price"]), r.get("stock") is None or r["stock"] > 0,
                    float(r.get("popularity") or 0.0)) for r in records]


def passes(product: Product, filters: dict[str, Any]) -> bool:
    """Whether a product is within a search's filters (category and brand: any of the listed)."""
    if filters.get("category") and product.category not in filters["category"]:
        return False
    if filters.get("brand") and product.brand not in filters["brand"]:
        return False
    if filters.get("in_stock") and not product.in_stock:
        return False
    if filters.get("price_min") is not None and (product.price is None or product.price < filters["price_min"]):
        return False
    return filters.get("price_max") is None or (product.price is not None and product.price <= filters["price_max"])


def facets(products: Iterable[Product]) -> dict[str, Any]:
    """Counts per category, brand and price band (the busiest FACET_SIZE of each), and how many are in stock."""
    products = list(products)
    bands = Counter(price_band(p.price) for p in products if p.price is not None)
    return {"category": dict(Counter(p.category for p in products if p.category).most_common(FACET_SIZE)),
            "brand": dict(Counter(p.brand for p in products if p.brand).most_common(FACET_SIZE)),
            "price": dict(sorted(bands.items(), key=lambda kv: float(kv[0].split("-")[0]))),
            "in_stock": sum(p.in_stock for p in products)}


@dataclass
class SearchPage:
    query: str
    searched_for: str  # after normalisation, spelling and synonyms
    items: list[dict[str, Any]]
    total: int
    page: int
    facets: dict[str, Any]
    fallback: str | None = None  # None, "close_matches", "filters_only" or "popular"
    message: str | None = None


EMPTY_CATALOGUE = "The catalogue is empty: upload products (POST /ingest/products) and run the training pipeline."


def no_match_message(query: str, fallback: str, filtered: bool) -> str:
    """What a page that could not answer the query as asked says instead, one wording for both indexes."""
    if fallback == "close_matches":
        return f"No product matches every word of \"{query}\"; showing close matches."
    if fallback == "filters_only":
        return f"Nothing matches \"{query}\" within the filters; showing the best sellers there."
    return f"Nothing matches \"{query}\"{' within the filters' if filtered else ''}; showing popular products."
