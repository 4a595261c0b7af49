"""Callback data for the course, lesson tasks, exam and certificate. Ids and small numbers only: the
correct option never travels in a button."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class CourseCB(CallbackData, prefix="c"):
    """a: home, list, read, tasks; k: course id; l: lesson; p: page (or block for `list`)."""

    a: str
    k: str
    l: int = 0  # noqa: E741 - short on purpose: callback data is limited to 64 bytes
    p: int = 0


class QuizCB(CallbackData, prefix="q"):
    r: int  # quiz run id
    p: int  # position of the question
    c: int  # chosen shown option 0..3


class ExamCB(CallbackData, prefix="x"):
    """a: home, rules, start, resume, result; t: attempt id."""

    a: str
    k: str
    t: int = 0


class ExamAnswerCB(CallbackData, prefix="xa"):
    t: int  # attempt id
    p: int  # position of the question in the attempt
    c: int  # chosen shown option 0..3


class CertCB(CallbackData, prefix="cert"):
    """a: home, name, confirm, pdf, send; k: course id."""

    a: str
    k: str
