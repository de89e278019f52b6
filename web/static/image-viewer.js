// The view of a passage in a scanned image file: the image, its OCR'd words placed over it, the passage's words lit
// and boxed, and scrolled into view. Without JavaScript the text view under it shows the passage marked.

import { boxPassage, ocrWordLayer } from "/static/ocr-layer.js";
import { markPassage } from "/static/passage-match.js";

const view = document.getElementById("image-view");
if (view) {
  show(view).catch((err) => {
    view.dataset.state = "failed";
    const failed = view.dataset.msgFailed || "The image could not be shown ({error}); its text is below.";
    view.querySelector(".pdf-status").textContent = failed.replace("{error}", String(err.message || err));
  });
}

async function show(view) {
  view.dataset.state = "rendering";
  const image = new Image();
  image.src = view.dataset.src;
  image.alt = view.getAttribute("aria-label") || "";
  await image.decode();
  const holder = document.createElement("div");
  holder.className = "pdf-canvas-wrap";
  const box = view.querySelector(".pdf-page");
  holder.style.width = `${Math.min(box.clientWidth || image.naturalWidth, image.naturalWidth)}px`;
  image.className = "scan-image";
  holder.append(image);
  box.replaceChildren(holder);
  const { marks, coverage } = markPassage(await ocrWordLayer(holder, view.dataset.words), view.dataset.passage);
  if (marks.length) boxPassage(holder, marks);
  view.dataset.coverage = coverage.toFixed(3);
  view.dataset.marks = String(marks.length);
  view.querySelector(".pdf-status").textContent = view.dataset.msgShown || "The scanned image, the passage's words boxed";
  view.dataset.state = "rendered";
  const details = document.querySelector("details.page-text-details");
  if (details) details.open = false;
  if (marks.length) marks[0].scrollIntoView({ block: "center" });
}
