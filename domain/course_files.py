"""The course files as written by content editors, read and validated through pydantic models.

One folder per language holds `course.yaml` (`CourseFile`) and `block1.yaml`, `block2.yaml`, ... (`BlockFile`).
The models hold the rules for one file; `read_language` adds the rules across one language's files (blocks and
lessons numbered 1..N) and `check_same_structure` the rules across languages (the same blocks, lessons, minutes,
page and question counts and correct options everywhere, since an attempt is scored by position whatever
language it was shown in). Every refusal names the file, the line and the path within the file (pydantic's
`loc`, as `lessons[0].questions[2].correct`), and lists every mistake found in that file, not only the first.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, TypeVar

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import PydanticCustomError

MAX_PAGE_CHARS = 900
MAX_QUESTION_CHARS = 300
MAX_OPTION_CHARS = 100
OPTIONS_PER_QUESTION = 4
MIN_QUESTIONS, MAX_QUESTIONS = 3, 8


class CourseContentError(ValueError):
    """Course files that break the rules; the message names the file and the place."""


def _one_index(value: Any) -> Any:
    """A list under `correct` is an editor marking several answers right: say so rather than 'not an integer'."""
    if isinstance(value, list | tuple):
        raise PydanticCustomError("one_correct", "exactly one correct option: `correct` is one index 0-3, not a list")
    return value


Text = Annotated[str, Field(min_length=1)]
Page = Annotated[str, Field(min_length=1, max_length=MAX_PAGE_CHARS)]
Option = Annotated[str, Field(min_length=1, max_length=MAX_OPTION_CHARS)]
Number = Annotated[int, Field(ge=1)]
CorrectIndex = Annotated[int, BeforeValidator(_one_index), Field(ge=0, lt=OPTIONS_PER_QUESTION)]


class _File(BaseModel):
    """Strict: no '1' for 1 or `true` for 1, no text for a list, no unknown (misspelt) keys; text is stripped."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True, str_strip_whitespace=True)


class QuestionFile(_File):
    text: Annotated[str, Field(min_length=1, max_length=MAX_QUESTION_CHARS)]
    options: list[Option]
    correct: CorrectIndex

    @field_validator("options")
    @classmethod
    def _four_distinct(cls, options: list[str]) -> list[str]:
        if len(options) != OPTIONS_PER_QUESTION:
            raise PydanticCustomError("four_options", "needs exactly {want} options, not {got}",
                                      {"want": OPTIONS_PER_QUESTION, "got": len(options)})
        if len(set(options)) != len(options):
            raise PydanticCustomError("options_repeat", "options repeat: every option must differ")
        return options


class LessonFile(_File):
    number: Number
    title: Text
    minutes: Number
    pages: Annotated[list[Page], Field(min_length=1)]
    questions: Annotated[list[QuestionFile], Field(min_length=MIN_QUESTIONS, max_length=MAX_QUESTIONS)]


class BlockFile(_File):
    number: Number
    title: Text
    lessons: Annotated[list[LessonFile], Field(min_length=1)]


class CourseFile(_File):
    title: Text
    description: str = ""


FileModel = TypeVar("FileModel", CourseFile, BlockFile)


@dataclass(frozen=True)
class LanguageFiles:
    """One language of a course, read and checked: its `course.yaml` and its block files in order."""

    folder: Path
    course: CourseFile
    blocks: tuple[tuple[Path, BlockFile], ...]


Loc = tuple[str | int, ...]


def render_loc(loc: Iterable[str | int]) -> str:
    """('lessons', 0, 'questions', 2, 'correct') -> 'lessons[0].questions[2].correct'."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(the whole file)"


def _line_of(node: yaml.Node | None, loc: Loc) -> int | None:
    """The line of the deepest key or item on the path `loc` (the parent's line when a key is missing)."""
    mark = node.start_mark if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            key, child = next(((k, v) for k, v in node.value if k.value == part), (None, None))
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            key, child = None, node.value[part]
        else:
            break
        if child is None:
            break
        node, mark = child, (key or child).start_mark
    return mark.line + 1 if mark is not None else None


def _where(path: Path, node: yaml.Node | None, loc: Loc) -> str:
    line = _line_of(node, loc)
    return f"{path}:{line}: {render_loc(loc)}" if line else f"{path}: {render_loc(loc)}"


def _read(path: Path, model: type[FileModel]) -> FileModel:
    """Parse one file once (the node tree keeps line numbers) and validate it; refuse with every mistake."""
    try:
        loader = yaml.SafeLoader(path.read_text(encoding="utf-8"))
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as error:
        raise CourseContentError(f"{path}: not valid YAML: {error}") from error
    try:
        return model.model_validate({} if data is None else data)
    except ValidationError as error:
        lines = [f"{_where(path, node, e['loc'])}: {e['msg']}" for e in error.errors(include_url=False)]
        raise CourseContentError("\n".join(lines)) from None


def _block_order(path: Path) -> int:
    return int("".join(filter(str.isdigit, path.stem)) or 0)


def _numbering_mistakes(blocks: tuple[tuple[Path, BlockFile], ...]) -> Iterator[str]:
    """Blocks numbered 1..N in file order, lessons 1..N across the whole course."""
    expected_lesson = 1
    for position, (path, block) in enumerate(blocks, 1):
        if block.number != position:
            yield f"{path}: number: block {block.number} where {position} is expected (blocks are numbered 1..N)"
        for i, lesson in enumerate(block.lessons):
            if lesson.number != expected_lesson:
                yield (f"{path}: lessons[{i}].number: lesson {lesson.number} where {expected_lesson} is expected "
                       "(lessons are numbered 1..N across the course)")
            expected_lesson = lesson.number + 1


def read_language(folder: Path) -> LanguageFiles:
    """Read one language folder: course.yaml and every blockN.yaml, each validated, then their numbering."""
    meta = folder / "course.yaml"
    if not meta.exists():
        raise CourseContentError(f"{folder}: course.yaml is missing")
    course = _read(meta, CourseFile)
    paths = sorted(folder.glob("block*.yaml"), key=_block_order)
    if not paths:
        raise CourseContentError(f"{folder}: no block files")
    blocks = tuple((path, _read(path, BlockFile)) for path in paths)
    mistakes = list(_numbering_mistakes(blocks))
    if mistakes:
        raise CourseContentError("\n".join(mistakes))
    return LanguageFiles(folder=folder, course=course, blocks=blocks)


def _differences(path: Path, mine: BlockFile, theirs: BlockFile, other: Path) -> Iterator[str]:
    """What in `mine` differs from the same block in the reference language `theirs` (read from `other`)."""
    if mine.number != theirs.number:
        yield f"{path}: number: block {mine.number} here, {theirs.number} in {other}"
    if [lesson.number for lesson in mine.lessons] != [lesson.number for lesson in theirs.lessons]:
        yield f"{path}: lessons: the block has different lessons than in {other}"
        return
    for i, (a, b) in enumerate(zip(mine.lessons, theirs.lessons, strict=True)):
        at = f"{path}: lessons[{i}]"
        if a.minutes != b.minutes:
            yield f"{at}.minutes: different minutes: {a.minutes} here, {b.minutes} in {other}"
        if len(a.pages) != len(b.pages):
            yield f"{at}.pages: different number of pages: {len(a.pages)} here, {len(b.pages)} in {other}"
        if len(a.questions) != len(b.questions):
            yield f"{at}.questions: {len(a.questions)} questions here, {len(b.questions)} in {other}"
            continue
        for j, (qa, qb) in enumerate(zip(a.questions, b.questions, strict=True)):
            if qa.correct != qb.correct:
                yield (f"{at}.questions[{j}].correct: question {j + 1} has a different correct option: "
                       f"{qa.correct} here, {qb.correct} in {other}")


def check_same_structure(reference: LanguageFiles, text: LanguageFiles) -> None:
    """Refuse a language whose blocks, lessons, minutes, pages, questions or correct options differ."""
    other = f"{reference.folder.name}/"
    mine = {path.name: (path, block) for path, block in text.blocks}
    theirs = {path.name: block for path, block in reference.blocks}
    mistakes = [f"{text.folder}: {name} is missing (it is in {other})" for name in theirs if name not in mine]
    mistakes += [f"{text.folder}: {name} is not in {other}" for name in mine if name not in theirs]
    for name, (path, block) in mine.items():
        if name in theirs:
            mistakes += _differences(path, block, theirs[name], reference.folder.name + "/" + name)
    if mistakes:
        raise CourseContentError("\n".join(mistakes))
