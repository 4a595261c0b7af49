"""Bar charts as PNG (Pillow, DejaVu Sans): labels in Latin and Cyrillic (Uzbek ʻ, Kazakh, Kyrgyz letters).

    png = bar_chart([Bar("Toshkent shahri", 67.4, "67.4 %"), ...], title="Passed, % of plan",
                    horizontal=True, max_value=100)

Texts arrive translated and formatted; the chart only draws. Fonts are loaded once per size.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from PIL import Image, ImageDraw, ImageFont

from documents.certificate_fonts import BOLD_FONT, FONTS_DIR, REGULAR_FONT

__all__ = ["Bar", "bar_chart", "stack_charts"]

Color = tuple[int, int, int]

BACKGROUND: Color = (255, 255, 255)
INK: Color = (33, 37, 41)
MUTED: Color = (108, 117, 125)
GRID: Color = (226, 230, 234)
BAR: Color = (45, 110, 190)
TARGET: Color = (200, 60, 60)


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    note: str = ""  # drawn at the end of the bar, e.g. "67.4 %" or "4.5"
    color: Color | None = None


@cache
def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONTS_DIR / (BOLD_FONT if bold else REGULAR_FONT)), size)


def _text_width(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont) -> float:
    return draw.textlength(text, font=font)


def _ellipsize(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, width: float) -> str:
    if _text_width(draw, text, font) <= width:
        return text
    while text and _text_width(draw, text + "…", font) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, width: float,
          max_lines: int) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if current and _text_width(draw, candidate, font) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        lines = [*lines[:max_lines - 1], " ".join(lines[max_lines - 1:])]
    return [_ellipsize(draw, line, font, width) for line in lines] or [""]


def _nice_max(value: float) -> float:
    """A round axis end at or above `value` (1, 2, 2.5, 5 times a power of ten)."""
    if value <= 0:
        return 1.0
    magnitude = 10 ** len(str(int(value))) / 10 if value >= 1 else 1.0
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return value


def _ticks(maximum: float) -> list[float]:
    """Whole steps on a short integer scale (grades 1–5 or 1–10), else quarters of the axis."""
    if float(maximum).is_integer() and maximum <= 10:
        step = 1 if maximum <= 5 else 2
        return [float(v) for v in range(0, int(maximum) + 1, step)]
    return [maximum * i / 4 for i in range(5)]


def _tick_label(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


@dataclass(frozen=True)
class _Style:
    """Sizes at a scale (2.0 for a sharper image) and the fonts at those sizes."""

    scale: float

    def px(self, value: float) -> int:
        return round(value * self.scale)

    def font(self, size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
        return _font(self.px(size), bold)


@dataclass
class _Plot:
    """The plot area of a chart being drawn and its value axis."""

    draw: ImageDraw.ImageDraw
    style: _Style
    top: float  # the axis end
    target: float | None
    x0: float
    x1: float
    y0: float = 0.0
    y1: float = 0.0

    def share(self, value: float, span: float) -> float:
        """How far along the axis (of length `span`) a value reaches, cut at the axis end."""
        return span * max(0.0, min(value, self.top)) / self.top


def bar_chart(bars: Sequence[Bar], *, title: str, subtitle: str = "", horizontal: bool = True,
              max_value: float | None = None, target: float | None = None, width: int = 1000,
              scale: float = 1.0) -> bytes:
    """A PNG bar chart.

    horizontal: one row per bar, the label on the left (good for many long names such as regions);
    otherwise columns with the labels under them (good for weeks or subjects).
    max_value: the axis end (e.g. 100 for per cent, 5 for grades); by default a round number above the
    largest value. target: a dashed reference line (e.g. the plan, 100 %). scale: 2.0 for a sharper image.
    """
    style = _Style(scale)
    top_value = max_value if max_value is not None else _nice_max(max((b.value for b in bars), default=0.0))
    top_value = max(top_value, target or 0.0) or 1.0
    frame = _frame(bars, style, width, subtitle, horizontal)
    image = Image.new("RGB", (frame.width, int(frame.height)), BACKGROUND)
    draw = ImageDraw.Draw(image)
    _draw_titles(draw, style, title, subtitle, frame.width, frame.margin)
    plot = _Plot(draw, style, top_value, target, frame.x0, frame.x1)
    if horizontal:
        _draw_rows(plot, bars, frame.header, frame.label_w)
    else:
        _draw_columns(plot, bars, frame.header, frame.height - frame.margin)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


@dataclass(frozen=True)
class _Frame:
    """The image's size, its margin, the height of the titles above the plot and the plot's left and right."""

    width: int
    height: float
    margin: int
    header: float
    x0: float
    x1: float
    label_w: float = 0.0  # horizontal bars: the labels' column


def _frame(bars: Sequence[Bar], style: _Style, width: int, subtitle: str, horizontal: bool) -> _Frame:
    """Columns get a fixed height; rows one line a bar, between their labels and their notes."""
    px = style.px
    W, margin = px(width), px(28)
    header = margin + px(34) + (px(26) if subtitle else 0) + px(14)
    if not horizontal:
        return _Frame(W, px(560), margin, header, margin + px(40), W - margin)
    probe = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    label_w = min(max((_text_width(probe, b.label, style.font(17)) for b in bars), default=0) + px(12), W * 0.38)
    note_w = max((_text_width(probe, b.note, style.font(16, bold=True)) for b in bars), default=0) + px(12)
    height = header + px(38) * max(1, len(bars)) + px(30) + margin
    return _Frame(W, height, margin, header, margin + label_w, W - margin - note_w, label_w)


def _draw_titles(draw: ImageDraw.ImageDraw, style: _Style, title: str, subtitle: str, width: int,
                 margin: int) -> None:
    title_font, sub_font = style.font(26, bold=True), style.font(17)
    draw.text((margin, margin), _ellipsize(draw, title, title_font, width - 2 * margin), font=title_font, fill=INK)
    if subtitle:
        draw.text((margin, margin + style.px(36)), _ellipsize(draw, subtitle, sub_font, width - 2 * margin),
                  font=sub_font, fill=MUTED)


def _draw_rows(plot: _Plot, bars: Sequence[Bar], header: float, label_w: float) -> None:
    """Horizontal bars: one row each, the label on the left, the note after the bar; ticks under the plot."""
    draw, px = plot.draw, plot.style.px
    label_font, note_font, tick_font = plot.style.font(17), plot.style.font(16, bold=True), plot.style.font(14)
    row_h = px(38)
    plot.y0, plot.y1 = header, header + row_h * max(1, len(bars))
    span = plot.x1 - plot.x0
    for tick in _ticks(plot.top):
        x = plot.x0 + span * tick / plot.top
        draw.line([(x, plot.y0), (x, plot.y1)], fill=GRID, width=max(1, px(1)))
        text = _tick_label(tick)
        draw.text((x - _text_width(draw, text, tick_font) / 2, plot.y1 + px(6)), text, font=tick_font, fill=MUTED)
    if plot.target is not None:
        x = plot.x0 + span * min(plot.target, plot.top) / plot.top
        _dashed(draw, (x, plot.y0 - px(4)), (x, plot.y1), TARGET, max(1, px(2)), px(6))
    for i, bar in enumerate(bars):
        y = plot.y0 + i * row_h
        label = _ellipsize(draw, bar.label, label_font, label_w - px(12))
        draw.text((plot.x0 - px(10) - _text_width(draw, label, label_font), y + row_h / 2), label,
                  font=label_font, fill=INK, anchor="lm")
        length = plot.share(bar.value, span)
        if length > 0:
            draw.rectangle([plot.x0, y + px(7), plot.x0 + length, y + row_h - px(7)], fill=bar.color or BAR)
        if bar.note:
            draw.text((plot.x0 + length + px(6), y + row_h / 2), bar.note, font=note_font, fill=INK, anchor="lm")


LABEL_LINES = 2  # under each column


def _draw_columns(plot: _Plot, bars: Sequence[Bar], header: float, bottom: float) -> None:
    """Vertical bars: one column each, the note above it, the label (two lines at most) under it; ticks left."""
    draw, px = plot.draw, plot.style.px
    tick_font = plot.style.font(14)
    plot.y0, plot.y1 = header + px(18), bottom - px(22) * LABEL_LINES - px(8)
    span = plot.y1 - plot.y0
    for tick in _ticks(plot.top):
        y = plot.y1 - span * tick / plot.top
        draw.line([(plot.x0, y), (plot.x1, y)], fill=GRID, width=max(1, px(1)))
        text = _tick_label(tick)
        draw.text((plot.x0 - px(6) - _text_width(draw, text, tick_font), y), text, font=tick_font, fill=MUTED,
                  anchor="lm")
    if plot.target is not None:
        y = plot.y1 - span * min(plot.target, plot.top) / plot.top
        _dashed(draw, (plot.x0, y), (plot.x1, y), TARGET, max(1, px(2)), px(6))
    slot = (plot.x1 - plot.x0) / max(1, len(bars))
    for i, bar in enumerate(bars):
        _draw_column(plot, bar, plot.x0 + slot * (i + 0.5), slot, span)


def _draw_column(plot: _Plot, bar: Bar, cx: float, slot: float, span: float) -> None:
    draw, px = plot.draw, plot.style.px
    note_font = plot.style.font(16, bold=True)
    label_font = plot.style.font(15) if slot < px(110) else plot.style.font(17)
    bar_w = min(slot * 0.7, px(90))
    height = plot.share(bar.value, span)
    if height > 0:
        draw.rectangle([cx - bar_w / 2, plot.y1 - height, cx + bar_w / 2, plot.y1], fill=bar.color or BAR)
    if bar.note:
        note = _ellipsize(draw, bar.note, note_font, slot)
        draw.text((cx, plot.y1 - height - px(4)), note, font=note_font, fill=INK, anchor="md")
    for j, line in enumerate(_wrap(draw, bar.label, label_font, slot - px(4), LABEL_LINES)):
        draw.text((cx, plot.y1 + px(6) + j * px(20)), line, font=label_font, fill=INK, anchor="ma")


def _dashed(draw: ImageDraw.ImageDraw, start: tuple[float, float], end: tuple[float, float], color: Color,
            width: int, dash: int) -> None:
    (x0, y0), (x1, y1) = start, end
    length = max(abs(x1 - x0), abs(y1 - y0))
    steps = max(1, int(length // dash))
    for i in range(0, steps, 2):
        a, b = i / steps, min(1.0, (i + 1) / steps)
        draw.line([(x0 + (x1 - x0) * a, y0 + (y1 - y0) * a), (x0 + (x1 - x0) * b, y0 + (y1 - y0) * b)],
                  fill=color, width=width)


def stack_charts(pngs: Sequence[bytes]) -> bytes:
    """Charts one above the other in one PNG: figures on different scales (marks 1–10 and per cents) each
    get an axis of their own instead of sharing one that cuts or flattens the other."""
    images = [Image.open(io.BytesIO(png)).convert("RGB") for png in pngs]
    if len(images) == 1:
        return bytes(pngs[0])
    width = max(image.width for image in images)
    canvas = Image.new("RGB", (width, sum(image.height for image in images)), BACKGROUND)
    y = 0
    for image in images:
        canvas.paste(image, (0, y))
        y += image.height
    out = io.BytesIO()
    canvas.save(out, format="PNG", optimize=True)
    return out.getvalue()
