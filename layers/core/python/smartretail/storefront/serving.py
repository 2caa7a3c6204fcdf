"""Storefront lists at request time, from lists the training step precomputed (no model, no numpy:
a DynamoDB read and a few hundred candidates to filter). Business rules apply here, where stock and
seller status are current: out-of-stock items and banned sellers are dropped, what the shopper bought
is not offered again unless shoppers buy that item repeatedly, and no more than three items of one
seller follow each other. A shopper the lists do not know gets lists built from their first
interactions (the items' precomputed neighbours), and with none, what is popular in their region."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

from ..ports import ItemStore
from .interactions import EVENT_WEIGHTS

MAX_RUN_PER_SELLER = 3
LIST_KINDS = ("user", "similar", "together", "popular")


def list_key(kind: str, key: str) -> str:
    """Where one precomputed list lives in the serving table, under the tenant's partition."""
    if kind not in LIST_KINDS:
        raise ValueError(f"unknown list kind {kind!r}")
    return f"storefront#{kind}#{key}"


@dataclass(frozen=True)
class CatalogItem:
    item_id: str
    title: str = ""
    seller_id: str | None = None
    stock: int | None = None  # None: not tracked, treated as available
    repeat_purchase: bool = False  # bought again and again (consumables): may be offered after a purchase


@dataclass
class Listed:
    item_id: str
    score: float
    reason: str
    seller_id: str | None = None
    title: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"item_id": self.item_id, "title": self.title, "seller_id": self.seller_id, "score": round(self.score, 4), "reason": self.reason}


@dataclass
class Rules:
    banned_sellers: frozenset[str] = frozenset()
    max_run_per_seller: int = MAX_RUN_PER_SELLER
    dropped: dict[str, int] = field(default_factory=dict)


def apply_rules(candidates: Iterable[Listed], catalog: dict[str, CatalogItem], k: int, *, owned: set[str] = frozenset(),
                rules: Rules | None = None) -> list[Listed]:
    """The best k candidates that may be shown, best first, with no run of more than
    `max_run_per_seller` items from one seller (a later item of another seller is moved up; when only
    that seller's items are left, they follow). Each drop is counted by reason in `rules.dropped`."""
    rules = rules or Rules()
    allowed: list[Listed] = []
    seen: set[str] = set()
    for candidate in candidates:
        item = catalog.get(candidate.item_id)
        reason = ("not in the catalogue" if item is None else
                  "out of stock" if item.stock is not None and item.stock <= 0 else
                  "seller not allowed" if item.seller_id in rules.banned_sellers else
                  "already bought" if candidate.item_id in owned and not item.repeat_purchase else
                  "duplicate" if candidate.item_id in seen else None)
        if reason:
            rules.dropped[reason] = rules.dropped.get(reason, 0) + 1
            continue
        seen.add(candidate.item_id)
        candidate.seller_id, candidate.title = item.seller_id, item.title or candidate.title
        allowed.append(candidate)
    chosen: list[Listed] = []
    waiting = allowed
    while waiting and len(chosen) < k:
        run_seller = chosen[-1].seller_id if chosen else None
        run = 0
        for listed in reversed(chosen):
            if listed.seller_id != run_seller:
                break
            run += 1
        blocked = run_seller is not None and run >= rules.max_run_per_seller
        pick = next((i for i, c in enumerate(waiting) if not (blocked and c.seller_id == run_seller)), 0)
        chosen.append(waiting.pop(pick))
    return chosen


def _listed(entries: list[dict[str, Any]] | None) -> list[Listed]:
    return [Listed(e["item_id"], float(e["score"]), e.get("reason", "")) for e in entries or []]


class StorefrontService:
    """Reads the precomputed lists of the caller's tenant only: every key is under its partition."""

    def __init__(self, lists: ItemStore, catalog_of: Any):
        self.lists = lists
        self.catalog_of = catalog_of  # tenant_id -> dict[item_id, CatalogItem], current stock and sellers

    def _list(self, tenant_id: str, kind: str, key: str) -> list[Listed]:
        found = self.lists.get(tenant_id, list_key(kind, key))
        return _listed(found["items"] if found else None)

    def popular(self, tenant_id: str, k: int, region: str | None = None, rules: Rules | None = None) -> list[Listed]:
        candidates = (self._list(tenant_id, "popular", region) if region else []) or self._list(tenant_id, "popular", "all")
        return apply_rules(candidates, self.catalog_of(tenant_id), k, rules=rules)

    def recommendations(self, tenant_id: str, user_id: str, k: int = 10, region: str | None = None,
                        recent: list[tuple[str, str]] | None = None, rules: Rules | None = None) -> dict[str, Any]:
        """A known shopper's precomputed list; a shopper known only by `recent` interactions
        (item_id, event_type) gets one from those items' neighbours; with neither, regional popularity."""
        catalog = self.catalog_of(tenant_id)
        stored = self.lists.get(tenant_id, list_key("user", user_id))
        owned = set(stored.get("owned", [])) if stored else set()
        owned |= {item for item, event in recent or [] if event == "purchase"}
        if stored:
            items, source = apply_rules(_listed(stored["items"]), catalog, k, owned=owned, rules=rules), "personal"
        elif recent:
            items, source = apply_rules(self.session(tenant_id, recent), catalog, k, owned=owned | {i for i, _ in recent}, rules=rules), "session"
        else:
            items, source = [], "popular"
        filled = 0
        if len(items) < k:  # too few left after the rules, or nothing known: fill from popularity
            have = {i.item_id for i in items} | owned | {i for i, _ in recent or []}
            filler = [c for c in self.popular(tenant_id, k + len(have), region, rules) if c.item_id not in have][: k - len(items)]
            items, filled = items + filler, len(filler)
        return {"user_id": user_id, "source": source, "filled_from_popular": filled, "items": [i.as_dict() for i in items]}

    def session(self, tenant_id: str, recent: list[tuple[str, str]]) -> list[Listed]:
        """Candidates from a few interactions: each item's precomputed neighbours, weighted by what
        the shopper did (a purchase counts more than a view) and how recently (last first)."""
        scores: dict[str, float] = {}
        reasons: dict[str, tuple[float, str]] = {}
        for age, (item_id, event) in enumerate(reversed(recent[-20:])):
            weight = EVENT_WEIGHTS.get(event, 1.0) * 0.8 ** age
            anchor = self.catalog_of(tenant_id).get(item_id)
            verb = {"purchase": "bought", "add_to_cart": "added to your cart"}.get(event, "viewed")
            for neighbour in self._list(tenant_id, "similar", item_id) + self._list(tenant_id, "together", item_id):
                gain = weight * neighbour.score
                scores[neighbour.item_id] = scores.get(neighbour.item_id, 0.0) + gain
                if gain > reasons.get(neighbour.item_id, (0.0, ""))[0]:
                    reasons[neighbour.item_id] = (gain, f"because you {verb} {anchor.title if anchor and anchor.title else item_id}")
        return [Listed(item, score, reasons[item][1]) for item, score in sorted(scores.items(), key=lambda kv: -kv[1])]

    def similar(self, tenant_id: str, item_id: str, k: int = 10, rules: Rules | None = None) -> dict[str, Any]:
        items = apply_rules(self._list(tenant_id, "similar", item_id), self.catalog_of(tenant_id), k, owned={item_id}, rules=rules)
        return {"item_id": item_id, "items": [i.as_dict() for i in items]}

    def bought_together(self, tenant_id: str, item_id: str, k: int = 10, rules: Rules | None = None) -> dict[str, Any]:
        items = apply_rules(self._list(tenant_id, "together", item_id), self.catalog_of(tenant_id), k, owned={item_id}, rules=rules)
        return {"item_id": item_id, "items": [i.as_dict() for i in items]}
