"""Regions from each country's fixed list, districts spelled one way, and certification plans (seed 002), at
import and in `python -m bot grant supervisor`."""

from __future__ import annotations

from sqlalchemy import select, text

from bot.admin_cli import GrantError, grant_supervisor
from domain.countries import district_key
from storage.models import AreaPlan, School, User
from tests.test_import import NOW, load, load_samples, sessions, write_csv  # noqa: F401 - the fixture

HEADER = ["school", "country", "region", "district", "plan", "role", "full_name", "phone"]


async def test_roster_stores_the_listed_region_and_the_districts_spelling(sessions, tmp_path):  # noqa: F811
    first = write_csv(tmp_path / "a.csv", [HEADER, ["Toshkent 1-maktab", "UZ", "Toshkent sh.", "Yunusobod tumani",
                                                    "", "head", "Aliyev Anvar", "+998 90 100 00 01"]])
    second = write_csv(tmp_path / "b.csv", [HEADER, ["Toshkent 2-maktab", "UZ", "г. Ташкент", "yunusobod  t.", "35",
                                                     "teacher", "Karimov Bek", "+998 90 100 00 02"]])
    for path in (first, second):
        report = await load(sessions, "roster", path)
        assert report.ok, [str(p) for p in report.errors]
    async with sessions() as session:
        schools = {s.name: s for s in await session.scalars(select(School))}
    assert {(s.region, s.district) for s in schools.values()} == {("Toshkent shahri", "Yunusobod tumani")}
    assert schools["Toshkent 2-maktab"].teachers_planned == 35 and schools["Toshkent 1-maktab"].teachers_planned is None


async def test_an_unknown_region_is_reported_with_its_row(sessions, tmp_path):  # noqa: F811
    path = write_csv(tmp_path / "bad.csv", [HEADER, ["Atlantis 1", "UZ", "Atlantis", "", "", "head", "X Y", ""],
                                            ["Atlantis 1", "UZ", "Atlantis", "", "", "teacher", "Z W", ""]])
    report = await load(sessions, "roster", path)
    assert not report.ok
    problem = report.errors[0]
    assert (problem.row, problem.column) == (2, "region") and "unknown region “Atlantis” for UZ" in problem.message
    async with sessions() as session:
        assert not list(await session.scalars(select(School)))


async def test_plans_import_for_regions_districts_and_schools(sessions):  # noqa: F811
    await load_samples(sessions)  # includes samples/plan.csv
    async with sessions() as session:
        plans = {(p.country, p.region, p.district): p.planned for p in await session.scalars(select(AreaPlan))}
        uz = await session.scalar(select(School).where(School.external_id == "UZ-SAM-021"))
    assert plans == {("UZ", "Samarqand viloyati", ""): 250, ("UZ", "Samarqand viloyati", "Samarqand shahri"): 120,
                     ("KG", "Бишкек шаары", ""): 80, ("KZ", "Алматы", "Бостандыкский район"): 60}
    assert uz.teachers_planned == 40


async def test_plan_rows_with_an_unknown_region_or_twice_the_same_are_errors(sessions, tmp_path):  # noqa: F811
    path = write_csv(tmp_path / "plan.csv", [["country", "region", "district", "plan"], ["UZ", "Toshkent", "", "10"],
                                             ["UZ", "Toshkent shahri", "", "11"], ["UZ", "Mars", "", "5"],
                                             ["UZ", "Andijon", "", "many"]])
    report = await load(sessions, "plan", path)
    assert sorted((p.row, p.column) for p in report.errors) == [(3, "plan"), (4, "region"), (5, "plan")]


async def test_grant_supervisor_normalises_the_region_and_district(sessions):  # noqa: F811
    async with sessions() as session:
        session.add(School(name="Urgut 5", country="UZ", timezone="Asia/Tashkent", region="Samarqand viloyati",
                           district="Urgut tumani"))
        await session.flush()
        row = await grant_supervisor(session, user_id=900, country="UZ", region="Samarqand", district="urgut t.",
                                     now=NOW)
        assert (row.region, row.district) == ("Samarqand viloyati", "Urgut tumani")
        try:
            await grant_supervisor(session, user_id=900, country="UZ", region="Narnia", now=NOW)
        except GrantError as exc:
            assert "unknown region" in str(exc)
        else:
            raise AssertionError("an unknown region was granted")
        assert (await session.get(User, 900)).role == "supervisor"


def test_district_spellings_compare_without_suffixes():
    assert district_key("Urgut tumani") == district_key("urgut  T.") == district_key("Urgut") == "urgut"
    assert district_key("Ленинский район") == district_key("Ленинский р-н") == "ленинский"
    assert district_key("Алмалы ауданы") == "алмалы" and district_key("Ош ш.") == "ош"


async def test_migration_0004_writes_older_regions_as_the_list_does(database_url):
    """A school imported before the region list ("Toshkent sh.") meets a "Toshkent shahri" methodist."""
    from storage.db import create_engine, migrate

    engine = create_engine(database_url)
    try:
        await migrate(engine, "0003")
        async with engine.begin() as conn:
            await conn.execute(text("INSERT INTO schools (name, country, timezone, region) VALUES "
                                    "('A', 'UZ', 'Asia/Tashkent', 'Toshkent sh.'), "
                                    "('B', 'UZ', 'Asia/Tashkent', 'Mars'), ('C', 'KG', 'Asia/Bishkek', 'г. Бишкек')"))
        await migrate(engine)
        async with engine.connect() as conn:
            regions = dict((await conn.execute(text("SELECT name, region FROM schools"))).all())
        assert regions == {"A": "Toshkent shahri", "B": "Mars", "C": "Бишкек шаары"}
    finally:
        await engine.dispose()
