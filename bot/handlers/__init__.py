"""One router per user story; the fallback router comes last."""

from __future__ import annotations

from aiogram import Router


def routers() -> list[Router]:
    """The routers in order, detached from any earlier dispatcher (tests and the console build several)."""
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
        start,
        verify,
    )

    ordered = [blocking.router, start.router, language.router, onboarding.router, help.router, verify.router,
               course.router, exam.router, certificate.router, journal.router, parents.router,
               class_teacher.router, reports.router, reminders.router, fallback.router]
    for router in ordered:
        parent = router.parent_router
        if parent is not None:
            parent.sub_routers.remove(router)
            router._parent_router = None
    return ordered
