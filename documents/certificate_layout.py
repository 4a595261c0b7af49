"""Layout helpers for the certificate page: colours, text fitting, ornaments, the QR code.

Plain drawing on an ``FPDF`` in millimetres; no knowledge of what a certificate says.
"""

from __future__ import annotations

import segno
from fpdf import FPDF

from documents.certificate_fonts import FAMILY

PAGE_W, PAGE_H = 297.0, 210.0  # A4 landscape, mm
PT = 25.4 / 72  # one point in mm

NAVY = (22, 50, 92)
GOLD = (181, 142, 58)
GOLD_LIGHT = (226, 204, 145)
PAPER = (255, 253, 247)
INK = (33, 37, 41)
MUTED = (72, 77, 84)  # dark enough to read on a phone screen (contrast ≈ 8:1 on the paper)
WHITE = (255, 255, 255)

#: segno's mask search tries all eight masks (≈ 4 ms); any fixed mask reads the same.
QR_MASK = 2


def make_qr(payload: str) -> segno.QRCode:
    """The verification QR code, with a fixed mask instead of segno's search."""
    return segno.make_qr(payload, error="m", mask=QR_MASK)


def line_height(size_pt: float) -> float:
    return size_pt * PT * 1.22


def block_height(size_pt: float, lines: int) -> float:
    return line_height(size_pt) * lines


def text_lines(pdf: FPDF, lines: list[str], x: float, baseline: float, size: float, align: str) -> float:
    """Draw lines (font already set) from a first baseline; return the last baseline."""
    pdf.set_font_size(size)
    y = baseline
    for i, line in enumerate(lines):
        if i:
            y += line_height(size)
        w = pdf.get_string_width(line)
        if align == "C":
            left = x - w / 2
        elif align == "R":
            left = x - w
        else:
            left = x
        pdf.text(left, y, line)
    return y


def fit(pdf: FPDF, text: str, style: str, max_pt: float, min_pt: float, width: float, max_lines: int,
        spacing_em: float = 0.0) -> tuple[float, list[str]]:
    """Largest size (step 0.5 pt) at which ``text`` fits ``width`` in ``max_lines``.

    One line is preferred down to 80 % of ``max_pt``, then wrapping is allowed.
    Past ``min_pt`` the text shrinks further (to 5 pt), then words are broken
    and, as a last resort, the last line ends with "…". Never overflows.
    Leaves the font set to the chosen size.
    """
    words = text.split(" ")
    unit, space = _word_widths(pdf, words, style, spacing_em)
    for n, floor in ((1, max(min_pt, max_pt * 0.8)), (max_lines, 5.0)):
        found = _largest_fit(unit, space, max_pt, floor, width, n)
        if found is not None:
            size, lines = found
            pdf.set_font_size(size)
            return size, [" ".join(words[i] for i in line) for line in lines]
    return 5.0, _broken_anywhere(pdf, text, width, max_lines)


def _word_widths(pdf: FPDF, words: list[str], style: str, spacing_em: float) -> tuple[list[float], float]:
    """Each word's width and a space's, per point of font size, letter spacing included."""
    pdf.set_font(FAMILY, style, 100)
    unit = [pdf.get_string_width(w) / 100 + spacing_em * len(w) * PT for w in words]
    space = pdf.get_string_width(" ") / 100 + spacing_em * PT
    return unit, space


def _largest_fit(unit: list[float], space: float, max_pt: float, floor: float, width: float,
                 max_lines: int) -> tuple[float, list[list[int]]] | None:
    """From ``max_pt`` down to ``floor`` by 0.5 pt, the first size whose wrapped lines fit; None if none does."""
    size = max_pt
    while size >= floor:
        lines = _wrap_words(unit, space, size, width)
        if len(lines) <= max_lines and max(unit) * size <= width:
            return size, lines
        size -= 0.5
    return None


def _wrap_words(unit: list[float], space: float, size: float, width: float) -> list[list[int]]:
    """Words (by their widths per point) wrapped at `size` into lines of word indexes."""
    lines: list[list[int]] = []
    cur: list[int] = []
    cur_w = 0.0
    for i, w in enumerate(unit):
        ww = w * size
        if cur and cur_w + space * size + ww > width:
            lines.append(cur)
            cur, cur_w = [], 0.0
        cur_w = ww if not cur else cur_w + space * size + ww
        cur.append(i)
    lines.append(cur)
    return lines


def _broken_anywhere(pdf: FPDF, text: str, width: float, max_lines: int) -> list[str]:
    """The last resort (a very long unbreakable word, or far too much text): 5 pt, broken anywhere, the last
    line cut with "…"."""
    pdf.set_font_size(5.0)
    lines = hard_wrap(pdf, text, width)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        while last and pdf.get_string_width(last + "…") > width:
            last = last[:-1]
        lines[-1] = last.rstrip() + "…"
    return lines


def hard_wrap(pdf: FPDF, text: str, width: float) -> list[str]:
    lines: list[str] = []
    cur = ""
    for ch in text:
        if cur and pdf.get_string_width(cur + ch) > width:
            lines.append(cur.rstrip())
            cur = "" if ch == " " else ch
        else:
            cur += ch
    if cur:
        lines.append(cur)
    return lines


def diamond(pdf: FPDF, x: float, y: float, r: float) -> None:
    pdf.polygon([(x, y - r), (x + r, y), (x, y + r), (x - r, y)], style="F")


def divider(pdf: FPDF, cx: float, y: float, half: float) -> None:
    pdf.set_draw_color(*GOLD)
    pdf.set_line_width(0.4)
    pdf.line(cx - half, y, cx - 3.5, y)
    pdf.line(cx + 3.5, y, cx + half, y)
    pdf.set_fill_color(*GOLD)
    diamond(pdf, cx, y, 1.8)


def qr_rects(pdf: FPDF, qr: segno.QRCode, x: float, y: float, size: float) -> None:
    """QR matrix as filled rectangles, one per horizontal run of dark modules."""
    matrix = qr.matrix
    n = len(matrix)
    m = size / n
    for r, row in enumerate(matrix):
        c = 0
        while c < n:
            if row[c]:
                start = c
                while c < n and row[c]:
                    c += 1
                pdf.rect(x + start * m, y + r * m, (c - start) * m, m, style="F")
            else:
                c += 1


def seal_area(pdf: FPDF, cx: float, cy: float, r: float) -> None:
    """The place for the school's stamp: a dashed circle, left empty."""
    pdf.set_draw_color(*GOLD)
    pdf.set_line_width(0.35)
    pdf.set_dash_pattern(dash=1.2, gap=1.0)
    pdf.circle(cx, cy, r)  # centre and radius (fpdf2 >= 2.8.1)
    pdf.set_dash_pattern()
