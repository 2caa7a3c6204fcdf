// A PDF page drawn with pdf.js (loaded only when a PDF is opened), at the width of its container.

import * as pdfjs from "pdfjs-dist";
import workerUrl from "pdfjs-dist/build/pdf.worker.min.mjs?url";

pdfjs.GlobalWorkerOptions.workerSrc = workerUrl;

export async function renderPdfPage(url: string, pageNumber: number): Promise<HTMLCanvasElement> {
  const pdf = await pdfjs.getDocument({ url }).promise;
  const page = await pdf.getPage(pageNumber);
  const viewport = page.getViewport({ scale: 2 });
  const canvas = document.createElement("canvas");
  canvas.width = viewport.width;
  canvas.height = viewport.height;
  canvas.style.width = "100%";
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", `Page ${pageNumber} of the document`);
  await page.render({ canvas, canvasContext: canvas.getContext("2d")!, viewport }).promise;
  return canvas;
}
