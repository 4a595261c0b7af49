"""The course catalogue, loaded and validated once at start-up from bot/content/courses/."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from bot.config import SUPPORTED_LANGUAGES
from domain.course import Course, CourseText, load_courses

CONTENT_DIR = Path(__file__).parent / "content" / "courses"
MAIN_COURSE = "criteria_journal"


@cache
def catalogue() -> dict[str, Course]:
    return load_courses(CONTENT_DIR, SUPPORTED_LANGUAGES)


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
