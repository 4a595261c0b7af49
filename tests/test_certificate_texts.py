"""What a certificate says in each language: its file name and its wording, through the real catalogues."""

from __future__ import annotations

import pytest

from bot.i18n import create_i18n
from bot.services import certificates
from bot.services.certificates import certificate_filename
from storage.models import Certificate


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
        assert certificate_filename(Certificate(number="MB-2026-000001")) == expected


def test_the_file_name_keeps_to_safe_characters(monkeypatch) -> None:
    monkeypatch.setattr(certificates, "_", lambda _msgid: 'Сертификат: "{number}" / копия')
    assert certificate_filename(Certificate(number="MB-2026-000001")) == "Сертификат_MB-2026-000001_копия.pdf"
