"""PNG charts for phones (Pillow, DejaVu so every script renders)."""

from __future__ import annotations

import io
from functools import cache

from PIL import Image, ImageDraw, ImageFont

from domain.certificate_pdf import FONTS_DIR

WIDTH = 900
BAR_COLORS = {5: (46, 139, 87), 4: (70, 130, 180), 3: (218, 165, 32), 2: (205, 92, 92)}


@cache
def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONTS_DIR / "DejaVuSans.ttf"), size)


def subject_averages_png(title: str, averages: dict[str, float], scale_max: float = 5.0) -> bytes:
    """Horizontal bars, one per subject, longest label left; the value printed at the bar's end."""
    rows = max(len(averages), 1)
    height = 90 + rows * 56
    image = Image.new("RGB", (WIDTH, height), "white")
    draw = ImageDraw.Draw(image)
    draw.text((24, 20), title, font=_font(26), fill=(30, 30, 30))
    label_w = max([draw.textlength(name, font=_font(22)) for name in averages] or [0]) + 40
    bar_left, bar_max = int(label_w) + 24, WIDTH - int(label_w) - 110
    y = 80
    for name, value in averages.items():
        draw.text((24, y + 8), name, font=_font(22), fill=(40, 40, 40))
        width = int(bar_max * min(value, scale_max) / scale_max)
        color = BAR_COLORS.get(round(value), (120, 120, 120))
        draw.rounded_rectangle((bar_left, y, bar_left + max(width, 4), y + 40), radius=8, fill=color)
        draw.text((bar_left + width + 12, y + 8), f"{value:.1f}", font=_font(22), fill=(40, 40, 40))
        y += 56
    if not averages:
        draw.text((24, y + 8), "—", font=_font(22), fill=(120, 120, 120))
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
