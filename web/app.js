// SmartRetail dashboard: signs in with Cognito, shows KPIs, uploads files through presigned POSTs.
// Configuration (API URL, Cognito endpoint and client) comes from config.js, written at deploy or
// by the local stack.
"use strict";

const cfg = window.SMARTRETAIL;
const $ = (id) => document.getElementById(id);
let token = sessionStorage.getItem("smartretail.idToken");

async function signIn(username, password) {
  const response = await fetch(cfg.cognitoEndpoint, {
    method: "POST",
    headers: { "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth" },
    body: JSON.stringify({ AuthFlow: "USER_PASSWORD_AUTH", ClientId: cfg.clientId, AuthParameters: { USERNAME: username, PASSWORD: password } }),
  });
  const body = await response.json();
  if (!response.ok || !body.AuthenticationResult) throw new Error(body.message || "Sign-in failed");
  return body.AuthenticationResult.IdToken;
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
  if (signedIn) { loadKpis(); loadUploads(); }
}

function signOut() { token = null; sessionStorage.removeItem("smartretail.idToken"); show(); }

const money = (v) => v == null ? "–" : v.toLocaleString(undefined, { maximumFractionDigits: 2 });
const pct = (v) => v == null ? "–" : `${(v * 100).toFixed(1)} %`;

async function loadKpis() {
  const form = new FormData($("kpi-form"));
  const params = new URLSearchParams([...form].filter(([, v]) => v));
  $("kpi-error").textContent = "";
  try {
    const body = await api(`/kpis?${params}`);
    const k = body.kpis, cur = body.currency || "";
    $("tiles").innerHTML = [
      ["Revenue", `${money(k.revenue)} ${cur}`], ["Units", money(k.units)],
      ["Avg. selling price", `${money(k.average_selling_price)} ${cur}`], ["Promo share", pct(k.promo_share)],
      ["Stockout days", money(k.stockout_days)],
    ].map(([label, value]) => `<div class="tile"><div class="label">${label}</div><div class="value">${value}</div></div>`).join("");
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
  svg.innerHTML = `<path d="${path}"></path><text x="10" y="14">daily revenue, max ${money(max)}</text>` +
    `<text x="10" y="198">${daily[0].date}</text><text x="700" y="198">${daily[daily.length - 1].date}</text>`;
}

function escapeHtml(text) { return String(text).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c])); }

async function loadUploads() {
  try {
    const { uploads } = await api("/ingest?limit=20");
    $("uploads").innerHTML = uploads.map((u) => {
      const why = u.reason ? [u.reason] : Object.entries(u.reason_counts || {}).map(([r, n]) => `${n} × ${r}`);
      return `<tr><td>${escapeHtml(u.file_name)}</td><td>${u.dataset}</td><td class="status-${u.status}">${u.status}</td>` +
        `<td>${u.rows_accepted}</td><td>${u.rows_quarantined}</td><td>${u.created_at.replace("T", " ").slice(0, 16)}</td>` +
        `<td><ul>${why.slice(0, 4).map((w) => `<li>${escapeHtml(w)}</li>`).join("")}</ul></td></tr>`;
    }).join("");
  } catch (error) { $("upload-error").textContent = error.message; }
}

async function upload(event) {
  event.preventDefault();
  const form = event.target, button = form.querySelector("button"), file = form.file.files[0];
  $("upload-error").textContent = "";
  button.disabled = true;
  try {
    const slot = await api(`/ingest/${form.dataset.value}`, {
      method: "POST", body: JSON.stringify({ file_name: file.name }), headers: { "Idempotency-Key": crypto.randomUUID() },
    });
    if (file.size > slot.max_bytes) throw new Error(`The file is larger than ${money(slot.max_bytes / 1048576)} MB.`);
    const post = new FormData();
    Object.entries(slot.upload.fields).forEach(([k, v]) => post.append(k, v));
    post.append("file", file);
    const stored = await fetch(slot.upload.url, { method: "POST", body: post });
    if (!stored.ok) throw new Error(`Storage refused the file (${stored.status}).`);
    for (let i = 0; i < 60; i++) {
      const status = await api(`/ingest/${slot.upload_id}`);
      if (status.status !== "awaiting_upload") break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    form.reset();
    loadUploads();
  } catch (error) { $("upload-error").textContent = error.message; }
  finally { button.disabled = false; }
}

$("sign-in-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  $("sign-in-error").textContent = "";
  try {
    token = await signIn(form.username.value, form.password.value);
    sessionStorage.setItem("smartretail.idToken", token);
    show();
  } catch (error) { $("sign-in-error").textContent = error.message; }
});
$("kpi-form").addEventListener("submit", (event) => { event.preventDefault(); loadKpis(); });
$("upload-form").addEventListener("submit", upload);
$("sign-out").addEventListener("click", signOut);
$("kpi-form").start.value = cfg.defaultStart;
$("kpi-form").end.value = cfg.defaultEnd;
show();
