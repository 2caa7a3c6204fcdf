"""Storefront recommendations and search from files, for evaluation and analysts.

    python -m smartretail.storefront recommend --interactions F.csv [--items I.csv] --k 10 --out recs.csv
    python -m smartretail.storefront search --products P.csv --queries Q.csv --k 100 --out results.csv

recommend: interactions `user_id,item_id,timestamp[,event_type,quantity,store_id,price]`; items
`item_id,title[,category,brand,price]`; writes `user_id,item_id,rank` (k rows for every shopper in the
file, none of them an item that shopper already has).
search: products `product_uid,product_title[,category,brand,price,stock,popularity]` (or `item_id,title`);
queries one `search_term` a row; writes `search_term,product_uid,rank`.
"""

import argparse
import csv
import sys
import time
from pathlib import Path


def recommend(args: argparse.Namespace) -> str:
    from ..search.embedder import WordLlamaEmbedder
    from .interactions import read_interactions, read_items
    from .recommend import Recommender

    loaded = read_interactions(args.interactions)
    if loaded.frame.empty:
        raise ValueError(f"{args.interactions}: no usable interaction ({loaded.reasons or 'the file has no rows'})")
    items = read_items(args.items) if args.items else None
    model = Recommender(embedder=WordLlamaEmbedder() if items is not None else None).fit(loaded.frame, items)
    users = list(dict.fromkeys(loaded.frame["user_id"]))
    ranked = model.recommend(users, k=args.k)
    with open(args.out, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["user_id", "item_id", "rank"])
        for user in users:
            for rank, rec in enumerate(ranked[user], start=1):
                writer.writerow([user, rec.item_id, rank])
    dropped = f"; {loaded.rows_dropped} rows skipped ({', '.join(f'{k}: {v}' for k, v in loaded.reasons.items())})" if loaded.rows_dropped else ""
    return f"{len(users)} shoppers{dropped}"


def _column(row: dict, *names: str) -> str | None:
    return next((row[n] for n in names if row.get(n) not in (None, "")), None)


def read_products(path: Path):
    from .search import Product

    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        header = reader.fieldnames or []
        if not ({"product_uid", "item_id"} & set(header) and {"product_title", "title"} & set(header)):
            raise ValueError(f"{path}: needs product_uid and product_title (or item_id and title); found {', '.join(header)}")
        products = []
        for row in reader:
            item, title = _column(row, "product_uid", "item_id"), _column(row, "product_title", "title") or ""
            if not item:
                continue
            number = lambda name: float(row[name]) if row.get(name) not in (None, "") else None  # noqa: E731
            stock = number("stock")
            products.append(Product(item, title, _column(row, "category"), _column(row, "brand"), number("price"),
                                    stock is None or stock > 0, number("popularity") or 0.0))
    return products


def search(args: argparse.Namespace) -> str:
    from ..search.embedder import WordLlamaEmbedder
    from .search import CatalogSearch

    products = read_products(args.products)
    with open(args.queries, newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        if "search_term" not in (reader.fieldnames or []):
            raise ValueError(f"{args.queries}: needs a search_term column; found {', '.join(reader.fieldnames or [])}")
        queries = list(dict.fromkeys(row["search_term"] for row in reader if row["search_term"]))
    index = CatalogSearch(products, embedder=WordLlamaEmbedder())
    with open(args.out, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["search_term", "product_uid", "rank"])
        for query in queries:
            for rank, (item, _) in enumerate(index.rank(query, args.k), start=1):
                writer.writerow([query, item, rank])
    return f"{len(queries)} queries over {len(products)} products"


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m smartretail.storefront", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    rec = commands.add_parser("recommend", help="top k new items for every shopper in an interactions file")
    rec.add_argument("--interactions", type=Path, required=True)
    rec.add_argument("--items", type=Path)
    rec.add_argument("--k", type=int, default=10)
    rec.add_argument("--out", type=Path, required=True)
    find = commands.add_parser("search", help="top k products for every query in a file")
    find.add_argument("--products", type=Path, required=True)
    find.add_argument("--queries", type=Path, required=True)
    find.add_argument("--k", type=int, default=100)
    find.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    if args.k < 1:
        parser.error("--k must be at least 1")
    started = time.perf_counter()
    try:
        done = recommend(args) if args.command == "recommend" else search(args)
    except (ValueError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {args.out}: {done} in {time.perf_counter() - started:.0f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
