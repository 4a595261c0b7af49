"""One-page A4 landscape certificate PDF (fpdf2 + segno), DejaVu Sans.

An official document: the issuing organisation at the top, the holder, the
course and result in the middle; in the footer the date, the school (only
one the teacher's membership was confirmed in: the caller decides), the
number, the head's signature line, the place for the school's seal, and the
QR code with the short code for ``/verify``. Footer text is at least 10 pt in
dark ink, so a phone screen shows it legibly when the page is zoomed to width.

Speed (see :mod:`documents.certificate_fonts`): fonts are parsed once per
process and subset once per script, the QR code uses a fixed mask. Text
shaping is not enabled: Latin and Cyrillic need none, it needs ``uharfbuzz``,
and it costs ≈ 6 ms per page.
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, time
from pathlib import Path

from fpdf import FPDF

from documents.certificate_fonts import (
    BOLD_FONT,
    FAMILY,
    FONTS_DIR,
    REGULAR_FONT,
    FontPair,
    PrebuiltFontsOutput,
    SharedFont,
    fast_path_available,
)
from documents.certificate_layout import (
    GOLD,
    INK,
    MUTED,
    NAVY,
    PAGE_H,
    PAGE_W,
    PAPER,
    PT,
    WHITE,
    block_height,
    diamond,
    divider,
    fit,
    line_height,
    make_qr,
    qr_rects,
    seal_area,
    text_lines,
)
from domain.certificates import CertificateData, CertificateLabels, format_verify_code

__all__ = ["BOLD_FONT", "FAMILY", "FONTS_DIR", "REGULAR_FONT", "CertificateRenderer", "SharedFont"]

log = logging.getLogger(__name__)

#: The smallest type in the footer: readable on a phone once the page is zoomed to the screen's width.
FOOTER_MIN_PT = 11.0
# Footer geometry (mm): details on the left, signature and seal in the middle, QR on the right.
DETAILS_X, DETAILS_W = 26.0, 96.0
SIGN_X0, SIGN_X1, SIGN_Y = 128.0, 194.0, 177.0
SEAL_CX, SEAL_CY, SEAL_R = 192.0, 163.0, 15.0
QR_SIZE, QR_RIGHT, QR_TOP = 28.0, PAGE_W - 26.0, 137.0
VERIFY_W = 56.0


def _appended(line: str, value: str) -> str:
    """A caption with its value: the value is appended unless the line already has it."""
    line = line.strip()
    return line if value in line else f"{line} {value}".strip()


class CertificateRenderer:
    """Renders certificates; load once, call :meth:`render` many times.

    Thread-safe (an internal lock serialises rendering; it is CPU-bound anyway).
    """

    def __init__(self, fonts_dir: Path | str = FONTS_DIR) -> None:
        fonts = FontPair(fonts_dir)
        self._regular, self._bold = fonts.regular, fonts.bold
        self._core_chars, self._full_chars = fonts.core_chars, fonts.full_chars
        self._fast = fast_path_available()
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
        used = {ord(ch) for t in texts.values() for ch in t} | {ord("…")}
        fast = self._fast and used <= self._core_chars
        with self._lock:
            pdf = self._new_pdf(fast)
            pdf.set_title(f"{texts['heading']} {data.number}".strip())
            pdf.set_subject(data.course_title)
            pdf.set_creation_date(datetime.combine(data.issued_on, time(), UTC))
            pdf.add_page()
            self._draw(pdf, data, texts)
            if not fast:
                return bytes(pdf.output())
            for font in (self._regular, self._bold):
                font.finish(pdf)
            return bytes(pdf.output(output_producer_class=PrebuiltFontsOutput))

    # -- internals -----------------------------------------------------------

    def _new_pdf(self, fast: bool) -> FPDF:
        pdf = FPDF(orientation="L", unit="mm", format="A4")
        pdf.set_auto_page_break(False)
        pdf.set_margin(0)
        pdf.c_margin = 0
        for font in (self._regular, self._bold):
            if fast:
                font.attach(pdf, prebuilt=True)
            else:
                font.add_full(pdf)
        return pdf

    def _clean(self, text: str) -> str:
        text = " ".join(text.split())
        return "".join(ch if ord(ch) in self._full_chars or ch == " " else "?" for ch in text)

    def _texts(self, data: CertificateData, labels: CertificateLabels) -> dict[str, str]:
        raw = {
            "issuer": _appended(labels.issuer_line, data.issuer) if data.issuer else "",
            "heading": labels.heading,
            "awarded_to": labels.awarded_to,
            "name": data.holder_name,
            "for_completing": labels.for_completing,
            "course": data.course_title,
            "score": labels.score_line,
            "date": labels.date_line,
            "school": _appended(labels.school_line, data.school_name) if data.school_name else "",
            "number": _appended(labels.number_line, data.number),
            "verify": _appended(labels.verify_line, format_verify_code(data.verify_code)),
            "signature": labels.signature_caption,
            "head": data.head_name or "",
            "seal": labels.seal_caption,
        }
        return {k: self._clean(v) for k, v in raw.items()}

    # drawing ---------------------------------------------------------------

    def _draw(self, pdf: FPDF, data: CertificateData, t: dict[str, str]) -> None:
        _draw_frame(pdf)
        cx = PAGE_W / 2
        if t["issuer"]:  # the issuing organisation, as on a letterhead
            size, wrapped = fit(pdf, t["issuer"], "B", 12, 9, 230, 1)
            pdf.set_text_color(*NAVY)
            text_lines(pdf, wrapped, cx, 26, size, "C")

        # heading, letter-spaced, with a gold rule under it
        pt, _ = fit(pdf, t["heading"], "B", 30, 16, 200, 1, spacing_em=0.12)
        pdf.set_char_spacing(pt * PT * 0.12)
        pdf.set_text_color(*NAVY)
        text_lines(pdf, [t["heading"]], cx, 42, pt, "C")
        pdf.set_char_spacing(0)
        divider(pdf, cx, 49, 30)
        _draw_middle(pdf, t, cx, top=53.0, bottom=134.0)
        self._draw_details(pdf, t)
        _draw_signature(pdf, t)
        self._draw_qr(pdf, data, t)

    def _draw_details(self, pdf: FPDF, t: dict[str, str]) -> None:
        y = 148.0  # no rule above the date: on paper it read as an empty line to fill in
        for key, style, color in (("date", "", INK), ("school", "", INK), ("number", "B", NAVY)):
            if not t[key]:
                continue
            size, wrapped = fit(pdf, t[key], style, 12.5, FOOTER_MIN_PT, DETAILS_W, 2)
            pdf.set_text_color(*color)
            y = text_lines(pdf, wrapped, DETAILS_X, y, size, "L") + line_height(size) + 1.0

    def _draw_qr(self, pdf: FPDF, data: CertificateData, t: dict[str, str]) -> None:
        payload = data.verify_url or format_verify_code(data.verify_code)
        qr = make_qr(payload)
        quiet = 4 * QR_SIZE / len(qr.matrix)  # the 4-module quiet zone, on white
        pdf.set_fill_color(*WHITE)
        pdf.rect(QR_RIGHT - QR_SIZE - quiet, QR_TOP - quiet, QR_SIZE + 2 * quiet, QR_SIZE + 2 * quiet, style="F")
        pdf.set_fill_color(*INK)
        qr_rects(pdf, qr, QR_RIGHT - QR_SIZE, QR_TOP, QR_SIZE)
        size, wrapped = fit(pdf, t["verify"], "", 12, FOOTER_MIN_PT, VERIFY_W, 2)
        pdf.set_text_color(*INK)
        text_lines(pdf, wrapped, QR_RIGHT, QR_TOP + QR_SIZE + 7, size, "R")


def _draw_frame(pdf: FPDF) -> None:
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
    corners = ((12, 12), (PAGE_W - 12, 12), (12, PAGE_H - 12), (PAGE_W - 12, PAGE_H - 12))
    pdf.set_fill_color(*GOLD)  # a gold diamond in each corner between the frames
    for x, y in corners:
        diamond(pdf, x, y, 3.2)
    pdf.set_fill_color(*PAPER)
    for x, y in corners:
        diamond(pdf, x, y, 1.3)


# The middle's parts: text key, style, largest and smallest size (pt), width (mm), lines, colour, gap below (mm).
_MIDDLE = (
    ("awarded_to", "", 13, 10, 230, 2, MUTED, 4.0),
    ("name", "B", 32, 18, 235, 2, INK, 7.0),
    ("for_completing", "", 13, 10, 230, 2, MUTED, 3.0),
    ("course", "B", 17, 10, 225, 3, NAVY, 4.0),
    ("score", "B", 15, 10, 200, 1, GOLD, 0.0),
)


def _draw_middle(pdf: FPDF, t: dict[str, str], cx: float, *, top: float, bottom: float) -> None:
    """Holder, course and result: measured first, then centred between the heading and the footer."""
    parts = [(key, style, *fit(pdf, t[key], style, max_pt, min_pt, width, lines), color, gap)
             for key, style, max_pt, min_pt, width, lines, color, gap in _MIDDLE if t[key]]
    total = sum(block_height(size, len(wrapped)) + gap for _key, _style, size, wrapped, _color, gap in parts)
    y = top + max(0.0, (bottom - top - total) / 2)
    for key, style, size, wrapped, color, gap in parts:
        pdf.set_font(FAMILY, style, size)
        pdf.set_text_color(*color)
        baseline = text_lines(pdf, wrapped, cx, y + size * PT * 0.95, size, "C")
        if key == "name":
            _rule_under(pdf, wrapped, cx, baseline)
        y = baseline + size * PT * 0.27 + gap


def _rule_under(pdf: FPDF, wrapped: list[str], cx: float, baseline: float) -> None:
    """The gold rule under the holder's name, a little wider than the name."""
    pdf.set_draw_color(*GOLD)
    pdf.set_line_width(0.35)
    half = min(max(pdf.get_string_width(w) for w in wrapped) / 2 + 12, 125)
    pdf.line(cx - half, baseline + 3.2, cx + half, baseline + 3.2)


def _draw_signature(pdf: FPDF, t: dict[str, str]) -> None:
    """The head's signature line with its caption (and name), and the place for the seal beside it."""
    seal_area(pdf, SEAL_CX, SEAL_CY, SEAL_R)
    if t["seal"]:
        size, wrapped = fit(pdf, t["seal"], "", 11, 7, 2 * SEAL_R - 5, 2)
        pdf.set_text_color(*GOLD)
        first = SEAL_CY + size * PT * 0.35 - (len(wrapped) - 1) * line_height(size) / 2
        text_lines(pdf, wrapped, SEAL_CX, first, size, "C")
    pdf.set_draw_color(*INK)
    pdf.set_line_width(0.3)
    pdf.line(SIGN_X0, SIGN_Y, SIGN_X1, SIGN_Y)
    y = SIGN_Y + 5.5
    for key, style in (("signature", "B"), ("head", "")):
        if not t[key]:
            continue
        size, wrapped = fit(pdf, t[key], style, 12, FOOTER_MIN_PT, SIGN_X1 - SIGN_X0, 2)
        pdf.set_text_color(*INK)
        y = text_lines(pdf, wrapped, (SIGN_X0 + SIGN_X1) / 2, y, size, "C") + line_height(size)
