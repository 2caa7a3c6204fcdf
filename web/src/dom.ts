// Building the page from data. Every value from the API or a file is set as text (textContent,
// attributes), never parsed as HTML: markup in a product name or an invoice shows as typed.

export type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined | EventListener>;

/** An element with attributes (`on*` are listeners) and children (strings become text nodes). */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") el.addEventListener(name.slice(2), value as EventListener);
    else if (name === "class") el.className = String(value);
    else if (value === true) el.setAttribute(name, "");
    else el.setAttribute(name, String(value));
  }
  append(el, ...children);
  return el;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === "object" ? child : document.createTextNode(String(child)));
  }
}

export function clear(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, ...children);
}

/** A table from rows: headers, then one cell per column function. */
export function table<T>(caption: string, columns: [string, (row: T) => Child][], rows: T[], empty = "Nothing here yet."): HTMLElement {
  if (!rows.length) return emptyState(empty);
  return h("div", { class: "table-wrap" },
    h("table", {},
      h("caption", { class: "visually-hidden" }, caption),
      h("thead", {}, h("tr", {}, ...columns.map(([name]) => h("th", { scope: "col" }, name)))),
      h("tbody", {}, ...rows.map((row) => h("tr", {}, ...columns.map(([, cell]) => h("td", {}, cell(row))))))));
}

/** A key figure: its name, its value, and a line under it (a comparison, a note). */
export function tile(label: string, value: string, note = ""): HTMLElement {
  return h("div", { class: "tile" }, h("div", { class: "label" }, label), h("div", { class: "value" }, value), h("div", { class: "change" }, note));
}

/** Send the file chosen in a form: the button is disabled meanwhile; progress and errors go to `status`. */
export function onFileSubmit(form: HTMLFormElement, input: HTMLInputElement, button: HTMLButtonElement, status: HTMLElement,
                             send: (file: File) => Promise<void>): void {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const chosen = input.files?.[0];
    if (!chosen) return;
    button.disabled = true;
    status.textContent = `Uploading ${chosen.name} …`;
    try { await send(chosen); }
    catch (error) { clear(status, errorState(error)); }
    finally { button.disabled = false; }
  });
}

export const loading = (what = "Loading") => h("p", { class: "state loading", role: "status" }, `${what} …`);
export const emptyState = (text: string) => h("p", { class: "state empty" }, text);
export const errorState = (error: unknown) => h("p", { class: "state error", role: "alert" }, messageOf(error));

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Fill `target` with whatever `load` builds, showing loading first and the error where it happened. */
export async function section(target: Element, what: string, load: () => Promise<Child | Child[]>): Promise<void> {
  clear(target, loading(what));
  target.setAttribute("aria-busy", "true");
  try {
    const content = await load();
    clear(target, ...(Array.isArray(content) ? content : [content]));
  } catch (error) {
    clear(target, errorState(error));
  } finally {
    target.removeAttribute("aria-busy");
  }
}

export const fmt = {
  money: (v: number | null | undefined, currency = "") =>
    v === null || v === undefined ? "—" : `${currency}${v.toLocaleString("en", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`,
  num: (v: number | null | undefined, digits = 0) =>
    v === null || v === undefined ? "—" : v.toLocaleString("en", { maximumFractionDigits: digits }),
  pct: (v: number | null | undefined, digits = 1) =>
    v === null || v === undefined ? "—" : `${(v * 100).toFixed(digits)}%`,
  change: (now: number | null | undefined, before: number | null | undefined) => {
    if (now === null || now === undefined || !before) return "";
    const change = (now - before) / Math.abs(before);
    return `${change >= 0 ? "▲" : "▼"} ${(Math.abs(change) * 100).toFixed(1)}% vs previous period`;
  },
};

/** A labelled form control (label above the control, for screen readers and touch). */
export function field(label: string, control: HTMLElement): HTMLElement {
  const id = control.id || `f-${Math.random().toString(36).slice(2, 9)}`;
  control.id = id;
  return h("div", { class: "field" }, h("label", { for: id }, label), control);
}

export function select(name: string, options: [string, string][], value = ""): HTMLSelectElement {
  const el = h("select", { name });
  for (const [v, text] of options) el.appendChild(h("option", { value: v, selected: v === value }, text));
  return el;
}

/** Offer a file the browser made (export) for download. */
export function download(name: string, body: Blob): void {
  const url = URL.createObjectURL(body);
  const a = h("a", { href: url, download: name });
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
