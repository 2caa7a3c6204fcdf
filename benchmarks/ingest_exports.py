"""Reading sellers' real exports: Online Retail's invoice lines (../shared/data/online_retail) written
out the way spreadsheets and point-of-sale systems write them in four locales, then read back as a
`sales` upload by SmartRetail's validator (detecting everything but the store column) and by two
pandas pipelines, scored against the original lines.

    .venv/bin/python -m benchmarks.ingest_exports [--limit N]

Peers: `pandas_auto` is what pandas offers to read a file it was told nothing about (sep=None with
the python engine, the encoding from charset-normalizer, to_datetime(format="mixed"), to_numeric),
told every column's meaning; `pandas_told_the_locale` is a practitioner who knows each file's
encoding, delimiter, decimal mark, thousands separator, date format and currency sign and writes
them into the call: the ceiling, at the price of configuring every file by hand.

Scores per layout: `correct` = share of the lines the sales contract accepts (quantity >= 0, price > 0)
read with the original date, SKU, quantity and price; `wrong` = share of all lines accepted with a
different value (silently corrupted: worse than quarantined); rows per second of reading and typing.
"""

import argparse
import csv
import json
import shutil
import tempfile
import time
from pathlib import Path

from ._results import SHARED_DATA, write_result

SOURCE = SHARED_DATA / "online_retail" / "online_retail_to_2011-09-30.csv.gz"
XLSX_ROWS = 50_000  # openpyxl writes a workbook at ~10k rows/s: a month of lines is a realistic workbook


def _lines(limit: int):
    import pandas as pd

    frame = pd.read_csv(SOURCE, dtype={"StockCode": str, "InvoiceNo": str}, nrows=limit or None)
    frame["InvoiceDate"] = pd.to_datetime(frame["InvoiceDate"])
    return frame


def _us_time(ts) -> str:
    hour = ts.hour % 12 or 12
    return f"{ts.month}/{ts.day}/{ts.year} {hour}:{ts.minute:02d} {'AM' if ts.hour < 12 else 'PM'}"


# How each layout writes a line: headers, encoding, delimiter, and each value.
LAYOUTS = {
    "original_csv": dict(headers=["InvoiceDate", "StockCode", "Description", "Quantity", "UnitPrice", "Country"], encoding="utf-8",
                         sep=",", date=lambda t: t.strftime("%Y-%m-%d %H:%M:%S"), qty=lambda q: str(q), price=lambda p: f"{p:.2f}",
                         told=dict(encoding="utf-8", sep=",", decimal=".", thousands=None, date_format="%Y-%m-%d %H:%M:%S", currency="")),
    "excel_de_cp1252": dict(headers=["Datum", "Artikelnummer", "Beschreibung", "Menge", "Preis", "Land"], encoding="cp1252", sep=";",
                            date=lambda t: t.strftime("%d.%m.%Y %H:%M"), qty=lambda q: f"{q:,}".replace(",", "."),
                            price=lambda p: f"{p:.2f}".replace(".", ","),
                            told=dict(encoding="cp1252", sep=";", decimal=",", thousands=".", date_format="%d.%m.%Y %H:%M", currency="")),
    "excel_us_utf8_bom": dict(headers=["Date", "Item", "Description", "Qty", "Price", "Store"], encoding="utf-8-sig", sep=",",
                              date=_us_time, qty=lambda q: f"{q:,}", price=lambda p: f"${p:,.2f}",
                              told=dict(encoding="utf-8-sig", sep=",", decimal=".", thousands=",", date_format="%m/%d/%Y %I:%M %p",
                                        currency="$")),
    "pos_utf16_tab": dict(headers=["Sale Date", "SKU", "Description", "Quantity", "Unit Price", "Outlet"], encoding="utf-16", sep="\t",
                          date=lambda t: t.strftime("%d/%m/%Y %H:%M:%S"), qty=lambda q: str(q), price=lambda p: f"{p:.2f}",
                          told=dict(encoding="utf-16", sep="\t", decimal=".", thousands=None, date_format="%d/%m/%Y %H:%M:%S", currency="")),
}
STORE_HEADER = {"original_csv": "Country", "excel_de_cp1252": "Land", "excel_us_utf8_bom": "Store", "pos_utf16_tab": "Outlet",
                "workbook_xlsx": "Country"}


def _write(frame, layout: dict, path: Path) -> None:
    with open(path, "w", encoding=layout["encoding"], errors="replace", newline="") as out:
        writer = csv.writer(out, delimiter=layout["sep"], lineterminator="\r\n")
        writer.writerow(layout["headers"])
        for row in frame.itertuples(index=False):
            writer.writerow([layout["date"](row.InvoiceDate), row.StockCode, row.Description, layout["qty"](int(row.Quantity)),
                             layout["price"](row.UnitPrice), row.Country])


def _write_xlsx(frame, path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Invoices")
    sheet.append(LAYOUTS["original_csv"]["headers"])
    for row in frame.itertuples(index=False):
        sheet.append([row.InvoiceDate.to_pydatetime(), row.StockCode, row.Description, int(row.Quantity), float(row.UnitPrice), row.Country])
    book.save(path)


def _truth(frame) -> list[tuple | None]:
    """Each line as the sales contract would keep it, None for a line it rejects (a cancellation's
    negative quantity, a zero price)."""
    out = []
    for row in frame.itertuples(index=False):
        units, price = int(row.Quantity), round(float(row.UnitPrice), 2)
        out.append((row.InvoiceDate.date().isoformat(), row.StockCode, units, price) if units >= 0 and price > 0 else None)
    return out


def _score(truth: list[tuple | None], read: dict[int, tuple], seconds: float) -> dict:
    valid = sum(t is not None for t in truth)
    correct = sum(1 for i, t in enumerate(truth) if t is not None and read.get(i) == t)
    wrong = sum(1 for i, values in read.items() if truth[i] != values)
    return {"correct": round(correct / valid, 4), "wrong": round(wrong / len(truth), 4), "rows_accepted": len(read),
            "rows_per_second": round(len(truth) / seconds)}


def _smartretail(path: Path, name: str, store_header: str) -> tuple[dict[int, tuple], float, dict]:
    from smartretail.adapters.memory import MemoryObjectStore, MemoryUploadRepository
    from smartretail.ingestion.uploads import UploadLimits, UploadService
    from smartretail.ingestion.validation import ValidationService
    from smartretail.models import ReadingOptions

    store, repo = MemoryObjectStore(), MemoryUploadRepository()
    slot = UploadService(store, repo, "raw", UploadLimits(1 << 30, 60)).create(
        "bench", "u", "sales", name, None, None, ReadingOptions(column_mapping={store_header: "store_id"}))
    record = repo.get("bench", slot["upload_id"])
    store.put_bytes("raw", record.key, path.read_bytes())
    started = time.perf_counter()
    record = ValidationService(store, repo, "raw").handle_object_created("raw", record.key)
    seconds = time.perf_counter() - started
    read = {}
    if record.accepted_key:
        for line in store.objects[("raw", record.accepted_key)].decode().splitlines():
            row = json.loads(line)
            read[row["row_number"] - 2] = (row["date"], row["sku_id"], row["units"], row["price"])
    reading = record.reading.model_dump(exclude={"columns"}) if record.reading else None
    return read, seconds, {"status": record.status.value, "reason": record.reason, "reading": reading,
                           "columns": {c.header: c.column for c in record.reading.columns} if record.reading else None}


def _typed(frame, columns: list[str], dates, units, prices) -> dict[int, tuple]:
    read = {}
    ok = dates.notna() & units.notna() & prices.notna() & (units >= 0) & (prices > 0) & (units == units.round())
    for i in ok[ok].index:
        read[int(i)] = (dates[i].date().isoformat(), str(frame.at[i, columns[1]]), int(units[i]), round(float(prices[i]), 2))
    return read


def _pandas_auto(path: Path, headers: list[str]) -> tuple[dict[int, tuple], float]:
    import charset_normalizer
    import pandas as pd

    started = time.perf_counter()
    if path.suffix == ".xlsx":
        frame = pd.read_excel(path, dtype=str)
    else:
        encoding = charset_normalizer.from_path(path).best().encoding
        encoding = "utf-8-sig" if encoding == "utf_8" else encoding  # the python engine keeps a BOM in the first header
        frame = pd.read_csv(path, sep=None, engine="python", encoding=encoding, dtype=str, keep_default_na=False)
    dates = pd.to_datetime(frame[headers[0]], format="mixed", errors="coerce")
    units = pd.to_numeric(frame[headers[3]], errors="coerce")
    prices = pd.to_numeric(frame[headers[4]], errors="coerce")
    read = _typed(frame, headers, dates, units, prices)
    return read, time.perf_counter() - started


def _pandas_told(path: Path, headers: list[str], told: dict | None) -> tuple[dict[int, tuple], float]:
    import pandas as pd

    started = time.perf_counter()
    if told is None:  # a workbook: its cells are typed
        frame = pd.read_excel(path, dtype={headers[1]: str})
        dates, units, prices = pd.to_datetime(frame[headers[0]]), frame[headers[3]], frame[headers[4]]
    else:
        frame = pd.read_csv(path, sep=told["sep"], encoding=told["encoding"], thousands=told["thousands"],
                            dtype={headers[1]: str, headers[4]: str}, keep_default_na=False)
        dates = pd.to_datetime(frame[headers[0]], format=told["date_format"], errors="coerce")
        units = pd.to_numeric(frame[headers[3]], errors="coerce")
        price_text = frame[headers[4]].str.replace(told["currency"], "", regex=False) if told["currency"] else frame[headers[4]]
        if told["thousands"]:
            price_text = price_text.str.replace(told["thousands"], "", regex=False)
        prices = pd.to_numeric(price_text.str.replace(told["decimal"], ".", regex=False), errors="coerce")
    read = _typed(frame, headers, dates, units, prices)
    return read, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--limit", type=int, default=0, help="use only the first N lines (0 = all)")
    args = parser.parse_args()
    frame = _lines(args.limit)
    work = Path(tempfile.mkdtemp(prefix="ingest-exports-"))
    layouts, systems = {}, {"smartretail": {}, "pandas_auto": {}, "pandas_told_the_locale": {}}
    try:
        files = {}
        for name, layout in LAYOUTS.items():
            files[name] = (work / f"{name}.{'txt' if name.startswith('pos') else 'csv'}", frame, layout["headers"], layout["told"])
            _write(frame, layout, files[name][0])
        head = frame.head(XLSX_ROWS).reset_index(drop=True)
        files["workbook_xlsx"] = (work / "workbook.xlsx", head, LAYOUTS["original_csv"]["headers"], None)
        _write_xlsx(head, files["workbook_xlsx"][0])

        for name, (path, lines, headers, told) in files.items():
            truth = _truth(lines)
            read, seconds, how = _smartretail(path, path.name, STORE_HEADER[name])
            systems["smartretail"][name] = _score(truth, read, seconds)
            layouts[name] = {"lines": len(truth), "contract_valid": sum(t is not None for t in truth), "bytes": path.stat().st_size,
                             "smartretail_read_it_as": how}
            for peer, run in (("pandas_auto", lambda: _pandas_auto(path, headers)), ("pandas_told_the_locale", lambda: _pandas_told(path, headers, told))):
                try:
                    peer_read, peer_seconds = run()
                    systems[peer][name] = _score(truth, peer_read, peer_seconds)
                except Exception as exc:  # a peer that cannot read a layout at all scores nothing on it
                    systems[peer][name] = {"correct": 0.0, "wrong": 0.0, "rows_accepted": 0, "error": f"{type(exc).__name__}: {str(exc)[:160]}"}
            print(name, {s: systems[s][name] for s in systems}, flush=True)
        for results in systems.values():
            results["mean_correct"] = round(sum(r["correct"] for r in results.values()) / len(files), 4)
            results["mean_wrong"] = round(sum(r["wrong"] for r in results.values() if isinstance(r, dict)) / len(files), 4)
        write_result("ingest_exports", f"{SOURCE.relative_to(SHARED_DATA.parent.parent)} ({len(frame)} invoice lines; the workbook holds "
                     f"the first {len(head)}), written in five layouts", systems, layouts=layouts,
                     notes="SmartRetail is told only which column is the store (Country has no synonym); both pandas peers are "
                           "told every column. Rows per second cover reading and typing (SmartRetail: the validator's whole run, "
                           "writing accepted and quarantined rows included).")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
