"""Reading order of a PDF page: words → lines (never across a column gutter) → blocks → ordered text.

Lines are split where a white band runs down between columns; lines stacked closely in one column make
a block (a paragraph, a heading, a sidebar); blocks are read in the order of Breuel's rule ("High
performance document layout analysis", 2003): a block above another that overlaps it comes first, and a
block left of another comes first unless something between them spans both, so each column is read top to
bottom before the next, under a full-width title and above a full-width footer.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from .tables import Table
from .words import Word

_GUTTER = 0.6  # a white band at least this many line heights wide may separate columns
_WIDE_GUTTER = 1.2  # a band this wide needs to be free only above or below the line, not both
_WINDOW = 2.2  # line heights above and below a line that a gutter must keep clear
_LINE_GAP = 0.75  # lines further apart than this many line heights are in different blocks
_COLUMN_GAP = 3.0  # the next block of a column starts within this many line heights of the last
Rule = tuple[float, float, float]  # x0, y, x1 of a horizontal line drawn on the page
_SENTENCE_END = re.compile(r"[.!?:;)\]”\"']$")


@dataclass
class Line:
    """Words on one baseline within one column, left to right."""

    words: list[Word]
    x0: float
    top: float
    x1: float
    bottom: float

    @classmethod
    def of(cls, word: Word) -> Line:
        """Return a line holding one word."""
        return cls([word], word.x0, word.top, word.x1, word.bottom)

    def add(self, word: Word) -> None:
        """Append a word to the right; the line keeps the vertical extent of its tallest word."""
        self.words.append(word)
        self.x1 = max(self.x1, word.x1)
        if word.size > self.bottom - self.top:
            self.top, self.bottom = word.top, word.bottom

    @property
    def height(self) -> float:
        """Return the line's height (its tallest word's)."""
        return self.bottom - self.top

    @property
    def text(self) -> str:
        """Return the line's words joined by spaces."""
        return " ".join(w.text for w in self.words)


@dataclass
class Block:
    """A run of text read as one: lines of a paragraph, or a table's rows."""

    lines: list[str]
    x0: float
    top: float
    x1: float
    bottom: float
    breaks: set[int] = field(default_factory=set)  # indexes of lines that start a new paragraph
    line_height: float = 10.0

    def text(self) -> str:
        """Return the block's lines, a blank line before each new paragraph."""
        return "\n".join(("\n" if i in self.breaks else "") + line for i, line in enumerate(self.lines))


def page_text(words: Sequence[Word], tables: Sequence[Table] = (), rules: Sequence[Rule] = ()) -> str:
    """Return a page's text in reading order: blocks apart by blank lines, table rows as "a | b | c".

    `rules` are long horizontal lines (x0, y, x1): a rule across the columns above a footer keeps the
    footer's blocks after the columns, though they stand left of the right column.
    """
    tabled = [w for w in words if not any(_inside(w, t.box) for t in tables)]
    blocks = build_blocks(build_lines(tabled))
    blocks += [Block(t.lines(), *t.box) for t in tables]
    in_table = [(t.box[1] - 1, t.box[3] + 1) for t in tables]
    blocks += [Block([], x0, y, x1, y) for x0, y, x1 in rules if not any(lo <= y <= hi for lo, hi in in_table)]
    text = ""
    previous: Block | None = None
    for block in reading_order(blocks):
        if not block.lines:
            continue
        text += (_separator(previous, block) if previous else "") + block.text()
        previous = block
    return text


def _separator(previous: Block, block: Block) -> str:
    """Return what stands between two blocks read one after the other.

    A block right under the last in its column (the next paragraph, the text under a heading) follows on
    the next line, as pypdf's plain text has it and the sentence splitter and chunker expect; a blank line
    marks where reading jumps: to another column, a table, a block far below.
    """
    stacked = _x_overlap(previous, block) > 1.0 and 0 <= block.top - previous.bottom <= 2.5 * previous.line_height
    tables = _is_table(previous) or _is_table(block)
    return "\n" if stacked and not tables else "\n\n"


def _is_table(block: Block) -> bool:
    return any(" | " in line for line in block.lines)


def _inside(word: Word, box: tuple[float, float, float, float]) -> bool:
    """Return True when the word's centre lies in the box."""
    x, y = (word.x0 + word.x1) / 2, (word.top + word.bottom) / 2
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]


def build_lines(words: Sequence[Word]) -> list[Line]:
    """Return the words grouped into lines, a line ending where the next word is across a column gutter."""
    by_top = sorted(words, key=lambda w: w.top)
    tops = [w.top for w in by_top]
    lines: list[Line] = []
    for word in sorted(words, key=lambda w: w.x0):
        middle = (word.top + word.bottom) / 2
        best: Line | None = None
        for line in lines:
            inside = line.top <= middle <= line.bottom
            around = word.top <= (line.top + line.bottom) / 2 <= word.bottom
            # A superscript sits inside its line's band; a big word beside small text ("PAGER" beside a
            # three-line note) only shares a line with it when each holds the other's middle.
            if not (inside and around or (inside or around) and 0.6 < word.size / line.height < 1.6):
                continue
            if line.x1 > word.x0 + 0.5 * word.size:
                continue  # overlaps it: another line (a superscript, text drawn over text)
            if best is None or line.x1 > best.x1:
                best = line
        if best is not None and not _is_gutter(best, word, by_top, tops):
            best.add(word)
        else:
            lines.append(Line.of(word))
    return lines


def _is_gutter(line: Line, word: Word, by_top: list[Word], tops: list[float]) -> bool:
    """Return True when the gap between a line and the next word on its baseline is a column gutter.

    A gutter is a white band at least `_GUTTER` line heights wide that the lines above and below leave
    clear too; a wide space in justified text is not, since the lines around it cross it.
    """
    # The body text's height sets the gutter's width: a heading beside a column is as far from it as text.
    height = min(line.height, word.size)
    if word.x0 - line.x1 < _GUTTER * height:
        return False
    reach = _WINDOW * height
    lo = bisect.bisect_left(tops, line.top - reach - 3 * height)
    hi = bisect.bisect_right(tops, line.bottom + reach)
    above: list[tuple[float, float]] = []
    below: list[tuple[float, float]] = []
    for other in by_top[lo:hi]:
        if other.x1 <= line.x1 or other.x0 >= word.x0:
            continue
        if other.bottom > line.top - reach and other.top < line.top + 0.3 * height:
            above.append((other.x0, other.x1))
        if other.top < line.bottom + reach and other.bottom > line.bottom - 0.3 * height:
            below.append((other.x0, other.x1))
    clear_above = _widest_free(line.x1, word.x0, above) >= _GUTTER * height
    clear_below = _widest_free(line.x1, word.x0, below) >= _GUTTER * height
    if clear_above and clear_below:
        return _widest_free(line.x1, word.x0, above + below) >= _GUTTER * height
    return (clear_above or clear_below) and word.x0 - line.x1 >= _WIDE_GUTTER * height


def _widest_free(a: float, b: float, taken: list[tuple[float, float]]) -> float:
    """Return the width of the widest stretch of [a, b] that no interval in `taken` covers."""
    widest, start = 0.0, a
    for x0, x1 in sorted(taken):
        if x0 > start:
            widest = max(widest, min(x0, b) - start)
        start = max(start, x1)
        if start >= b:
            return widest
    return max(widest, b - start)


def _x_overlap(a: Line | Block, b: Line | Block) -> float:
    return min(a.x1, b.x1) - max(a.x0, b.x0)


def _next_below(line: Line, lines: list[Line]) -> list[Line]:
    """Return the lines right under `line` that overlap it: the next line of its column, or several."""
    near = [m for m in lines if m is not line and _x_overlap(line, m) > 0 and m.top >= line.top + 0.5 * line.height]
    if not near:
        return []
    first = min(m.top for m in near)
    return [m for m in near if m.top < first + 0.5 * line.height]


def build_blocks(lines: list[Line]) -> list[Block]:
    """Return the lines stacked into blocks: one column's lines close together, in the same type size."""
    lines = sorted(lines, key=lambda ln: (ln.top, ln.x0))
    below = {id(ln): _next_below(ln, lines) for ln in lines}
    above: dict[int, list[Line]] = {}
    for ln in lines:
        for m in below[id(ln)]:
            above.setdefault(id(m), []).append(ln)
    follows: dict[int, Line] = {}
    for ln in lines:
        nxt = below[id(ln)]
        if len(nxt) != 1 or len(above.get(id(nxt[0]), [])) != 1:
            continue  # a title over two columns, or two lines over one: not one paragraph
        m = nxt[0]
        similar = 0.8 < m.height / ln.height < 1.25
        if similar and m.top - ln.bottom <= _LINE_GAP * ln.height:
            follows[id(m)] = ln
    chains: dict[int, list[Line]] = {}
    blocks: list[list[Line]] = []
    for ln in lines:
        prev = follows.get(id(ln))
        chain = chains.get(id(prev)) if prev is not None else None
        if chain is None:
            chain = []
            blocks.append(chain)
        chain.append(ln)
        chains[id(ln)] = chain
    return [_block(chain) for chain in blocks]


def _block(lines: list[Line]) -> Block:
    """Return a block of lines; an indented line after a finished sentence starts a paragraph."""
    left = min(ln.x0 for ln in lines)
    breaks = set()
    for i in range(1, len(lines)):
        indent = lines[i].x0 - left
        if 0.5 * lines[i].height < indent < 5 * lines[i].height and _SENTENCE_END.search(lines[i - 1].text):
            breaks.add(i)
    return Block(
        [ln.text for ln in lines], left, min(ln.top for ln in lines), max(ln.x1 for ln in lines),
        max(ln.bottom for ln in lines), breaks, sorted(ln.height for ln in lines)[len(lines) // 2],
    )


def reading_order(blocks: list[Block]) -> list[Block]:
    """Return the blocks in reading order (Breuel's rule, topologically sorted; top-left first on ties)."""
    n = len(blocks)
    heights = sorted(h for b in blocks for h in [b.line_height] * len(b.lines))
    body = heights[len(heights) // 2] if heights else 10.0  # the body text's line height
    middles = [(b.top + b.bottom) / 2 for b in blocks]
    after: list[list[int]] = [[] for _ in range(n)]
    indegree = [0] * n
    for i in range(n):
        for j in range(n):
            if i != j and _before(i, j, blocks, middles):
                after[i].append(j)
                indegree[j] += 1
    order: list[int] = []
    done = [False] * n
    while len(order) < n:
        ready = [i for i in range(n) if not done[i] and indegree[i] == 0]
        # A cycle (blocks that overlap oddly) is broken at its top-left block.
        pick = _next(ready or [i for i in range(n) if not done[i]], blocks, order[-1] if order else None, done, body)
        done[pick] = True
        order.append(pick)
        for j in after[pick]:
            indegree[j] -= 1
    return [blocks[i] for i in order]


def _next(ready: list[int], blocks: list[Block], last: int | None, done: list[bool], body: float) -> int:
    """Return the block to read next: the next one down the last block's column, else the top-left one.

    The column goes on when its next block is close below in type no smaller than the body text (a heading
    is bigger; a footnote smaller waits for the next column), or when another column still has unread
    text beside it. A block far below, past the end of the other columns (an address in the bottom-left
    corner), waits.
    """
    if last is not None:
        prev = blocks[last]
        under = [i for i in ready if _x_overlap(prev, blocks[i]) > 1.0 and blocks[i].top >= prev.bottom - 1.0]
        if under:
            nearest = min(under, key=lambda i: blocks[i].top)
            below = blocks[nearest]
            close = below.top - prev.bottom <= _COLUMN_GAP * prev.line_height
            smaller = below.line_height < 0.85 * min(prev.line_height, body)
            beside = [
                b.bottom for k, b in enumerate(blocks)
                if not done[k] and b.lines and _x_overlap(b, below) <= 1.0 and b.top < below.top - below.line_height
            ]
            if (close and not smaller) or below.top < max(beside, default=-1.0):
                return nearest
    return min(ready, key=lambda i: (blocks[i].top, blocks[i].x0))


def _before(i: int, j: int, blocks: list[Block], middles: list[float]) -> bool:
    """Return True when block i is read before block j."""
    a, b = blocks[i], blocks[j]
    if _x_overlap(a, b) > 1.0:
        return middles[i] < middles[j] if a.bottom > b.top and b.bottom > a.top else a.bottom <= b.top + 1.0
    # Left of it, and not wholly below it: a footer in the left corner comes after the right column.
    if a.x1 > b.x0 + 1.0 or a.top >= b.bottom:
        return False
    lo, hi = sorted((middles[i], middles[j]))
    return not any(
        k not in (i, j) and lo < middles[k] < hi and _x_overlap(c, a) > 1.0 and _x_overlap(c, b) > 1.0
        for k, c in enumerate(blocks)
    )
