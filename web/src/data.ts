// What several pages share: the tenant's stores, categories and SKUs (for pickers), read once per
// session, and the pickers built from them.

import { get } from "./api";
import { onSessionChange } from "./auth";
import { config } from "./config";
import { Child, field, h, select } from "./dom";
import { go } from "./router";

export interface Catalog {
  stores: string[];
  categories: string[];
  skus: { sku_id: string; category: string; store_ids: string[] }[];
  first_day: string | null;
  last_day: string | null;
}

let catalogue: Promise<Catalog> | null = null;
onSessionChange(() => { catalogue = null; });

export function catalog(): Promise<Catalog> {
  catalogue ??= get<Catalog>("/catalog").catch((error) => { catalogue = null; throw error; });
  return catalogue;
}

export const isoDay = (d: Date) => d.toISOString().slice(0, 10);
export const addDays = (day: string, n: number) => isoDay(new Date(Date.parse(`${day}T00:00:00Z`) + n * 86400000));
export const daysBetween = (a: string, b: string) => Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86400000);

/** The default period: the configured one, else the last 90 days of data. */
export function defaultPeriod(cat: Catalog): { start: string; end: string } {
  const end = config.defaultEnd ?? cat.last_day ?? isoDay(new Date());
  return { start: config.defaultStart ?? addDays(end, -89), end };
}

export function storePicker(cat: Catalog, value = "", any = true): HTMLElement {
  return field("Store", select("store_id", [...(any ? [["", "All stores"] as [string, string]] : []), ...cat.stores.map((s): [string, string] => [s, s])], value));
}

export function categoryPicker(cat: Catalog, value = ""): HTMLElement {
  return field("Category", select("category", [["", "All categories"], ...cat.categories.map((c): [string, string] => [c, c])], value));
}

export function skuPicker(cat: Catalog, value = "", any = true, category = ""): HTMLElement {
  const skus = cat.skus.filter((s) => !category || s.category === category);
  return field("SKU", select("sku_id", [...(any ? [["", "All SKUs"] as [string, string]] : []), ...skus.map((s): [string, string] => [s.sku_id, `${s.sku_id} · ${s.category}`])], value));
}

/** A page's filter form: submitting it opens `page` with the form's values in the address. */
export function filterForm(page: string, label: string, submit: string, ...controls: Child[]): HTMLFormElement {
  const form = h("form", { class: "filters", "aria-label": label }, ...controls, h("button", { type: "submit" }, submit));
  form.addEventListener("submit", (event) => { event.preventDefault(); go(page, values(form)); });
  return form;
}

/** A form's values by name, without empty ones. */
export function values(form: HTMLFormElement): Record<string, string> {
  const out: Record<string, string> = {};
  new FormData(form).forEach((v, k) => { if (typeof v === "string" && v !== "") out[k] = v; });
  return out;
}
