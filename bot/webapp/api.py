"""The Mini App's JSON API. Every request carries Telegram's initData (`Authorization: tma <initData>`); the
user is taken from it, their role and school from the database, never from the request. Each endpoint calls
one use case, which checks the same permissions as the chat; refusals become HTTP statuses with a stable code.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from aiohttp import web

from bot.config import SUPPORTED_LANGUAGES
from bot.factory import App
from bot.formatting import fmt_date, line_start
from bot.i18n import language_from_telegram
from bot.webapp.auth import InitDataRefused, init_data_from_header, validate_init_data
from bot.webapp.child import child_json
from bot.webapp.texts import page_texts
from storage.models import User
from usecases import journal_grid, parents
from usecases.errors import BadValue, UseCaseError
from usecases.uow import UnitOfWork

log = logging.getLogger(__name__)

APP_KEY = web.AppKey("maktab_app", App)
#: The clock the API passes to use cases (tests move it).
CLOCK_KEY = web.AppKey("maktab_clock", Callable[[], datetime])
TOKEN_KEY = web.AppKey("maktab_token", str)

Handler = Callable[[web.Request, "Caller"], Awaitable[web.StreamResponse]]


class Caller:
    """The authenticated Telegram user of a request, with their language and the app's clock."""

    def __init__(self, user_id: int, lang: str, now: datetime, app: App) -> None:
        self.user_id, self.lang, self.now, self.app = user_id, lang, now, app

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.app.sessions)

    def t(self, text: str) -> str:
        return self.app.i18n.gettext(text, locale=self.lang)


def error(status: int, code: str, **data: Any) -> web.Response:
    return web.json_response({"error": code, **data}, status=status)


def authenticated(handler: Handler) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def wrapper(request: web.Request) -> web.StreamResponse:
        app = request.app[APP_KEY]
        now = request.app[CLOCK_KEY]()
        max_age = timedelta(seconds=app.settings.webapp_auth_max_age)
        try:
            data = validate_init_data(request.app[TOKEN_KEY], init_data_from_header(
                request.headers.get("Authorization")), now=now, max_age=max_age)
        except InitDataRefused as exc:
            log.info("web app request refused: %s", exc.reason)
            return error(401, "unauthorized")
        async with app.sessions() as session:
            row = await session.get(User, data.user.id)
        lang = row.language if row is not None and row.language in SUPPORTED_LANGUAGES else \
            language_from_telegram(data.user)  # type: ignore[arg-type]
        try:
            return await handler(request, Caller(data.user.id, lang, now, app))
        except UseCaseError as exc:
            return error(exc.status, exc.code, **_jsonable(exc.data))
        except (KeyError, ValueError, TypeError) as exc:
            log.info("bad web app request: %r", exc)
            return error(400, "bad_request")
    return wrapper


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "__dataclass_fields__"):
        return {k: _jsonable(getattr(value, k)) for k in value.__dataclass_fields__}
    return value


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


async def me(request: web.Request, caller: Caller) -> web.Response:
    async with caller.uow() as uow:
        pairs = await journal_grid.openable(uow, caller.user_id)
        children = await parents.my_children(uow, caller.user_id)
    return web.json_response({"user_id": caller.user_id, "lang": caller.lang, "texts": page_texts(
        caller.app.i18n, caller.lang), "classes": pairs, "children": _jsonable(children)})


async def grid(request: web.Request, caller: Caller) -> web.Response:
    query = request.query
    async with caller.uow() as uow:
        result = await journal_grid.load_grid(uow, caller.user_id, int(query["class_id"]), int(query["subject_id"]),
                                              _day(query.get("week")), caller.now,
                                              span=query.get("span", "week"))
    return web.json_response(grid_json(result, caller))


@lru_cache(maxsize=4096)
def _date_label(day: date, lang: str, fmt: str) -> str:
    """Babel's formatting costs ≈ 0.1 ms a call: a term's columns would spend milliseconds on it per request."""
    return fmt_date(day, lang, fmt)


def grid_json(result: journal_grid.Grid, caller: Caller) -> dict:
    names = [caller.t(name) for name in result.summative_names]
    columns = []
    for index, column in enumerate(result.columns):
        item = _jsonable(column)
        item.update(i=index, label=_date_label(column.day, caller.lang, "EEE d"),
                    long=line_start(_date_label(column.day, caller.lang, "EEEE d MMMM")))
        columns.append(item)
    return {
        "class_id": result.class_id, "subject_id": result.subject_id, "country": result.country,
        "title": f"{result.class_name} · {result.subject_name}", "span": result.span,
        "range": f"{fmt_date(result.start, caller.lang, 'd MMM')} – {fmt_date(result.end, caller.lang, 'd MMM')}",
        "start": result.start.isoformat(), "today": result.today.isoformat(),
        "earlier": (result.start - timedelta(days=7)).isoformat(),
        "later": (result.start + timedelta(days=7)).isoformat() if result.end < result.today else None,
        "is_class_teacher": result.is_class_teacher, "gaps": _gaps(result) if result.is_class_teacher else None,
        "min_marks": result.min_marks,
        "summatives": [["section", names[0]], ["term", names[1]]],
        "columns": columns, "pupils": _jsonable(result.pupils),
        "cells": {f"{i}:{pupil}": {"attendance": c.attendance, "grade": c.grade, "kind": c.kind, "points": c.points,
                                   "max_points": c.max_points} for (i, pupil), c in result.cells.items()},
    }


def _gaps(result: journal_grid.Grid) -> dict[str, int]:
    """The class teacher's summary: past lessons without attendance, without a mark, pupils with too few marks."""
    return {"attendance": sum(c.gap == "attendance" for c in result.columns),
            "marks": sum(c.gap == "marks" for c in result.columns),
            "pupils": sum(p.too_few_marks for p in result.pupils)}


async def _body(request: web.Request) -> dict:
    body = await request.json()
    if not isinstance(body, dict):
        raise BadValue("body")
    return body


async def cell(request: web.Request, caller: Caller) -> web.Response:
    body = await _body(request)
    grade = body.get("grade")
    async with caller.uow() as uow:
        saved = await journal_grid.set_cell(
            uow, caller.user_id, int(body["timetable_id"]), date.fromisoformat(body["day"]), int(body["student_id"]),
            int(body["version"]), caller.now, attendance=body.get("attendance"),
            grade=None if grade is None else int(grade), kind=str(body.get("kind") or "regular"),
            clear_grade=bool(body.get("clear")), score=None if body.get("score") is None else str(body["score"]))
    return web.json_response(_jsonable(saved))


async def attendance(request: web.Request, caller: Caller) -> web.Response:
    body = await _body(request)
    async with caller.uow() as uow:
        version = await journal_grid.save_attendance(uow, caller.user_id, int(body["timetable_id"]),
                                                     date.fromisoformat(body["day"]), int(body["version"]),
                                                     caller.now)
    return web.json_response({"version": version})


async def lesson_text(request: web.Request, caller: Caller) -> web.Response:
    body = await _body(request)
    async with caller.uow() as uow:
        version = await journal_grid.set_lesson_text(uow, caller.user_id, int(body["timetable_id"]),
                                                     date.fromisoformat(body["day"]), str(body["field"]),
                                                     str(body.get("value") or ""), caller.now)
    return web.json_response({"version": version})


async def child(request: web.Request, caller: Caller) -> web.Response:
    query = request.query
    async with caller.uow() as uow:
        view = await parents.child_view(uow, caller.user_id, int(query["student_id"]), _day(query.get("week")),
                                        caller.now)
    i18n = caller.app.i18n
    with i18n.context(), i18n.use_locale(caller.lang):  # the chat's formatting helpers, in the reader's language
        return web.json_response(child_json(view, caller.lang))
