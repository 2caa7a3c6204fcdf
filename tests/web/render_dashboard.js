// Runs web/app.js in Node against a stand-in DOM and a stand-in API whose every string is hostile
// markup, signs in, opens every panel, and prints what the page would hold: each element's HTML,
// and whether anything was written to web storage. With the argument `mfa`, Cognito asks the user to
// set up an authenticator app first (the calls made are printed too). tests/web/test_dashboard.py
// checks the output.
"use strict";
const fs = require("fs");
const path = require("path");
const vm = require("vm");

const HOSTILE = '<img src=x onerror="alert(1)">';
const MFA = process.argv[2] === "mfa";
const cognitoCalls = [];
const apiCalls = [];
const storage = [];
const elements = {};

function element(id) {
  if (!elements[id]) {
    const listeners = {};
    elements[id] = {
      id, innerHTML: "", textContent: "", hidden: false, disabled: false, value: "", dataset: {},
      start: { value: "" }, end: { value: "" }, store_id: { value: "S01" }, sku_id: { value: "A" },
      objective: { value: "maximize_margin" }, category: { value: "" }, candidate: { value: "3" },
      username: { value: "seller" }, password: { value: "pw" }, date_order: { value: "", focus() {} }, decimal_separator: { value: "" },
      file: { files: [{ name: "sales.csv", size: 12, slice() { return this; }, arrayBuffer: async () => new Uint8Array([104, 105]).buffer }] },
      listeners,
      addEventListener(type, fn) { listeners[type] = fn; },
      querySelector() { return element(`${id}-child`); },
      reset() {},
    };
  }
  return elements[id];
}

const webStorage = {
  getItem(k) { storage.push(`get ${k}`); return null; },
  setItem(k) { storage.push(`set ${k}`); },
  removeItem(k) { storage.push(`remove ${k}`); },
};

function jwt(claims) {
  const part = (o) => Buffer.from(JSON.stringify(o)).toString("base64url");
  return `${part({ alg: "none" })}.${part(claims)}.sig`;
}

const H = HOSTILE;
const answers = {
  "/kpis": { currency: H, kpis: { revenue: 1, units: 2, average_selling_price: 3, promo_share: 0.1, stockout_days: 0 },
             daily: [{ date: H, revenue: 5 }, { date: H, revenue: 7 }] },
  "/ingest": { uploads: [{ file_name: H, dataset: H, status: H, rows_accepted: H, rows_quarantined: H, created_at: H,
                           reason: H, reason_counts: { [H]: 2 } }] },
  "/ingest/sales/preview": { status: H, message: H, complete: true, options: { column_mapping: { [H]: H } }, headers: [H], missing_columns: [H],
                             dataset_columns: [{ name: H, required: true }], choice: { option: "date_order", values: [H] },
                             reading: { format: H, encoding: H, delimiter: H, sheet: H, date_order: H, date_order_by: H, decimal_separator: H,
                                        decimal_separator_by: H, normalised: { [H]: 3 }, columns: [{ header: H, column: H, by: H }] },
                             rows: [{ row_number: H, values: { [H]: H }, parsed: { [H]: H }, problems: [] },
                                    { row_number: H, values: null, parsed: null, problems: [H] }] },
  "/ingest/sales": { upload_id: "up_1", upload: { url: "https://s3", fields: {} }, max_bytes: 1000 },
  "/alerts": { alerts: [{ alert_id: H, severity: H, type: H, title: H, status: H, last_seen: H }] },
  "/proposals": { proposals: [{ proposal_id: H, kind: H, sku_id: H, store_id: H, before: { price: 1 }, after: { price: 2, quantity: 3 },
                                change_pct: H, status: "proposed", needs_approval: true, order_value: 4 }] },
  "/documents": { documents: [{ file_name: H, doc_type: H, status: H, confidence: 0.5, reasons: [H], created_at: H }] },
  "/recommendations": { actions: [{ type: "price", score: 1, current_price: 2, recommended_price: 3, sku_id: H, store_id: H,
                                    explanation: H }],
                        excluded: { series_with_unknown_on_hand: [{ store_id: H, sku_ids: [H] }] } },
  "/pricing-suggest": { current_price: 2, recommended_price: 3, rationale: H, notes: [H],
                        evidence: { elasticity: { value: H, range_90: [H, H], identified: true }, competitors: { median: 1, low: 1, high: 2 } },
                        guardrails: { bound_by: [H], relaxed: [{ reason: H }] },
                        impact: { horizon_days: H, price: 3, units: { current: 1, expected: 2, change: 1, change_range: [0, 2] } } },
};

const context = {
  window: { SMARTRETAIL: { apiUrl: "https://api", cognitoEndpoint: "https://cognito", clientId: "c", defaultStart: "2024-01-01", defaultEnd: "2024-01-31" } },
  document: { getElementById: element, querySelectorAll: () => [] },
  btoa: (s) => Buffer.from(s, "binary").toString("base64"), Uint8Array,
  sessionStorage: webStorage, localStorage: webStorage,
  crypto: { randomUUID: () => "uuid" },
  FormData: class { constructor() { this.entries = []; } get() { return null; } [Symbol.iterator]() { return this.entries[Symbol.iterator](); } },
  URLSearchParams, Buffer, console, setTimeout, Promise, JSON, Math, Number, String, Object, Array, Date, Symbol, Error,
  atob: (s) => Buffer.from(s, "base64").toString("binary"),
  fetch: async (url, options) => {
    if (url === "https://cognito") {
      const action = options.headers["X-Amz-Target"].split(".")[1];
      const request = JSON.parse(options.body);
      cognitoCalls.push({ action, request });
      const signedIn = { AuthenticationResult: { IdToken: jwt({ exp: 4102444800, "cognito:username": H, "custom:tenant_id": H }) } };
      const answers = {
        InitiateAuth: MFA ? { ChallengeName: "MFA_SETUP", Session: "s1" } : signedIn,
        AssociateSoftwareToken: { SecretCode: "JBSWY3DPEHPK3PXP", Session: "s2" },
        VerifySoftwareToken: { Status: "SUCCESS", Session: "s3" },
        RespondToAuthChallenge: signedIn,
      };
      return { ok: true, status: 200, json: async () => answers[action] };
    }
    const route = url.replace("https://api", "").split("?")[0];
    if (url.startsWith("https://api")) apiCalls.push({ route, method: (options && options.method) || "GET", body: options && options.body ? JSON.parse(options.body) : null });
    return { ok: true, status: 200, json: async () => answers[route] || {} };
  },
};
context.window.document = context.document;
vm.createContext(context);
vm.runInContext(fs.readFileSync(path.join(__dirname, "..", "..", "web", "app.js"), "utf8"), context);

(async () => {
  const submit = (id) => element(id).listeners.submit({ preventDefault() {}, target: element(id) });
  await submit("sign-in-form");
  await new Promise((r) => setTimeout(r, 50));
  const prompt = element("challenge-prompt").textContent;
  if (MFA) {
    element("challenge-answer").value = "123456";
    await submit("challenge-form");
    await new Promise((r) => setTimeout(r, 50));
  }
  element("upload-form").dataset = { value: "sales" };  // the form's "dataset" select
  await element("preview-button").listeners.click();
  element("upload-form").date_order.value = "day_first";  // the choice the preview asked for
  await submit("upload-form");
  await submit("price-form");
  await submit("reco-form");
  await new Promise((r) => setTimeout(r, 50));
  const html = Object.fromEntries(Object.entries(elements).map(([id, e]) => [id, String(e.innerHTML)]));
  process.stdout.write(JSON.stringify({ html, text: Object.fromEntries(Object.entries(elements).map(([id, e]) => [id, e.textContent])),
                                        storage, prompt, cognitoCalls, apiCalls }));
})();
