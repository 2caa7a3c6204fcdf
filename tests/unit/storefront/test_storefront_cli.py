"""The from-files entry points: every shopper in the file gets k new items; every query k products;
a file without the columns it needs is refused with the column named."""

import csv
import subprocess
import sys

import pandas as pd


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "smartretail.storefront", *args], capture_output=True, text=True, timeout=300)


def test_recommend_writes_k_new_items_for_every_shopper(tmp_path, events, items):
    events.to_csv(tmp_path / "interactions.csv", index=False)
    items.to_csv(tmp_path / "items.csv", index=False)
    done = _run("recommend", "--interactions", str(tmp_path / "interactions.csv"), "--items", str(tmp_path / "items.csv"),
                "--k", "4", "--out", str(tmp_path / "recs.csv"))
    assert done.returncode == 0, done.stderr
    recs = pd.read_csv(tmp_path / "recs.csv", dtype=str)
    assert list(recs.columns) == ["user_id", "item_id", "rank"]
    assert set(recs["user_id"]) == set(events["user_id"])
    assert (recs.groupby("user_id").size() == 4).all()
    owned = set(zip(events["user_id"], events["item_id"]))
    assert not owned & set(zip(recs["user_id"], recs["item_id"]))


def test_search_writes_ranked_products_for_every_query(tmp_path):
    with open(tmp_path / "products.csv", "w", newline="") as f:
        csv.writer(f).writerows([["product_uid", "product_title"], ["1", "cordless drill 20 volt"], ["2", "wood screw 100 pack"],
                                 ["3", "interior paint 1 gal"]])
    (tmp_path / "queries.csv").write_text("search_term\ndril\nscrews\n")
    done = _run("search", "--products", str(tmp_path / "products.csv"), "--queries", str(tmp_path / "queries.csv"),
                "--k", "2", "--out", str(tmp_path / "results.csv"))
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(open(tmp_path / "results.csv")))
    assert [(r["search_term"], r["product_uid"], r["rank"]) for r in rows if r["rank"] == "1"] == [("dril", "1", "1"), ("screws", "2", "1")]


def test_a_file_missing_a_column_is_refused_naming_it(tmp_path):
    (tmp_path / "interactions.csv").write_text("customer,item_id,timestamp\nc1,i1,2025-01-01\n")
    done = _run("recommend", "--interactions", str(tmp_path / "interactions.csv"), "--out", str(tmp_path / "r.csv"))
    assert done.returncode == 2
    assert "missing column(s) user_id" in done.stderr
