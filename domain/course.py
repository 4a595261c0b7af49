"""Courses: blocks, lessons, pages and questions, loaded from YAML per language and validated.

A question is addressed by (lesson number, question index): the same key in every language, so an
attempt started in Russian can be scored and shown in Uzbek. The files are read and checked by the pydantic
models in `domain.course_files`; this module turns them into the plain objects the rest of the bot uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from domain.course_files import (
    OPTIONS_PER_QUESTION,
    BlockFile,
    CourseContentError,
    LanguageFiles,
    check_same_structure,
    read_language,
)

__all__ = ["OPTIONS_PER_QUESTION", "Block", "Course", "CourseContentError", "CourseText", "Lesson", "Question",
           "load_course", "load_course_text", "load_courses", "parse_question_key", "question_key"]


@dataclass(frozen=True)
class Question:
    text: str
    options: tuple[str, ...]
    correct: int


@dataclass(frozen=True)
class Lesson:
    number: int
    title: str
    minutes: int
    pages: tuple[str, ...]
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class Block:
    number: int
    title: str
    lessons: tuple[Lesson, ...]


@dataclass(frozen=True)
class CourseText:
    """One course in one language."""

    course_id: str
    language: str
    title: str
    description: str
    blocks: tuple[Block, ...]

    @property
    def lessons(self) -> tuple[Lesson, ...]:
        return tuple(lesson for block in self.blocks for lesson in block.lessons)

    def lesson(self, number: int) -> Lesson:
        for lesson in self.lessons:
            if lesson.number == number:
                return lesson
        raise KeyError(number)

    def block_of(self, lesson_number: int) -> Block:
        for block in self.blocks:
            if any(lesson.number == lesson_number for lesson in block.lessons):
                return block
        raise KeyError(lesson_number)

    def question(self, key: str) -> Question:
        lesson_no, index = parse_question_key(key)
        return self.lesson(lesson_no).questions[index]

    def question_keys(self) -> list[str]:
        return [question_key(lesson.number, i) for lesson in self.lessons for i in range(len(lesson.questions))]


@dataclass(frozen=True)
class Course:
    """A course in all its languages."""

    course_id: str
    texts: dict[str, CourseText]

    def text(self, language: str, fallback: str = "ru") -> CourseText:
        return self.texts.get(language) or self.texts[fallback]

    @property
    def reference(self) -> CourseText:
        return self.texts.get("ru") or next(iter(self.texts.values()))


def question_key(lesson_no: int, index: int) -> str:
    return f"{lesson_no}:{index}"


def parse_question_key(key: str) -> tuple[int, int]:
    lesson, _, index = key.partition(":")
    return int(lesson), int(index)


def _block(raw: BlockFile) -> Block:
    lessons = tuple(
        Lesson(number=lesson.number, title=lesson.title, minutes=lesson.minutes, pages=tuple(lesson.pages),
               questions=tuple(Question(text=q.text, options=tuple(q.options), correct=q.correct)
                               for q in lesson.questions))
        for lesson in raw.lessons)
    return Block(number=raw.number, title=raw.title, lessons=lessons)


def _course_text(files: LanguageFiles, course_id: str, language: str) -> CourseText:
    return CourseText(course_id=course_id, language=language, title=files.course.title,
                      description=files.course.description, blocks=tuple(_block(raw) for _, raw in files.blocks))


def load_course_text(folder: Path, course_id: str, language: str) -> CourseText:
    """One language of a course, validated on its own (no comparison with the other languages)."""
    return _course_text(read_language(folder), course_id, language)


def load_course(folder: Path, languages: tuple[str, ...]) -> Course:
    """Load every language of a course and check that they have one structure."""
    files = {lang: read_language(folder / lang) for lang in languages
             if (folder / lang).is_dir() and any((folder / lang).glob("block*.yaml"))}
    if not files:
        raise CourseContentError(f"{folder}: no language has content")
    missing = [lang for lang in languages if lang not in files]
    if missing:
        raise CourseContentError(f"{folder}: languages without content: {', '.join(missing)}")
    reference = files.get("ru") or next(iter(files.values()))
    for language_files in files.values():
        check_same_structure(reference, language_files)
    return Course(course_id=folder.name,
                  texts={lang: _course_text(f, folder.name, lang) for lang, f in files.items()})


def load_courses(root: Path, languages: tuple[str, ...]) -> dict[str, Course]:
    return {folder.name: load_course(folder, languages)
            for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(("_", ".")))}
