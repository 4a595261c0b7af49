// A parent's page: each of their children's week and term, per subject, with a chart to touch.
import { request } from "./api.js";
import { t } from "./i18n.js";
import { el, markText, pushBack, setTitle, toast } from "./ui.js";

const ICON = { absent: "✗", excused: "🤒", late: "⏰" };

export function showChildren(me) {
  if (me.children.length === 1) {
    openChild(me.children[0].id, "");
    return;
  }
  setTitle(t("Your children:"));
  const list = el("div", { class: "children" }, me.children.map((child) => el("button", { type: "button",
    class: "child", dataset: { id: child.id }, onclick: () => {
      pushBack(() => showChildren(me));
      openChild(child.id, "");
    } }, `${child.name} · ${child.class_name}`)));
  document.getElementById("main").replaceChildren(list);
}

async function openChild(id, week) {
  let view;
  try {
    view = await request(`child?${new URLSearchParams({ student_id: id, ...(week ? { week } : {}) })}`);
  } catch (error) {
    const code = error && error.body && error.body.error;
    toast(code === "not_your_child" ? t("You can only see your own children.") : t("Something went wrong. Try again."),
      "error");
    return;
  }
  render(view);
}

function capitalized(text) {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

// A mark as the chat writes it ("4", "SOR 17/20 (85 %)"); the short form where the server sent none.
function mark(item) {
  return item.text || markText(item);
}

function weekNav(view) {
  return el("div", { class: "nav" },
    el("button", { type: "button", id: "earlier", disabled: !view.earlier, onclick: () => openChild(view.id, view.earlier) },
      t("◀ Earlier")),
    el("span", { class: "range" }, view.range),
    el("button", { type: "button", id: "later", disabled: !view.later, onclick: () => openChild(view.id, view.later) },
      t("Later ▶")));
}

function weekDays(view) {
  // A lesson the child simply attended shows nothing, as in the chat's week.
  const shown = view.days.map((day) => ({ ...day, items: day.items.filter((item) => item.grade !== null
    || ICON[item.attendance]) })).filter((day) => day.items.length);
  if (!shown.length) return [el("p", { class: "muted" }, t("No grades or absences this week."))];
  return shown.map((day) => el("div", { class: "day-row" },
    el("div", { class: "day-label" }, capitalized(day.label)),
    el("ul", { class: "items" }, day.items.map((item) => el("li", {},
      el("span", { class: "subject" }, item.subject),
      item.grade !== null ? el("b", { class: `grade${item.kind !== "regular" ? " summative" : ""}` }, mark(item)) : null,
      ICON[item.attendance] ? el("span", { class: "att" }, ICON[item.attendance]) : null)))));
}

function weekSection(view) {
  const summary = el("p", { class: "summary" }, t("Average {average} · absent {absent} · late {late}",
    { average: view.average, absent: view.absent, late: view.late }));
  const points = view.week_points ? el("p", { class: "summary points" }, view.week_points) : null;
  const averages = view.week_averages.length ? el("div", { class: "averages", id: "week-averages" },
    el("div", { class: "day-label" }, t("Averages by subject:")),
    el("ul", { class: "items" }, view.week_averages.map((a) => el("li", {}, el("span", { class: "subject" }, a.subject),
      el("b", { class: "grade" }, a.text))))) : null;
  return el("section", { class: "card", id: "week", dataset: { start: view.week_start } }, el("h2", {}, t("Week")),
    weekNav(view), summary, points, ...weekDays(view), averages);
}

function chartSection(view) {
  const detail = el("p", { class: "detail muted" }, t("Tap a bar to see its marks."));
  const bars = view.subjects.filter((s) => s.average !== null).map((s) => el("button", { type: "button", class: "bar",
    onclick: (event) => {
      event.currentTarget.parentElement.querySelectorAll(".bar").forEach((b) => b.classList.remove("on"));
      event.currentTarget.classList.add("on");
      detail.textContent = `${s.subject}: ${s.marks.map((m) => `${m.day} ${mark(m)}`).join(", ")}`;
    } },
  el("span", { class: "bar-label" }, s.subject),
  el("span", { class: "bar-track" }, el("span", { class: "bar-fill", style: `width:${Math.max(0, Math.min(100, (s.average / view.top) * 100))}%` })),
  el("span", { class: "bar-value" }, s.average_text)));
  return el("section", { class: "card", id: "chart" }, el("h2", {}, t("Average mark by subject this term")),
    el("div", { class: "bars" }, bars), detail);
}

function termSection(view) {
  if (view.term === null && !view.subjects.length) return null;
  const rows = view.subjects.map((s) => el("tr", {}, el("th", { scope: "row" }, s.subject),
    el("td", {}, s.forecast_text),
    el("td", { class: "term-grades" }, s.term_grades.map(([period, grade]) => `${period}: ${grade}`).join(", ") || "—")));
  const attendance = view.term === null ? [] : [
    el("h2", {}, t("Term {term}: missed {missed} of {lessons} lessons, late {late}",
      { term: view.term, missed: view.term_missed, lessons: view.term_lessons, late: view.term_late })),
    el("p", { class: "muted reasons" }, t("• absent with a reason: {n}", { n: view.term_excused }), el("br"),
      t("• absent without a reason: {n}", { n: view.term_unexcused }))];
  return el("section", { class: "card", id: "term" }, ...attendance,
    el("table", { class: "term" }, el("thead", {}, el("tr", {}, el("th", {}, ""), el("th", {}, t("Term forecast")),
      el("th", {}, t("Term grades")))), el("tbody", {}, rows)),
    view.any_term_grades ? null : el("p", { class: "muted" }, t("No term grades have been set yet.")));
}

function homeworkSection(view) {
  const body = view.homework_date
    ? [el("h2", {}, capitalized(t("Homework set on {date}", { date: view.homework_date }))),
      el("ul", {}, view.homework.map((h) => el("li", {}, el("b", {}, h.subject), " — ", h.text)))]
    : [el("p", { class: "muted" }, t("{name}: no homework in the journal yet.", { name: view.name }))];
  return el("section", { class: "card", id: "homework" }, ...body);
}

function render(view) {
  setTitle(`${view.name} · ${view.class_name}`);
  document.getElementById("main").replaceChildren(...[el("p", { class: "muted school" }, view.school_name),
    weekSection(view), chartSection(view), termSection(view), homeworkSection(view)].filter(Boolean));
}
