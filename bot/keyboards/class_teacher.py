"""Callback data of the class teacher's screens."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData


class ClassAct(StrEnum):
    glance = "glance"
    codes = "codes"
    student = "student"  # a pupil's codes
    new = "new"  # a new code for the pupil
    revoke = "revoke"


class ClassCB(CallbackData, prefix="cl"):
    """a: which screen or action; c: class; s: student; i: invite code."""

    a: ClassAct
    c: int = 0
    s: int = 0
    i: int = 0
    #: Unused; kept so that buttons already in chats ("cl:glance:5:0:0:") still parse.
    next: str = ""
