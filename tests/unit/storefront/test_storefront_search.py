"""Catalogue search: what shoppers type (units, misspellings, synonyms) finds what catalogues print;
filters and facets; and a query that matches nothing says so and still shows something."""

import pytest

from smartretail.adapters.local_search import ObjectStoreSearchIndex
from smartretail.adapters.memory import MemoryObjectStore
from smartretail.search.embedder import WordLlamaEmbedder
from smartretail.storefront.catalog import EMPTY_CATALOGUE
from smartretail.storefront.search import CatalogSearch, Product, normalise

PRODUCTS = [
    Product("p1", "Samsung 28 cu. ft. French Door Refrigerator in Stainless Steel", "appliances", "Samsung", 1899.0, True, 120),
    Product("p2", "LG 24 cu. ft. Top Freezer Refrigerator in White", "appliances", "LG", 899.0, False, 80),
    Product("p3", "DEWALT 20-Volt MAX Cordless Drill/Driver Kit", "tools", "DEWALT", 99.0, True, 300),
    Product("p4", "Ryobi 18-Volt ONE+ Cordless Drill Driver", "tools", "Ryobi", 59.0, True, 150),
    Product("p5", "2 in. x 4 in. x 8 ft. Premium Kiln-Dried Whitewood Stud", "lumber", None, 3.5, True, 900),
    Product("p6", "Behr Premium Plus 1 gal. Flat Interior Paint", "paint", "Behr", 29.0, True, 400),
    Product("p7", "Everbilt #8 x 1-1/4 in. Phillips Wood Screw (100-Pack)", "hardware", "Everbilt", 6.0, True, 500),
]


@pytest.fixture(scope="module")
def shop():
    return CatalogSearch(PRODUCTS, embedder=WordLlamaEmbedder())


def test_units_are_written_one_way_in_queries_and_titles():
    assert normalise("2x4x8") == normalise("2 x 4 x 8")
    assert normalise('1/2" pipe') == "1/2 in pipe"
    assert normalise("5 Gallon bucket") == normalise("5 gal. bucket") == "5 gal bucket"
    assert normalise("20V drill") == "20 volt drill"


def test_a_misspelled_query_finds_what_was_meant(shop):
    assert shop.understand("cordles dril") == "cordless drill"
    assert shop.search("cordles dril").items[0]["item_id"] in {"p3", "p4"}


def test_a_shoppers_word_finds_the_catalogues_word(shop):
    assert shop.search("fridge").items[0]["item_id"] in {"p1", "p2"}


def test_units_typed_differently_still_match(shop):
    assert shop.search("2x4x8 stud").items[0]["item_id"] == "p5"
    assert shop.search("paint 1 gallon").items[0]["item_id"] == "p6"


def test_filters_narrow_the_results_and_facets_count_what_matched(shop):
    page = shop.search("refrigerator", filters={"in_stock": True})
    assert [i["item_id"] for i in page.items] == ["p1"]
    assert page.facets["brand"] == {"Samsung": 1, "LG": 1}
    assert page.facets["in_stock"] == 1
    priced = shop.search("drill", filters={"price_max": 70})
    assert [i["item_id"] for i in priced.items] == ["p4"]


def test_a_query_that_matches_nothing_says_so_and_shows_popular_products(shop):
    page = shop.search("zzqx")
    assert page.items and page.fallback in {"close_matches", "popular"}
    assert "zzqx" in page.message


def test_nothing_within_the_filters_falls_back_to_the_filters_best_sellers(shop):
    page = shop.search("refrigerator", filters={"category": ["paint"]})
    assert page.fallback == "filters_only"
    assert [i["item_id"] for i in page.items] == ["p6"]
    assert "within the filters" in page.message


def test_pages_do_not_overlap(shop):
    first, second = shop.search("in", page=1, page_size=2), shop.search("in", page=2, page_size=2)
    assert not {i["item_id"] for i in first.items} & {i["item_id"] for i in second.items}


def test_the_local_index_searches_what_the_loader_indexed_in_another_process_and_follows_new_versions():
    store = MemoryObjectStore()
    loader = ObjectStoreSearchIndex(store, "search", WordLlamaEmbedder)
    storefront = ObjectStoreSearchIndex(store, "search", WordLlamaEmbedder, catalog_check_seconds=0)
    assert storefront.search_catalog("t1", "drill").message == EMPTY_CATALOGUE
    assert loader.replace_catalog("t1", PRODUCTS, "run-1") == len(PRODUCTS)
    assert storefront.search_catalog("t1", "cordless drill").items[0]["item_id"] in {"p3", "p4"}
    loader.replace_catalog("t1", PRODUCTS[:2], "run-2")
    assert {i["item_id"] for i in storefront.search_catalog("t1", "drill").items} <= {"p1", "p2"}
    assert storefront.search_catalog("t2", "drill").message == EMPTY_CATALOGUE  # another tenant's catalogue is apart


def test_words_written_joined_or_hyphenated_find_each_other():
    shop = CatalogSearch([Product("d1", "Masonite 2-Panel Bi-fold Closet Door"), Product("d2", "Prehung Interior Door"),
                          Product("k1", "Kwikset Satin Nickel Entry Lever", brand="Kwikset"), Product("k2", "Set of Cabinet Knobs")],
                         embedder=WordLlamaEmbedder())
    assert shop.search("bifold door").items[0]["item_id"] == "d1"
    assert "kwikset" in shop.understand("kwik set lever").split()
    assert shop.search("kwik set lever").items[0]["item_id"] == "k1"
