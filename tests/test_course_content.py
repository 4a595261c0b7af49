"""The course files: 5 blocks, 24 lessons, 4 options with 1 correct, one structure in all four languages."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.config import SUPPORTED_LANGUAGES
from content.catalogue import CONTENT_DIR, MAIN_COURSE, catalogue
from domain.course import CourseContentError, load_course


def test_main_course_shape():
    course = catalogue()[MAIN_COURSE]
    assert set(course.texts) == set(SUPPORTED_LANGUAGES)
    for lang, text in course.texts.items():
        assert len(text.blocks) == 5, lang
        assert len(text.lessons) == 24, lang
        assert len(text.question_keys()) >= 120, lang
        questions = [q for lesson in text.lessons for q in lesson.questions]
        assert len({q.text for q in questions}) == len(questions), f"{lang}: repeated questions"
        assert all(len(q.options) == 4 and 0 <= q.correct < 4 for q in questions)
        assert all(lesson.minutes > 0 and lesson.pages for lesson in text.lessons)


def test_named_lessons_from_the_seed_are_there():
    uz = catalogue()[MAIN_COURSE].text("uz")
    assert uz.title.startswith("Mezonlar bo")
    assert uz.lesson(1).minutes == 10 and uz.lesson(6).minutes == 20


def test_broken_structure_is_refused(tmp_path: Path):
    for lang in ("ru", "uz"):
        (tmp_path / "c" / lang).mkdir(parents=True)
        (tmp_path / "c" / lang / "course.yaml").write_text("title: T\n", encoding="utf-8")
        question = {"text": "Q?", "options": ["a", "b", "c", "d"], "correct": 0 if lang == "ru" else 1}
        block = {"number": 1, "title": "B", "lessons": [
            {"number": 1, "title": "L", "minutes": 5, "pages": ["p"], "questions": [question] * 3}]}
        (tmp_path / "c" / lang / "block1.yaml").write_text(yaml.safe_dump(block), encoding="utf-8")
    with pytest.raises(CourseContentError, match="different correct option"):
        load_course(tmp_path / "c", ("ru", "uz"))


def test_two_correct_options_are_refused(tmp_path: Path):
    (tmp_path / "c" / "ru").mkdir(parents=True)
    (tmp_path / "c" / "ru" / "course.yaml").write_text("title: T\n", encoding="utf-8")
    bad = {"text": "Q?", "options": ["a", "a", "c", "d"], "correct": 0}
    block = {"number": 1, "title": "B", "lessons": [
        {"number": 1, "title": "L", "minutes": 5, "pages": ["p"], "questions": [bad] * 3}]}
    (tmp_path / "c" / "ru" / "block1.yaml").write_text(yaml.safe_dump(block), encoding="utf-8")
    with pytest.raises(CourseContentError, match="options repeat"):
        load_course(tmp_path / "c", ("ru",))


def test_content_dir_lists_courses():
    assert (CONTENT_DIR / MAIN_COURSE).is_dir()



LENGTH_HINT_LIMIT = 0.25  # chance: one option in four
SHORT_HINT_LIMIT = LENGTH_HINT_LIMIT + 0.05
RANK_HINT_LIMIT = LENGTH_HINT_LIMIT + 0.05


def _unique_extreme(question, pick) -> bool:
    """Whether the correct option is the only one with the pick (max or min) length in characters."""
    lengths = [len(option) for option in question.options]
    extreme = pick(lengths)
    return lengths[question.correct] == extreme and lengths.count(extreme) == 1


def _rank_shares(questions) -> list[float]:
    """How often 'take the r-th shortest option' (ties drawn at random) is right, for r = 1..4."""
    shares = [0.0] * 4
    for question in questions:
        lengths = [len(option) for option in question.options]
        mine = lengths[question.correct]
        below, ties = sum(length < mine for length in lengths), lengths.count(mine)
        for rank in range(below, below + ties):
            shares[rank] += 1 / ties / len(questions)
    return shares


def _length_report(lang: str, text) -> tuple[float, float, list[float], str]:
    pool = [text.question(key) for key in text.question_keys()]
    longest = sum(_unique_extreme(q, max) for q in pool) / len(pool)
    shortest = sum(_unique_extreme(q, min) for q in pool) / len(pool)
    ranks = _rank_shares(pool)
    by_block = ", ".join("{}: {:.0%}".format(block.number, sum(
        _unique_extreme(q, max) for lesson in block.lessons for q in lesson.questions) / sum(
        len(lesson.questions) for lesson in block.lessons)) for block in text.blocks)
    line = ("{}: correct is the unique longest in {:.1%}, the unique shortest in {:.1%} of {} questions; "
            "by length rank (short to long) {}; unique longest in the lesson tasks by block {}").format(
        lang, longest, shortest, len(pool), " / ".join(f"{share:.0%}" for share in ranks), by_block)
    return longest, shortest, ranks, line


def test_option_length_gives_no_hint():
    """Issue #10: a teacher who picks options by their length must do no better than chance.

    The exam draws from the lesson tasks (one pool, `question_keys`), so the pool is checked as a whole; the
    lesson tasks are reported block by block. The unique longest option must be correct at most as often as
    chance; the unique shortest, and every length rank (ties drawn at random: 'always take the second longest'
    is a strategy too), at most 5 points above it, so the fix is not distractors padded past the answer.
    """
    reports = {lang: _length_report(lang, text) for lang, text in sorted(catalogue()[MAIN_COURSE].texts.items())}
    message = "\n".join(report[3] for report in reports.values())
    assert all(longest <= LENGTH_HINT_LIMIT for longest, *_ in reports.values()), message
    assert all(shortest <= SHORT_HINT_LIMIT for _, shortest, *_ in reports.values()), message
    assert all(max(ranks) <= RANK_HINT_LIMIT for _, _, ranks, _ in reports.values()), message


# Issue #11: course files are read through pydantic models; a malformed file is refused with a message that names
# the file, the line and the path within it, so a content editor can find the mistake.

def _question(correct: int = 0) -> dict:
    return {"text": "Q?", "options": ["a", "b", "c", "d"], "correct": correct}


def _write_course(root: Path, languages=("ru",), edit=None) -> Path:
    """A one-block, one-lesson course; `edit(language, block)` breaks the block before it is written."""
    for lang in languages:
        (root / "c" / lang).mkdir(parents=True)
        (root / "c" / lang / "course.yaml").write_text("title: T\n", encoding="utf-8")
        block = {"number": 1, "title": "B", "lessons": [
            {"number": 1, "title": "L", "minutes": 5, "pages": ["p"], "questions": [_question() for _ in range(3)]}]}
        if edit:
            edit(lang, block)
        (root / "c" / lang / "block1.yaml").write_text(yaml.safe_dump(block, sort_keys=False), encoding="utf-8")
    return root / "c"


def _refusal(folder: Path, languages=("ru",)) -> str:
    with pytest.raises(CourseContentError) as refused:
        load_course(folder, languages)
    return str(refused.value)


def test_three_options_are_refused_naming_file_line_and_field(tmp_path: Path):
    def three_options(_, block):
        block["lessons"][0]["questions"][1]["options"] = ["a", "b", "c"]

    message = _refusal(_write_course(tmp_path, edit=three_options))
    written = (tmp_path / "c" / "ru" / "block1.yaml").read_text(encoding="utf-8").splitlines()
    line = [i for i, text in enumerate(written, 1) if text.strip() == "options:"][1]
    assert f"ru/block1.yaml:{line}: lessons[0].questions[1].options" in message, message
    assert "exactly 4 options" in message, message


def test_two_correct_answers_are_refused(tmp_path: Path):
    def two_correct(_, block):
        block["lessons"][0]["questions"][0]["correct"] = [0, 2]

    message = _refusal(_write_course(tmp_path, edit=two_correct))
    assert "ru/block1.yaml" in message and "lessons[0].questions[0].correct" in message, message
    assert "exactly one correct option" in message, message


@pytest.mark.parametrize("field", ["title", "minutes", "pages"])
def test_missing_lesson_field_is_refused(tmp_path: Path, field: str):
    message = _refusal(_write_course(tmp_path, edit=lambda _, block: block["lessons"][0].pop(field)))
    assert "ru/block1.yaml" in message and f"lessons[0].{field}: Field required" in message, message


@pytest.mark.parametrize(("field", "value"), [
    ("pages", "one page written as text, not as a list"),  # read as one page per character before
    ("correct", True),  # `true` counted as option 1 before
    ("options", "abcd"),  # four one-letter options before
    ("text", 42),
])
def test_wrong_type_is_refused(tmp_path: Path, field: str, value):
    def wrong_type(_, block):
        target = block["lessons"][0] if field == "pages" else block["lessons"][0]["questions"][2]
        target[field] = value

    message = _refusal(_write_course(tmp_path, edit=wrong_type))
    where = "lessons[0].pages" if field == "pages" else f"lessons[0].questions[2].{field}"
    assert "ru/block1.yaml" in message and where in message, message


def test_unknown_field_is_refused(tmp_path: Path):
    def misspelt(_, block):
        block["lessons"][0]["minuts"] = block["lessons"][0].pop("minutes")

    message = _refusal(_write_course(tmp_path, edit=misspelt))
    assert "lessons[0].minuts: Extra inputs are not permitted" in message, message


def test_languages_with_different_structure_name_the_file_and_place(tmp_path: Path):
    def extra_question(lang, block):
        if lang == "uz":
            block["lessons"][0]["questions"].append(_question())

    message = _refusal(_write_course(tmp_path, ("ru", "uz"), edit=extra_question), ("ru", "uz"))
    assert "uz/block1.yaml" in message and "lessons[0].questions" in message, message
    assert "4 questions here, 3 in ru" in message, message


def test_different_correct_option_names_the_question(tmp_path: Path):
    def moved_answer(lang, block):
        if lang == "uz":
            block["lessons"][0]["questions"][2]["correct"] = 3

    message = _refusal(_write_course(tmp_path, ("ru", "uz"), edit=moved_answer), ("ru", "uz"))
    assert "uz/block1.yaml" in message and "lessons[0].questions[2].correct" in message, message


def test_broken_yaml_names_the_file(tmp_path: Path):
    folder = _write_course(tmp_path)
    (folder / "ru" / "block1.yaml").write_text("number: 1\nlessons: [\n", encoding="utf-8")
    assert "ru/block1.yaml" in _refusal(folder)


def test_every_mistake_in_a_file_is_reported_at_once(tmp_path: Path):
    def two_mistakes(_, block):
        block["lessons"][0]["minutes"] = 0
        block["lessons"][0]["questions"][0]["correct"] = 4

    message = _refusal(_write_course(tmp_path, edit=two_mistakes))
    assert "lessons[0].minutes" in message and "lessons[0].questions[0].correct" in message, message
