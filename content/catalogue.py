"""The course catalogue, loaded and validated once at start-up from content/courses/."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from domain.course import Course, load_courses
from domain.languages import SUPPORTED_LANGUAGES

CONTENT_DIR = Path(__file__).parent / "courses"
MAIN_COURSE = "criteria_journal"


@cache
def catalogue() -> dict[str, Course]:
    return load_courses(CONTENT_DIR, SUPPORTED_LANGUAGES)
