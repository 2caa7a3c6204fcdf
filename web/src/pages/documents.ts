// Documents: upload invoices and certificates, list them with their status, and a detail view with
// the page as uploaded, each extracted field's box drawn on it, the rules that failed and why;
// managers review and correct; export JSON/CSV.

import { get, getFile, idempotent, post, uploadThrough } from "../api";
import { groups } from "../auth";
import { clear, download, emptyState, errorState, field, fmt, h, messageOf, onFileSubmit, section, select, table } from "../dom";
import { go, href, Route } from "../router";

const DOC_TYPES: [string, string][] = [["invoice", "Invoice"], ["gst_certificate", "GST certificate"], ["receipt", "Receipt"]];
const WAITING = ["awaiting_upload", "processing"];

export async function renderDocuments(main: HTMLElement, route: Route): Promise<void> {
  if (route.rest[0]) return renderDocument(main, route.rest[0]);
  const list = h("div");
  main.append(h("h1", {}, "Documents"));
  if (groups().some((g) => g === "sellers" || g === "managers")) main.append(uploadForm());
  main.append(h("section", { class: "card", "aria-labelledby": "docs-title" }, h("h2", { id: "docs-title" }, "Your documents"), list));
  void section(list, "Documents", async () => {
    const { documents } = await get("/documents?limit=200");
    return table("Documents", [
      ["File", (d: any) => h("a", { href: href("documents", {}, d.doc_id) }, d.file_name)],
      ["Type", (d: any) => d.doc_type.replace(/_/g, " ")],
      ["Status", (d: any) => h("span", { class: `badge status-${d.status}` }, d.status.replace(/_/g, " "))],
      ["Confidence", (d: any) => fmt.pct(d.confidence, 0)],
      ["Reasons", (d: any) => h("ul", {}, ...(d.reasons ?? []).slice(0, 3).map((r: string) => h("li", {}, r)))],
      ["Uploaded", (d: any) => d.created_at.replace("T", " ").slice(0, 16)],
    ], documents, "No documents yet: upload an invoice or a certificate above.");
  });
}

function uploadForm(): HTMLElement {
  const file = h("input", { type: "file", name: "file", required: true, accept: ".pdf,.png,.jpg,.jpeg,.tif,.tiff,application/pdf,image/*" });
  const status = h("p", { class: "state", role: "status" });
  const button = h("button", { type: "submit" }, "Upload and check");
  const form = h("form", { class: "card controls", "aria-label": "Upload a document" },
    field("Document type", select("doc_type", DOC_TYPES)), field("File (PDF or image)", file), button, status);
  onFileSubmit(form, file, button, status, async (chosen) => {
    const docType = (form.querySelector("select[name=doc_type]") as HTMLSelectElement).value;
    const slot = await post("/upload-document", { doc_type: docType, file_name: chosen.name }, idempotent());
    if (!slot.upload) throw new Error(slot.message);
    status.textContent = "Uploaded; reading and checking it …";
    await uploadThrough(slot, chosen, `/documents/${encodeURIComponent(slot.doc_id)}`, ["awaiting_upload"], 30);
    go("documents", {}, slot.doc_id);
  });
  return form;
}

async function renderDocument(main: HTMLElement, docId: string): Promise<void> {
  const body = h("div");
  main.append(h("p", {}, h("a", { href: href("documents") }, "← All documents")), body);
  let doc = await get(`/documents/${encodeURIComponent(docId)}`);
  for (let i = 0; WAITING.includes(doc.status) && i < 120; i++) {  // processing: show it, then the result
    clear(body, h("h1", {}, doc.file_name), h("p", { class: "state loading", role: "status" }, `Status: ${doc.status.replace(/_/g, " ")} …`));
    await new Promise((r) => setTimeout(r, 1000));
    if (!document.body.contains(body)) return;  // the user went elsewhere
    doc = await get(`/documents/${encodeURIComponent(docId)}`);
  }
  const failedFields = new Set<string>((doc.rules ?? []).filter((r: any) => !r.passed && !r.skipped).flatMap((r: any) => r.fields ?? []));
  const fields = Object.entries(doc.fields ?? {}).map(([name, f]: [string, any]) => ({ name, ...f, failed: failedFields.has(name) }));
  const viewer = h("div", { class: "page-image", "aria-label": "The uploaded page with each extracted field outlined" });
  const status = h("p", { class: "state", role: "status" });
  clear(body,
    h("h1", {}, doc.file_name),
    h("p", {}, h("span", { class: `badge status-${doc.status}` }, doc.status.replace(/_/g, " ")), ` ${doc.doc_type.replace(/_/g, " ")} · confidence ${fmt.pct(doc.confidence, 0)} · rules ${doc.rule_version ?? "—"}`),
    ...(doc.reasons?.length ? [h("ul", { class: "failed", "aria-label": "Why it failed" }, ...doc.reasons.map((r: string) => h("li", {}, r)))] : []),
    h("div", { class: "doc-view" },
      h("section", { class: "card", "aria-labelledby": "page-title" }, h("h2", { id: "page-title" }, "Page"), viewer),
      h("div", {},
        h("section", { class: "card", "aria-labelledby": "fields-title" }, h("h2", { id: "fields-title" }, "Extracted fields"),
          table("Extracted fields", [
            ["Field", (f: any) => h("button", { type: "button", class: "link", onclick: () => highlight(viewer, f.name) }, f.name.replace(/_/g, " "))],
            ["Value", (f: any) => h("span", { class: f.failed ? "failed" : "" }, String(f.value ?? "—"))],
            ["Confidence", (f: any) => fmt.pct(f.confidence, 0)],
            ["Page", (f: any) => f.page ?? "—"],
          ], fields, "No fields were read.")),
        h("section", { class: "card", "aria-labelledby": "rules-title" }, h("h2", { id: "rules-title" }, "Rules"),
          table("Rules", [
            ["Rule", (r: any) => r.rule.replace(/_/g, " ")],
            ["Result", (r: any) => h("span", { class: r.skipped ? "muted" : r.passed ? "passed" : "failed" }, r.skipped ? "skipped" : r.passed ? "passed" : "failed")],
            ["Why", (r: any) => r.reason || ""],
          ], doc.rules ?? [], "No rules ran.")),
        exportButtons(docId, status), status,
        ...(groups().some((g) => g === "managers" || g === "admins") && !WAITING.includes(doc.status) ? [reviewForm(doc, fields)] : []))));
  void showPage(viewer, docId, fields);
}

function exportButtons(docId: string, status: HTMLElement): HTMLElement {
  const button = (format: "json" | "csv") => h("button", { type: "button", class: "secondary", onclick: async () => {
    try { download(`${docId}.${format}`, await getFile(`/documents/${encodeURIComponent(docId)}/export?format=${format}`)); }
    catch (error) { clear(status, errorState(error)); }
  } }, `Export ${format.toUpperCase()}`);
  return h("div", { class: "actions" }, button("json"), button("csv"));
}

function highlight(viewer: HTMLElement, name: string): void {
  viewer.querySelectorAll(".box").forEach((b) => b.classList.toggle("active", (b as HTMLElement).dataset.field === name));
  viewer.querySelector(`.box[data-field="${CSS.escape(name)}"]`)?.scrollIntoView({ block: "center", behavior: "smooth" });
}

/** The uploaded page (an image as is; a PDF's first page drawn by pdf.js) with a box per field read on it. */
async function showPage(viewer: HTMLElement, docId: string, fields: any[]): Promise<void> {
  clear(viewer, h("p", { class: "state loading", role: "status" }, "Loading the page …"));
  try {
    const file = await get(`/documents/${encodeURIComponent(docId)}/file`);
    let surface: HTMLElement;
    if (file.content_type === "application/pdf") {
      const { renderPdfPage } = await import("../pdf");
      surface = await renderPdfPage(file.url, 1);
    } else {
      const img = h("img", { src: file.url, alt: `Page 1 of ${file.file_name}` });
      await img.decode().catch(() => { throw new Error("The page image could not be shown."); });
      surface = img;
    }
    clear(viewer, surface);
    for (const f of fields.filter((f) => f.box && (f.page ?? 1) === 1)) {
      const b = f.box;
      const box = h("div", { class: `box${f.failed ? " failed" : ""}`, title: `${f.name}: ${f.value}`, "data-field": f.name });
      Object.assign(box.style, { left: `${b.Left * 100}%`, top: `${b.Top * 100}%`, width: `${b.Width * 100}%`, height: `${b.Height * 100}%` });
      viewer.append(box);
    }
    if (!viewer.querySelector(".box")) viewer.append(emptyState("No field positions on this page (fields typed in by a reviewer have none)."));
  } catch (error) {
    clear(viewer, errorState(`The page cannot be shown: ${messageOf(error)}`));
  }
}

function reviewForm(doc: any, fields: any[]): HTMLElement {
  const status = h("p", { class: "state", role: "status" });
  const inputs = fields.map((f) => h("input", { name: f.name, value: String(f.value ?? "") }));
  const resolution = select("resolution", [["pass", "Pass"], ["fail", "Fail"]], doc.status === "fail" ? "fail" : "pass");
  const note = h("textarea", { name: "note", required: true, maxlength: "1000" });
  const form = h("form", { class: "card", "aria-labelledby": "review-title" },
    h("h2", { id: "review-title" }, "Review and correct"),
    ...fields.map((f, i) => field(f.name.replace(/_/g, " "), inputs[i])),
    field("Decision", resolution), field("Note (what you checked)", note),
    h("button", { type: "submit" }, "Save review"), status);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const corrections: Record<string, string> = {};
    fields.forEach((f, i) => { if (inputs[i].value !== String(f.value ?? "")) corrections[f.name] = inputs[i].value; });
    try {
      const r = await post(`/documents/${encodeURIComponent(doc.doc_id)}/review`, { corrections, resolution: resolution.value, note: note.value });
      status.textContent = `Saved: ${r.status.replace(/_/g, " ")}.`;
      go("documents", { reviewed: Date.now() }, doc.doc_id);
    } catch (error) { clear(status, errorState(error)); }
  });
  return form;
}
