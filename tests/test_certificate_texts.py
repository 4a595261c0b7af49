"""What a certificate says in each language: its file name and its wording, through the real catalogues."""

from __future__ import annotations

import pytest

from bot.i18n import create_i18n
from bot.screens import certificate as screens
from bot.screens.certificate import certificate_filename


@pytest.fixture(scope="module")
def i18n():
    return create_i18n()


@pytest.mark.parametrize(("lang", "expected"), [
    ("ru", "Сертификат_MB-2026-000001.pdf"),
    ("uz", "Sertifikat_MB-2026-000001.pdf"),
    ("ky", "Сертификат_MB-2026-000001.pdf"),
    ("kk", "Сертификат_MB-2026-000001.pdf"),
])
def test_the_file_is_named_in_the_users_language(i18n, lang: str, expected: str) -> None:
    with i18n.context(), i18n.use_locale(lang):
        assert certificate_filename("MB-2026-000001") == expected


def test_the_file_name_keeps_to_safe_characters(monkeypatch) -> None:
    monkeypatch.setattr(screens, "_", lambda _msgid: 'Сертификат: "{number}" / копия')
    assert certificate_filename("MB-2026-000001") == "Сертификат_MB-2026-000001_копия.pdf"


def _pdf_text(i18n, lang: str, name: str) -> str:
    import io
    from datetime import UTC, datetime

    from pypdf import PdfReader

    from bot.screens.certificate import certificate_pdf
    from usecases.certificate import CertificatePrint, CertificateSchool, local_date

    issued_on = local_date(datetime(2026, 12, 4, 19, 30, tzinfo=UTC), CertificateSchool(None).time_zone)
    doc = CertificatePrint(number="MB-2026-000001", verify_code="ABCD2345", course_id="criteria_journal",
                           holder_name=name, percent=90.0, issued_on=issued_on)
    with i18n.context(), i18n.use_locale(lang):
        pdf = certificate_pdf(doc, "maktab_bot")
    return " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())


def test_the_russian_wording_needs_no_gender(i18n) -> None:
    """"успешно сдал(а)" beside "Иванова Мария" looked unofficial: the holder is a labelled line, and what
    was passed is said without a verb that agrees with the holder."""
    text = _pdf_text(i18n, "ru", "Иванова Мария Петровна")
    assert "(а)" not in text and "сдал" not in text
    assert "Владелец сертификата Иванова Мария Петровна" in text
    assert "Настоящим удостоверяется успешная сдача итогового экзамена курса" in text


@pytest.mark.parametrize(("lang", "name", "after"), [
    ("uz", "Karimova Dilnoza Rustamovna", "quyidagi kursning yakuniy imtihonini muvaffaqiyatli topshirdi:"),
    ("ky", "Өмүрбекова Айнура Түгөлбаевна", "төмөнкү курстун жыйынтыктоочу сынагын ийгиликтүү тапшырды:"),
    ("kk", "Әлібекова Гүлнұр Қайратқызы", "төмендегі курстың қорытынды емтиханын сәтті тапсырды:"),
])
def test_the_other_languages_keep_the_name_as_the_subject(i18n, lang: str, name: str, after: str) -> None:
    """Uzbek, Kyrgyz and Kazakh have no grammatical gender: the name, in the nominative, is the sentence's
    subject and the verb follows it."""
    assert f"{name} {after}" in _pdf_text(i18n, lang, name)
