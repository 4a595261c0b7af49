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

    templates = [blocking.router, start.router, language.router, onboarding.router, school_approval.router,
                 help.router, verify.router,
                 course.router, exam.router, certificate.router, journal.router, parents.router,
                 class_teacher.router, reminders.router, reports.router, fallback.router]
    return [fresh_copy(router) for router in templates]


def fresh_copy(template: Router) -> Router:
    """A new router with the template's handlers: each dispatcher gets its own routers, so several bot
    instances (or tests) can live in one process; module-level routers stay unattached templates."""
    router = Router(name=template.name)
    for event, observer in template.observers.items():
        router.observers[event].handlers.extend(observer.handlers)
    return router
