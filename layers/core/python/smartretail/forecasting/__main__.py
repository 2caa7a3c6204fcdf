"""python -m smartretail.forecasting --history H.csv --future F.csv [--stores store.csv] --out forecast.csv"""

import argparse
import sys
import time
from pathlib import Path

from .files import forecast_files


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m smartretail.forecasting", description=__doc__)
    parser.add_argument("--history", type=Path, required=True, help="sales history: Rossmann train.csv layout or the sales contract")
    parser.add_argument("--future", type=Path, required=True, help="future drivers for the days to forecast (no sales)")
    parser.add_argument("--stores", type=Path, help="Rossmann store.csv (default: store.csv beside the history file)")
    parser.add_argument("--out", type=Path, required=True, help="where to write one row per series and day with p10, p50, p90")
    args = parser.parse_args()
    started = time.perf_counter()
    try:
        rows = forecast_files(args.history, args.future, args.out, args.stores)
    except (ValueError, FileNotFoundError, KeyError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {rows} rows to {args.out} in {time.perf_counter() - started:.0f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
