// The PDF view of a passage: pdf.js (served from node_modules) renders the cited page to a canvas with its text
// layer, and the passage is marked on the text layer and scrolled into view. A scanned page without a text layer
// gets a layer of its OCR words instead (their boxes come from the server), so the OCR'd passage is boxed the same
// way. Without JavaScript the text view under it shows the page's text with the passage marked.

import * as pdfjs from "/static/vendor/pdfjs/build/pdf.min.mjs";
import { boxPassage, ocrWordLayer } from "/static/ocr-layer.js";
import { markPassage } from "/static/passage-match.js";

const view = document.getElementById("pdf-view");

// The page's words, in the reader's language, come from the template's data-msg-* attributes ({name} filled in).
function say(element, name, fallback, values = {}) {
  const text = element.dataset[name] || fallback;
  return text.replace(/\{(\w+)\}/g, (whole, key) => (key in values ? String(values[key]) : whole));
}
if (view) {
  open(view).catch((err) => {
    view.dataset.state = "failed";
    const status = view.querySelector(".pdf-status");
    status.textContent = say(view, "msgFailed", "The PDF could not be shown ({error}); the page's text is below.",
      { error: err.message || err });
    view.querySelector(".pdf-nav").hidden = false;
  });
}

async function open(view) {
  const vendor = new URL(view.dataset.vendor, window.location.href).href;
  pdfjs.GlobalWorkerOptions.workerSrc = `${vendor}build/pdf.worker.min.mjs`;
  const pdf = await pdfjs.getDocument({
    url: view.dataset.src,
    cMapUrl: `${vendor}cmaps/`,
    cMapPacked: true,
    standardFontDataUrl: `${vendor}standard_fonts/`,
    wasmUrl: `${vendor}wasm/`,
    iccUrl: `${vendor}iccs/`,
  }).promise;
  const cited = Number(view.dataset.page);
  const nav = view.querySelector(".pdf-nav");
  const status = view.querySelector(".pdf-status");
  const buttons = nav.querySelectorAll("button[data-step]");
  let current = cited;

  async function show(number) {
    view.dataset.state = "rendering";
    buttons.forEach((b) => { b.disabled = true; });
    await renderPage(view, await pdf.getPage(number), number === cited ? view.dataset.passage : null);
    current = number;
    const values = { page: number, pages: pdf.numPages };
    status.textContent = number === cited
      ? say(view, "msgCitedPage", "Page {page} of {pages} (the cited page)", values)
      : say(view, "msgPage", "Page {page} of {pages}", values);
    buttons.forEach((b) => {
      const next = current + Number(b.dataset.step);
      b.disabled = next < 1 || next > pdf.numPages;
    });
    view.dataset.page = String(number);
    view.dataset.state = "rendered";
  }

  buttons.forEach((b) => b.addEventListener("click", () => show(current + Number(b.dataset.step))));
  nav.hidden = false;
  await show(cited);
  const details = document.querySelector("details.page-text-details");
  if (details) details.open = false; // the text stays one click away
  const first = view.querySelector("mark.kb-hit");
  if (first) first.scrollIntoView({ block: "center" });
}

async function renderPage(view, page, passage) {
  const box = view.querySelector(".pdf-page");
  const natural = page.getViewport({ scale: 1 });
  const scale = Math.max(0.5, Math.min(2, (box.clientWidth || natural.width) / natural.width));
  const viewport = page.getViewport({ scale });
  const ratio = window.devicePixelRatio || 1;

  const holder = document.createElement("div");
  holder.className = "pdf-canvas-wrap";
  holder.style.setProperty("--total-scale-factor", String(scale));
  holder.style.width = `${Math.floor(viewport.width)}px`;
  holder.style.height = `${Math.floor(viewport.height)}px`;
  const canvas = document.createElement("canvas");
  canvas.width = Math.floor(viewport.width * ratio);
  canvas.height = Math.floor(viewport.height * ratio);
  canvas.style.width = `${Math.floor(viewport.width)}px`;
  canvas.style.height = `${Math.floor(viewport.height)}px`;
  canvas.setAttribute("aria-hidden", "true");
  const layer = document.createElement("div");
  layer.className = "textLayer";
  holder.append(canvas, layer);

  await page.render({
    canvasContext: canvas.getContext("2d"),
    viewport,
    transform: ratio === 1 ? null : [ratio, 0, 0, ratio, 0, 0],
  }).promise;
  const textLayer = new pdfjs.TextLayer({ textContentSource: page.streamTextContent(), container: layer, viewport });
  await textLayer.render();
  box.replaceChildren(holder);

  view.dataset.coverage = "";
  if (!passage) return;
  let spans = textLayer.textDivs.filter((el) => (el.textContent || "").trim());
  const scanned = !spans.length && view.dataset.words;
  if (scanned) spans = await ocrWordLayer(holder, view.dataset.words);
  const { marks, coverage } = markPassage(spans, passage);
  if (scanned && marks.length) boxPassage(holder, marks);
  view.dataset.coverage = coverage.toFixed(3);
  view.dataset.marks = String(marks.length);
}
