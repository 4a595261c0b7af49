"""Benchmark certificate rendering: ``python bench/bench_certificates.py [-n 200]``.

Prints, in one run:

* the cold cost (renderer construction with font loading, then the first certificate);
* ours: certificates per second and the median ms per certificate for N renders
  with one renderer, each certificate its own PDF;
* the floor (../shared/PERF.md: "the same, font parsed once, many pages"):
  the same pages drawn into ONE plain fpdf2 document whose fonts were added
  once, with segno's own mask search for each QR code and fpdf2's own
  subsetting at output, the total divided by the pages; repeated and the
  median taken;
* the ratio ours / floor (issue #12 asks for at most 1.3);
* the plain-fpdf2 baseline (a new FPDF with ``add_font`` for every
  certificate), for comparison.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import segno
from fpdf import FPDF

import documents.certificate_pdf as certificate_pdf
from documents.certificate_pdf import CertificateRenderer
from domain.certificates import (
    CertificateData,
    CertificateLabels,
    certificate_number,
    format_verify_code,
    new_verify_code,
)

NAMES = (
    "Gʻulomova Oʻgʻiloy Shuhratovna",
    "Әлібекова Гүлнұр Қайратқызы",
    "Өмүрбекова Айнура Түгөлбаевна",
    "Иванова Мария Петровна",
)
COURSE = "Mezonlar boʻyicha jurnal bilan ishlash – boshlanishdan baholashgacha"


def make(i: int) -> tuple[CertificateData, CertificateLabels]:
    """The i-th sample certificate (names and codes vary, like real traffic)."""
    code = new_verify_code()
    number = certificate_number(2026, i + 1)
    data = CertificateData(
        holder_name=NAMES[i % len(NAMES)],
        course_title=COURSE,
        score_percent=86.7,
        issued_on=date(2026, 5, 6),
        school_name="Toshkent shahri Yunusobod tumani 110-maktab",
        number=number,
        verify_code=code,
        verify_url=f"https://t.me/maktab_bot?start=verify_{code}",
        issuer="Maktab Bot",
        head_name="Karimov Anvar Rustamovich",
    )
    labels = CertificateLabels(
        heading="SERTIFIKAT",
        awarded_to="Ushbu sertifikat quyidagi shaxsga beriladi",
        for_completing="kursini muvaffaqiyatli tamomlagani uchun",
        score_line="Natija: 86,7 %",
        issuer_line="Beruvchi tashkilot:",
        signature_caption="Maktab direktori",
        seal_caption="M.O‘.",
        date_line="Berilgan sana: 2026-yil 6-may",
        school_line="Maktab:",
        number_line=f"Sertifikat raqami: {number}",
        verify_line=f"Tekshirish: botda /verify {format_verify_code(code)}",
    )
    return data, labels


def floor_ms_per_page(renderer: CertificateRenderer, samples: list, pages: int = 20, repeats: int = 5) -> float:
    """Median ms per page of ``pages`` certificates drawn into one plain fpdf2 document (fonts added once)."""
    plain_qr = certificate_pdf.make_qr
    certificate_pdf.make_qr = lambda payload: segno.make_qr(payload, error="m")  # segno's mask search
    try:
        runs = []
        for _ in range(repeats):
            s = time.perf_counter()
            pdf = FPDF(orientation="L", unit="mm", format="A4")
            pdf.set_auto_page_break(False)
            pdf.set_margin(0)
            pdf.c_margin = 0
            renderer._regular.add_full(pdf)
            renderer._bold.add_full(pdf)
            for data, labels in samples[:pages]:
                pdf.add_page()
                renderer._draw(pdf, data, renderer._texts(data, labels))
            pdf.output()
            runs.append((time.perf_counter() - s) / pages)
        return 1000 * statistics.median(runs)
    finally:
        certificate_pdf.make_qr = plain_qr


def main() -> None:
    """Run the benchmark and print the numbers."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=200, help="certificates to render (default 200)")
    parser.add_argument("--baseline", type=int, default=20, help="plain-fpdf2 renders (0: skip)")
    args = parser.parse_args()

    samples = [make(i) for i in range(args.n)]

    t0 = time.perf_counter()
    renderer = CertificateRenderer()
    t1 = time.perf_counter()
    first = renderer.render(*samples[0])
    t2 = time.perf_counter()
    print(
        f"cold: renderer init (fonts) {1000 * (t1 - t0):.1f} ms + first certificate "
        f"{1000 * (t2 - t1):.1f} ms = {1000 * (t2 - t0):.1f} ms ({len(first)} bytes)"
    )

    times = []
    start = time.perf_counter()
    for data, labels in samples:
        s = time.perf_counter()
        renderer.render(data, labels)
        times.append(time.perf_counter() - s)
    total = time.perf_counter() - start
    times.sort()
    p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
    print(
        f"warm: {args.n} certificates in {total:.2f} s = {args.n / total:.1f} certificates/s; "
        f"median {1000 * statistics.median(times):.2f} ms, p95 {1000 * p95:.2f} ms"
    )

    floor = floor_ms_per_page(renderer, samples)
    ours = 1000 * statistics.median(times)
    print(f"floor (one plain fpdf2 document, fonts added once, many pages): {floor:.2f} ms/page")
    print(f"ours / floor: {ours:.2f} / {floor:.2f} = {ours / floor:.2f}x")

    if args.baseline:
        # the slow path = what plain fpdf2 does: add_font (full TTF parse) per document
        renderer._fast = False
        base = []
        for data, labels in samples[: args.baseline]:
            s = time.perf_counter()
            renderer.render(data, labels)
            base.append(time.perf_counter() - s)
        print(
            f"baseline (new FPDF + add_font per certificate): median "
            f"{1000 * statistics.median(base):.2f} ms over {len(base)}"
        )


if __name__ == "__main__":
    main()
