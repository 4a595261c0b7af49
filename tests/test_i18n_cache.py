"""Compiled catalogues are built into a cache folder, never into the installed package (it may be read-only)."""

from __future__ import annotations

import shutil

from bot.i18n import DOMAIN, LOCALES_DIR, compile_catalogues


def test_catalogues_compile_into_the_cache_not_the_package(tmp_path):
    source = tmp_path / "package-locales"
    shutil.copytree(LOCALES_DIR, source, ignore=shutil.ignore_patterns("*.mo"))
    for path in [source, *source.rglob("*")]:
        path.chmod(0o555 if path.is_dir() else 0o444)  # an installed, read-only package
    try:
        built = compile_catalogues(source, cache_dir=tmp_path / "cache")
        assert not list(source.rglob("*.mo"))
        languages = sorted(p.parent.parent.name for p in built.glob(f"*/LC_MESSAGES/{DOMAIN}.mo"))
        assert languages == ["kk", "ky", "ru", "uz"]
        # the same catalogues again: the same folder, not rebuilt
        assert compile_catalogues(source, cache_dir=tmp_path / "cache") == built
    finally:
        for path in [source, *source.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)


def test_a_changed_catalogue_gets_a_new_build(tmp_path):
    source = tmp_path / "locales"
    shutil.copytree(LOCALES_DIR, source, ignore=shutil.ignore_patterns("*.mo"))
    first = compile_catalogues(source, cache_dir=tmp_path / "cache")
    po = source / "uz" / "LC_MESSAGES" / f"{DOMAIN}.po"
    po.write_text(po.read_text(encoding="utf-8") + '\nmsgid "A new message"\nmsgstr "Yangi xabar"\n', encoding="utf-8")
    second = compile_catalogues(source, cache_dir=tmp_path / "cache")
    assert second != first and (second / "uz" / "LC_MESSAGES" / f"{DOMAIN}.mo").exists()
