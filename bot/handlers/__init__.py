"""One router per user story; the fallback router comes last."""

from __future__ import annotations

from aiogram import Router


def routers() -> list[Router]:
    """The routers in order, fresh for each dispatcher."""
    from bot.handlers import (
        blocking,
        certificate,
        class_teacher,
        course,
        exam,
        fallback,
        help,
        journal,
        language,
        onboarding,
        parents,
        reminders,
        reports,
        school_approval,
        start,
        verify,
    )

    templates = [blocking, start, language, onboarding, school_approval, help, verify,
                 course, exam, certificate, journal, parents, class_teacher, reminders, reports, fallback]
    return [module.build_router() for module in templates]
