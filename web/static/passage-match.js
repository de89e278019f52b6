// Finds a passage in a page's text layer and marks it: the passage's text and the layer's spans may differ in
// whitespace, line-end hyphenation, ligatures, case and column order, so both are reduced to their letters and
// digits (NFKD, lower case) and the longest common runs are marked, longest first, until the passage is covered.

const KEEP = /[\p{L}\p{N}\p{M}]/u;
const PUNCTUATION = /[^\s\p{L}\p{N}\p{M}]/u; // a mark runs on over the punctuation that ends its words
const MIN_RUN = 12; // letters: shorter common runs are chance ("of the", a number)
const MAX_RUNS = 12;

// Returns the letters of `text` as code points, and for each the index of the character it came from.
function lettersOf(text) {
  const codes = [];
  const origin = [];
  for (let i = 0; i < text.length; i += 1) {
    for (const c of text[i].normalize("NFKD").toLowerCase()) {
      if (KEEP.test(c)) {
        codes.push(c.codePointAt(0));
        origin.push(i);
      }
    }
  }
  return { codes, origin };
}

// Returns the longest run common to a and b among the positions not yet used: {i, j, length}.
function longestRun(a, b, usedA, usedB) {
  const m = b.length;
  let prev = new Int32Array(m + 1);
  let cur = new Int32Array(m + 1);
  let best = { i: 0, j: 0, length: 0 };
  for (let i = 0; i < a.length; i += 1) {
    const ai = a[i];
    const freeA = !usedA[i];
    for (let j = 0; j < m; j += 1) {
      if (freeA && !usedB[j] && ai === b[j]) {
        const run = prev[j] + 1;
        cur[j + 1] = run;
        if (run > best.length) best = { i: i - run + 1, j: j - run + 1, length: run };
      } else {
        cur[j + 1] = 0;
      }
    }
    [prev, cur] = [cur, prev];
  }
  return best;
}

// Returns, for each letter of the page, whether it belongs to the passage (runs found longest first).
export function matchLetters(passage, page) {
  const usedA = new Uint8Array(passage.length);
  const usedB = new Uint8Array(page.length);
  let covered = 0;
  for (let n = 0; n < MAX_RUNS && covered < 0.98 * passage.length; n += 1) {
    const run = longestRun(passage, page, usedA, usedB);
    if (run.length < Math.min(MIN_RUN, passage.length)) break;
    usedA.fill(1, run.i, run.i + run.length);
    usedB.fill(1, run.j, run.j + run.length);
    covered += run.length;
  }
  return { marked: usedB, coverage: passage.length ? covered / passage.length : 0 };
}

// Marks the passage in `elements` (the text layer's spans, in order): wraps the characters of each span that belong
// to the passage, and the spaces between them, in <mark class="kb-hit">. Returns the marks and the share of the
// passage's letters found.
export function markPassage(elements, passageText) {
  const passage = lettersOf(passageText).codes;
  const codes = [];
  const where = []; // [element index, character index] of each page letter
  elements.forEach((el, e) => {
    const found = lettersOf(el.textContent || "");
    found.codes.forEach((code, k) => {
      codes.push(code);
      where.push([e, found.origin[k]]);
    });
  });
  const { marked, coverage } = matchLetters(passage, codes);
  const ranges = new Map(); // element index -> [[start, end), ...] in its text
  for (let k = 0; k < codes.length; k += 1) {
    if (!marked[k]) continue;
    const [e, at] = where[k];
    const list = ranges.get(e) || [];
    const last = list[list.length - 1];
    if (last && marked[k - 1] && where[k - 1][0] === e) last[1] = at + 1;
    else list.push([at, at + 1]);
    ranges.set(e, list);
  }
  const marks = [];
  for (const [e, list] of ranges) {
    const el = elements[e];
    const text = el.textContent || "";
    const parts = [];
    let pos = 0;
    for (const range of list) {
      while (range[1] < text.length && PUNCTUATION.test(text[range[1]])) range[1] += 1;
    }
    for (const [start, end] of list) {
      if (start > pos) parts.push(document.createTextNode(text.slice(pos, start)));
      const mark = document.createElement("mark");
      mark.className = "kb-hit";
      mark.textContent = text.slice(start, end);
      parts.push(mark);
      marks.push(mark);
      pos = end;
    }
    if (pos < text.length) parts.push(document.createTextNode(text.slice(pos)));
    el.replaceChildren(...parts);
  }
  return { marks, coverage };
}
