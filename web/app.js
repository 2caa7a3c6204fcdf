// SmartRetail dashboard: signs in with Cognito, shows KPIs, alerts, price suggestions, recommended
// actions and proposals, and uploads files through presigned POSTs.
// Configuration (API URL, Cognito endpoint and client) comes from config.js, written at deploy or
// by the local stack.
"use strict";

const cfg = window.SMARTRETAIL;
const $ = (id) => document.getElementById(id);
// The ID token lives in this page's memory only: no script (an extension, an injected one) can read it
// from web storage, and it is gone when the tab closes; a reload asks to sign in again.
let token = null;

async function cognito(action, request) {
  const response = await fetch(cfg.cognitoEndpoint, {
    method: "POST",
    headers: { "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": `AWSCognitoIdentityProviderService.${action}` },
    body: JSON.stringify(request),
  });
  const body = await response.json();
  if (!response.ok) throw new Error(body.message || "Sign-in failed");
  return body;
}

// Sign-in is the password, then whatever Cognito asks next: a new password on the first sign-in of an
// invited user, the code of an authenticator app (MFA is required in production), or setting the app
// up the first time. `challenge` holds the step being asked; the ID token comes at the end.
let challenge = null;

async function signIn(username, password) {
  return nextStep(username, await cognito("InitiateAuth", {
    AuthFlow: "USER_PASSWORD_AUTH", ClientId: cfg.clientId, AuthParameters: { USERNAME: username, PASSWORD: password } }));
}

async function nextStep(username, answer) {
  challenge = null;
  if (answer.AuthenticationResult) return answer.AuthenticationResult.IdToken;
  const ask = (name, session, prompt, label, type) => {
    challenge = { name, session, username };
    $("challenge-answer").value = "";
    $("challenge-prompt").textContent = prompt;
    $("challenge-label").textContent = label;
    $("challenge-answer").type = type;
    $("challenge-form").hidden = false;
    $("sign-in-form").hidden = true;
    return null;
  };
  if (answer.ChallengeName === "NEW_PASSWORD_REQUIRED") {
    return ask("NEW_PASSWORD_REQUIRED", answer.Session, "Choose your own password (12 characters or more, with upper and lower case, a digit and a symbol).", "New password", "password");
  }
  if (answer.ChallengeName === "SOFTWARE_TOKEN_MFA") {
    return ask("SOFTWARE_TOKEN_MFA", answer.Session, "Enter the 6-digit code your authenticator app shows.", "Code", "text");
  }
  if (answer.ChallengeName === "MFA_SETUP") {
    const setup = await cognito("AssociateSoftwareToken", { Session: answer.Session });
    return ask("MFA_SETUP", setup.Session, `Add SmartRetail to your authenticator app with this key: ${setup.SecretCode} — then enter the code it shows.`, "Code", "text");
  }
  throw new Error(`Sign-in needs a step this page does not support (${answer.ChallengeName}).`);
}

async function answerChallenge(value) {
  const { name, session, username } = challenge;
  if (name === "MFA_SETUP") {
    const verified = await cognito("VerifySoftwareToken", { Session: session, UserCode: value, FriendlyDeviceName: "SmartRetail" });
    return nextStep(username, await cognito("RespondToAuthChallenge", {
      ClientId: cfg.clientId, ChallengeName: "MFA_SETUP", Session: verified.Session, ChallengeResponses: { USERNAME: username } }));
  }
  const responses = name === "NEW_PASSWORD_REQUIRED" ? { USERNAME: username, NEW_PASSWORD: value } : { USERNAME: username, SOFTWARE_TOKEN_MFA_CODE: value };
  return nextStep(username, await cognito("RespondToAuthChallenge", { ClientId: cfg.clientId, ChallengeName: name, Session: session, ChallengeResponses: responses }));
}

function signedInWith(idToken) {
  if (!idToken) return;
  token = idToken;
  $("challenge-form").hidden = true;
  $("sign-in-form").hidden = false;
  show();
}

function claims(jwt) {
  const part = jwt.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
  return JSON.parse(atob(part + "=".repeat((4 - (part.length % 4)) % 4)));
}

async function api(path, options = {}) {
  const response = await fetch(cfg.apiUrl + path, {
    ...options,
    headers: { Authorization: token, "Content-Type": "application/json", ...(options.headers || {}) },
  });
  if (response.status === 401) { signOut(); throw new Error("Your session has ended: sign in again."); }
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.error || body.message || `Request failed (${response.status})`);
  return body;
}

function show() {
  const signedIn = Boolean(token) && claims(token).exp * 1000 > Date.now();
  $("sign-in").hidden = signedIn;
  $("app").hidden = !signedIn;
  $("sign-out").hidden = !signedIn;
  $("who").textContent = signedIn ? `${claims(token)["cognito:username"]} · tenant ${claims(token)["custom:tenant_id"]}` : "";
  if (signedIn) { loadKpis(); loadUploads(); loadAlerts(); loadProposals(); loadDocuments(); }
}

function signOut() { token = null; show(); }

const money = (v) => v == null ? "–" : v.toLocaleString(undefined, { maximumFractionDigits: 2 });
const pct = (v) => v == null ? "–" : `${(v * 100).toFixed(1)} %`;

async function loadKpis() {
  const form = new FormData($("kpi-form"));
  const params = new URLSearchParams([...form].filter(([, v]) => v));
  $("kpi-error").textContent = "";
  try {
    const body = await api(`/kpis?${params}`);
    const k = body.kpis, cur = body.currency || "";
    $("tiles").innerHTML = html`${[
      ["Revenue", `${money(k.revenue)} ${cur}`], ["Units", money(k.units)],
      ["Avg. selling price", `${money(k.average_selling_price)} ${cur}`], ["Promo share", pct(k.promo_share)],
      ["Stockout days", money(k.stockout_days)],
    ].map(([label, value]) => html`<div class="tile"><div class="label">${label}</div><div class="value">${value}</div></div>`)}`;
    drawChart(body.daily);
  } catch (error) { $("kpi-error").textContent = error.message; }
}

function drawChart(daily) {
  const svg = $("chart");
  if (!daily.length) { svg.innerHTML = '<text x="20" y="100">No sales in this period.</text>'; return; }
  const max = Math.max(...daily.map((d) => d.revenue), 1);
  const x = (i) => (daily.length === 1 ? 400 : (i / (daily.length - 1)) * 780 + 10);
  const y = (v) => 185 - (v / max) * 165;
  const path = daily.map((d, i) => `${i ? "L" : "M"}${x(i).toFixed(1)},${y(d.revenue).toFixed(1)}`).join(" ");
  svg.innerHTML = html`<path d="${path}"></path><text x="10" y="14">daily revenue, max ${money(max)}</text>` +
    html`<text x="10" y="198">${daily[0].date}</text><text x="700" y="198">${daily[daily.length - 1].date}</text>`;
}

// HTML is only ever built with the html`...` tag: every value interpolated into it (IDs from uploaded
// rows, file names, reasons, even statuses the API names) is escaped for text and attributes, except
// markup the tag built itself (nested html`...`, or a list of them).
class Markup { constructor(text) { this.text = text; } toString() { return this.text; } }

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
}

function markup(value) {
  if (value instanceof Markup) return value.text;
  if (Array.isArray(value)) return value.map(markup).join("");
  return escapeHtml(value ?? "");
}

function html(strings, ...values) {
  return new Markup(strings.reduce((out, part, i) => out + markup(values[i - 1]) + part));
}

async function loadUploads() {
  try {
    const { uploads } = await api("/ingest?limit=20");
    $("uploads").innerHTML = uploads.map((u) => {
      const why = u.reason ? [u.reason] : Object.entries(u.reason_counts || {}).map(([r, n]) => `${n} × ${r}`);
      return html`<tr><td>${u.file_name}</td><td>${u.dataset}</td><td class="status-${u.status}">${u.status}</td>` +
        html`<td>${u.rows_accepted}</td><td>${u.rows_quarantined}</td><td>${String(u.created_at).replace("T", " ").slice(0, 16)}</td>` +
        html`<td><ul>${why.slice(0, 4).map((w) => html`<li>${w}</li>`)}</ul></td></tr>`;
    }).join("");
  } catch (error) { $("upload-error").textContent = error.message; }
}

// Send a file through the presigned POST an upload slot carries, then wait (up to `seconds`) while
// the record at `statusPath` is still in one of the `waiting` states.
async function store(slot, file, statusPath, waiting, seconds) {
  if (file.size > slot.max_bytes) throw new Error(`The file is larger than ${money(slot.max_bytes / 1048576)} MB.`);
  const post = new FormData();
  Object.entries(slot.upload.fields).forEach(([k, v]) => post.append(k, v));
  post.append("file", file);
  const stored = await fetch(slot.upload.url, { method: "POST", body: post });
  if (!stored.ok) throw new Error(`Storage refused the file (${stored.status}).`);
  for (let i = 0; i < seconds; i++) {
    const record = await api(statusPath);
    if (!waiting.includes(record.status)) return record;
    await new Promise((r) => setTimeout(r, 1000));
  }
  return null;
}

// How the file is to be read, as chosen on the form: the date order, the decimal mark, and a file
// column for each required column the preview could not find.
function uploadOptions() {
  const form = $("upload-form"), options = { column_mapping: {} };
  if (form.date_order.value) options.date_order = form.date_order.value;
  if (form.decimal_separator.value) options.decimal_separator = form.decimal_separator.value;
  document.querySelectorAll("#upload-preview select[data-column]").forEach((s) => {
    if (s.value) options.column_mapping[s.value] = s.dataset.column;
  });
  return options;
}

const PREVIEW_BYTES = 256 * 1024;  // a text file's first part is enough to preview; a workbook is sent whole
const DELIMITERS = { ",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe" };

async function base64Of(blob) {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

const WORKBOOK_PREVIEW_BYTES = 3 * 1024 * 1024;  // the API previews a workbook only whole, up to 3 MB
let previewing = 0;  // only the newest preview is shown, whichever answer comes back last

async function previewUpload() {
  const form = $("upload-form"), file = form.file.files[0], mine = ++previewing;
  if (!file) { $("upload-preview").textContent = ""; return; }
  const workbook = file.name.toLowerCase().endsWith(".xlsx"), whole = workbook || file.size <= PREVIEW_BYTES;
  $("upload-error").textContent = "";
  if (workbook && file.size > WORKBOOK_PREVIEW_BYTES) {
    $("upload-preview").textContent = "This workbook is too large to preview: upload it, and its result says how it was read.";
    return;
  }
  try {
    const body = await api(`/ingest/${form.dataset.value}/preview`, { method: "POST", body: JSON.stringify({
      file_name: file.name, content_base64: await base64Of(whole ? file : file.slice(0, PREVIEW_BYTES)), complete: whole,
      options: uploadOptions() }) });
    if (mine === previewing) renderPreview(body);
  } catch (error) { if (mine === previewing) $("upload-error").textContent = error.message; }
}

function renderPreview(p) {
  const r = p.reading, mapped = p.options.column_mapping || {};
  const summary = p.status === "ready"
    ? `${p.rows_accepted} of ${p.rows_read} rows${p.complete ? "" : " in the file's first part"} would be accepted.`
    : p.message;
  const how = !r ? [] : [
    r.format === "xlsx" ? `sheet ${r.sheet}` : `${r.format === "jsonl" ? "JSON Lines" : (DELIMITERS[r.delimiter] || r.delimiter) + "-separated"}, ${r.encoding}`,
    r.date_order ? `dates ${r.date_order.replace("_", "-")}: ${r.date_order_by}` : null,
    r.decimal_separator_by ? `decimal mark "${r.decimal_separator}": ${r.decimal_separator_by}` : null,
    ...Object.entries(r.normalised || {}).map(([what, n]) => `${n} × ${what}`),
  ].filter(Boolean);
  const columns = (r?.columns || []).map((c) => html`<li>${c.header} → ${c.column} <span class="muted">(${c.by})</span></li>`);
  const choose = (p.missing_columns || []).map((column) => html`<label>Your column for ${column}
      <select data-column="${column}"><option value="">–</option>${(p.headers || []).map((h) =>
        html`<option value="${h}" ${mapped[h] === column ? "selected" : ""}>${h}</option>`)}</select></label>`);
  const shown = (p.dataset_columns || []).map((c) => c.name).filter((n) => (r?.columns || []).some((c) => c.column === n));
  const rows = (p.rows || []).slice(0, 8).map((row) => row.parsed
    ? html`<tr><td>${row.row_number}</td>${shown.map((n) => html`<td>${row.parsed[n]}</td>`)}</tr>`
    : html`<tr><td>${row.row_number}</td><td class="problem" colspan="${shown.length}">${row.problems.join("; ")}</td></tr>`);
  $("upload-preview").innerHTML = html`<p class="status-${p.status}">${summary}</p><ul class="muted">${how.map((h) => html`<li>${h}</li>`)}</ul>` +
    html`<ul>${columns}</ul><div class="mapping">${choose}</div>` +
    (rows.length ? html`<table><thead><tr><th>Row</th>${shown.map((n) => html`<th>${n}</th>`)}</tr></thead><tbody>${rows}</tbody></table>` : "");
  if (p.choice?.option === "date_order") $("upload-form").date_order.focus();
}

async function upload(event) {
  event.preventDefault();
  const form = event.target, button = form.querySelector("button[type=submit]"), file = form.file.files[0];
  $("upload-error").textContent = "";
  button.disabled = true;
  try {
    const slot = await api(`/ingest/${form.dataset.value}`, {
      method: "POST", body: JSON.stringify({ file_name: file.name, options: uploadOptions() }),
      headers: { "Idempotency-Key": crypto.randomUUID() },
    });
    if (!slot.upload) throw new Error(slot.message);
    await store(slot, file, `/ingest/${slot.upload_id}`, ["awaiting_upload", "validating"], 60);
    form.reset();
    $("upload-preview").textContent = "";
    loadUploads();
  } catch (error) { $("upload-error").textContent = error.message; }
  finally { button.disabled = false; }
}

async function loadAlerts() {
  const status = new FormData($("alert-form")).get("status");
  $("alert-error").textContent = "";
  try {
    const { alerts } = await api(`/alerts${status ? `?status=${status}` : ""}`);
    $("alerts").innerHTML = alerts.map((a) => html`<tr><td class="sev-${a.severity}">${a.severity}</td><td>${String(a.type).replace(/_/g, " ")}</td>` +
      html`<td>${a.title}</td><td>${a.status}</td><td>${String(a.last_seen).replace("T", " ").slice(0, 16)}</td><td>` +
      html`${a.status === "resolved" ? "" : ["acknowledge", "snooze", "resolve"].map((act) =>
        html`<button class="small" data-alert="${a.alert_id}" data-act="${act}">${act}</button> `)}</td></tr>`).join("") ||
      '<tr><td colspan="6">No alerts.</td></tr>';
  } catch (error) { $("alert-error").textContent = error.message; }
}

async function actOnAlert(event) {
  const button = event.target.closest("button[data-alert]");
  if (!button) return;
  const body = button.dataset.act === "snooze" ? { hours: 24 } : {};
  try { await api(`/alerts/${button.dataset.alert}/${button.dataset.act}`, { method: "POST", body: JSON.stringify(body) }); loadAlerts(); }
  catch (error) { $("alert-error").textContent = error.message; }
}

function impactRows(impact) {
  return ["units", "revenue", "margin"].filter((m) => impact[m]).map((m) => {
    const i = impact[m];
    return html`<tr><td>${m}</td><td>${money(i.current)}</td><td>${money(i.expected)}</td>` +
      html`<td>${i.change >= 0 ? "+" : ""}${money(i.change)} (${money(i.change_range[0])} to ${money(i.change_range[1])})</td></tr>`;
  }).join("");
}

async function suggestPrice(event) {
  event.preventDefault();
  const form = $("price-form");
  $("price-error").textContent = "";
  try {
    const r = await api("/pricing-suggest", { method: "POST", body: JSON.stringify({
      store_id: form.store_id.value, sku_id: form.sku_id.value, objective: form.objective.value }) });
    const e = r.evidence, el = e.elasticity, c = e.competitors;
    const tiles = [["Today", money(r.current_price)], ["Recommended", money(r.recommended_price)],
      ["Competitors", c.median == null ? "none" : `${money(c.low)} – ${money(c.high)}`],
      ["Elasticity", el ? `${el.value} (${el.range_90[0]} to ${el.range_90[1]})${el.identified ? "" : " category"}` : "unknown"]];
    $("price-result").innerHTML = html`<div class="tiles">${tiles.map(([l, v]) =>
      html`<div class="tile"><div class="label">${l}</div><div class="value">${v}</div></div>`)}</div>` +
      html`<p>${r.rationale}. Bound by: ${r.guardrails.bound_by.join(", ") || "nothing"}.` +
      html`${r.guardrails.relaxed.map((x) => ` Relaxed: ${x.reason}.`).join("")} ${r.notes.join(" ")}</p>` +
      html`<table><thead><tr><th>Next ${r.impact.horizon_days} days</th><th>Today's price</th><th>Recommended</th><th>Change (90% range)</th></tr></thead>` +
      html`<tbody>${new Markup(impactRows(r.impact))}</tbody></table>` +
      html`<button id="propose-price" data-price="${r.recommended_price}">Propose this price</button>`;
  } catch (error) { $("price-error").textContent = error.message; }
}

async function simulatePrice() {
  const form = $("price-form");
  $("price-error").textContent = "";
  try {
    const r = await api("/pricing/simulate", { method: "POST", body: JSON.stringify({
      store_id: form.store_id.value, sku_id: form.sku_id.value, price: Number(form.candidate.value) }) });
    $("price-result").innerHTML = html`<table><thead><tr><th>At ${money(r.impact.price)}</th><th>Today's price</th><th>Candidate</th>` +
      html`<th>Change (90% range)</th></tr></thead><tbody>${new Markup(impactRows(r.impact))}</tbody></table>` +
      html`<p>${r.breaks_guardrails.length ? "Breaks: " + r.breaks_guardrails.map((b) => b.reason).join("; ") : "Inside every guardrail."}</p>`;
  } catch (error) { $("price-error").textContent = error.message; }
}

async function propose(body, errorId) {
  try {
    await api("/proposals", { method: "POST", body: JSON.stringify(body), headers: { "Idempotency-Key": crypto.randomUUID() } });
    loadProposals();
  } catch (error) { $(errorId).textContent = error.message; }
}

async function loadRecommendations(event) {
  if (event) event.preventDefault();
  const form = $("reco-form");
  $("reco-error").textContent = "";
  try {
    const r = await api("/recommendations", { method: "POST", body: JSON.stringify({
      store_id: form.store_id.value || null, category: form.category.value || null, limit: 30 }) });
    $("actions").innerHTML = r.actions.map((a) => {
      const what = a.type === "reorder" ? `order ${a.order_quantity}` : `price ${money(a.current_price)} → ${money(a.recommended_price)}`;
      const body = a.type === "reorder" ? { kind: "reorder", quantity: a.order_quantity } : { kind: "price", new_price: a.recommended_price };
      return html`<tr><td>${money(a.score)}</td><td>${what}</td><td>${a.sku_id}</td><td>${a.store_id}</td><td>${a.explanation}</td>` +
        html`<td><button class="small" data-propose="${JSON.stringify({ ...body, sku_id: a.sku_id, store_id: a.store_id })}">propose</button></td></tr>`;
    }).join("") || '<tr><td colspan="6">Nothing to do.</td></tr>';
    const unknown = r.excluded.series_with_unknown_on_hand;
    $("excluded").textContent = unknown.length ? `Left out (stock unknown): ${unknown.map((s) => `${s.store_id}: ${s.sku_ids.join(", ")}`).join("; ")}` : "";
  } catch (error) { $("reco-error").textContent = error.message; }
}

async function loadProposals() {
  try {
    const { proposals } = await api("/proposals?limit=30");
    $("proposals").innerHTML = proposals.map((p) => {
      const change = p.kind === "price" ? `${money(p.before.price)} → ${money(p.after.price)} (${p.change_pct} %)` : `${p.after.quantity} units (${money(p.order_value)})`;
      const acts = { proposed: ["approve", "reject"], approved: ["apply", "reject"] }[p.status] || [];
      return html`<tr><td>${p.kind}</td><td>${p.sku_id}</td><td>${p.store_id}</td><td>${change}</td><td>${p.status}</td>` +
        html`<td>${p.needs_approval ? "yes" : "no"}</td><td>${acts.map((a) => html`<button class="small" data-proposal="${p.proposal_id}" data-act="${a}">${a}</button> `)}</td></tr>`;
    }).join("") || '<tr><td colspan="7">No proposals yet.</td></tr>';
  } catch (error) { $("proposal-error").textContent = error.message; }
}

async function actOnProposal(event) {
  const button = event.target.closest("button[data-proposal]");
  if (!button) return;
  $("proposal-error").textContent = "";
  try { await api(`/proposals/${button.dataset.proposal}/${button.dataset.act}`, { method: "POST", body: "{}" }); loadProposals(); }
  catch (error) { $("proposal-error").textContent = error.message; }
}

async function loadDocuments() {
  try {
    const { documents } = await api("/documents?limit=30");
    $("documents").innerHTML = documents.map((d) => html`<tr><td>${d.file_name}</td><td>${String(d.doc_type).replace("_", " ")}</td>` +
      html`<td class="status-${d.status}">${String(d.status).replace("_", " ")}</td><td>${d.confidence == null ? "–" : pct(d.confidence)}</td>` +
      html`<td><ul>${(d.reasons || []).slice(0, 3).map((r) => html`<li>${r}</li>`)}</ul></td>` +
      html`<td>${String(d.created_at).replace("T", " ").slice(0, 16)}</td></tr>`).join("") || '<tr><td colspan="6">No documents yet.</td></tr>';
  } catch (error) { $("doc-error").textContent = error.message; }
}

async function uploadDocument(event) {
  event.preventDefault();
  const form = event.target, button = form.querySelector("button"), file = form.file.files[0];
  $("doc-error").textContent = "";
  button.disabled = true;
  try {
    const slot = await api("/upload-document", { method: "POST", body: JSON.stringify({ doc_type: form.doc_type.value, file_name: file.name }),
      headers: { "Idempotency-Key": crypto.randomUUID() } });
    await store(slot, file, `/documents/${slot.doc_id}`, ["awaiting_upload", "processing"], 90);
    form.reset();
    loadDocuments(); loadAlerts();
  } catch (error) { $("doc-error").textContent = error.message; }
  finally { button.disabled = false; }
}

$("sign-in-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  $("sign-in-error").textContent = "";
  try { signedInWith(await signIn(form.username.value, form.password.value)); }
  catch (error) { $("sign-in-error").textContent = error.message; }
});
$("challenge-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  $("challenge-error").textContent = "";
  try { signedInWith(await answerChallenge($("challenge-answer").value)); }
  catch (error) {
    // A wrong code can be typed again; an expired sign-in session (about 3 minutes) starts over.
    if (/session|expired/i.test(error.message)) {
      challenge = null;
      $("challenge-form").hidden = true;
      $("sign-in-form").hidden = false;
      $("sign-in-error").textContent = `${error.message} Sign in again.`;
    } else {
      $("challenge-error").textContent = error.message;
    }
  }
});
$("kpi-form").addEventListener("submit", (event) => { event.preventDefault(); loadKpis(); });
$("upload-form").addEventListener("submit", upload);
$("preview-button").addEventListener("click", previewUpload);
$("upload-form").addEventListener("change", previewUpload);  // a file chosen, or how to read it changed
$("upload-preview").addEventListener("change", previewUpload);
$("alert-form").addEventListener("submit", (event) => { event.preventDefault(); loadAlerts(); });
$("alerts").addEventListener("click", actOnAlert);
$("price-form").addEventListener("submit", suggestPrice);
$("simulate").addEventListener("click", simulatePrice);
$("price-result").addEventListener("click", (event) => {
  const button = event.target.closest("#propose-price");
  if (button) { const f = $("price-form"); propose({ kind: "price", sku_id: f.sku_id.value, store_id: f.store_id.value, new_price: Number(button.dataset.price) }, "price-error"); }
});
$("reco-form").addEventListener("submit", loadRecommendations);
$("actions").addEventListener("click", (event) => {
  const button = event.target.closest("button[data-propose]");
  if (button) propose(JSON.parse(button.dataset.propose), "reco-error");
});
$("proposals").addEventListener("click", actOnProposal);
$("doc-form").addEventListener("submit", uploadDocument);
$("sign-out").addEventListener("click", signOut);
$("kpi-form").start.value = cfg.defaultStart;
$("kpi-form").end.value = cfg.defaultEnd;
show();
