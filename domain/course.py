"""Courses: blocks, lessons, pages and questions, loaded from YAML per language and validated.

A question is addressed by (lesson number, question index): the same key in every language, so an
attempt started in Russian can be scored and shown in Uzbek.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

MAX_PAGE_CHARS = 900
MAX_QUESTION_CHARS = 300
MAX_OPTION_CHARS = 100
OPTIONS_PER_QUESTION = 4


class CourseContentError(ValueError):
    """Course files that break the rules; the message names the file and the place."""


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


def _require(cond: bool, where: str, what: str) -> None:
    if not cond:
        raise CourseContentError(f"{where}: {what}")


def _parse_question(raw: dict, where: str) -> Question:
    _require(isinstance(raw, dict), where, "a question must be a mapping")
    text = str(raw.get("text", "")).strip()
    options = tuple(str(o).strip() for o in raw.get("options") or ())
    correct = raw.get("correct")
    _require(bool(text), where, "question text is empty")
    _require(len(text) <= MAX_QUESTION_CHARS, where, f"question longer than {MAX_QUESTION_CHARS} characters")
    _require(len(options) == OPTIONS_PER_QUESTION, where, f"needs exactly {OPTIONS_PER_QUESTION} options")
    _require(all(options), where, "an option is empty")
    _require(len(set(options)) == len(options), where, "options repeat")
    _require(all(len(o) <= MAX_OPTION_CHARS for o in options), where,
             f"an option is longer than {MAX_OPTION_CHARS} characters")
    _require(isinstance(correct, int) and 0 <= correct < len(options), where,
             "`correct` must be the index (0-3) of the one correct option")
    return Question(text=text, options=options, correct=correct)


def _parse_lesson(raw: dict, where: str) -> Lesson:
    number = raw.get("number")
    _require(isinstance(number, int), where, "lesson number missing")
    where = f"{where} lesson {number}"
    pages = tuple(str(p).strip() for p in raw.get("pages") or ())
    _require(bool(pages), where, "no pages")
    _require(all(0 < len(p) <= MAX_PAGE_CHARS for p in pages), where,
             f"a page is empty or longer than {MAX_PAGE_CHARS} characters")
    questions = tuple(_parse_question(q, f"{where} question {i + 1}")
                      for i, q in enumerate(raw.get("questions") or ()))
    _require(3 <= len(questions) <= 8, where, "a lesson needs 3 to 8 questions")
    minutes = raw.get("minutes")
    _require(isinstance(minutes, int) and minutes > 0, where, "minutes must be a positive number")
    return Lesson(number=number, title=str(raw.get("title", "")).strip(), minutes=minutes, pages=pages,
                  questions=questions)


def load_course_text(folder: Path, course_id: str, language: str) -> CourseText:
    meta_path = folder / "course.yaml"
    _require(meta_path.exists(), str(folder), "course.yaml is missing")
    meta = yaml.safe_load(meta_path.read_text(encoding="utf-8")) or {}
    blocks = []
    for path in sorted(folder.glob("block*.yaml"), key=lambda p: int("".join(filter(str.isdigit, p.stem)) or 0)):
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        where = str(path)
        lessons = tuple(_parse_lesson(item, where) for item in raw.get("lessons") or ())
        _require(bool(lessons), where, "no lessons")
        blocks.append(Block(number=int(raw.get("number", 0)), title=str(raw.get("title", "")).strip(),
                            lessons=lessons))
    _require(bool(blocks), str(folder), "no block files")
    text = CourseText(course_id=course_id, language=language, title=str(meta.get("title", "")).strip(),
                      description=str(meta.get("description", "")).strip(), blocks=tuple(blocks))
    numbers = [lesson.number for lesson in text.lessons]
    _require(numbers == list(range(1, len(numbers) + 1)), str(folder), "lessons must be numbered 1..N in order")
    _require([b.number for b in blocks] == list(range(1, len(blocks) + 1)), str(folder),
             "blocks must be numbered 1..N")
    _require(bool(text.title), str(meta_path), "title is empty")
    return text


def _same_structure(a: CourseText, b: CourseText) -> None:
    where = f"{b.course_id}/{b.language} vs {a.language}"
    _require(len(a.blocks) == len(b.blocks), where, "different number of blocks")
    for ba, bb in zip(a.blocks, b.blocks, strict=True):
        _require([lesson.number for lesson in ba.lessons] == [lesson.number for lesson in bb.lessons], where,
                 f"block {ba.number} has different lessons")
    for la, lb in zip(a.lessons, b.lessons, strict=True):
        w = f"{where} lesson {la.number}"
        _require(la.minutes == lb.minutes, w, "different minutes")
        _require(len(la.pages) == len(lb.pages), w, "different number of pages")
        _require(len(la.questions) == len(lb.questions), w, "different number of questions")
        for i, (qa, qb) in enumerate(zip(la.questions, lb.questions, strict=True)):
            _require(qa.correct == qb.correct, w, f"question {i + 1} has a different correct option")


def load_course(folder: Path, languages: tuple[str, ...]) -> Course:
    """Load every language of a course and check that they have one structure."""
    texts = {lang: load_course_text(folder / lang, folder.name, lang) for lang in languages
             if (folder / lang).is_dir() and any((folder / lang).glob("block*.yaml"))}
    _require(bool(texts), str(folder), "no language has content")
    missing = [lang for lang in languages if lang not in texts]
    _require(not missing, str(folder), f"languages without content: {', '.join(missing)}")
    course = Course(course_id=folder.name, texts=texts)
    for text in texts.values():
        _same_structure(course.reference, text)
    return course


def load_courses(root: Path, languages: tuple[str, ...]) -> dict[str, Course]:
    return {folder.name: load_course(folder, languages)
            for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(("_", ".")))}
