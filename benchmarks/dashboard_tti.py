"""Time to interactive of the dashboard's overview on the local stack: from opening the page to every
section of the overview drawn (tiles, top actions, open alerts, the forecast chart), signing in on
the way, in Debian's Chromium. The first visit after `./dev up` meets cold functions; then the median
of 5 more visits, each in a new browser context (a new sign-in, nothing cached).

    ./dev up                                  # in another terminal; prints the demo seller's login
    .venv/bin/python -m benchmarks.dashboard_tti --user demo-seller --password '...'
"""

import argparse
import statistics
import time

from playwright.sync_api import sync_playwright

from ._results import write_result

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
SETTLED = """() => document.querySelector('main .tiles .tile') !== null
    && document.querySelector('main .chart canvas') !== null
    && document.querySelectorAll('main .loading').length === 0"""


def visit(browser, url: str, user: str, password: str) -> dict[str, float]:
    context = browser.new_context(viewport={"width": 1366, "height": 900}, service_workers="block")
    page = context.new_page()
    started = time.perf_counter()
    page.goto(url)
    page.get_by_label("User name").wait_for()
    shell = time.perf_counter()
    page.get_by_label("User name").fill(user)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    signed_in = time.perf_counter()
    page.wait_for_function(SETTLED, timeout=120_000)
    done = time.perf_counter()
    context.close()
    return {"shell_ms": round((shell - started) * 1000), "overview_after_sign_in_ms": round((done - signed_in) * 1000),
            "total_ms": round((done - started) * 1000)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8090/")
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        first = visit(browser, args.url, args.user, args.password)
        warm = [visit(browser, args.url, args.user, args.password) for _ in range(args.runs)]
        browser.close()
    median = {key: statistics.median(v[key] for v in warm) for key in first}
    print(f"first visit: {first}\nmedian of {args.runs} more: {median}")
    write_result("dashboard_tti", "the demo tenant of ./dev up (36 SKUs x 5 stores, two years)",
                 {"smartretail": {"first_visit": first, "median_warm": median, "runs": warm}},
                 note="overview settled = KPI tiles, top actions, open alerts and the forecast chart drawn; the first "
                      "visit after ./dev up starts the API function's first queries (DuckDB reading the curated Parquet)")


if __name__ == "__main__":
    main()
