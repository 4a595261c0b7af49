"""The page's texts: English msgids in the bot's gettext catalogues, served per language as JSON, so the Mini
App speaks the language the user chose in the bot and the four catalogues stay complete."""

from __future__ import annotations

from aiogram.utils.i18n import I18n


def N_(message: str) -> str:
    """Marks a msgid for extraction only (the gettext convention); translated later, per request."""
    return message


PAGE_TEXTS: tuple[str, ...] = (
    N_("Journal grid"),
    N_("Class and subject"),
    N_("This week"),
    N_("Whole term"),
    N_("◀ Earlier"),
    N_("Later ▶"),
    N_("🙋 Attendance"),
    N_("🔢 Grades"),
    N_("Pupil"),
    N_("Topic"),
    N_("Homework"),
    N_("Save"),
    N_("✅ Save attendance"),
    N_("✅ Attendance saved."),
    N_("✖ No grade"),
    N_("Saving…"),
    N_("Saved"),
    N_("Saved. Note: this student is marked absent today."),
    N_("Not saved yet: retrying…"),
    N_("No connection: changes wait here and are sent when it is back."),
    N_("Changed on another device meanwhile: the cell shows the new value."),
    N_("This is not your lesson, or the button is out of date."),
    N_("The journal is filled on the day of the lesson, not before."),
    N_("This grade is not used for this class."),
    N_("No marks in this class on this day."),
    N_("Attendance not taken"),
    N_("No marks in the lesson"),
    N_("Too few marks this term: {n} of {need}"),
    N_("Pupils with too few marks: {n}"),
    N_("Please send points over the maximum, like 17/20, or a per cent from 0 to 100, like 85."),
    N_("Close"),
    N_("You have no classes in the timetable yet."),
    N_("Open this page from the bot in Telegram."),
    N_("The page is out of date: close it and open it again from the bot."),
    N_("Something went wrong. Try again."),
    N_("Loading…"),
    N_("read only"),
    N_("✓ present · ✗ absent · 🤒 with a reason · ⏰ late"),
    N_("Your children:"),
    N_("Week"),
    N_("Average {average} · absent {absent} · late {late}"),
    N_("No grades or absences this week."),
    N_("Average mark by subject this term"),
    N_("Tap a bar to see its marks."),
    N_("Term {term}: missed {missed} of {lessons} lessons, late {late}"),
    N_("Term forecast"),
    N_("Term grades"),
    N_("No term grades have been set yet."),
    N_("Averages by subject:"),
    N_("• absent with a reason: {n}"),
    N_("• absent without a reason: {n}"),
    N_("Homework set on {date}"),
    N_("{name}: no homework in the journal yet."),
    N_("You can only see your own children."),
    N_("No children are linked to you yet. Ask the class teacher for a code."),
    N_("Today"),
)


def page_texts(i18n: I18n, lang: str) -> dict[str, str]:
    """msgid -> its translation in `lang` (the page looks texts up by their English msgid)."""
    return {text: i18n.gettext(text, locale=lang) for text in PAGE_TEXTS}
