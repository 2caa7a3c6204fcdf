"""The storefront's catalogue on OpenSearch Serverless, against a fake collection that answers the query
kinds the adapter sends (bool with must/should/filter/must_not, term(s), range, k-NN with a filter,
post_filter, terms/range/filter aggregations, sort with search_after) as the service does, with word
overlap standing in for BM25. What is checked: the mapping, a new version replacing the old one for
its tenant only, every request scoped to the caller's tenant, filters applied after the facets are
counted, and each fallback saying what it shows."""

import numpy as np
import pytest

from smartretail.adapters.aws_bedrock import TitanEmbedder
from smartretail.adapters.aws_opensearch import OpenSearchIndex, catalog_mapping
from smartretail.storefront.catalog import EMPTY_CATALOGUE, Product

from test_aws_search import FakeBedrock, FakeCollection


class FakeCatalogCollection(FakeCollection):
    """The copilot's fake collection (its own ids, bulk per item, indices) answering catalogue queries."""

    def _passes(self, source, clause):
        (kind, spec), = clause.items()
        if kind == "match_all":
            return True
        if kind == "bool":
            return (all(self._passes(source, c) for c in spec.get("filter", []))
                    and not any(self._passes(source, c) for c in spec.get("must_not", [])))
        (name, value), = spec.items()
        if kind == "term":
            return source.get(name) == value
        if kind == "terms":
            return source.get(name) in value
        if kind == "range":
            price = source.get(name)
            return price is not None and price >= value.get("gte", -np.inf) and price <= value.get("lte", np.inf)
        raise AssertionError(f"unexpected clause {clause}")

    def _aggregate(self, matched, aggs):
        out = {}
        for name, spec in aggs.items():
            if "terms" in spec:
                counts = {}
                for s in matched:
                    if s.get(spec["terms"]["field"]) is not None:
                        counts[s[spec["terms"]["field"]]] = counts.get(s[spec["terms"]["field"]], 0) + 1
                out[name] = {"buckets": [{"key": k, "doc_count": c} for k, c in sorted(counts.items(), key=lambda kv: -kv[1])]}
            elif "range" in spec:
                out[name] = {"buckets": [{"key": r["key"], "doc_count": sum(
                    1 for s in matched if s.get("price") is not None and r["from"] <= s["price"] < r.get("to", np.inf))}
                    for r in spec["range"]["ranges"]]}
            else:
                out[name] = {"doc_count": sum(self._passes(s, spec["filter"]) for s in matched)}
        return out

    def search(self, index, body):
        self.requests.append(body)
        query = body["query"]
        docs = list(self.docs.items())
        if "knn" in query:
            spec = query["knn"]["vector"]
            scored = [(i, float(np.dot(s["vector"], spec["vector"]))) for i, s in docs if self._passes(s, spec["filter"])]
        elif query["bool"].get("must"):
            words = set(query["bool"]["must"][0]["match"]["title"]["query"].split())
            scored = [(i, float(len(words & set(s["title"].lower().split())))) for i, s in docs
                      if self._passes(s, {"bool": {"filter": query["bool"]["filter"]}})]
            scored = [(i, score) for i, score in scored if score > 0]
        else:
            scored = [(i, 1.0) for i, s in docs if self._passes(s, query)]
        matched = [self.docs[i] for i, _ in scored]
        if "post_filter" in body:
            scored = [(i, sc) for i, sc in scored if self._passes(self.docs[i], body["post_filter"])]
        if "sort" in body:
            def key(pair):
                source = self.docs[pair[0]]
                return tuple(-source[f] if order == "desc" else source[f] for sort in body["sort"] for f, order in sort.items())
            scored.sort(key=key)
            if "search_after" in body:
                scored = [p for p in scored if tuple(self.docs[p[0]][f] for s in body["sort"] for f in s) > tuple(body["search_after"])]
        else:
            scored.sort(key=lambda pair: -pair[1])
        start = body.get("from", 0)
        hits = [{"_id": i, "_score": sc, "_source": {k: v for k, v in self.docs[i].items() if k != "vector"},
                 "sort": [self.docs[i][f] for s in body.get("sort", []) for f in s]}
                for i, sc in scored[start:start + body["size"]]]
        answer = {"hits": {"hits": hits, "total": {"value": len(scored)}}}
        if "aggs" in body:
            answer["aggregations"] = self._aggregate(matched, body["aggs"])
        return answer


PRODUCTS = [
    Product("p1", "French Door Refrigerator in Stainless Steel", "appliances", "Samsung", 1899.0, True, 120),
    Product("p2", "Top Freezer Refrigerator in White", "appliances", "LG", 899.0, False, 80),
    Product("p3", "Cordless Drill Driver Kit", "tools", "DEWALT", 99.0, True, 300),
    Product("p4", "Cordless Drill Driver", "tools", "Ryobi", 59.0, True, 150),
    Product("p5", "Interior Flat Paint", "paint", "Behr", 29.0, True, 400),
]


@pytest.fixture
def collection():
    return FakeCatalogCollection()


@pytest.fixture
def index(collection):
    search = OpenSearchIndex(collection, "copilot", TitanEmbedder(client=FakeBedrock(), dimensions=16), dimensions=16)
    search.replace_catalog("t1", PRODUCTS, "run-1")
    search.replace_catalog("t2", [Product("q1", "Garden Hose Reel", "garden", "Suncast", 49.0, True, 10)], "run-9")
    return search


def test_the_catalogue_index_has_text_gram_keyword_and_vector_fields(index, collection):
    body = collection.created["catalog"]
    assert body == catalog_mapping(16) and set(collection.created) == {"catalog"}
    fields = body["mappings"]["properties"]
    assert fields["title"]["fields"]["grams"]["analyzer"] == "title_grams" and fields["vector"]["dimension"] == 16
    assert {fields[name]["type"] for name in ("tenant_id", "version", "category")} == {"keyword"}
    stored = next(s for s in collection.docs.values() if s["item_id"] == "p5")
    assert stored["tenant_id"] == "t1" and stored["version"] == "run-1" and stored["prior"] == 1.0  # the most popular


def test_a_new_version_replaces_the_tenants_catalogue_and_leaves_other_tenants_alone(index, collection):
    assert index.replace_catalog("t1", PRODUCTS[:2], "run-2") == 2
    assert sorted((s["tenant_id"], s["version"], s["item_id"]) for s in collection.docs.values()) == [
        ("t1", "run-2", "p1"), ("t1", "run-2", "p2"), ("t2", "run-9", "q1")]


def test_words_rank_what_matches_and_every_request_is_scoped_to_the_tenant(index, collection):
    collection.requests.clear()
    page = index.search_catalog("t1", "cordless drill")
    assert [i["item_id"] for i in page.items][:2] in (["p3", "p4"], ["p4", "p3"]) and page.fallback is None
    assert page.total == 2 and page.facets["brand"] == {"DEWALT": 1, "Ryobi": 1} and page.facets["in_stock"] == 2
    assert all({"term": {"tenant_id": "t1"}} in (r["query"]["bool"]["filter"] if "bool" in r["query"]
                                                 else r["query"]["knn"]["vector"]["filter"]["bool"]["filter"])
               for r in collection.requests)
    assert index.search_catalog("t2", "cordless drill").items[0]["item_id"] == "q1"  # only its own, as close matches


def test_filters_narrow_the_page_while_facets_count_what_the_words_matched(index):
    page = index.search_catalog("t1", "refrigerator", {"in_stock": True})
    assert [i["item_id"] for i in page.items] == ["p1"] and page.total == 1
    assert page.facets["brand"] == {"Samsung": 1, "LG": 1} and page.facets["price"] == {"500-": 2}
    priced = index.search_catalog("t1", "drill", {"price_max": 70, "brand": ["Ryobi", "DEWALT"]})
    assert [i["item_id"] for i in priced.items] == ["p4"]


def test_each_fallback_says_what_it_shows(index, collection):
    close = index.search_catalog("t1", "zzqx")
    assert close.fallback == "close_matches" and close.items and "zzqx" in close.message
    within = index.search_catalog("t1", "refrigerator", {"category": ["paint"]})
    assert within.fallback == "filters_only" and [i["item_id"] for i in within.items] == ["p5"]
    assert within.facets["category"] == {"appliances": 2}  # what the words matched, before the filters
    empty = OpenSearchIndex(FakeCatalogCollection(), "copilot", TitanEmbedder(client=FakeBedrock(), dimensions=16), dimensions=16)
    nothing = empty.search_catalog("t1", "drill")
    assert nothing.items == [] and nothing.message == EMPTY_CATALOGUE
