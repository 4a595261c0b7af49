"""A course's texts in the chat's current language (the catalogue itself is content.catalogue)."""

from __future__ import annotations

from content.catalogue import catalogue
from domain.course import CourseText


def current_language() -> str:
    from aiogram.utils.i18n import get_i18n

    try:
        return get_i18n().current_locale
    except LookupError:
        return "ru"


def course_text(course_id: str, language: str | None = None) -> CourseText:
    return catalogue()[course_id].text(language or current_language())


def course_title(course_id: str, language: str | None = None) -> str:
    course = catalogue().get(course_id)
    return course.text(language or current_language()).title if course else course_id
