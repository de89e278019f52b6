// The upload form, when JavaScript runs: files dropped on the area or chosen in the field are sent one by one,
// each with a progress bar and then its result (added, replaced, unchanged, failed and why). Without JavaScript the
// form posts every file at once and the page lists the results; the server answers both.
"use strict";

(function () {
  const form = document.querySelector("form.upload");
  if (!form || !window.FormData || !window.XMLHttpRequest) return;
  const input = form.querySelector("input[type=file]");
  const area = form.querySelector(".drop-area");
  const panel = document.querySelector(".upload-progress");
  const queue = panel.querySelector(".upload-queue");
  const done = panel.querySelector(".upload-done");
  const words = form.dataset;
  const maxFiles = parseInt(words.maxFiles, 10) || 20;

  ["dragenter", "dragover"].forEach((type) => area.addEventListener(type, (event) => {
    event.preventDefault();
    area.classList.add("dragging");
  }));
  ["dragleave", "drop"].forEach((type) => area.addEventListener(type, () => area.classList.remove("dragging")));
  area.addEventListener("drop", (event) => {
    event.preventDefault();
    if (!event.dataTransfer || !event.dataTransfer.files.length) return;
    input.files = event.dataTransfer.files; // the field now holds the dropped files, as if chosen
    input.dispatchEvent(new Event("change", { bubbles: true }));
  });

  form.addEventListener("submit", (event) => {
    const files = Array.from(input.files);
    if (!files.length) return; // the browser's own check says a file is needed
    event.preventDefault();
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    queue.replaceChildren();
    done.hidden = true;
    panel.hidden = false;
    if (files.length > maxFiles) {
      queue.append(row(words.tooMany, "failed").item);
      button.disabled = false;
      return;
    }
    const rows = files.map((file) => row(file.name, "waiting"));
    rows.forEach((r) => queue.append(r.item));
    const visibility = form.querySelector("input[name=visibility]:checked");
    const seen = new Set();
    let chain = Promise.resolve();
    files.forEach((file, i) => {
      // One request a file, so the server cannot see two of them share a name: the second would replace the first.
      if (seen.has(file.name)) { fail(rows[i], words.sameName); return; }
      seen.add(file.name);
      chain = chain.then(() => send(file, rows[i], visibility ? visibility.value : ""));
    });
    chain.then(() => {
      button.disabled = false;
      done.hidden = false;
      form.reset();
    });
  });

  function row(name, state) {
    const item = document.createElement("li");
    item.className = "upload-item";
    item.dataset.state = state;
    const label = document.createElement("span");
    label.className = "upload-name";
    label.textContent = name;
    const bar = document.createElement("progress");
    bar.max = 100;
    bar.value = 0;
    bar.setAttribute("aria-label", name);
    const status = document.createElement("span");
    status.className = "upload-status";
    item.append(label, bar, status);
    return { item, bar, status };
  }

  function send(file, r, visibility) {
    return new Promise((resolve) => {
      const body = new FormData();
      body.append("csrf_token", form.querySelector("input[name=csrf_token]").value);
      body.append("visibility", visibility);
      body.append("files", file, file.name);
      const xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("Accept", "application/json");
      r.item.dataset.state = "sending";
      r.status.textContent = words.sending;
      xhr.upload.addEventListener("progress", (e) => {
        if (e.lengthComputable) r.bar.value = Math.round((e.loaded / e.total) * 100);
      });
      xhr.upload.addEventListener("load", () => {
        r.bar.value = 100;
        r.status.textContent = words.reading; // sent; the server is parsing and indexing it
      });
      xhr.addEventListener("load", () => {
        r.bar.value = 100;
        let body = null;
        try {
          body = JSON.parse(xhr.responseText);
        } catch (err) {
          body = null;
        }
        const result = body && body.results ? body.results[0] : null;
        if (xhr.status === 200 && result) show(r, result);
        else fail(r, body && typeof body.detail === "string" ? body.detail : `${xhr.status} ${xhr.statusText}`);
        resolve();
      });
      xhr.addEventListener("error", () => { fail(r, ""); resolve(); });
      xhr.send(body);
    });
  }

  function show(r, result) {
    r.item.dataset.state = "done";
    r.item.dataset.outcome = result.outcome;
    const badge = document.createElement("span");
    badge.className = `badge outcome ${result.outcome}`;
    badge.textContent = result.label;
    r.status.replaceChildren(badge, " ");
    if (result.url) {
      const link = document.createElement("a");
      link.href = result.url;
      link.textContent = words.open;
      r.status.append(link);
    } else {
      r.status.append(result.reason);
    }
  }

  function fail(r, reason) {
    r.item.dataset.state = "done";
    r.item.dataset.outcome = "failed";
    const badge = document.createElement("span");
    badge.className = "badge outcome failed";
    badge.textContent = words.failed;
    r.status.replaceChildren(badge, " ", reason);
  }
})();
