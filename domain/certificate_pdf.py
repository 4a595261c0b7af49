"""One-page A4 landscape certificate PDF (fpdf2 + segno), DejaVu Sans.

Speed: fpdf2's ``add_font`` parses the whole TTF for every new document, and
its output step subsets the font *in place* (so a parsed font cannot simply be
shared between documents). :class:`CertificateRenderer` therefore, once:

* cuts each DejaVu face down to the letters the four languages and the
  numbers need (Latin + extensions, Cyrillic + supplement, punctuation,
  spacing modifiers such as ʻ and ʼ) and keeps that small TTF in memory;
* parses it once into a template ``TTFFont`` (cmap, widths, descriptor);

and per document gives the new ``FPDF`` a light copy of the template with
its own glyph subset map and its own, lazily read ``TTFont`` over the small
in-memory TTF, which fpdf2 is then free to subset destructively.
Text with a letter outside that cut falls back to plain ``add_font`` with the
full font files (slower, same result). Text shaping is not enabled: Latin and
Cyrillic need none, it needs ``uharfbuzz``, and it costs ≈ 6 ms per page.
"""

from __future__ import annotations

import copy
import io
import logging
import math
import threading
from datetime import UTC, datetime, time
from pathlib import Path

import segno
from fontTools import subset as ft_subset
from fontTools import ttLib
from fpdf import FPDF
from fpdf.fonts import SubsetMap, TTFFont

from domain.certificates import CertificateData, CertificateLabels, format_verify_code

__all__ = ["FONTS_DIR", "CertificateRenderer"]

log = logging.getLogger(__name__)

FONTS_DIR = Path(__file__).resolve().parent / "fonts"
REGULAR_FONT = "DejaVuSans.ttf"
BOLD_FONT = "DejaVuSans-Bold.ttf"
FAMILY = "dejavu"

PAGE_W, PAGE_H = 297.0, 210.0  # A4 landscape, mm
PT = 25.4 / 72  # one point in mm

NAVY = (22, 50, 92)
GOLD = (181, 142, 58)
GOLD_LIGHT = (226, 204, 145)
PAPER = (255, 253, 247)
INK = (33, 37, 41)
MUTED = (96, 101, 108)
WHITE = (255, 255, 255)

# Code points kept in the in-memory cut of DejaVu (the fast path).
_CORE_RANGES: tuple[tuple[int, int], ...] = (
    (0x0020, 0x007E),  # Basic Latin
    (0x00A0, 0x024F),  # Latin-1, Latin Extended-A and -B (Kazakh/Karakalpak/Turkish Latin)
    (0x0259, 0x0259),  # ə
    (0x02B0, 0x02FF),  # spacing modifiers: ʻ U+02BB, ʼ U+02BC
    (0x0400, 0x052F),  # Cyrillic + supplement: ә ғ қ ң ө ұ ү һ і ў ҳ
    (0x2000, 0x206F),  # general punctuation, incl. narrow no-break space
    (0x20A0, 0x20CF),  # currency signs
    (0x2100, 0x214F),  # letterlike: №
    (0x2212, 0x2212),  # minus
    (0xFFFD, 0xFFFD),  # replacement character
)
# Each glyph kept costs fontTools time in every document (≈ 5 ms per 1,000 glyphs
# for the two faces), so rarer scripts go through the full-font fallback.

# TTFFont attributes as of fpdf2 2.8.x; on any change, fall back to add_font.
_KNOWN_TTFFONT_SLOTS = frozenset(
    {
        "i", "type", "name", "desc", "glyph_ids", "_hbfont", "sp", "ss", "up", "ut", "cw",
        "ttffile", "fontkey", "emphasis", "scale", "subset", "cmap", "ttfont",
        "missing_glyphs", "biggest_size_pt", "color_font", "unicode_range",
        "palette_index", "is_compressed", "is_cff", "is_cid_keyed", "is_symbol",
        "cff_ros", "collection_font_number",
    }
)  # fmt: skip


def _core_codepoints() -> set[int]:
    cps: set[int] = set()
    for lo, hi in _CORE_RANGES:
        cps.update(range(lo, hi + 1))
    return cps


class SharedFont:
    """A DejaVu face parsed once, attached cheaply to each new FPDF."""

    def __init__(self, path: Path, style: str) -> None:
        self.path = path
        self.style = style
        self.fontkey = FAMILY + style
        # recalcBBoxes=False: glyphs are not changed, and recomputing every bbox
        # makes fontTools recompile all glyphs (≈ 4x slower start)
        full = ttLib.TTFont(path, recalcTimestamp=False, recalcBBoxes=False, lazy=True)
        self.full_chars = frozenset(full.getBestCmap())
        opts = ft_subset.Options(notdef_outline=True, recommended_glyphs=True)
        opts.glyph_names = True  # without names fontTools rebuilds them on every load
        opts.hinting = False  # TrueType instructions: -10 KB per PDF, faster subsetting
        opts.name_IDs = ["*"]  # keep the copyright notice in the embedded font
        opts.drop_tables += ["FFTM", "GDEF", "GPOS", "GSUB", "MATH", "hdmx", "kern", "meta"]
        subsetter = ft_subset.Subsetter(opts)
        subsetter.populate(unicodes=_core_codepoints() & self.full_chars)
        subsetter.subset(full)
        buf = io.BytesIO()
        full.save(buf)
        self.core_data = buf.getvalue()
        scratch = FPDF()
        self._template = TTFFont(scratch, io.BytesIO(self.core_data), self.fontkey, style)  # type: ignore[arg-type]
        self._template.ttfont.close()
        self._template.ttfont = None  # type: ignore[assignment]  # each copy opens its own
        self._template.ttffile = path
        self.core_chars = frozenset(self._template.cmap)

    def attach(self, pdf: FPDF) -> None:
        """Give ``pdf`` its own copy of the parsed font (shares only read-only tables)."""
        src = self._template
        font = TTFFont.__new__(TTFFont)
        for slot in TTFFont.__slots__:
            if hasattr(src, slot):
                setattr(font, slot, getattr(src, slot))
        # per-document state, never shared:
        font.i = len(pdf.fonts) + 1
        font.ttfont = ttLib.TTFont(io.BytesIO(self.core_data), recalcTimestamp=False, recalcBBoxes=False, lazy=True)
        font.cw = src.cw.copy()  # a defaultdict: lookups of unknown chars insert keys
        font.desc = copy.copy(src.desc)  # output() sets its name, object id, font file
        font.missing_glyphs = []
        font.biggest_size_pt = 0
        font._hbfont = None  # shaping is off; it would need the core bytes, not the file
        font.color_font = None
        font.subset = SubsetMap(font)
        pdf.fonts[self.fontkey] = font

    def add_full(self, pdf: FPDF) -> None:
        """The slow, plain fpdf2 way: parse the whole TTF for this document."""
        pdf.add_font(FAMILY, self.style, self.path)


class CertificateRenderer:
    """Renders certificates; load once, call :meth:`render` many times.

    Thread-safe (an internal lock serialises rendering; it is CPU-bound anyway).
    """

    def __init__(self, fonts_dir: Path | str = FONTS_DIR) -> None:
        fonts_dir = Path(fonts_dir)
        self._regular = SharedFont(fonts_dir / REGULAR_FONT, "")
        self._bold = SharedFont(fonts_dir / BOLD_FONT, "B")
        self._core_chars = self._regular.core_chars & self._bold.core_chars
        self._full_chars = self._regular.full_chars & self._bold.full_chars
        self._fast = set(TTFFont.__slots__) <= _KNOWN_TTFFONT_SLOTS
        if not self._fast:
            log.warning("fpdf2 TTFFont changed; certificates use the slow add_font path")
        self._lock = threading.Lock()

    # -- public --------------------------------------------------------------

    def unsupported_chars(self, text: str) -> set[str]:
        """Characters of ``text`` the fonts cannot draw (check a name before accepting it)."""
        return {ch for ch in text if ord(ch) not in self._full_chars and not ch.isspace()}

    def render(self, data: CertificateData, labels: CertificateLabels) -> bytes:
        """One A4 landscape page as PDF bytes.

        Raises ValueError if ``data.verify_code`` is not a valid code, or if the
        holder's name has a character the fonts lack (validate names with
        :meth:`unsupported_chars`); in other texts such characters become "?".
        """
        missing = self.unsupported_chars(data.holder_name)
        if missing:
            raise ValueError(f"holder name has characters the font lacks: {sorted(missing)}")
        texts = self._texts(data, labels)
        used = {ord(ch) for t in texts.values() for ch in t}
        fast = self._fast and used <= self._core_chars
        with self._lock:
            pdf = self._new_pdf(fast)
            pdf.set_title(f"{texts['heading']} {data.number}".strip())
            pdf.set_subject(data.course_title)
            pdf.set_creation_date(datetime.combine(data.issued_on, time(), UTC))
            pdf.add_page()
            self._draw(pdf, data, texts)
            return bytes(pdf.output())

    # -- internals -----------------------------------------------------------

    def _new_pdf(self, fast: bool) -> FPDF:
        pdf = FPDF(orientation="L", unit="mm", format="A4")
        pdf.set_auto_page_break(False)
        pdf.set_margin(0)
        pdf.c_margin = 0
        for font in (self._regular, self._bold):
            if fast:
                font.attach(pdf)
            else:
                font.add_full(pdf)
        return pdf

    def _clean(self, text: str) -> str:
        text = " ".join(text.split())
        return "".join(ch if ord(ch) in self._full_chars or ch == " " else "?" for ch in text)

    def _texts(self, data: CertificateData, labels: CertificateLabels) -> dict[str, str]:
        short_code = format_verify_code(data.verify_code)
        number_line = labels.number_line.strip()
        if data.number not in number_line:
            number_line = f"{number_line} {data.number}".strip()
        verify_line = labels.verify_line.strip()
        if short_code not in verify_line:
            verify_line = f"{verify_line} {short_code}".strip()
        school_line = ""
        if data.school_name:
            school_line = labels.school_line.strip()
            if data.school_name not in school_line:
                school_line = f"{school_line} {data.school_name}".strip()
        raw = {
            "heading": labels.heading,
            "awarded_to": labels.awarded_to,
            "name": data.holder_name,
            "for_completing": labels.for_completing,
            "course": data.course_title,
            "score": labels.score_line,
            "date": labels.date_line,
            "school": school_line,
            "number": number_line,
            "verify": verify_line,
        }
        return {k: self._clean(v) for k, v in raw.items()}

    # drawing ---------------------------------------------------------------

    def _draw(self, pdf: FPDF, data: CertificateData, t: dict[str, str]) -> None:
        self._draw_frame(pdf)
        cx = PAGE_W / 2

        # heading, letter-spaced, with a gold rule under it
        pt, _ = _fit(pdf, t["heading"], "B", 32, 16, 200, 1, spacing_em=0.12)
        pdf.set_char_spacing(pt * PT * 0.12)
        pdf.set_text_color(*NAVY)
        _text_lines(pdf, [t["heading"]], cx, 40, pt, "C")
        pdf.set_char_spacing(0)
        _divider(pdf, cx, 49, 30)

        # middle block: measured first, then centred between the rule and the footer
        top, bottom = 54.0, 142.0
        parts: list[tuple[str, str, float, list[str], tuple[int, int, int], float]] = []
        for key, style, max_pt, min_pt, width, lines, color, gap in (
            ("awarded_to", "", 13, 9, 220, 2, MUTED, 4.0),
            ("name", "B", 34, 18, 235, 2, INK, 8.0),
            ("for_completing", "", 13, 9, 220, 2, MUTED, 3.5),
            ("course", "B", 18, 10, 225, 3, NAVY, 5.0),
            ("score", "B", 15, 9, 200, 1, GOLD, 0.0),
        ):
            if not t[key]:
                continue
            size, wrapped = _fit(pdf, t[key], style, max_pt, min_pt, width, lines)
            parts.append((key, style, size, wrapped, color, gap))
        total = sum(_block_height(p[2], len(p[3])) + p[5] for p in parts)
        y = top + max(0.0, (bottom - top - total) / 2)
        for key, style, size, wrapped, color, gap in parts:
            pdf.set_font(FAMILY, style, size)
            pdf.set_text_color(*color)
            baseline = _text_lines(pdf, wrapped, cx, y + size * PT * 0.95, size, "C")
            if key == "name":  # gold rule under the name
                pdf.set_draw_color(*GOLD)
                pdf.set_line_width(0.35)
                half = min(max(pdf.get_string_width(w) for w in wrapped) / 2 + 12, 125)
                pdf.line(cx - half, baseline + 3.4, cx + half, baseline + 3.4)
            y = baseline + size * PT * 0.27 + gap

        # footer: details on the left, seal in the middle, QR on the right
        self._draw_details(pdf, t)
        _seal(pdf, cx, 170.5)
        self._draw_qr(pdf, data, t)

    def _draw_frame(self, pdf: FPDF) -> None:
        pdf.set_fill_color(*PAPER)
        pdf.rect(0, 0, PAGE_W, PAGE_H, style="F")
        pdf.set_draw_color(*NAVY)
        pdf.set_line_width(2.2)
        pdf.rect(8, 8, PAGE_W - 16, PAGE_H - 16)
        pdf.set_draw_color(*GOLD)
        pdf.set_line_width(0.5)
        pdf.rect(12, 12, PAGE_W - 24, PAGE_H - 24)
        pdf.set_line_width(0.25)
        pdf.rect(13.4, 13.4, PAGE_W - 26.8, PAGE_H - 26.8)
        # corner ornaments: a gold diamond in each corner between the frames
        pdf.set_fill_color(*GOLD)
        for x, y in ((12, 12), (PAGE_W - 12, 12), (12, PAGE_H - 12), (PAGE_W - 12, PAGE_H - 12)):
            _diamond(pdf, x, y, 3.2)
        pdf.set_fill_color(*PAPER)
        for x, y in ((12, 12), (PAGE_W - 12, 12), (12, PAGE_H - 12), (PAGE_W - 12, PAGE_H - 12)):
            _diamond(pdf, x, y, 1.3)

    def _draw_details(self, pdf: FPDF, t: dict[str, str]) -> None:
        x, y, width = 26.0, 158.0, 98.0
        pdf.set_draw_color(*GOLD_LIGHT)
        pdf.set_line_width(0.3)
        pdf.line(x, y - 6, x + 60, y - 6)
        for key, style, color in (
            ("date", "", INK),
            ("school", "", INK),
            ("number", "B", NAVY),
        ):
            if not t[key]:
                continue
            size, wrapped = _fit(pdf, t[key], style, 11, 7, width, 2)
            pdf.set_text_color(*color)
            y = _text_lines(pdf, wrapped, x, y, size, "L") + _line_height(size) + 1.2

    def _draw_qr(self, pdf: FPDF, data: CertificateData, t: dict[str, str]) -> None:
        size, right, top = 30.0, PAGE_W - 26.0, 145.5
        payload = data.verify_url or format_verify_code(data.verify_code)
        qr = segno.make_qr(payload, error="m")
        quiet = 4 * size / len(qr.matrix)  # the 4-module quiet zone, on white
        pdf.set_fill_color(*WHITE)
        pdf.rect(right - size - quiet, top - quiet, size + 2 * quiet, size + 2 * quiet, style="F")
        pdf.set_fill_color(*INK)
        _qr_rects(pdf, qr, right - size, top, size)
        fsize, wrapped = _fit(pdf, t["verify"], "", 8.5, 6, 90, 2)
        pdf.set_text_color(*MUTED)
        _text_lines(pdf, wrapped, right, top + size + 6, fsize, "R")


# --- layout helpers -----------------------------------------------------------


def _line_height(size_pt: float) -> float:
    return size_pt * PT * 1.22


def _block_height(size_pt: float, lines: int) -> float:
    return _line_height(size_pt) * lines


def _text_lines(pdf: FPDF, lines: list[str], x: float, baseline: float, size: float, align: str) -> float:
    """Draw lines (font already set) from a first baseline; return the last baseline."""
    pdf.set_font_size(size)
    y = baseline
    for i, line in enumerate(lines):
        if i:
            y += _line_height(size)
        w = pdf.get_string_width(line)
        if align == "C":
            left = x - w / 2
        elif align == "R":
            left = x - w
        else:
            left = x
        pdf.text(left, y, line)
    return y


def _fit(
    pdf: FPDF,
    text: str,
    style: str,
    max_pt: float,
    min_pt: float,
    width: float,
    max_lines: int,
    spacing_em: float = 0.0,
) -> tuple[float, list[str]]:
    """Largest size (step 0.5 pt) at which ``text`` fits ``width`` in ``max_lines``.

    One line is preferred down to 80 % of ``max_pt``, then wrapping is allowed.
    Past ``min_pt`` the text shrinks further (to 5 pt), then words are broken
    and, as a last resort, the last line ends with "…". Never overflows.
    Leaves the font set to the chosen size.
    """
    pdf.set_font(FAMILY, style, 100)
    words = text.split(" ")
    unit = [pdf.get_string_width(w) / 100 + spacing_em * len(w) * PT for w in words]
    space = pdf.get_string_width(" ") / 100 + spacing_em * PT

    def wrap(size: float) -> list[list[int]]:
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

    def fits(size: float, n: int) -> list[str] | None:
        lines = wrap(size)
        if len(lines) > n or max(unit) * size > width:
            return None
        return [" ".join(words[i] for i in line) for line in lines]

    single_floor = max(min_pt, max_pt * 0.8)
    for n, floor in ((1, single_floor), (max_lines, 5.0)):
        size = max_pt
        while size >= floor:
            got = fits(size, n)
            if got is not None:
                pdf.set_font_size(size)
                return size, got
            size -= 0.5
    # a very long unbreakable word, or far too much text: break anywhere
    size = 5.0
    pdf.set_font_size(size)
    lines = _hard_wrap(pdf, text, width)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        while last and pdf.get_string_width(last + "…") > width:
            last = last[:-1]
        lines[-1] = last.rstrip() + "…"
    return size, lines


def _hard_wrap(pdf: FPDF, text: str, width: float) -> list[str]:
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


def _diamond(pdf: FPDF, x: float, y: float, r: float) -> None:
    pdf.polygon([(x, y - r), (x + r, y), (x, y + r), (x - r, y)], style="F")


def _divider(pdf: FPDF, cx: float, y: float, half: float) -> None:
    pdf.set_draw_color(*GOLD)
    pdf.set_line_width(0.4)
    pdf.line(cx - half, y, cx - 3.5, y)
    pdf.line(cx + 3.5, y, cx + half, y)
    pdf.set_fill_color(*GOLD)
    _diamond(pdf, cx, y, 1.8)


def _seal(pdf: FPDF, cx: float, cy: float) -> None:
    """A gold rosette with ribbon tails and a star."""
    pdf.set_fill_color(*NAVY)
    for sign in (-1, 1):
        x0 = cx + sign * 4.5
        pdf.polygon(
            [
                (x0 - 4, cy + 6),
                (x0 + 4, cy + 6),
                (x0 + 4 + sign * 3, cy + 22),
                (x0 + sign * 3, cy + 18.5),
                (x0 - 4 + sign * 3, cy + 22),
            ],
            style="F",
        )
    pdf.set_fill_color(*GOLD)
    teeth = 36
    points = []
    for i in range(teeth * 2):
        r = 14.5 if i % 2 == 0 else 13.3
        a = math.pi * i / teeth
        points.append((cx + r * math.sin(a), cy - r * math.cos(a)))
    pdf.polygon(points, style="F")
    pdf.set_draw_color(*WHITE)
    pdf.set_line_width(0.5)
    pdf.circle(cx, cy, 11.3)  # centre and radius (fpdf2 >= 2.8.1)
    pdf.set_line_width(0.25)
    pdf.circle(cx, cy, 10.2)
    pdf.set_fill_color(*WHITE)
    pdf.star(cx, cy, 3.2, 7.5, 5, rotate_degrees=180, style="F")


def _qr_rects(pdf: FPDF, qr: segno.QRCode, x: float, y: float, size: float) -> None:
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
