"""The Mini App's server: initData checked as Telegram documents, every endpoint refusing other schools,
classes and children, and writes going through the use cases (history row, stale-screen refusal)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time, timedelta
from urllib.parse import parse_qsl, urlencode

import pytest
from sqlalchemy import func, select

from bot.webapp.auth import InitDataRefused, sign_init_data, validate_init_data
from storage.models import (
    JournalChange,
    JournalLesson,
    JournalMark,
    School,
    SchoolClass,
    Staff,
    Student,
    Subject,
    TimetableLesson,
)
from tests.webapp_support import CLASS_TEACHER, PARENT, STRANGER, TEACHER, TOKEN, client_for, own_slot, start_web_school
from usecases.uow import UnitOfWork

NOW = datetime(2026, 12, 4, 9, 30, tzinfo=UTC)
DAY = timedelta(days=1)


# --- initData -------------------------------------------------------------------------------------------------


def test_known_good_init_data_is_accepted():
    data = sign_init_data(TOKEN, {"id": 42, "first_name": "Aziz"}, auth_date=NOW)
    parsed = validate_init_data(TOKEN, data, now=NOW + timedelta(minutes=5), max_age=DAY)
    assert parsed.user.id == 42


def test_init_data_follows_telegrams_documented_algorithm():
    """Built here by hand from Telegram's description, not with the helper under test."""
    import hashlib
    import hmac

    fields = {"auth_date": str(int(NOW.timestamp())), "query_id": "Q1",
              "user": json.dumps({"id": 99, "first_name": "Madina"}, separators=(",", ":"))}
    check = "\n".join(f"{k}={v}" for k, v in sorted(fields.items()))
    secret = hmac.new(key=b"WebAppData", msg=TOKEN.encode(), digestmod=hashlib.sha256).digest()
    fields["hash"] = hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()
    assert validate_init_data(TOKEN, urlencode(fields), now=NOW, max_age=DAY).user.id == 99


def test_tampered_field_is_refused():
    data = dict(parse_qsl(sign_init_data(TOKEN, {"id": 42, "first_name": "Aziz"}, auth_date=NOW)))
    data["user"] = data["user"].replace("42", "43")
    with pytest.raises(InitDataRefused, match="signature"):
        validate_init_data(TOKEN, urlencode(data), now=NOW, max_age=DAY)


def test_wrong_token_is_refused():
    data = sign_init_data("654321:OTHER-BOT", {"id": 42, "first_name": "Aziz"}, auth_date=NOW)
    with pytest.raises(InitDataRefused, match="signature"):
        validate_init_data(TOKEN, data, now=NOW, max_age=DAY)


def test_expired_auth_date_is_refused_and_the_window_is_a_setting():
    data = sign_init_data(TOKEN, {"id": 42, "first_name": "Aziz"}, auth_date=NOW - timedelta(hours=2))
    with pytest.raises(InitDataRefused, match="expired"):
        validate_init_data(TOKEN, data, now=NOW, max_age=timedelta(hours=1))
    assert validate_init_data(TOKEN, data, now=NOW, max_age=timedelta(hours=3)).user.id == 42


@pytest.mark.parametrize("value", ["", "hash=abc", "user=%7B%7D&auth_date=1"])
def test_missing_or_unsigned_init_data_is_refused(value):
    with pytest.raises(InitDataRefused):
        validate_init_data(TOKEN, value, now=NOW, max_age=DAY)


# --- the server -----------------------------------------------------------------------------------------------


@pytest.fixture
async def school(tmp_path):
    school = await start_web_school(tmp_path)
    client = await client_for(school)
    try:
        yield school
    finally:
        await client.close()
        await school.app.close()


async def other_school(school) -> dict:
    """A second school with a class, a subject, a slot and a pupil: nobody of the demo school belongs there."""
    async with school.app.sessions() as session:
        other = School(name="Other", country="KZ", timezone="Asia/Almaty")
        session.add(other)
        await session.flush()
        klass = SchoolClass(school_id=other.id, name="9-A", grade=9)
        subject = Subject(school_id=other.id, name="Физика")
        staff = Staff(school_id=other.id, full_name="X", position="teacher")
        session.add_all([klass, subject, staff])
        await session.flush()
        slot = TimetableLesson(school_id=other.id, class_id=klass.id, subject_id=subject.id, teacher_id=staff.id,
                               weekday=0, period=1, starts_at=time(9))
        pupil = Student(school_id=other.id, class_id=klass.id, full_name="Y")
        session.add_all([slot, pupil])
        await session.commit()
        return {"class_id": klass.id, "subject_id": subject.id, "slot": slot.id, "pupil": pupil.id}


async def test_requests_without_valid_init_data_are_refused(school):
    client = school.client
    assert (await client.get("/webapp/api/me")).status == 401
    assert (await client.get("/webapp/api/me", headers=school.headers(TEACHER, token="1:WRONG"))).status == 401
    old = school.headers(TEACHER, auth_date=school.clock.now - timedelta(days=2))
    assert (await client.get("/webapp/api/me", headers=old)).status == 401
    response = await client.get("/webapp/api/me", headers=school.headers(TEACHER))
    assert response.status == 200
    me = await response.json()
    assert me["user_id"] == TEACHER and me["classes"] and me["texts"]["Journal grid"]


async def test_the_page_and_its_texts_come_in_the_users_language(school):
    page = await school.client.get("/webapp/")
    assert page.status == 200 and "app.js" in await page.text()
    async with school.app.sessions() as session:
        from storage.models import User

        (await session.get(User, TEACHER)).language = "kk"
        await session.commit()
    me = await (await school.client.get("/webapp/api/me", headers=school.headers(TEACHER, lang="ru"))).json()
    assert me["lang"] == "kk"  # the language chosen in the bot wins over Telegram's
    assert me["texts"]["Topic"] != "Topic"


async def test_grid_refuses_other_schools_and_classes(school):
    client, other = school.client, await other_school(school)
    refused = await client.get("/webapp/api/grid", params={"class_id": other["class_id"],
                                                          "subject_id": other["subject_id"]},
                               headers=school.headers(TEACHER))
    assert refused.status == 403
    # A class of the demo school that this teacher neither teaches nor leads.
    async with school.app.sessions() as session:
        klass = SchoolClass(school_id=school.demo.school_id, name="11-V", grade=11)
        session.add(klass)
        await session.flush()
        subject_id = await session.scalar(select(Subject.id).where(Subject.school_id == school.demo.school_id))
        session.add(TimetableLesson(school_id=school.demo.school_id, class_id=klass.id, subject_id=subject_id,
                                    teacher_id=None, weekday=1, period=7))
        await session.commit()
    refused = await client.get("/webapp/api/grid", params={"class_id": klass.id, "subject_id": subject_id},
                               headers=school.headers(TEACHER))
    assert refused.status == 403
    # A subject of another school asked for in one's own class.
    slot, _day, _klass = await own_slot(school, TEACHER)
    refused = await client.get("/webapp/api/grid", params={"class_id": slot.class_id,
                                                          "subject_id": other["subject_id"]},
                               headers=school.headers(TEACHER))
    assert refused.status == 404
    # Parents are not teachers.
    refused = await client.get("/webapp/api/grid", params={"class_id": slot.class_id, "subject_id": slot.subject_id},
                               headers=school.headers(PARENT))
    assert refused.status == 403


async def test_grid_shows_the_week_with_own_lessons_editable(school):
    slot, day, klass = await own_slot(school, TEACHER)
    response = await school.client.get("/webapp/api/grid", params={
        "class_id": slot.class_id, "subject_id": slot.subject_id, "week": day.isoformat()},
        headers=school.headers(TEACHER))
    grid = await response.json()
    assert response.status == 200, grid
    assert len(grid["pupils"]) == 12 and grid["title"].startswith(klass.name)
    column = next(c for c in grid["columns"] if c["day"] == day.isoformat() and c["period"] == slot.period)
    assert column["editable"] and column["timetable_id"] == slot.id and column["scale"] == [2, 3, 4, 5]
    term = await (await school.client.get("/webapp/api/grid", params={
        "class_id": slot.class_id, "subject_id": slot.subject_id, "week": day.isoformat(), "span": "term"},
        headers=school.headers(TEACHER))).json()
    assert term["span"] == "term" and len(term["columns"]) >= len(grid["columns"]) - 1


async def test_class_teacher_sees_gaps_and_others_lessons_read_only(school):
    async with school.app.sessions() as session:
        leader = await session.scalar(select(Staff).where(Staff.user_id == CLASS_TEACHER))
        led = await session.scalar(select(SchoolClass).where(SchoolClass.class_teacher_id == leader.id))
        foreign = await session.scalar(select(TimetableLesson).where(
            TimetableLesson.class_id == led.id, TimetableLesson.teacher_id != leader.id).limit(1))
        # A held lesson whose attendance was never saved, and a newcomer without a single mark.
        lesson = await session.scalar(select(JournalLesson).where(
            JournalLesson.class_id == led.id, JournalLesson.subject_id == foreign.subject_id)
            .order_by(JournalLesson.lesson_date.desc()).limit(1))
        lesson.attendance_taken_at = None
        newcomer = Student(school_id=led.school_id, class_id=led.id, full_name="Aaa Newcomer")
        session.add(newcomer)
        await session.commit()
    params = {"class_id": led.id, "subject_id": foreign.subject_id, "span": "term"}
    grid = await (await school.client.get("/webapp/api/grid", params=params,
                                          headers=school.headers(CLASS_TEACHER))).json()
    assert grid["is_class_teacher"] and grid["min_marks"] >= 3
    own = {c["timetable_id"] for c in grid["columns"] if c["editable"]}
    assert foreign.id not in own, "another teacher's lessons are read only"
    gap = next(c for c in grid["columns"] if c["day"] == lesson.lesson_date.isoformat()
               and c["period"] == lesson.period)
    assert gap["gap"] == "attendance"
    pupil = next(p for p in grid["pupils"] if p["id"] == newcomer.id)
    assert pupil["too_few_marks"] and pupil["term_marks"] == 0
    # A teacher of the school who neither leads the class nor teaches this subject there sees nothing.
    async with school.app.sessions() as session:
        teacher = await session.scalar(select(Staff.id).where(Staff.user_id == TEACHER))
        teaches = await session.scalar(select(func.count()).select_from(TimetableLesson).where(
            TimetableLesson.class_id == led.id, TimetableLesson.subject_id == foreign.subject_id,
            TimetableLesson.teacher_id == teacher))
    status = (await school.client.get("/webapp/api/grid", params=params, headers=school.headers(TEACHER))).status
    assert status == (200 if teaches else 403)


async def _cell(school, user_id: int, body: dict):
    return await school.client.post("/webapp/api/cell", json=body, headers=school.headers(user_id))


async def test_set_cell_writes_history_and_refuses_a_stale_screen(school):
    slot, day, _klass = await own_slot(school, TEACHER, before=None)
    async with school.app.sessions() as session:
        pupil = await session.scalar(select(Student.id).where(Student.class_id == slot.class_id)
                                     .order_by(Student.full_name, Student.id).limit(1))
        lesson = await session.scalar(select(JournalLesson).where(
            JournalLesson.class_id == slot.class_id, JournalLesson.subject_id == slot.subject_id,
            JournalLesson.lesson_date == day, JournalLesson.period == slot.period))
        version = lesson.version if lesson else 0
    body = {"timetable_id": slot.id, "day": day.isoformat(), "student_id": pupil, "version": version,
            "attendance": "absent"}
    response = await _cell(school, TEACHER, body)
    saved = await response.json()
    assert response.status == 200, saved
    assert saved["cell"]["attendance"] == "absent" and saved["version"] == version + 1
    graded = await (await _cell(school, TEACHER, {**body, "attendance": None, "grade": 5,
                                                   "version": saved["version"]})).json()
    assert graded["cell"]["grade"] == 5 and graded["note"] == "absent_with_grade"
    # The first screen's version is stale now: refused, nothing written, the fresh cell returned.
    stale = await _cell(school, TEACHER, {**body, "attendance": "late"})
    assert stale.status == 409
    refusal = await stale.json()
    assert refusal["error"] == "stale" and refusal["cell"]["attendance"] == "absent"
    assert refusal["version"] == graded["version"]
    async with school.app.sessions() as session:
        lesson = await session.scalar(select(JournalLesson).where(
            JournalLesson.class_id == slot.class_id, JournalLesson.subject_id == slot.subject_id,
            JournalLesson.lesson_date == day, JournalLesson.period == slot.period))
        mark = await session.scalar(select(JournalMark).where(JournalMark.lesson_id == lesson.id,
                                                              JournalMark.student_id == pupil))
        assert (mark.attendance, mark.grade) == ("absent", 5)
        changes = [(c.field, c.new_value, c.changed_by) for c in await session.scalars(
            select(JournalChange).where(JournalChange.lesson_id == lesson.id, JournalChange.student_id == pupil))]
        assert ("attendance", "absent", TEACHER) in changes and ("grade", "5", TEACHER) in changes


async def test_set_cell_refuses_other_lessons_pupils_values_and_days(school):
    slot, day, _klass = await own_slot(school, TEACHER)
    other = await other_school(school)
    async with school.app.sessions() as session:
        foreign_pupil = await session.scalar(select(Student.id).where(Student.class_id != slot.class_id,
                                                                      Student.school_id == school.demo.school_id))
        pupil = await session.scalar(select(Student.id).where(Student.class_id == slot.class_id))
        mine = await session.scalar(select(Staff.id).where(Staff.user_id == TEACHER))
        colleagues = await session.scalar(select(TimetableLesson).where(
            TimetableLesson.teacher_id != mine, TimetableLesson.school_id == school.demo.school_id,
            TimetableLesson.weekday == day.weekday()))
        before = await session.scalar(select(func.count()).select_from(JournalChange))
    base = {"timetable_id": slot.id, "day": day.isoformat(), "student_id": pupil, "version": 0}

    async def status(user_id: int, **change) -> tuple[int, str]:
        lesson_version = await current_version(school, slot, day)
        response = await _cell(school, user_id, {**base, "version": lesson_version, **change})
        return response.status, (await response.json()).get("error")

    assert await status(TEACHER, timetable_id=other["slot"], student_id=other["pupil"], attendance="absent",
                        day=(day - timedelta(days=day.weekday())).isoformat()) == (403, "not_allowed")
    assert await status(TEACHER, timetable_id=colleagues.id, attendance="absent") == (403, "not_allowed")
    assert await status(TEACHER, student_id=foreign_pupil, attendance="absent") == (403, "not_allowed")
    assert await status(TEACHER, grade=7) == (422, "bad_value")
    assert await status(TEACHER, attendance="sleeping") == (422, "bad_value")
    assert await status(PARENT, attendance="absent") == (403, "not_allowed")
    future = day + timedelta(days=7)
    assert await status(TEACHER, day=future.isoformat(), attendance="absent") == (422, "too_early")
    async with school.app.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(JournalChange)) == before


async def current_version(school, slot: TimetableLesson, day) -> int:
    async with school.app.sessions() as session:
        lesson = await session.scalar(select(JournalLesson).where(
            JournalLesson.class_id == slot.class_id, JournalLesson.subject_id == slot.subject_id,
            JournalLesson.lesson_date == day, JournalLesson.period == slot.period))
        return lesson.version if lesson else 0


async def test_attendance_and_lesson_texts_go_through_the_use_cases(school):
    slot, day, _klass = await own_slot(school, TEACHER)
    version = await current_version(school, slot, day)
    body = {"timetable_id": slot.id, "day": day.isoformat()}
    response = await school.client.post("/webapp/api/lesson", json={**body, "field": "topic", "value": " Kasrlar "},
                                        headers=school.headers(TEACHER))
    assert response.status == 200
    stale = await school.client.post("/webapp/api/attendance", json={**body, "version": version},
                                     headers=school.headers(TEACHER))
    assert stale.status == 409
    taken = await school.client.post("/webapp/api/attendance", json={
        **body, "version": await current_version(school, slot, day)}, headers=school.headers(TEACHER))
    assert taken.status == 200
    refused = await school.client.post("/webapp/api/lesson", json={**body, "field": "topic", "value": "x"},
                                       headers=school.headers(CLASS_TEACHER))
    assert refused.status == 403 or slot.teacher_id is None
    async with school.app.sessions() as session:
        lesson = await session.scalar(select(JournalLesson).where(
            JournalLesson.class_id == slot.class_id, JournalLesson.subject_id == slot.subject_id,
            JournalLesson.lesson_date == day, JournalLesson.period == slot.period))
        assert lesson.topic == "Kasrlar" and lesson.attendance_taken_at is not None
        fields = {c.field for c in await session.scalars(select(JournalChange).where(
            JournalChange.lesson_id == lesson.id))}
        assert {"topic", "attendance_taken"} <= fields


async def test_parent_sees_own_child_only(school):
    mine, other = school.demo.student_ids[0], school.demo.student_ids[5]
    me = await (await school.client.get("/webapp/api/me", headers=school.headers(PARENT))).json()
    assert [c["id"] for c in me["children"]] == [mine] and not me["classes"]
    view = await school.client.get("/webapp/api/child", params={"student_id": mine}, headers=school.headers(PARENT))
    data = await view.json()
    assert view.status == 200 and data["id"] == mine and data["subjects"]
    for user_id, student_id in ((PARENT, other), (STRANGER, mine), (TEACHER, mine)):
        refused = await school.client.get("/webapp/api/child", params={"student_id": student_id},
                                          headers=school.headers(user_id))
        assert (refused.status, (await refused.json())["error"]) == (403, "not_your_child")


async def test_unit_of_work_rolls_back_without_commit(school):
    async with UnitOfWork(school.app.sessions) as uow:
        uow.session.add(School(name="Never", country="UZ", timezone="Asia/Tashkent"))
        await uow.session.flush()
    async with school.app.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(School).where(School.name == "Never")) == 0


async def test_kazakh_summatives_are_points_over_a_maximum(school):
    other = await other_school(school)  # a Kazakh school: formative 1–10, СОР/СОЧ scored
    async with school.app.sessions() as session:
        from storage.models import User

        session.add(User(id=7400, tg_name="K", created_at=school.clock.now, role="teacher", language="kk"))
        await session.flush()
        staff = await session.scalar(select(Staff).join(TimetableLesson, TimetableLesson.teacher_id == Staff.id)
                                     .where(TimetableLesson.id == other["slot"]))
        staff.user_id = 7400
        await session.commit()
    monday = school.clock.now.date() - timedelta(days=school.clock.now.weekday() + 7)
    base = {"timetable_id": other["slot"], "day": monday.isoformat(), "student_id": other["pupil"]}
    grid = await (await school.client.get("/webapp/api/grid", params={
        "class_id": other["class_id"], "subject_id": other["subject_id"], "week": monday.isoformat()},
        headers=school.headers(7400))).json()
    column = next(c for c in grid["columns"] if c["day"] == monday.isoformat())
    assert column["scale"] == list(range(1, 11)) and column["summative_percent"]
    scored = await _cell(school, 7400, {**base, "version": 0, "kind": "section", "score": "17/20"})
    saved = await scored.json()
    assert scored.status == 200, saved
    assert (saved["cell"]["grade"], saved["cell"]["points"], saved["cell"]["max_points"]) == (85, 17, 20)
    # A bare per cent is not how a Kazakh summative is stored; a lesson mark is not scored; 21/20 is no score.
    for change in ({"kind": "section", "grade": 85}, {"kind": "regular", "score": "8/10"},
                   {"kind": "term", "score": "21/20"}):
        refused = await _cell(school, 7400, {**base, "version": saved["version"], **change})
        assert refused.status == 422, change
    mark = await _cell(school, 7400, {**base, "version": saved["version"], "kind": "regular", "grade": 10})
    assert (await mark.json())["cell"] == {"attendance": "present", "grade": 10, "kind": "regular", "points": None,
                                           "max_points": None}
    async with school.app.sessions() as session:
        fields = {c.field for c in await session.scalars(select(JournalChange).where(
            JournalChange.student_id == other["pupil"]))}
    assert {"grade", "kind", "score"} <= fields


async def led_class_pair(school) -> tuple[int, int, int]:
    """(class id, subject id, timetable id): a subject the plain teacher teaches in the class the class teacher
    leads (the demo's two teachers share both classes)."""
    async with school.app.sessions() as session:
        leader = await session.scalar(select(Staff).where(Staff.user_id == CLASS_TEACHER))
        teacher = await session.scalar(select(Staff).where(Staff.user_id == TEACHER))
        led = await session.scalar(select(SchoolClass).where(SchoolClass.class_teacher_id == leader.id))
        slot = await session.scalar(select(TimetableLesson).where(
            TimetableLesson.class_id == led.id, TimetableLesson.teacher_id == teacher.id).limit(1))
        return led.id, slot.subject_id, slot.id


async def test_only_the_class_teacher_is_told_of_the_class_gaps(school):
    class_id, subject_id, _slot = await led_class_pair(school)
    async with school.app.sessions() as session:
        session.add(Student(school_id=school.demo.school_id, class_id=class_id, full_name="Aaa Newcomer"))
        await session.commit()
    # Whatever the request claims, who leads the class comes from the database.
    params = {"class_id": class_id, "subject_id": subject_id, "span": "term", "is_class_teacher": "1"}
    teacher = await (await school.client.get("/webapp/api/grid", params=params,
                                             headers=school.headers(TEACHER))).json()
    assert teacher["is_class_teacher"] is False and teacher["gaps"] is None
    leader = await (await school.client.get("/webapp/api/grid", params=params,
                                            headers=school.headers(CLASS_TEACHER))).json()
    assert leader["is_class_teacher"] is True
    gaps = leader["gaps"]
    assert gaps["pupils"] == sum(p["too_few_marks"] for p in leader["pupils"]) >= 1
    assert gaps["attendance"] == sum(c["gap"] == "attendance" for c in leader["columns"])
    assert gaps["marks"] == sum(c["gap"] == "marks" for c in leader["columns"])


async def test_parents_page_carries_what_the_chats_child_screens_show(school):
    from domain.countries import local_day
    from domain.grading import half_year_and_year, school_year_start
    from domain.journal import week_start
    from storage.models import TermGrade
    from storage.repositories.journal import school_terms

    mine = school.demo.student_ids[0]
    today = local_day("Asia/Tashkent", school.clock.now)
    year = school_year_start(today)
    async with school.app.sessions() as session:
        subjects = list(await session.scalars(select(Subject).where(Subject.school_id == school.demo.school_id)
                                              .order_by(Subject.name)))
        session.add_all([TermGrade(student_id=mine, subject_id=subject.id, period=period, grade=grade)
                         for subject, period, grade in ((subjects[0], f"{year}-{year + 1}/T1", 5),
                                                        (subjects[0], f"{year}-{year + 1}/T2", 4),
                                                        (subjects[1], f"{year - 1}-{year}/T4", 3))])
        await session.commit()
        terms = await school_terms(session, school.demo.school_id)
    half = half_year_and_year({1: 5, 2: 4}, terms, today)

    async def page(**params) -> dict:
        response = await school.client.get("/webapp/api/child", params={"student_id": mine, **params},
                                           headers=school.headers(PARENT))
        assert response.status == 200
        return await response.json()

    last_week = await page(week=(week_start(today) - timedelta(days=7)).isoformat())
    assert last_week["week_averages"] and all(a["text"] for a in last_week["week_averages"])
    assert last_week["later"] and last_week["earlier"]
    data = await page()
    assert data["term_excused"] + data["term_unexcused"] == data["term_missed"]
    grades = {s["subject"]: s["term_grades"] for s in data["subjects"]}
    assert grades[subjects[0].name][:2] == [["T1", 5], ["T2", 4]]
    assert grades[subjects[0].name][2:] == [["1-е полугодие", half["H1"]]]  # made from them, named as in chat
    assert grades[subjects[1].name] == [[f"{year - 1}-{year}/T4", 3]]  # another year's grade keeps its year
    assert data["any_term_grades"] and data["homework"]
    # Never ahead of this week, never further back than the chat goes.
    ahead = await page(week=(today + timedelta(days=30)).isoformat())
    assert ahead["week_start"] == week_start(today).isoformat() and ahead["later"] is None
    oldest = await page(week=(today - timedelta(days=500)).isoformat())
    assert oldest["earlier"] is None and oldest["week_start"] == (week_start(today) - timedelta(weeks=52)).isoformat()
