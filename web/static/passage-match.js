// Finds a passage in a page's text layer and marks it: the passage's text and the layer's spans may differ in
// whitespace, line-end hyphenation, ligatures, case and column order, so both are reduced to their letters and
// digits (NFKD, lower case) and the runs they share are marked, longest first: long runs anywhere on the page, then
// short ones (a table's numbers, a cell of one word) only in the stretch of the page the long runs cover.

const KEEP = /[\p{L}\p{N}\p{M}]/u;
const PUNCTUATION = /[^\s\p{L}\p{N}\p{M}]/u; // a mark runs on over the punctuation that ends its words
const LONG_RUN = 12; // letters: a shorter run found anywhere on the page may be chance ("of the", a number)
const SHORT_RUN = 3; // letters: the shortest run taken near the long ones

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

// Returns every maximal run common to a and b of at least `min` letters, as [length, start in a, start in b].
function commonRuns(a, b, min) {
  const m = b.length;
  let prev = new Int32Array(m + 1);
  let cur = new Int32Array(m + 1);
  const runs = [];
  for (let i = 0; i < a.length; i += 1) {
    const ai = a[i];
    const next = i + 1 < a.length ? a[i + 1] : -1;
    for (let j = 0; j < m; j += 1) {
      if (ai === b[j]) {
        const run = prev[j] + 1;
        cur[j + 1] = run;
        if (run >= min && (j + 1 >= m || next !== b[j + 1])) runs.push([run, i - run + 1, j - run + 1]);
      } else {
        cur[j + 1] = 0;
      }
    }
    [prev, cur] = [cur, prev];
  }
  return runs.sort((x, y) => y[0] - x[0]);
}

// Returns the longest stretch of a run whose letters are free on both sides: [length, start in a, start in b].
function freePart([length, i, j], usedA, usedB) {
  let best = [0, i, j];
  let start = 0;
  for (let k = 0; k <= length; k += 1) {
    if (k === length || usedA[i + k] || usedB[j + k]) {
      if (k - start > best[0]) best = [k - start, i + start, j + start];
      start = k + 1;
    }
  }
  return best;
}

// Returns, for each letter of the page, whether it belongs to the passage, and the share of the passage found.
export function matchLetters(passage, page) {
  const usedA = new Uint8Array(passage.length);
  const usedB = new Uint8Array(page.length);
  const long = Math.min(LONG_RUN, passage.length);
  const runs = commonRuns(passage, page, Math.min(SHORT_RUN, long));
  let covered = 0;
  let lo = Infinity;
  let hi = -Infinity;
  const take = ([length, i, j]) => {
    usedA.fill(1, i, i + length);
    usedB.fill(1, j, j + length);
    covered += length;
  };
  for (const run of runs) {
    if (run[0] < long) break;
    const part = freePart(run, usedA, usedB);
    if (part[0] >= long) {
      take(part);
      lo = Math.min(lo, part[2]);
      hi = Math.max(hi, part[2] + part[0]);
    }
  }
  const margin = Math.max(40, passage.length - covered); // the letters still missing may lie just outside
  for (const run of runs) {
    if (run[0] >= long || run[2] < lo - margin || run[2] + run[0] > hi + margin) continue;
    const part = freePart(run, usedA, usedB);
    if (part[0] >= Math.min(SHORT_RUN, long)) take(part);
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
