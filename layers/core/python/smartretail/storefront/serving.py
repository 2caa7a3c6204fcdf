"""Storefront lists at request time, from lists the training step precomputed (no model, no numpy:
a DynamoDB read and a few hundred candidates to filter). Business rules apply here, where stock and
seller status are current: out-of-stock items and banned sellers are dropped, what the shopper bought
is not offered again unless shoppers buy that item repeatedly, and no more than three items of one
seller follow each other. A shopper the lists do not know gets lists built from their first
interactions (the items' precomputed neighbours), and with none, what is popular in their region."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

from ..ports import ItemStore, SearchIndex
from .events import EVENT_WEIGHTS
from .keys import LIST_KINDS, META_KEY, list_key  # noqa: F401 (the serving table's keys, used by callers from here)
from .rules import StorefrontRulesStore

MAX_RUN_PER_SELLER = 3
BATCH_KEYS = 100  # DynamoDB's BatchGetItem reads up to this many items in one call


@dataclass(frozen=True)
class CatalogItem:
    item_id: str
    title: str = ""
    seller_id: str | None = None
    stock: int | None = None  # None: not tracked, treated as available
    repeat_purchase: bool = False  # bought again and again (consumables): may be offered after a purchase
    category: str | None = None
    brand: str | None = None
    price: float | None = None

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> "CatalogItem":
        return cls(**{k: record.get(k) for k in ("item_id", "title", "seller_id", "stock", "category", "brand", "price")},
                   repeat_purchase=bool(record.get("repeat_purchase")))

    def record(self) -> dict[str, Any]:
        return {"item_id": self.item_id, "title": self.title, "seller_id": self.seller_id, "stock": self.stock,
                "repeat_purchase": self.repeat_purchase, "category": self.category, "brand": self.brand, "price": self.price}


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


def _head(k: int, hidden: set[str]) -> int:
    """How many of a list's candidates are read for a page of k: enough for the rules to drop some
    (bought, out of stock, banned, a fourth of one seller in a row); popularity fills what is left."""
    return 3 * k + len(hidden)


def _listed(entries: list[dict[str, Any]] | None) -> list[Listed]:
    return [Listed(e["item_id"], float(e["score"]), e.get("reason", "")) for e in entries or []]


class StorefrontService:
    """Reads the precomputed lists and catalogue of the caller's tenant only: every key is under its
    partition. Items (stock, seller) are read for the candidates of each request."""

    def __init__(self, lists: ItemStore, search: SearchIndex | None = None, recent_seconds: float = 60):
        from ..memo import Recent

        self.lists, self.search_index = lists, search
        self._recent = Recent(recent_seconds)  # which training run is live, re-read at most once a minute

    def catalog(self, tenant_id: str, item_ids: Iterable[str]) -> dict[str, CatalogItem]:
        keys = {list_key("item", i): i for i in item_ids}
        return {keys[k]: CatalogItem.from_record(r) for k, r in self.lists.get_many(tenant_id, list(keys)).items()}

    def _rules(self, tenant_id: str, rules: Rules | None) -> Rules:
        """The tenant's own rules (re-read at most once a minute per container) unless given."""
        if rules is not None:
            return rules
        stored = self._recent.get(("rules", tenant_id), lambda: StorefrontRulesStore(self.lists).get(tenant_id))
        return Rules(banned_sellers=frozenset(stored.banned_sellers))

    def _ruled(self, tenant_id: str, candidates: list[Listed], k: int, owned: set[str] = frozenset(),
               rules: Rules | None = None) -> list[Listed]:
        head = candidates[:_head(k, owned)]
        return apply_rules(head, self.catalog(tenant_id, [c.item_id for c in head]), k, owned=owned, rules=self._rules(tenant_id, rules))

    def _list(self, tenant_id: str, kind: str, key: str) -> list[Listed]:
        found = self.lists.get(tenant_id, list_key(kind, key))
        return _listed(found["items"] if found else None)

    def recommendations(self, tenant_id: str, user_id: str, k: int = 10, region: str | None = None,
                        recent: list[tuple[str, str]] | None = None, rules: Rules | None = None) -> dict[str, Any]:
        """A known shopper's precomputed list; a shopper known only by `recent` interactions
        (item_id, event_type) gets one from those items' neighbours, unless the training run's gate
        found popularity the better ordering for this tenant; with neither, regional popularity.
        Three batch reads at most: the shopper's and the popular lists, the clicked items' neighbours,
        then the records of every candidate the page may show."""
        user, regional, overall = list_key("user", user_id), list_key("popular", region or "all"), list_key("popular", "all")
        lists = self.lists.get_many(tenant_id, list(dict.fromkeys([user, regional, overall])))
        stored = lists.get(user)
        popular = _listed((lists.get(regional) or {}).get("items")) or _listed((lists.get(overall) or {}).get("items"))
        owned = set(stored.get("owned", [])) if stored else set()
        owned |= {item for item, event in recent or [] if event == "purchase"}
        hidden = owned | {i for i, _ in recent or []}
        if stored:
            candidates, source, hidden = _listed(stored["items"]), "personal", owned
        elif recent and self._meta(tenant_id).get("order_by") != "popularity":
            candidates, source = self.session(tenant_id, recent), "session"
        else:
            candidates, source = [], "popular"
        # Popular items fill the rest of one BatchGetItem (100 keys): the fill rarely needs more.
        candidates = candidates[:_head(k, hidden)]
        popular = popular[:max(BATCH_KEYS - len(candidates), _head(k, hidden))]
        catalog = self.catalog(tenant_id, {c.item_id for c in candidates + popular})
        rules = self._rules(tenant_id, rules)
        items = apply_rules(candidates, catalog, k, owned=hidden, rules=rules)
        filled = 0
        if len(items) < k:  # too few left after the rules, or nothing known: fill from popularity
            have = {i.item_id for i in items} | owned | {i for i, _ in recent or []}
            filler = [c for c in apply_rules(popular, catalog, k + len(have), rules=rules) if c.item_id not in have][: k - len(items)]
            items, filled = items + filler, len(filler)
        return {"user_id": user_id, "source": source, "filled_from_popular": filled, "items": [i.as_dict() for i in items]}

    def session(self, tenant_id: str, recent: list[tuple[str, str]]) -> list[Listed]:
        """Candidates from a few interactions: each item's precomputed neighbours, weighted by what
        the shopper did (a purchase counts more than a view) and how recently (last first)."""
        scores: dict[str, float] = {}
        reasons: dict[str, tuple[float, str]] = {}
        recent = recent[-20:]
        keys = {list_key(kind, item): (kind, item) for item, _ in recent for kind in ("item", "similar", "together")}
        found = self.lists.get_many(tenant_id, list(keys))  # every anchor's record and lists in one batch read
        anchors = {item: CatalogItem.from_record(found[key]) for key, (kind, item) in keys.items() if kind == "item" and key in found}
        neighbours = {item: [] for _, item in keys.values()}
        for key, record in found.items():
            if keys[key][0] != "item":
                neighbours[keys[key][1]].extend(_listed(record.get("items")))
        for age, (item_id, event) in enumerate(reversed(recent)):
            weight = EVENT_WEIGHTS.get(event, 1.0) * 0.8 ** age
            anchor = anchors.get(item_id)
            verb = {"purchase": "bought", "add_to_cart": "added to your cart"}.get(event, "viewed")
            for neighbour in neighbours[item_id]:
                gain = weight * neighbour.score
                scores[neighbour.item_id] = scores.get(neighbour.item_id, 0.0) + gain
                if gain > reasons.get(neighbour.item_id, (0.0, ""))[0]:
                    reasons[neighbour.item_id] = (gain, f"because you {verb} {anchor.title if anchor and anchor.title else item_id}")
        return [Listed(item, score, reasons[item][1]) for item, score in sorted(scores.items(), key=lambda kv: -kv[1])]

    def search(self, tenant_id: str, query: str, filters: dict[str, Any] | None = None, page: int = 1,
               page_size: int = 20) -> dict[str, Any]:
        """The tenant's catalogue searched in the search index (its loader indexes each promoted run's)."""
        from dataclasses import asdict

        if self.search_index is None:
            raise RuntimeError("this storefront service was built without a search index")
        return asdict(self.search_index.search_catalog(tenant_id, query, filters, page, page_size))

    def _meta(self, tenant_id: str) -> dict[str, Any]:
        """The last training run's summary (read at most once a minute per container)."""
        return self._recent.get(("meta", tenant_id), lambda: self.lists.get(tenant_id, META_KEY)) or {}

    def similar(self, tenant_id: str, item_id: str, k: int = 10, rules: Rules | None = None) -> dict[str, Any]:
        items = self._ruled(tenant_id, self._list(tenant_id, "similar", item_id), k, {item_id}, rules)
        return {"item_id": item_id, "items": [i.as_dict() for i in items]}

    def bought_together(self, tenant_id: str, item_id: str, k: int = 10, rules: Rules | None = None) -> dict[str, Any]:
        items = self._ruled(tenant_id, self._list(tenant_id, "together", item_id), k, {item_id}, rules)
        return {"item_id": item_id, "items": [i.as_dict() for i in items]}
