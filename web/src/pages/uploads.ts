// Uploads: send sales, inventory, product and competitor-price files; preview how a file will be
// read first; every upload's result with its quarantined rows and their reasons.

import { get, idempotent, post, uploadThrough } from "../api";
import { groups } from "../auth";
import { clear, errorState, field, fmt, h, onFileSubmit, section, select, table } from "../dom";
import { Route } from "../router";

const DATASETS: [string, string][] = [["sales", "Sales"], ["inventory", "Inventory"], ["products", "Products"], ["competitor-prices", "Competitor prices"], ["shopper-events", "Shopper events"]];
const PREVIEW_BYTES = 256 * 1024;  // a text file's first part is enough to preview; a workbook is sent whole
const WORKBOOK_PREVIEW_BYTES = 3 * 1024 * 1024;

async function base64Of(blob: Blob): Promise<string> {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

export async function renderUploads(main: HTMLElement, _route: Route): Promise<void> {
  const list = h("div");
  main.append(h("h1", {}, "Uploads"));
  if (groups().some((g) => g === "sellers" || g === "managers")) main.append(uploadForm(() => void load()));
  main.append(h("section", { class: "card", "aria-labelledby": "up-title" }, h("h2", { id: "up-title" }, "Recent uploads"), list));
  const load = () => section(list, "Uploads", async () => uploadsTable(50));
  void load();
}

export async function uploadsTable(limit: number): Promise<HTMLElement> {
  const { uploads } = await get(`/ingest?limit=${limit}`);
  return table("Uploads", [
    ["File", (u: any) => u.file_name], ["Dataset", (u: any) => u.dataset],
    ["Status", (u: any) => h("span", { class: `badge status-${u.status === "validated" ? "pass" : u.status === "failed" || u.status === "rejected" ? "fail" : "processing"}` }, u.status)],
    ["Rows accepted", (u: any) => fmt.num(u.rows_accepted)], ["Quarantined", (u: any) => fmt.num(u.rows_quarantined)],
    ["Why", (u: any) => {
      const why = u.reason ? [u.reason] : Object.entries(u.reason_counts ?? {}).map(([r, n]) => `${n} × ${r}`);
      const sample = (u.quarantine_sample ?? []).slice(0, 3).map((q: any) => `row ${q.row_number ?? "?"}: ${(q.reasons ?? q.problems ?? []).join("; ")}`);
      return h("ul", {}, ...[...why.slice(0, 4), ...sample].map((w) => h("li", {}, w)));
    }],
    ["When", (u: any) => String(u.created_at).replace("T", " ").slice(0, 16)],
  ], uploads, "No uploads yet.");
}

function uploadForm(reload: () => void): HTMLElement {
  const dataset = select("dataset", DATASETS);
  const file = h("input", { type: "file", name: "file", required: true, accept: ".csv,.tsv,.txt,.jsonl,.xlsx" });
  const dateOrder = select("date_order", [["", "Dates: detect"], ["day_first", "Day first (31/01/2026)"], ["month_first", "Month first (01/31/2026)"]]);
  const decimal = select("decimal_separator", [["", "Decimal mark: detect"], [".", "Point (1.5)"], [",", "Comma (1,5)"]]);
  const preview = h("div", { "aria-live": "polite" }), status = h("p", { class: "state", role: "status" });
  const button = h("button", { type: "submit" }, "Upload");
  const form = h("form", { class: "card", "aria-label": "Upload a data file" },
    h("h2", {}, "Upload a data file"),
    h("div", { class: "controls" }, field("Dataset", dataset), field("File (CSV, TSV, JSON Lines or Excel)", file), field("Date order", dateOrder), field("Decimal mark", decimal), button),
    status, preview);
  const options = () => {
    const mapping: Record<string, string> = {};
    preview.querySelectorAll<HTMLSelectElement>("select[data-column]").forEach((s) => { if (s.value) mapping[s.value] = s.dataset.column!; });
    return { column_mapping: mapping, ...(dateOrder.value ? { date_order: dateOrder.value } : {}), ...(decimal.value ? { decimal_separator: decimal.value } : {}) };
  };
  let newest = 0;
  const showPreview = async () => {
    const chosen = file.files?.[0], mine = ++newest;
    if (!chosen) { clear(preview); return; }
    const workbook = chosen.name.toLowerCase().endsWith(".xlsx"), whole = workbook || chosen.size <= PREVIEW_BYTES;
    if (workbook && chosen.size > WORKBOOK_PREVIEW_BYTES) { clear(preview, h("p", {}, "This workbook is too large to preview: upload it, and its result says how it was read.")); return; }
    try {
      const p = await post(`/ingest/${dataset.value}/preview`, { file_name: chosen.name, content_base64: await base64Of(whole ? chosen : chosen.slice(0, PREVIEW_BYTES)), complete: whole, options: options() });
      if (mine !== newest) return;
      const mapped = p.options?.column_mapping ?? {};
      const shown = (p.dataset_columns ?? []).map((c: any) => c.name).filter((n: string) => (p.reading?.columns ?? []).some((c: any) => c.column === n));
      clear(preview,
        h("p", { class: p.status === "ready" ? "passed" : "failed" }, p.status === "ready" ? `${p.rows_accepted} of ${p.rows_read} rows${p.complete ? "" : " in the file's first part"} would be accepted.` : p.message),
        h("ul", { class: "muted" }, ...(p.reading?.columns ?? []).map((c: any) => h("li", {}, `${c.header} → ${c.column} (${c.by})`))),
        ...(p.missing_columns ?? []).map((column: string) => field(`Your column for ${column}`,
          select(`map-${column}`, [["", "—"], ...(p.headers ?? []).map((x: string): [string, string] => [x, x])], Object.keys(mapped).find((k) => mapped[k] === column) ?? ""))),
        table("Preview rows", [["Row", (r: any) => r.row_number], ...shown.map((n: string): [string, (r: any) => any] => [n, (r: any) => r.parsed ? r.parsed[n] : (r.problems ?? []).join("; ")])], (p.rows ?? []).slice(0, 8), ""));
      preview.querySelectorAll<HTMLSelectElement>("select").forEach((s) => { const col = s.name.replace(/^map-/, ""); s.dataset.column = col; s.addEventListener("change", () => void showPreview()); });
    } catch (error) { if (mine === newest) clear(preview, errorState(error)); }
  };
  for (const control of [dataset, file, dateOrder, decimal]) control.addEventListener("change", () => void showPreview());
  onFileSubmit(form, file, button, status, async (chosen) => {
    const slot = await post(`/ingest/${dataset.value}`, { file_name: chosen.name, options: options() }, idempotent());
    if (!slot.upload) throw new Error(slot.message);
    const result = await uploadThrough(slot, chosen, `/ingest/${slot.upload_id}`, ["awaiting_upload", "validating"], 60);
    status.textContent = `${chosen.name}: ${result?.status ?? "still validating"}${result ? `, ${result.rows_accepted} rows accepted, ${result.rows_quarantined} quarantined` : ""}.`;
    form.reset();
    clear(preview);
    reload();
  });
  return form;
}
