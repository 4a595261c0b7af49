"""The columns each import reads, and the names a header may give them (English, Russian, Uzbek Latin and
Cyrillic, Kyrgyz, Kazakh). Matching ignores case, spacing, '_', '-', '.', '*' and the kind of apostrophe.
samples/README.md documents them; keep the two in step."""

from __future__ import annotations

SCHOOL = {
    "school": ("school name", "школа", "название школы", "организация", "учреждение", "maktab", "maktab nomi",
               "мактаб", "мектеп", "мектептин аталышы", "мектеп атауы"),
    "school_id": ("school code", "external id", "код школы", "id школы", "maktab kodi", "maktab id", "мактаб коди",
                  "мектеп коду", "мектеп коды"),
}

#: A school's people: one row per person (a student's row carries the parent's phone).
PEOPLE = {
    **SCHOOL,
    "country": ("страна", "davlat", "mamlakat", "давлат", "өлкө", "мамлекет", "ел"),
    "timezone": ("time zone", "tz", "часовой пояс", "vaqt mintaqasi", "убакыт алкагы", "уақыт белдеуі"),
    "region": ("область", "регион", "viloyat", "hudud", "вилоят", "облус", "облыс"),
    "district": ("район", "город/район", "tuman", "туман", "аудан"),
    "plan": ("teachers planned", "план", "reja", "режа", "жоспар"),
    "role": ("роль", "должность", "категория", "rol", "lavozim", "лавозим", "ролу", "кызматы", "рөлі", "лауазымы"),
    "full_name": ("name", "full name", "фио", "ф и о", "имя", "фамилия имя", "фамилия имя отчество", "ism",
                  "f i sh", "fish", "ism familiya", "familiya ism", "familiyasi ismi", "ф и ш", "исм", "аты жөнү",
                  "толук аты жөнү", "аты жөні", "толық аты жөні"),
    "class": ("класс", "sinf", "синф", "сынып"),
    "subject": ("subjects", "предмет", "предметы", "fan", "fanlar", "фан", "фанлар", "сабак", "сабактар", "пән",
                "пәндер"),
    "phone": ("phone number", "tel", "телефон", "номер телефона", "telefon", "telefon raqami", "телефон рақами",
              "телефон номери", "телефон нөмірі"),
    "parent_phone": ("parent phone", "parent's phone", "телефон родителя", "телефон родителей",
                     "ota ona telefoni", "ота она телефони", "ата эненин телефону", "ата ананың телефоны"),
    "parent_name": ("parent", "parent's name", "родитель", "родители", "фио родителя", "ota ona", "ota onasi",
                    "ота она", "ата эне", "ата ана"),
}

#: The weekly timetable: one row per lesson slot.
TIMETABLE = {
    **SCHOOL,
    "class": PEOPLE["class"],
    "weekday": ("day", "week day", "day of week", "день", "день недели", "kun", "hafta kuni", "кун", "ҳафта куни",
                "күн", "жума күнү", "апта күні"),
    "period": ("lesson", "lesson no", "lesson number", "урок", "№ урока", "номер урока", "para", "dars",
               "dars raqami", "дарс", "сабактын номери", "сабақ", "сабақ нөмірі"),
    "subject": PEOPLE["subject"],
    "teacher": ("учитель", "преподаватель", "o'qituvchi", "ўқитувчи", "мугалим", "мұғалім"),
    "starts_at": ("time", "start", "starts", "начало", "время", "boshlanishi", "vaqt", "вақт", "башталышы",
                  "убакыт", "басталуы", "уақыт"),
}
TIMETABLE_SHEETS = ("timetable", "schedule", "расписание", "dars jadvali", "жадвал", "сабак жадыбалы",
                    "сабақ кестесі")

#: A journal export: one row per student per lesson (a row without a student carries the lesson alone).
JOURNAL = {
    **SCHOOL,
    "class": PEOPLE["class"],
    "subject": PEOPLE["subject"],
    "date": ("lesson date", "дата", "дата урока", "sana", "dars sanasi", "сана", "күнү", "датасы", "күні"),
    "period": TIMETABLE["period"],
    "student": ("pupil", "ученик", "учащийся", "фио ученика", "o'quvchi", "ўқувчи", "o'quvchi f i sh", "окуучу",
                "оқушы"),
    "attendance": ("presence", "посещаемость", "явка", "davomat", "давомат", "катышуу", "қатысу"),
    "reason": ("причина", "причина отсутствия", "sabab", "сабаб", "себеп", "себебі"),
    "grade": ("mark", "оценка", "отметка", "балл", "baho", "баҳо", "баа", "баға"),
    "kind": ("type", "mark type", "вид", "тип", "вид оценки", "тип оценки", "turi", "baho turi", "тури", "түрү",
             "түрі", "баға түрі"),
    "topic": ("lesson topic", "тема", "тема урока", "mavzu", "dars mavzusi", "мавзу", "сабактын темасы",
              "тақырып", "сабақ тақырыбы"),
    "homework": ("home work", "домашнее задание", "д з", "дз", "uy vazifasi", "уй вазифаси", "үй тапшырмасы",
                 "үй жұмысы", "үй тапсырмасы"),
    "teacher": TIMETABLE["teacher"],
}

#: The school calendar: terms, holidays and summative assessments (one sheet each, or a `type` column).
CALENDAR = {
    **SCHOOL,
    "type": ("record", "тип", "тип записи", "запись", "tur", "yozuv", "жазуу", "жазба"),
    "school_year": ("year", "учебный год", "год", "o'quv yili", "ўқув йили", "окуу жылы", "оқу жылы"),
    "number": ("term", "quarter", "no", "номер", "четверть", "chorak", "чорак", "чейрек", "тоқсан"),
    "name": ("holiday", "название", "каникулы", "nomi", "ta'til", "таътил", "аталышы", "атауы", "демалыс"),
    "starts_on": ("start", "starts", "from", "начало", "с", "дата начала", "boshlanishi", "dan", "бошланиши",
                  "башталышы", "басталуы", "басталу күні"),
    "ends_on": ("end", "ends", "to", "until", "конец", "по", "дата окончания", "tugashi", "gacha", "тугаши",
                "аякталышы", "аяқталуы", "аяқталу күні"),
    "class": PEOPLE["class"],
    "subject": PEOPLE["subject"],
    "kind": ("summative", "вид", "вид оценивания", "summativ turi", "baholash turi", "суммативдин түрү",
             "жиынтық бағалау түрі"),
    "title": ("название работы", "тема", "ish nomi", "mavzu", "иш номи", "тема", "тақырып"),
    "due_on": ("due", "due date", "date", "срок", "дата", "дата проведения", "muddat", "sana", "муддат",
               "мөөнөт", "мерзім", "күні"),
}
CALENDAR_SHEETS = {
    "terms": ("term", "quarters", "четверти", "четверть", "choraklar", "chorak", "чораклар", "чейректер",
              "тоқсандар"),
    "holidays": ("holiday", "vacations", "каникулы", "ta'tillar", "ta'til", "таътиллар", "каникулдар",
                 "демалыстар"),
    "summatives": ("summative", "assessments", "суммативы", "соч сор", "сор соч", "sor soch", "bsb chsb",
                   "summativlar", "суммативлар", "бжб тжб"),
}

#: Certification plans (seed 002): one row per region, district or school with its number to certify.
PLANS = {
    **SCHOOL,
    "country": PEOPLE["country"],
    "region": PEOPLE["region"],
    "district": PEOPLE["district"],
    "plan": PEOPLE["plan"],
}
