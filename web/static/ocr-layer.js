// The OCR'd words of a scanned page, placed over its image at the boxes Tesseract gave (fractions of the page), so
// the passage can be marked on a scan like on a text layer; and one box around the passage's words.

// A scanned page has no text layer: place the OCR'd words, boxed as the server recorded them, over the image.
export async function ocrWordLayer(holder, url) {
  const response = await fetch(url, { headers: { Accept: "application/json" } });
  if (!response.ok) return [];
  const { words } = await response.json();
  const layer = document.createElement("div");
  layer.className = "ocrLayer";
  const spans = words.map(([text, left, top, width, height]) => {
    const span = document.createElement("span");
    span.textContent = text;
    span.style.left = `${left * 100}%`;
    span.style.top = `${top * 100}%`;
    span.style.width = `${width * 100}%`;
    span.style.height = `${height * 100}%`;
    layer.append(span, " ");
    return span;
  });
  holder.append(layer);
  return spans;
}

// Draws one box around the OCR'd words of the passage (the union of the marked words' boxes).
export function boxPassage(holder, marks) {
  const outer = holder.getBoundingClientRect();
  const boxes = marks.map((m) => m.parentElement.getBoundingClientRect());
  const left = Math.min(...boxes.map((b) => b.left)) - outer.left;
  const top = Math.min(...boxes.map((b) => b.top)) - outer.top;
  const right = Math.max(...boxes.map((b) => b.right)) - outer.left;
  const bottom = Math.max(...boxes.map((b) => b.bottom)) - outer.top;
  const box = document.createElement("div");
  box.className = "ocr-passage-box";
  box.style.left = `${left - 4}px`;
  box.style.top = `${top - 4}px`;
  box.style.width = `${right - left + 8}px`;
  box.style.height = `${bottom - top + 8}px`;
  holder.append(box);
}
