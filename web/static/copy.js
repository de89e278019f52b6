// Copy buttons: any <button class="copy-reference" data-copy="..."> copies its text to the clipboard. Without
// JavaScript the buttons stay hidden (see app.css: only `html.js` shows them) and the reference is plain text to select.

document.documentElement.classList.add("js");

async function copyText(text) {
  if (navigator.clipboard && window.isSecureContext) {
    await navigator.clipboard.writeText(text);
    return;
  }
  // Plain http on another host is not a secure context: fall back to a selected textarea.
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.className = "visually-hidden";
  document.body.append(area);
  area.select();
  const ok = document.execCommand("copy");
  area.remove();
  if (!ok) throw new Error("the browser refused to copy");
}

document.addEventListener("click", async (event) => {
  const button = event.target.closest("button.copy-reference");
  if (!button) return;
  const label = button.dataset.label || button.textContent;
  button.dataset.label = label;
  try {
    await copyText(button.dataset.copy || "");
    button.textContent = button.dataset.copied || "Copied"; // data-copied: the word in the reader's language
  } catch (err) {
    button.textContent = button.dataset.copyFailed || "Copy failed: select the text";
  }
  setTimeout(() => { button.textContent = label; }, 2000);
});
