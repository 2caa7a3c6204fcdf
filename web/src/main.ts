// The dashboard's shell: configuration, sign-in, the pages the user's groups may use, and the
// service worker that makes it installable (the design's mobile client).

import "./style.css";
import { answer, Challenge, claims, groups, onSessionChange, signedIn, signIn, signOut } from "./auth";
import { loadConfig } from "./config";
import { clear, errorState, h, messageOf } from "./dom";
import { currentRoute, Route } from "./router";
import { renderAdmin } from "./pages/admin";
import { renderAlerts } from "./pages/alerts";
import { renderCopilot } from "./pages/copilot";
import { renderDocuments } from "./pages/documents";
import { renderForecast } from "./pages/forecast";
import { renderInventory } from "./pages/inventory";
import { renderOverview } from "./pages/overview";
import { renderPricing } from "./pages/pricing";
import { renderUploads } from "./pages/uploads";

interface Page { id: string; title: string; groups: string[] | "all"; render: (main: HTMLElement, route: Route) => void | Promise<void>; }

const PAGES: Page[] = [
  { id: "overview", title: "Overview", groups: "all", render: renderOverview },
  { id: "forecast", title: "Forecast", groups: "all", render: renderForecast },
  { id: "pricing", title: "Pricing", groups: "all", render: renderPricing },
  { id: "inventory", title: "Inventory", groups: "all", render: renderInventory },
  { id: "alerts", title: "Alerts", groups: "all", render: renderAlerts },
  { id: "documents", title: "Documents", groups: "all", render: renderDocuments },
  { id: "copilot", title: "Copilot", groups: "all", render: renderCopilot },
  { id: "uploads", title: "Uploads", groups: "all", render: renderUploads },
  { id: "admin", title: "Admin", groups: ["managers", "admins"], render: renderAdmin },
];

const main = () => document.getElementById("main") as HTMLElement;
const allowed = (page: Page) => page.groups === "all" || page.groups.some((g) => groups().includes(g));

function renderNav(active: string): void {
  const nav = document.getElementById("nav")!;
  if (!signedIn()) { clear(nav); return; }
  clear(nav, h("ul", {}, ...PAGES.filter(allowed).map((p) =>
    h("li", {}, h("a", { href: `#/${p.id}`, "aria-current": p.id === active ? "page" : null }, p.title)))));
  const c = claims()!;
  document.getElementById("who")!.textContent = `${c["cognito:username"]} · ${groups().join(", ") || "no group"} · tenant ${c["custom:tenant_id"]}`;
  document.getElementById("sign-out")!.hidden = false;
}

async function show(): Promise<void> {
  const route = currentRoute();
  if (!signedIn()) { renderSignIn(); return; }
  const page = PAGES.find((p) => p.id === route.page) ?? PAGES[0];
  renderNav(page.id);
  document.title = `${page.title} · SmartRetail`;
  // Each visit renders into its own element: a slower earlier render finishes into a detached one.
  const el = h("div", { class: "page", "data-page": page.id });
  main().replaceChildren(el);
  if (!allowed(page)) { el.append(h("h1", {}, page.title), errorState("Your group may not use this page.")); return; }
  main().focus({ preventScroll: true });
  try {
    await page.render(el, route);
  } catch (error) {
    el.append(errorState(error));
  }
}

function renderSignIn(): void {
  renderNav("");
  document.getElementById("who")!.textContent = "";
  document.getElementById("sign-out")!.hidden = true;
  document.title = "Sign in · SmartRetail";
  const status = h("p", { class: "state error", role: "alert" });
  const username = h("input", { name: "username", autocomplete: "username", required: true, id: "username" });
  const password = h("input", { name: "password", type: "password", autocomplete: "current-password", required: true, id: "password" });
  const form = h("form", { class: "card sign-in", "aria-labelledby": "sign-in-title" },
    h("h1", { id: "sign-in-title" }, "Sign in to SmartRetail"),
    h("div", { class: "field" }, h("label", { for: "username" }, "User name"), username),
    h("div", { class: "field" }, h("label", { for: "password" }, "Password"), password),
    h("button", { type: "submit" }, "Sign in"), status);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    status.textContent = "";
    try {
      const challenge = await signIn(username.value, password.value);
      if (challenge) renderChallenge(challenge);
    } catch (error) { status.textContent = messageOf(error); }
  });
  clear(main(), form);
  username.focus();
}

function renderChallenge(challenge: Challenge): void {
  const status = h("p", { class: "state error", role: "alert" });
  const input = h("input", { id: "challenge-answer", type: challenge.inputType, required: true, autocomplete: "one-time-code" });
  const form = h("form", { class: "card sign-in" },
    h("h1", {}, "One more step"), h("p", { id: "challenge-prompt" }, challenge.prompt),
    h("div", { class: "field" }, h("label", { for: "challenge-answer" }, challenge.label), input),
    h("button", { type: "submit" }, "Continue"), status);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    status.textContent = "";
    try {
      const nextChallenge = await answer(challenge, input.value);
      if (nextChallenge) renderChallenge(nextChallenge);
    } catch (error) {
      // A wrong code can be typed again; an expired sign-in session (about 3 minutes) starts over.
      if (/session|expired/i.test(messageOf(error))) { renderSignIn(); return; }
      status.textContent = messageOf(error);
    }
  });
  clear(main(), form);
  input.focus();
}

async function boot(): Promise<void> {
  try {
    await loadConfig();
  } catch (error) {
    clear(main(), errorState(error));
    return;
  }
  document.getElementById("sign-out")!.addEventListener("click", signOut);
  onSessionChange(() => void show());
  window.addEventListener("hashchange", () => void show());
  await show();
  // Installable (browsers allow service workers on HTTPS and on this machine); the app works without it.
  const secure = location.protocol === "https:" || location.hostname === "127.0.0.1" || location.hostname === "localhost";
  if ("serviceWorker" in navigator && secure) navigator.serviceWorker.register("/sw.js").catch(() => undefined);
}

void boot();
