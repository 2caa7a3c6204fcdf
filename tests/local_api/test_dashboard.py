"""The dashboard in a real browser: Debian's chromium driven by Playwright, through the local stack,
signed in as real Cognito users. Every journey end to end, an accessibility scan (axe-core) of each
page with no serious or critical violation, and a screenshot of each page kept in
tests/artifacts/screenshots (the README shows them)."""

import csv
import io
import json
import shutil
import time

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from local_stack.stack import http_json
from local_stack.template import ROOT
from smartretail.documents.generator import documents, render_pdf

TRAINED_TENANT = "tenant-f"  # the trained_tenant fixture's

ARTIFACTS = ROOT / "tests" / "artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
# Headless Chromium on a machine with no route out: without these it keeps trying Google's hosts.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]
PORT = 8090  # the test stage's API allows the dashboard's origin on this port only
STORE = "S01"
SKU = "BEV-001"
SLOW = 60_000  # ms: a page's first API calls start the local functions
expect.set_options(timeout=SLOW)


@pytest.fixture(scope="module")
def site(local, trained_tenant):
    """The dashboard's build served by the local stack, its users: the trained tenant's seller, manager
    and admin, and tenant-a's seller and manager (documents and alerts, kept out of the trained
    tenant's alert tests)."""
    local.load_knowledge(ROOT / "knowledge")
    url = local.serve_dashboard(PORT)
    users = {role: local.create_user(f"f-web-{role}", TRAINED_TENANT, f"{role}s") for role in ("seller", "manager", "admin")}
    users["a-seller"] = local.users._users["seller"]
    users["a-manager"] = local.users._users["manager"]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return url, users


@pytest.fixture(scope="module")
def browser():
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def open_as(browser, site, who: str, path: str = "", viewport=None, service_workers="block") -> Page:
    """A fresh browser context signed in through the sign-in form, at `path` (a #/ route)."""
    url, users = site
    context = browser.new_context(viewport=viewport or {"width": 1366, "height": 900}, accept_downloads=True,
                                  service_workers=service_workers)
    context.add_init_script(path=str(AXE))  # injected by the browser, not the page: its CSP still holds
    context.set_default_timeout(SLOW)
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.goto(url + "/" + path)
    page.get_by_label("User name").fill(users[who].username)
    page.get_by_label("Password").fill(users[who].password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("navigation", name="Pages")).to_contain_text("Overview")
    return page


def settled(page: Page) -> None:
    """Every section has loaded (no loading message left)."""
    expect(page.locator("main .loading")).to_have_count(0, timeout=SLOW)


def accessible(page: Page, name: str) -> None:
    """axe-core on the page as shown: no serious or critical violation; every result kept."""
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    found = [{"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": len(v["nodes"])} for v in result["violations"]]
    report = ARTIFACTS / "axe.json"
    kept = json.loads(report.read_text()) if report.exists() else {}
    kept[name] = found
    report.write_text(json.dumps(kept, indent=2))
    serious = [v for v in found if v["impact"] in ("serious", "critical")]
    assert not serious, f"{name}: {serious}"


def screenshot(page: Page, name: str) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def no_errors(page: Page) -> None:
    assert page.errors == [], page.errors


def test_the_overview_shows_kpis_actions_alerts_and_forecast_against_actuals(browser, site):
    url, users = site
    started = time.monotonic()
    page = open_as(browser, site, "seller")
    tiles = page.get_by_role("region", name="Key figures")
    for label in ("Revenue", "Gross margin", "Forecast accuracy", "Stockout rate", "Inventory turns"):
        expect(tiles).to_contain_text(label)
    expect(tiles).to_contain_text("WAPE")  # the live model's
    expect(page.locator(".chart canvas").first).to_be_visible()
    settled(page)
    interactive = time.monotonic() - started
    (ARTIFACTS / "overview_time_to_interactive.json").write_text(json.dumps({"seconds_from_sign_in_page_to_settled_overview": round(interactive, 2)}))
    expect(tiles).to_contain_text("vs previous period")
    expect(page.get_by_role("region", name="Top actions today")).to_contain_text("·")
    expect(page.get_by_role("region", name="Open alerts")).to_be_visible()
    accessible(page, "overview")
    screenshot(page, "overview")
    no_errors(page)


def band_pixels(page: Page) -> int:
    """Pixels of the chart's P10-P90 band colour (rgba(31,111,178,.18)) on its canvas."""
    return page.evaluate("""() => {
        const canvas = document.querySelector('.chart canvas');
        const d = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        let n = 0;
        for (let i = 0; i < d.length; i += 4)
            if (Math.abs(d[i] - 31) < 10 && Math.abs(d[i + 1] - 111) < 10 && Math.abs(d[i + 2] - 178) < 10 && d[i + 3] > 25 && d[i + 3] < 80) n++;
        return n;
    }""")


def test_the_forecast_draws_its_band_and_exports_csv_and_json(browser, site):
    page = open_as(browser, site, "seller", f"#/forecast?store_id={STORE}&sku_id={SKU}&horizon_days=28")
    expect(page.locator(".chart canvas").first).to_be_visible()
    settled(page)
    assert band_pixels(page) > 500
    page.get_by_text("Show the data").first.click()
    expect(page.locator("figure table").first).to_contain_text("P10–P90 low")
    expect(page.get_by_role("region", name="Drivers")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("button", name="Export CSV").click()
    rows = list(csv.DictReader(io.StringIO(open(download.value.path()).read())))
    assert len(rows) == 28 and rows[0]["sku_id"] == SKU and float(rows[0]["yhat_lower"]) <= float(rows[0]["yhat"]) <= float(rows[0]["yhat_upper"])
    expected = sum(float(r["expected"]) for r in rows)  # the page states the same total the export and the reorder plans use
    expect(page.get_by_text(f"Expected over the next 28 days: {expected:,.0f} units")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("button", name="Export JSON").click()
    assert json.loads(open(download.value.path()).read())["forecasts"][0]["sku_id"] == SKU
    accessible(page, "forecast")
    screenshot(page, "forecast")
    no_errors(page)


def test_a_price_simulation_updates_and_a_proposal_goes_through_approval(browser, site):
    page = open_as(browser, site, "seller", f"#/pricing?store_id={STORE}&sku_id={SKU}")
    expect(page.get_by_role("region", name="Price evidence")).to_contain_text("Recommended")
    expect(page.get_by_role("region", name="Price evidence")).to_contain_text("Competitor band")
    what_if = page.locator("#whatif-value")
    expect(what_if).to_contain_text("At ")
    candidate = page.get_by_label("Candidate price", exact=True)
    first = what_if.inner_text()
    candidate.fill("1.99")
    candidate.dispatch_event("change")
    expect(what_if).to_have_text("At 1.99:")
    assert what_if.inner_text() != first
    expect(page.get_by_role("region", name="What if the price were …")).to_contain_text("revenue")
    expect(page.get_by_role("region", name="What if the price were …")).to_contain_text("Fails min margin")  # far below cost
    expect(page.locator("figure .chart canvas").first).to_be_visible()
    settled(page)
    accessible(page, "pricing")
    page.get_by_role("button", name="Propose").click()
    proposals = page.get_by_role("region", name="Proposals for this SKU")
    expect(proposals).to_contain_text("proposed by")
    screenshot(page, "pricing")
    no_errors(page)

    manager = open_as(browser, site, "manager", f"#/pricing?store_id={STORE}&sku_id={SKU}")
    proposals = manager.get_by_role("region", name="Proposals for this SKU")
    proposals.get_by_role("button", name="approve").first.click()
    expect(proposals).to_contain_text("approved by")
    proposals.get_by_role("button", name="apply").first.click()
    expect(proposals).to_contain_text("applied by")
    with manager.expect_download() as download:
        proposals.get_by_role("button", name="apply payload (CSV)").first.click()
    payload = list(csv.DictReader(io.StringIO(open(download.value.path()).read())))
    assert payload and payload[0]["sku_id"] == SKU
    no_errors(manager)


def test_inventory_shows_each_series_reorder_plan_and_why(browser, site):
    page = open_as(browser, site, "seller", f"#/inventory?store_id={STORE}")
    plans = page.get_by_role("region", name=f"Reorder plans at {STORE}")
    for header in ("Safety stock", "Reorder point", "Order", "Stockout risk", "Why"):
        expect(plans.get_by_role("columnheader", name=header, exact=True)).to_be_visible()
    expect(plans.locator("tbody tr")).to_have_count(6)  # one per SKU of the trained tenant's store
    expect(plans).to_contain_text("safety stock")
    accessible(page, "inventory")
    screenshot(page, "inventory")
    no_errors(page)


def test_an_uploaded_invoice_gets_its_status_and_field_boxes_its_alert_is_acknowledged_and_a_manager_reviews_it(browser, site, local):
    url, users = site
    doc = next(d for d in documents(seed=23) if d.broken == "totals_mismatch")
    page = open_as(browser, site, "a-seller", "#/documents")
    page.get_by_label("Document type").select_option("invoice")
    page.get_by_label("File (PDF or image)").set_input_files(files=[{"name": "browser-invoice.pdf", "mimeType": "application/pdf",
                                                                     "buffer": render_pdf(doc)}])
    page.get_by_role("button", name="Upload and check").click()
    expect(page.get_by_role("heading", name="browser-invoice.pdf")).to_be_visible()
    expect(page.locator(".badge").first).to_have_text("fail", timeout=120_000)
    expect(page.get_by_role("list", name="Why it failed")).to_contain_text("total")
    expect(page.locator(".page-image canvas")).to_be_visible()
    expect(page.locator(".page-image .box").first).to_be_attached()
    assert page.locator(".page-image .box").count() >= 5
    assert page.locator(".page-image .box.failed").count() >= 1
    page.get_by_role("button", name="invoice number").click()
    expect(page.locator(".page-image .box.active")).to_have_count(1)
    doc_id = page.url.rsplit("/", 1)[1]
    settled(page)
    accessible(page, "document")
    screenshot(page, "document")
    no_errors(page)

    page.goto(url + "/#/alerts?status=open")
    row = page.locator("tr", has_text=doc_id)
    expect(row).to_contain_text("hold payment")  # the recommended action
    row.get_by_role("button", name="acknowledge").click()
    expect(page.get_by_role("status").first).to_contain_text("acknowledged")
    _, body = http_json("GET", f"{local.api_url}/alerts?type=compliance_failure", local.users.token("seller"))
    assert [a["status"] for a in body["alerts"] if a["details"]["doc_id"] == doc_id] == ["acknowledged"]
    page.goto(url + "/#/alerts")
    settled(page)
    accessible(page, "alerts")
    screenshot(page, "alerts")

    manager = open_as(browser, site, "a-manager", f"#/documents/{doc_id}")
    review = manager.get_by_role("form", name="Review and correct")
    review.get_by_label("Decision").select_option("fail")
    review.get_by_label("Note (what you checked)").fill("Totals checked against the supplier's statement: they do not add up.")
    review.get_by_role("button", name="Save review").click()
    expect(manager.locator(".badge").first).to_have_text("reviewed fail")
    no_errors(manager)


def test_a_copilot_question_gets_a_cited_answer_with_its_tools_linked(browser, site):
    page = open_as(browser, site, "seller", "#/copilot")
    page.get_by_role("button", name="What is the damaged goods policy?").click()
    answer = page.get_by_role("article", name="Copilot answered").last
    expect(answer).to_contain_text("damaged")
    answer.get_by_text("Sources (1)").click()
    expect(answer).to_contain_text("returns-and-damaged-goods")
    page.get_by_role("textbox", name="Question").fill(f"Should I drop the price of {SKU} in {STORE}?")
    page.get_by_role("button", name="Ask").click()
    answer = page.get_by_role("article", name="Copilot answered").nth(1)
    expect(answer).to_contain_text("Recommended price")
    badge = answer.locator(".tool-badge", has_text="PricingTool")
    expect(badge).to_contain_text(f"store_id={STORE}")
    settled(page)
    accessible(page, "copilot")
    screenshot(page, "copilot")
    badge.click()
    expect(page.get_by_role("region", name="Price evidence")).to_contain_text("Recommended")
    no_errors(page)


def test_admin_shows_models_policy_audit_and_uploads_and_only_to_managers_and_admins(browser, site):
    page = open_as(browser, site, "admin", "#/admin")
    expect(page.get_by_role("region", name="Forecast models")).to_contain_text("live")
    expect(page.get_by_role("form", name="Tenant policy")).to_contain_text("pricing")
    expect(page.get_by_role("region", name="Audit log")).to_be_visible()
    expect(page.get_by_role("region", name="Uploads and quarantine")).to_contain_text("validated")
    settled(page)
    accessible(page, "admin")
    screenshot(page, "admin")
    no_errors(page)
    seller = open_as(browser, site, "seller", "#/admin")
    expect(seller.get_by_role("navigation", name="Pages")).not_to_contain_text("Admin")
    expect(seller.locator("main")).to_contain_text("Your group may not use this page.")


def test_a_data_file_is_previewed_then_uploaded_with_its_quarantined_rows_explained(browser, site):
    page = open_as(browser, site, "a-seller", "#/uploads")
    upload_form = page.locator("form[aria-label='Upload a data file']")
    # A column the preview cannot place is mapped by hand, and the preview reads the file again with it.
    unnamed = "date,store_id,sku_id,stueckzahl_ab,price\n2026-01-05,S01,BEV-001,3,2.50\n"
    page.get_by_label("File (CSV, TSV, JSON Lines or Excel)").set_input_files(
        files=[{"name": "browser-unnamed.csv", "mimeType": "text/csv", "buffer": unnamed.encode()}])
    upload_form.get_by_label("Your column for units").select_option("stueckzahl_ab")
    expect(upload_form).to_contain_text("1 of 1 rows would be accepted")
    sales = "date,store_id,sku_id,units,price\n2026-01-05,S01,BEV-001,3,2.50\n2026-01-05,S01,BEV-002,-4,2.50\n"
    page.get_by_label("File (CSV, TSV, JSON Lines or Excel)").set_input_files(
        files=[{"name": "browser-sales.csv", "mimeType": "text/csv", "buffer": sales.encode()}])
    expect(page.locator("form[aria-label='Upload a data file']")).to_contain_text("would be accepted")
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text("quarantined")
    expect(page.get_by_role("region", name="Recent uploads")).to_contain_text("browser-sales.csv")
    settled(page)
    accessible(page, "uploads")
    screenshot(page, "uploads")
    no_errors(page)


def test_markup_from_data_is_shown_as_text_and_the_token_stays_in_memory(browser, site):
    url, _ = site
    page = open_as(browser, site, "seller", "#/overview")
    hostile = '<img src=x onerror="window.pwned=1">'
    page.route("**/alerts?*", lambda route: route.fulfill(json={"alerts": [
        {"alert_id": "al-x", "type": "price_anomaly", "severity": "high", "title": hostile, "status": "open", "details": {},
         "reason": hostile, "recommended_action": hostile, "sku_id": hostile, "store_id": "S01"}]}))
    page.goto(url + "/#/alerts")
    expect(page.locator("main table")).to_contain_text(hostile)
    assert page.locator("main table img").count() == 0
    assert page.evaluate("() => window.pwned") is None
    assert page.evaluate("() => [localStorage.length, sessionStorage.length, document.cookie]") == [0, 0, ""]
    headers = page.request.get(url + "/").headers
    assert "script-src 'self'" in headers["content-security-policy"] and "frame-ancestors 'none'" in headers["content-security-policy"]
    page.reload()  # the token was in memory only: a reload asks to sign in again
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()


def test_a_first_sign_in_sets_up_the_authenticator_app(browser, site, local):
    url, users = site
    real_token = local.id_token(users["seller"].username, users["seller"].password)
    calls = []

    def cognito(route):
        request = route.request
        action = request.headers["x-amz-target"].rsplit(".", 1)[1]
        calls.append(action)
        answers = {
            "InitiateAuth": {"ChallengeName": "MFA_SETUP", "Session": "s1"},
            "AssociateSoftwareToken": {"SecretCode": "JBSWY3DPEHPK3PXP", "Session": "s2"},
            "VerifySoftwareToken": {"Status": "SUCCESS", "Session": "s3"},
            "RespondToAuthChallenge": {"AuthenticationResult": {"IdToken": real_token}},
        }
        route.fulfill(json=answers[action])

    context = browser.new_context(service_workers="block")
    page = context.new_page()
    page.route(f"{local.endpoint}/", cognito)
    page.goto(url + "/")
    page.get_by_label("User name").fill("new-user")
    page.get_by_label("Password").fill("Temp-Passw0rd!")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#challenge-prompt")).to_contain_text("JBSWY3DPEHPK3PXP")
    page.get_by_label("Code").fill("123456")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("navigation", name="Pages")).to_contain_text("Overview")
    assert calls == ["InitiateAuth", "AssociateSoftwareToken", "VerifySoftwareToken", "RespondToAuthChallenge"]


def test_on_a_phone_the_overview_fits_and_the_app_installs(browser, site):
    url, _ = site
    page = open_as(browser, site, "seller", "#/overview", viewport={"width": 390, "height": 844}, service_workers="allow")
    expect(page.get_by_role("region", name="Key figures")).to_contain_text("Revenue")
    settled(page)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 391
    screenshot(page, "overview-phone")
    manifest = page.request.get(url + "/manifest.webmanifest").json()
    assert manifest["display"] == "standalone" and {i["sizes"] for i in manifest["icons"]} >= {"192x192", "512x512"}
    assert page.evaluate("() => navigator.serviceWorker.ready.then(r => Boolean(r.active))")
    # Keyboard users: the first stop of the page skips the menu to the content.
    first = page.evaluate("() => document.querySelector('a[href], button, input, select, textarea').textContent")
    assert first == "Skip to content"
    page.get_by_role("link", name="Skip to content").focus()
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
