"""The reports' use cases without a bot: who may open which report (a forged id is refused and logged), what
the entry shows, and the figures they return, on test_reports' hand-computed fixture (SQLite in memory, and
PostgreSQL where one answers)."""

from __future__ import annotations

import logging

import pytest

from storage.models import Staff, Supervisor, User
from tests.test_reports import COURSE, NOW, db  # noqa: F401 - the fixture
from usecases import reports as uc
from usecases.uow import UnitOfWork

HEAD, TEACHER, SUPERVISOR = 100, 101, 202


def ask(user_id: int, school_id: int, **more: int) -> uc.ReportQuery:
    return uc.ReportQuery(user_id=user_id, school_id=school_id, course_id=COURSE, now=NOW, **more)


async def test_a_head_opens_the_school_and_its_reports(db):  # noqa: F811
    session, fx = db
    uow = UnitOfWork.over(session)
    home = await uc.reports_home(uow, await session.get(User, HEAD), COURSE, NOW)
    assert home.school is not None and home.school.school.id == fx.a.id and home.school.decree_offered
    assert home.school.scope.term.number == 1
    cert = await uc.school_report(uow, "cert", ask(HEAD, fx.a.id))
    assert (cert.counts.planned, cert.counts.passed) == (7, 2)
    journal = await uc.school_report(uow, "jq", ask(HEAD, fx.a.id))
    assert journal.quality.total.lessons == 7
    decree = await uc.decree_score(uow, ask(HEAD, fx.a.id))
    assert decree.score.timely == 2.5
    sheet = await uc.term_sheet(uow, ask(HEAD, fx.a.id, class_id=fx.class_5a))
    assert sheet.class_name == "5-A" and sheet.sheet.overall.graded.done == 3
    classes = await uc.class_list(uow, ask(HEAD, fx.a.id), page=5)
    assert [c.name for c in classes.classes] == ["1-A", "5-A"] and (classes.page, classes.pages) == (0, 1)
    parents = await uc.parents_in_bot(uow, ask(HEAD, fx.a.id))
    assert [name for name, _use in parents.classes] == ["1-A", "5-A"]


async def test_someone_elses_school_or_class_is_refused_and_logged(db, caplog):  # noqa: F811
    session, fx = db
    uow = UnitOfWork.over(session)
    with caplog.at_level(logging.WARNING, logger="usecases.reports"):
        with pytest.raises(uc.ReportNotAvailable):
            await uc.school_report(uow, "cert", ask(HEAD, fx.b.id))  # another school
        with pytest.raises(uc.ReportNotAvailable):
            await uc.term_sheet(uow, ask(HEAD, fx.a.id, class_id=fx.class_b))  # a class of another school
        with pytest.raises(uc.ReportNotAvailable):
            await uc.school_home(uow, ask(TEACHER, fx.a.id))  # a teacher is no head
        with pytest.raises(uc.ReportNotAvailable):
            await uc.school_report(uow, "nope", ask(HEAD, fx.a.id))
    refusals = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
    assert len(refusals) == 4 and str(fx.b.id) in refusals[0] and str(fx.class_b) in refusals[1]
    home = await uc.reports_home(uow, await session.get(User, TEACHER), COURSE, NOW)
    assert (home.areas, home.schools, home.school, home.area) == ([], [], None, None)


async def test_decree_263_is_refused_outside_uzbekistan(db, caplog):  # noqa: F811
    session, fx = db
    session.add(User(id=300, tg_name="kg", created_at=NOW))
    await session.flush()
    session.add(Staff(school_id=fx.c.id, full_name="Head C", position="head", user_id=300))
    await session.flush()
    uow = UnitOfWork.over(session)
    home = await uc.reports_home(uow, await session.get(User, 300), COURSE, NOW)
    assert home.school is not None and not home.school.decree_offered
    with caplog.at_level(logging.WARNING, logger="usecases.reports"), pytest.raises(uc.DecreeNotHere):
        await uc.school_report(uow, "dec", ask(300, fx.c.id))
    assert any("decree 263" in r.getMessage() for r in caplog.records)


async def test_a_supervisor_sees_the_area_and_only_its_schools(db):  # noqa: F811
    session, fx = db
    country = Supervisor(user_id=SUPERVISOR, country="UZ", region=None, district=None)
    city = Supervisor(user_id=SUPERVISOR, country="UZ", region="Toshkent shahri", district=None)
    session.add_all([country, city])
    await session.flush()
    uow = UnitOfWork.over(session)
    slow: list[str] = []

    async def typing() -> None:
        slow.append("typing")

    home = await uc.reports_home(uow, await session.get(User, SUPERVISOR), COURSE, NOW, slow=typing)
    assert [a.id for a in home.areas] == [country.id, city.id] and home.area is None and not slow
    whole = await uc.area_view(uow, SUPERVISOR, country.id, 0, 0, COURSE, NOW, slow=typing)
    assert slow == ["typing"]  # a whole country: the user sees that the bot is at work
    assert whole.report.total.planned == 9 and whole.report.total.passed == 3
    district = await uc.area_view(uow, SUPERVISOR, city.id, 7, fx.a.id, COURSE, NOW, slow=typing)
    assert district.level == 2 and district.report.district == "Yunusobod tumani" and slow == ["typing"]
    with pytest.raises(uc.ReportNotAvailable):
        await uc.area_view(uow, SUPERVISOR, city.id, 2, fx.b.id, COURSE, NOW)  # a school outside the area
    with pytest.raises(uc.ReportNotAvailable):
        await uc.area_view(uow, HEAD, city.id, 0, 0, COURSE, NOW)  # someone else's area
