"""Callback data for the course, lesson tasks, exam and certificate. Ids and small numbers only: the
correct option never travels in a button."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData


class CourseAct(StrEnum):
    home = "home"  # the course's progress
    list = "list"  # a block's lessons (p: the block)
    read = "read"  # a page of a lesson (l, p)
    tasks = "tasks"  # the lesson's tasks (l)


class CourseCB(CallbackData, prefix="c"):
    """a: what to open; k: course id; l: lesson; p: page (or block for `list`)."""

    a: CourseAct
    k: str
    l: int = 0  # noqa: E741 - short on purpose: callback data is limited to 64 bytes
    p: int = 0


class QuizCB(CallbackData, prefix="q"):
    r: int  # quiz run id
    p: int  # position of the question
    c: int  # chosen shown option 0..3


class ExamAct(StrEnum):
    """What an exam button does (short values: callback data is limited to 64 bytes)."""

    home = "home"
    start = "start"
    resume = "resume"


class ExamCB(CallbackData, prefix="x"):
    """a: the action; k: course id; t: attempt id."""

    a: ExamAct
    k: str
    t: int = 0


class ExamAnswerCB(CallbackData, prefix="xa"):
    t: int  # attempt id
    p: int  # position of the question in the attempt
    c: int  # chosen shown option 0..3


class CertAct(StrEnum):
    """What a certificate button does."""

    home = "home"
    name = "name"
    confirm = "confirm"
    pdf = "pdf"
    send = "send"


class CertCB(CallbackData, prefix="cert"):
    """a: the action; k: course id."""

    a: CertAct
    k: str
