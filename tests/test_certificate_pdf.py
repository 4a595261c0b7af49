"""Certificate PDF rendering, verification codes and holder-name normalisation."""

from __future__ import annotations

import io
import random
from dataclasses import replace
from datetime import date

import pypdf
import pytest

from documents.certificate_layout import fit
from documents.certificate_pdf import CertificateRenderer
from domain.certificates import (
    OKINA,
    TUTUQ,
    VERIFY_ALPHABET,
    CertificateData,
    CertificateLabels,
    certificate_number,
    format_verify_code,
    new_verify_code,
    normalize_person_name,
    normalize_verify_code,
)

NAMES = [
    "Gʻulomova Oʻgʻiloy Shuhratovna",
    "G‘ulomova O‘g‘iloy",
    "Әлібекова Гүлнұр Қайратқызы",
    "Өмүрбекова Айнура Түгөлбаевна",
    "Иванова Мария Петровна",
]

# (heading, awarded_to, for_completing, score, date, school caption, number caption, verify fmt)
LANGS = {
    "ru": (
        "СЕРТИФИКАТ", "Настоящий сертификат выдан", "за успешное прохождение курса",
        "Результат: 86,7 %", "Дата выдачи: 6 мая 2026 г.", "Школа:", "Сертификат №",
        "Проверка: /verify {code} в боте",
    ),
    "uz": (
        "SERTIFIKAT", "Ushbu sertifikat quyidagi shaxsga beriladi",
        "kursini muvaffaqiyatli tamomlagani uchun", "Natija: 86,7 %",
        "Berilgan sana: 2026-yil 6-may", "Maktab:", "Sertifikat raqami:",
        "Tekshirish: botda /verify {code}",
    ),
    "kk": (
        "СЕРТИФИКАТ", "Осы сертификат берілді", "курсын сәтті аяқтағаны үшін",
        "Нәтиже: 86,7 %", "Берілген күні: 2026 ж. 6 мамыр", "Мектеп:", "Сертификат нөмірі:",
        "Тексеру: ботта /verify {code}",
    ),
    "ky": (
        "СЕРТИФИКАТ", "Бул сертификат берилди", "курсун ийгиликтүү аяктагандыгы үчүн",
        "Жыйынтык: 86,7 %", "Берилген күнү: 2026-ж. 6-май", "Мектеп:",
        "Сертификаттын номери:", "Текшерүү: ботто /verify {code}",
    ),
}  # fmt: skip

COURSE = "Mezonlar boʻyicha jurnal bilan ishlash – boshlanishdan baholashgacha"


@pytest.fixture(scope="module")
def renderer() -> CertificateRenderer:
    return CertificateRenderer()


def make(
    name: str,
    lang: str = "uz",
    *,
    serial: int = 123,
    code: str = "ABCD2345",
    course: str = COURSE,
    school: str | None = "Toshkent shahri 110-maktab",
    url: bool = True,
) -> tuple[CertificateData, CertificateLabels]:
    number = certificate_number(2026, serial)
    heading, awarded, completing, score, issued, school_cap, number_cap, verify = LANGS[lang]
    data = CertificateData(
        holder_name=name,
        course_title=course,
        score_percent=86.7,
        issued_on=date(2026, 5, 6),
        school_name=school,
        number=number,
        verify_code=code,
        verify_url=f"https://t.me/maktab_bot?start=verify_{code}" if url else None,
    )
    labels = CertificateLabels(
        heading=heading,
        awarded_to=awarded,
        for_completing=completing,
        score_line=score,
        date_line=issued,
        school_line=school_cap,
        number_line=number_cap,  # a bare caption: the renderer appends the number
        verify_line=verify.format(code=format_verify_code(code)),
    )
    return data, labels


def page_text(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    return reader.pages[0].extract_text()


@pytest.mark.parametrize("lang", sorted(LANGS))
@pytest.mark.parametrize("name", NAMES)
def test_name_number_and_code_are_in_the_text(renderer: CertificateRenderer, name: str, lang: str) -> None:
    data, labels = make(name, lang, code="QRST7XYZ", serial=4567)
    text = page_text(renderer.render(data, labels))
    assert name in text
    assert "MB-2026-004567" in text
    assert "QRST-7XYZ" in text
    assert labels.heading in text


def test_page_is_a4_landscape(renderer: CertificateRenderer) -> None:
    pdf = renderer.render(*make(NAMES[0]))
    assert pdf.startswith(b"%PDF-")
    box = pypdf.PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    assert abs(float(box.width) - 842) <= 1
    assert abs(float(box.height) - 595) <= 1


def test_long_course_title_and_name_fit(renderer: CertificateRenderer) -> None:
    words = "Baholash jurnali bilan ishlash boʻyicha oʻqituvchilar uchun kompleks kurs"
    course = (words + " ") * 3
    course = course[:120].strip()
    assert len(course) >= 119
    name = "Әлібекова-Сейітқалиқызы Гүлнұр-Ақмаржан Қайратқызы Нұрсұлтанқызы Бекмұхамбетова"
    text = page_text(renderer.render(*make(name, "kk", course=course)))
    flat = " ".join(text.split())
    assert " ".join(course.split()) in flat
    assert " ".join(name.split()) in flat


def test_fit_never_overflows(renderer: CertificateRenderer) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    renderer._regular.add_full(pdf)
    pdf.add_page()
    for text in ("A" * 300, "word " * 200, "Иванова Мария Петровна"):
        size, lines = fit(pdf, text, "", 18, 9, 120, 3)
        assert 1 <= len(lines) <= 3
        pdf.set_font_size(size)
        assert all(pdf.get_string_width(line) <= 120 + 1e-6 for line in lines)


def test_no_school_no_url(renderer: CertificateRenderer) -> None:
    data, labels = make("Иванова Мария Петровна", "ru", school=None, url=False)
    text = page_text(renderer.render(data, labels))
    assert "Школа:" not in text
    assert "ABCD-2345" in text


def test_renders_are_independent_and_repeatable(renderer: CertificateRenderer) -> None:
    """Fonts are shared between documents: no state may leak from one to the next."""
    a = make(NAMES[0], "uz", serial=1, code="AAAA2222")
    b = make(NAMES[2], "kk", serial=2, code="BBBB3333")
    first = renderer.render(*a)
    other = renderer.render(*b)
    again = renderer.render(*a)
    assert first == again  # fixed creation date: byte-identical output
    assert NAMES[2] not in page_text(first)
    assert NAMES[0] not in page_text(other)


def test_fast_path_matches_plain_fpdf2(renderer: CertificateRenderer) -> None:
    data, labels = make(NAMES[3], "ky")
    fast = page_text(renderer.render(data, labels))
    slow_renderer = CertificateRenderer()
    slow_renderer._fast = False
    assert page_text(slow_renderer.render(data, labels)) == fast


def test_letters_outside_the_fast_cut_use_the_full_font(renderer: CertificateRenderer) -> None:
    name = "Παπαδοπούλου Ελένη"  # Greek: in DejaVu, not in the fast-path cut
    assert page_text(renderer.render(*make(name, "ru"))).count(name) == 1


def test_name_the_font_cannot_show_is_refused(renderer: CertificateRenderer) -> None:
    assert renderer.unsupported_chars("王芳 李") == {"王", "芳", "李"}
    assert renderer.unsupported_chars(NAMES[0]) == set()
    with pytest.raises(ValueError):
        renderer.render(*make("王芳 李娜"))


def test_official_parts_are_printed(renderer: CertificateRenderer) -> None:
    data, labels = make("Иванова Мария Петровна", "ru")
    data = replace(data, issuer="Республиканский центр повышения квалификации", head_name="Каримов А. Р.")
    labels = replace(labels, issuer_line="Выдан организацией:", signature_caption="Директор школы",
                     seal_caption="М.П.")
    flat = " ".join(page_text(renderer.render(data, labels)).split())
    for part in ("Выдан организацией: Республиканский центр повышения квалификации", "Директор школы",
                 "Каримов А. Р.", "М.П.", "Школа: Toshkent shahri 110-maktab"):
        assert part in flat, part


def test_footer_is_large_enough_for_a_phone(renderer: CertificateRenderer) -> None:
    """Every line of the page is drawn at 10 pt or more (the old footer used 6–8.5 pt)."""
    data, labels = make(NAMES[2], "kk")
    data = replace(data, issuer="Maktab Bot", head_name="Сейітов Б.")
    labels = replace(labels, issuer_line="Берген ұйым:", signature_caption="Мектеп директоры", seal_caption="М.О.")
    sizes: list[float] = []

    def visit(text, _cm, tm, _font, size):
        if text.strip():
            sizes.append(size * tm[0])

    pypdf.PdfReader(io.BytesIO(renderer.render(data, labels))).pages[0].extract_text(visitor_text=visit)
    assert sizes and min(sizes) >= 10, sorted(sizes)[:5]


def test_script_subsets_are_cut_once(renderer: CertificateRenderer, monkeypatch) -> None:
    """The glyphs of a language's letters are subset once, not for every PDF."""
    from fontTools import subset as ft_subset

    renderer.render(*make(NAMES[3], "ky", serial=1))  # warms the Kyrgyz pages
    calls = []
    real = ft_subset.Subsetter.subset
    monkeypatch.setattr(ft_subset.Subsetter, "subset", lambda self, font: calls.append(1) or real(self, font))
    text = page_text(renderer.render(*make("Түгөлбаев Өмүр Асанович", "ky", serial=2, code="QRST7XYZ")))
    assert "Түгөлбаев Өмүр Асанович" in text and "QRST-7XYZ" in text
    assert calls == []


def test_qr_code_uses_a_fixed_mask() -> None:
    from documents.certificate_layout import QR_MASK, make_qr

    assert make_qr("https://t.me/maktab_bot?start=verify_ABCD2345").mask == QR_MASK


def test_sample_file(renderer: CertificateRenderer, tmp_path) -> None:
    out = tmp_path / "cert.pdf"
    out.write_bytes(renderer.render(*make(NAMES[0])))
    assert out.stat().st_size < 40_000  # subset fonts, not whole TTFs


# --- verification codes -------------------------------------------------------------


def test_verify_alphabet_has_no_look_alikes() -> None:
    assert not set("0O1IL") & set(VERIFY_ALPHABET)
    assert len(set(VERIFY_ALPHABET)) == len(VERIFY_ALPHABET)


def test_verify_code_round_trip() -> None:
    rng = random.Random(7)
    for _ in range(200):
        code = new_verify_code(rng)
        assert len(code) == 8 and set(code) <= set(VERIFY_ALPHABET)
        shown = format_verify_code(code)
        assert shown == f"{code[:4]}-{code[4:]}"
        for typed in (code, shown, shown.lower(), f" {code[:2]} {code[2:]} ", f"verify_{code}",
                      f"VERIFY_{code.lower()}", f"/verify {shown}"):  # fmt: skip
            assert normalize_verify_code(typed) == code, typed
    assert new_verify_code() != new_verify_code()  # secrets by default


@pytest.mark.parametrize(
    "junk", ["hello", "", "   ", "ABCD-23O5", "ABCD-2341", "ABCD-234", "ABCD-23456", "verify_", "ABCD_234!"]
)
def test_verify_code_rejects_junk(junk: str) -> None:
    assert normalize_verify_code(junk) is None
    with pytest.raises(ValueError):
        format_verify_code(junk)


def test_certificate_number() -> None:
    assert certificate_number(2026, 123) == "MB-2026-000123"
    assert certificate_number(2027, 1) == "MB-2027-000001"
    with pytest.raises(ValueError):
        certificate_number(2026, 0)


# --- holder names -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("  Gʻulomova   Oʻgʻiloy  ", f"G{OKINA}ulomova O{OKINA}g{OKINA}iloy"),
        ("G'ulomova O'g'iloy", f"G{OKINA}ulomova O{OKINA}g{OKINA}iloy"),
        ("G‘ulomova O’g`iloy", f"G{OKINA}ulomova O{OKINA}g{OKINA}iloy"),
        ("gʼulomova oʼgʼiloy", f"g{OKINA}ulomova o{OKINA}g{OKINA}iloy"),  # case kept
        ("Ma'rifat To‘xtayeva", f"Ma{TUTUQ}rifat To{OKINA}xtayeva"),
        ("Mas’uda Sa'dullayeva", f"Mas{TUTUQ}uda Sa{TUTUQ}dullayeva"),
        ("Әлібекова\u00a0Гүлнұр  Қайратқызы", "Әлібекова Гүлнұр Қайратқызы"),
        ("иванова мария", "иванова мария"),
        ("Anna-Maria Karimova", "Anna-Maria Karimova"),
        ("Karimov A. B.", "Karimov A. B."),
    ],
)
def test_normalize_person_name(typed: str, expected: str) -> None:
    assert normalize_person_name(typed) == expected


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "   ",
        "Иванова",  # one word
        "A B",  # < 3 letters
        "Ivanova Mariya 2",  # digit
        "Ivanova M4riya",
        "Ivanova 😀 Mariya",
        "Ivanova @mariya",
        "Ab " + "c" * 78,  # 81 characters
    ],
)
def test_normalize_person_name_rejects(typed: str) -> None:
    assert normalize_person_name(typed) is None


def test_normalize_person_name_length_limit() -> None:
    name = "Ab " + "c" * 77
    assert len(name) == 80
    assert normalize_person_name(name) == name


def test_font_subsetting_stays_out_of_the_log_at_info(caplog) -> None:
    """fontTools logs a "subset" line per font at INFO; the bot's logging set-up keeps it at WARNING."""
    import logging

    from bot.__main__ import configure_logging

    configure_logging("INFO")
    fresh = CertificateRenderer()  # cuts its script subsets: fontTools runs here
    with caplog.at_level(logging.INFO):
        fresh.render(*make(NAMES[2], "kk"))
        fresh.render(*make("Παπαδοπούλου Ελένη", "ru"))  # the full-font path subsets in fpdf2's output
    assert not [r for r in caplog.records if r.name.startswith("fontTools")], caplog.records[:3]


def test_no_empty_rule_above_the_date(renderer: CertificateRenderer) -> None:
    """The footer's left column starts with the date: a rule above it read as an empty line to fill in."""
    from pypdf.generic import ContentStream

    reader = pypdf.PdfReader(io.BytesIO(renderer.render(*make(NAMES[4], "ru"))))
    rules, start = [], None
    for operands, op in ContentStream(reader.pages[0].get_contents(), reader).operations:
        if op == b"m":
            start = [float(v) for v in operands]
        elif op == b"l" and start is not None:
            end = [float(v) for v in operands]
            if abs(start[1] - end[1]) < 0.01 and abs(end[0] - start[0]) > 10:
                rules.append((min(start[0], end[0]), start[1]))
    footer_top = (210 - 134) * 72 / 25.4  # the footer: below 134 mm from the top, in PDF points from the bottom
    left_column = 120 * 72 / 25.4  # left of the signature line (128 mm)
    assert rules  # the heading's divider, the rule under the name and the signature line are still drawn
    assert not [r for r in rules if r[0] < left_column and r[1] < footer_top], rules
