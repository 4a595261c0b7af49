"""Rebuild the sample spreadsheets in this folder: `python samples/make_samples.py`.

roster.xlsx   an Uzbek school: people (English headers) and a timetable sheet
roster.csv    a Kyrgyz and a Kazakh school, as Russian-language Excel saves a CSV (';', UTF-8 with BOM)
journal.csv   a few September 2025 lessons of all three schools (attendance, grades, a BSB/СОР)
calendar.xlsx terms, holidays and summative due dates of the three schools for 2025-2026

See README.md beside this script for every column.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

HERE = Path(__file__).resolve().parent

UZ = ("Samarqand shahar 21-maktab", "UZ-SAM-021", "UZ", "Samarqand viloyati", "Samarqand shahri")
KG = ("Бишкек, школа-гимназия № 5", "KG-BSH-005", "KG", "г. Бишкек", "Свердловский район")
KZ = ("Алматы, школа-лицей № 35", "KZ-ALA-035", "KZ", "г. Алматы", "Бостандыкский район")

ROSTER_HEADER = ["school", "school_id", "country", "timezone", "region", "district", "role", "full_name", "class",
                 "subject", "phone", "parent_name"]

#: (role, full_name, class, subject, phone, parent_name)
UZ_PEOPLE = [
    ("head", "Rahimova Nodira Akmalovna", "", "", "+998 90 210 00 01", ""),
    ("deputy", "Xolmatov Shuhrat Baxtiyorovich", "", "", "+998 90 210 00 02", ""),
    ("teacher", "Karimova Dilfuza Rustamovna", "", "Matematika", "+998 90 210 00 03", ""),
    ("class_teacher", "Karimova Dilfuza Rustamovna", "5-A", "", "+998 90 210 00 03", ""),
    ("teacher", "Yoʻldoshev Sardor Anvarovich", "", "Ona tili; Adabiyot", "93 210 00 04", ""),
    ("class_teacher", "Yoʻldoshev Sardor Anvarovich", "5-B", "", "93 210 00 04", ""),
    ("teacher", "Ergasheva Malika Olimovna", "", "Ingliz tili", "+998 94 210 00 05", ""),
    ("teacher", "Tursunov Bekzod Ilhomovich", "", "Tarix", "+998 97 210 00 06", ""),
    ("class_teacher", "Abdullayeva Gulnora Saidovna", "1-A", "Matematika; Oʻqish savodxonligi", "+998 99 210 00 07",
     ""),
    ("student", "Aliyev Jasur", "5-A", "", "+998 90 555 12 01", "Aliyev Anvar"),
    ("student", "Rashidova Madina", "5-A", "", "+998 91 555 12 02", "Rashidova Feruza"),
    ("student", "Nazarov Otabek", "5-A", "", "+998 93 555 12 03; +998 93 555 12 13", "Nazarov Ilhom; Nazarova Dilbar"),
    ("student", "Qodirova Sevara", "5-A", "", "+998 94 555 12 04", "Qodirov Bahodir"),
    ("student", "Ismoilov Temur", "5-A", "", "+998 95 555 12 05", "Ismoilova Lola"),
    ("student", "Sobirova Zarina", "5-A", "", "+998 97 555 12 06", "Sobirov Akmal"),
    ("student", "Gʻulomov Shahzod", "5-A", "", "+998 98 555 12 07", "Gʻulomova Nigora"),
    ("student", "Oʻrinboyeva Kamola", "5-A", "", "+998 99 555 12 08", "Oʻrinboyev Rustam"),
    ("student", "Ergashev Javohir", "5-B", "", "+998 90 555 13 01", "Ergasheva Zulfiya"),
    ("student", "Yusupova Malika", "5-B", "", "+998 91 555 13 02", "Yusupov Sherzod"),
    ("student", "Tojiboyev Asadbek", "5-B", "", "+998 93 555 13 03", "Tojiboyeva Saodat"),
    ("student", "Hamidova Mohinur", "5-B", "", "+998 94 555 13 04", "Hamidov Ulugʻbek"),
    ("student", "Mirzayev Abdulloh", "1-A", "", "+998 90 555 14 01", "Mirzayeva Shahnoza"),
    ("student", "Saidova Robiya", "1-A", "", "+998 91 555 14 02", "Saidov Jamshid"),
    ("student", "Qosimov Ibrohim", "1-A", "", "+998 93 555 14 03", "Qosimova Gulchehra"),
    ("student", "Normatova Asal", "1-A", "", "+998 94 555 14 04", "Normatov Farhod"),
]

TEACHERS_UZ = {"Matematika": "Karimova Dilfuza Rustamovna", "Ona tili": "Yoʻldoshev Sardor Anvarovich",
               "Ingliz tili": "Ergasheva Malika Olimovna", "Tarix": "Tursunov Bekzod Ilhomovich"}
TIMES = ["08:00", "08:50", "09:40", "10:40", "11:30"]

#: class -> weekday (1 = Monday) -> subjects by period
UZ_TIMETABLE = {
    "5-A": {1: ["Matematika", "Ona tili", "Ingliz tili"], 2: ["Ona tili", "Tarix", "Matematika"],
            3: ["Matematika", "Ingliz tili", "Ona tili"], 4: ["Tarix", "Ona tili", "Ingliz tili"],
            5: ["Matematika", "Tarix", "Ona tili"]},
    "5-B": {1: ["Ona tili", "Matematika", "Tarix"], 2: ["Matematika", "Ingliz tili", "Ona tili"],
            3: ["Ingliz tili", "Matematika", "Tarix"], 4: ["Ona tili", "Matematika", "Tarix"],
            5: ["Tarix", "Ingliz tili", "Matematika"]},
}

RU_ROSTER_HEADER = ["Школа", "Код школы", "Страна", "Часовой пояс", "Область", "Район", "Роль", "ФИО", "Класс",
                    "Предмет", "Телефон", "ФИО родителя"]

#: (school, role, full_name, class, subject, phone, parent_name); the school is written on its first row only
KG_KZ_PEOPLE = [
    (KG, "Директор", "Асанова Гүлнара Токтогуловна", "", "", "+996 555 100 001", ""),
    (None, "Завуч", "Осмонов Бакыт Жумабекович", "", "", "+996 700 100 002", ""),
    (None, "Учитель", "Жумабаева Айгерим Садыровна", "", "Математика; Геометрия", "+996 555 100 003", ""),
    (None, "Классный руководитель", "Жумабаева Айгерим Садыровна", "7-А", "", "+996 555 100 003", ""),
    (None, "Учитель", "Токтогулов Нурлан Маратович", "", "Кыргыз тили; Адабият", "0772 100 004", ""),
    (None, "Классный руководитель", "Токтогулов Нурлан Маратович", "4-Б", "", "0772 100 004", ""),
    (None, "Ученик", "Асанов Эмир", "7-А", "", "+996 555 201 001", "Асанова Жылдыз"),
    (None, "Ученица", "Бакирова Айпери", "7-А", "", "+996 700 201 002", "Бакиров Талант"),
    (None, "Ученик", "Жолдошев Нурсултан", "7-А", "", "+996 772 201 003", "Жолдошева Чолпон"),
    (None, "Ученица", "Мамытова Аделя", "7-А", "", "+996 555 201 004", "Мамытов Азамат"),
    (None, "Ученик", "Токтосунов Бекзат", "7-А", "", "+996 707 201 005", "Токтосунова Назгүл"),
    (None, "Ученица", "Абдыкадырова Сезим", "4-Б", "", "+996 555 202 001", "Абдыкадыров Улан"),
    (None, "Ученик", "Орозбеков Арсен", "4-Б", "", "+996 700 202 002", "Орозбекова Айнура"),
    (None, "Ученица", "Султанова Нурай", "4-Б", "", "+996 772 202 003", "Султанов Эрмек"),
    (KZ, "Директор", "Сейтқали Әлия Нұрланқызы", "", "", "+7 701 300 0001", ""),
    (None, "Учитель", "Жұмабеков Ерлан Серікұлы", "", "Математика; Алгебра", "+7 707 300 0002", ""),
    (None, "Классный руководитель", "Жұмабеков Ерлан Серікұлы", "6-А", "", "+7 707 300 0002", ""),
    (None, "Учитель", "Омарова Динара Болатқызы", "", "Қазақ тілі; Әдебиет", "8 747 300 0003", ""),
    (None, "Ученик", "Әбілқасым Ерасыл", "6-А", "", "+7 701 401 0001", "Әбілқасым Мадина"),
    (None, "Ученица", "Нұрланова Аружан", "6-А", "", "8 777 401 0002", "Нұрланов Бауыржан"),
    (None, "Ученик", "Серікбаев Алихан", "6-А", "", "+7 705 401 0003", "Серікбаева Гүлмира"),
    (None, "Ученица", "Төлеген Айым", "6-А", "", "+7 708 401 0004", "Төлеген Асхат"),
    (None, "Ученик", "Қайратұлы Нұрислам", "6-А", "", "+7 702 401 0005", "Қайратұлы Айгүл"),
]

JOURNAL_HEADER = ["school", "class", "subject", "date", "period", "student", "attendance", "reason", "grade", "kind",
                  "topic", "homework", "teacher"]


def _bold_header(sheet) -> None:
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"


def make_roster_xlsx(path: Path) -> None:
    workbook = Workbook()
    people = workbook.active
    people.title = "people"
    people.append(ROSTER_HEADER)
    name, external_id, country, region, district = UZ
    for role, full_name, klass, subject, phone, parent in UZ_PEOPLE:
        people.append([name, external_id, country, "Asia/Tashkent", region, district, role, full_name, klass, subject,
                       phone, parent])
    _bold_header(people)
    timetable = workbook.create_sheet("timetable")
    timetable.append(["school", "class", "weekday", "period", "subject", "teacher", "starts_at"])
    for klass, week in UZ_TIMETABLE.items():
        for weekday, subjects in week.items():
            for period, subject in enumerate(subjects, start=1):
                timetable.append([name, klass, weekday, period, subject, TEACHERS_UZ[subject], TIMES[period - 1]])
    for weekday in range(1, 6):  # 1-A: two lessons a day with its class teacher (named by phone here)
        for period, subject in enumerate(["Oʻqish savodxonligi", "Matematika"], start=1):
            timetable.append([name, "1-A", weekday, period, subject, "+998 99 210 00 07", TIMES[period - 1]])
    _bold_header(timetable)
    workbook.save(path)


def make_roster_csv(path: Path) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(RU_ROSTER_HEADER)
        for school, role, full_name, klass, subject, phone, parent in KG_KZ_PEOPLE:
            school_cells = [school[0], school[1], school[2], "", school[3], school[4]] if school else [""] * 6
            writer.writerow([*school_cells, role, full_name, klass, subject, phone, parent])


def make_journal_csv(path: Path) -> None:
    uz, kg, kz = UZ[0], KG[0], KZ[0]
    rows: list[list[object]] = []
    students_5a = [p[1] for p in UZ_PEOPLE if p[0] == "student" and p[2] == "5-A"]
    math = "Karimova Dilfuza Rustamovna"
    # 5-A Matematika: Monday period 1, Wednesday period 1, Friday period 1 of the week of 8 September 2025.
    lessons = [("2025-09-08", 1, "Natural sonlar", "12-mashq"), ("2025-09-10", 1, "Sonlarni taqqoslash", "25-mashq"),
               ("2025-09-12", 1, "Qoʻshish va ayirish", "§3, 41-mashq")]
    marks = {  # per lesson: student index -> (attendance, reason, grade, kind)
        0: {0: ("", "", 5, ""), 2: ("", "", 4, ""), 5: ("nb", "", "", ""), 7: ("", "", 3, "")},
        1: {1: ("", "", 5, ""), 3: ("late", "", 4, ""), 5: ("nb", "kasal", "", ""), 6: ("", "", 4, "")},
        2: {0: ("", "", 4, ""), 4: ("", "", 5, ""), 6: ("", "", 2, ""), 7: ("+", "", 5, "")},
    }
    for index, (day, period, topic, homework) in enumerate(lessons):
        for s, student in enumerate(students_5a):
            attendance, reason, grade, kind = marks[index].get(s, ("", "", "", ""))
            rows.append([uz, "5-A", "Matematika", day, period, student, attendance, reason, grade, kind, topic,
                         homework, math])
    # A section summative (BSB) on Friday 26 September, period 1.
    for s, student in enumerate(students_5a):
        grade = [5, 4, 4, 3, 5, 4, 3, 5][s]
        rows.append([uz, "5-A", "Matematika", "2025-09-26", 1, student, "", "", grade, "BSB",
                     "BSB-1: Natural sonlar", "", math])
    # 1-A: attendance only (no marks in grade 1).
    for student in [p[1] for p in UZ_PEOPLE if p[0] == "student" and p[2] == "1-A"]:
        rows.append([uz, "1-A", "Matematika", "2025-09-08", 2, student, "н" if student.startswith("Qosimov") else "+",
                     "", "", "", "Sanash 1–10", "", "Abdullayeva Gulnora Saidovna"])
    # Kyrgyzstan, 7-А Математика: a 5-point scale, absences written as "н" in the grade column.
    for student, grade in zip([p[2] for p in KG_KZ_PEOPLE if p[3] == "7-А" and p[1].startswith("Учени")],
                              [5, "н", 4, 3, 4], strict=True):
        rows.append([kg, "7-А", "Математика", "2025-09-09", "", student, "", "", grade, "", "Рационалдык сандар",
                     "№ 15, 17", "Жумабаева Айгерим Садыровна"])
    # Kazakhstan, 6-А Математика: formative marks 1–10 and a СОР/БЖБ as a per cent.
    kz_students = [p[2] for p in KG_KZ_PEOPLE if p[3] == "6-А" and p[1].startswith("Учени")]
    for student, grade in zip(kz_students, [9, 7, 10, 6, 8], strict=True):
        rows.append([kz, "6-А", "Математика", "2025-09-10", "", student, "", "", grade, "ФО", "Жай бөлшектер",
                     "№ 112", "Жұмабеков Ерлан Серікұлы"])
    for student, percent in zip(kz_students, [85, 72, 94, 58, 66], strict=True):
        rows.append([kz, "6-А", "Математика", "2025-09-26", "", student, "", "", percent, "БЖБ",
                     "БЖБ-1: Бөлшектер", "", "Жұмабеков Ерлан Серікұлы"])
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(JOURNAL_HEADER)
        writer.writerows(rows)


def make_calendar_xlsx(path: Path) -> None:
    uz, kg, kz = UZ[0], KG[0], KZ[0]
    workbook = Workbook()
    terms = workbook.active
    terms.title = "terms"
    terms.append(["school", "school_year", "number", "starts_on", "ends_on"])
    for school, dates in (
        (uz, [("2025-09-02", "2025-11-03"), ("2025-11-11", "2025-12-27"), ("2026-01-11", "2026-03-20"),
              ("2026-03-30", "2026-05-25")]),
        (kg, [("2025-09-01", "2025-10-31"), ("2025-11-10", "2025-12-30"), ("2026-01-12", "2026-03-01"),
              ("2026-03-09", "2026-05-29")]),
        (kz, [("2025-09-01", "2025-10-26"), ("2025-11-03", "2025-12-28"), ("2026-01-08", "2026-03-18"),
              ("2026-03-30", "2026-05-25")]),
    ):
        for number, (starts, ends) in enumerate(dates, start=1):
            terms.append([school, "2025-2026", number, date.fromisoformat(starts), date.fromisoformat(ends)])
    _bold_header(terms)
    for sheet_column in ("D", "E"):
        terms.column_dimensions[sheet_column].width = 12
    holidays = workbook.create_sheet("holidays")
    holidays.append(["school", "name", "starts_on", "ends_on"])
    for row in (
        (uz, "Kuzgi taʼtil", "2025-11-04", "2025-11-10"), (uz, "Qishki taʼtil", "2025-12-28", "2026-01-10"),
        (uz, "Bahorgi taʼtil", "2026-03-21", "2026-03-29"),
        (kg, "Күзгү каникул", "2025-11-01", "2025-11-09"), (kg, "Кышкы каникул", "2025-12-31", "2026-01-11"),
        (kg, "Жазгы каникул", "2026-03-02", "2026-03-07"),
        (kz, "Күзгі демалыс", "2025-10-27", "2025-11-02"), (kz, "Қысқы демалыс", "2025-12-29", "2026-01-07"),
        (kz, "Көктемгі демалыс", "2026-03-19", "2026-03-29"),
    ):
        holidays.append([*row[:2], *map(date.fromisoformat, row[2:])])
    _bold_header(holidays)
    summatives = workbook.create_sheet("summatives")
    summatives.append(["school", "class", "subject", "kind", "title", "due_on"])
    for row in (
        (uz, "5-A", "Matematika", "BSB", "BSB-1: Natural sonlar", "2025-09-26"),
        (uz, "5-A", "Matematika", "BSB", "BSB-2: Kasrlar", "2025-10-17"),
        (uz, "5-A", "Matematika", "ChSB", "1-chorak ChSB", "2025-10-28"),
        (uz, "5", "Ona tili", "ChSB", "1-chorak ChSB", "2025-10-29"),  # "5": every fifth class
        (kg, "7-А", "Математика", "СОР", "СОР 1", "2025-10-10"),
        (kg, "7-А", "Математика", "СОЧ", "СОЧ за 1 четверть", "2025-10-24"),
        (kz, "6-А", "Математика", "БЖБ", "БЖБ-1: Бөлшектер", "2025-09-26"),
        (kz, "6-А", "Математика", "ТЖБ", "1-тоқсан ТЖБ", "2025-10-22"),
    ):
        summatives.append([*row[:5], date.fromisoformat(row[5])])
    _bold_header(summatives)
    workbook.save(path)


#: Certification plans (seed 002): regions and districts written as people write them, and one school's own.
PLAN_ROWS = [
    ["country", "region", "district", "school_id", "plan"],
    ["UZ", "Samarqand vil.", "", "", 250],
    ["UZ", "Samarqand viloyati", "Samarqand sh.", "", 120],
    ["UZ", "", "", UZ[1], 40],
    ["KG", "Бишкек", "", "", 80],
    ["KZ", "г. Алматы", "Бостандыкский р-н", "", 60],
]


def make_plan_csv(path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(PLAN_ROWS)


def main() -> None:
    make_roster_xlsx(HERE / "roster.xlsx")
    make_roster_csv(HERE / "roster.csv")
    make_journal_csv(HERE / "journal.csv")
    make_calendar_xlsx(HERE / "calendar.xlsx")
    make_plan_csv(HERE / "plan.csv")
    print(f"samples written to {HERE}")


if __name__ == "__main__":
    main()
