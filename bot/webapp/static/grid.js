// The teacher's grid: pupils down, lessons across. A tap sets attendance or opens the mark picker; every
// change is saved at once through the same rules as the chat (history, refusal of a stale screen), through the
// outbox (outbox.js): kept on the device until the server answers, retried, never silently lost.
import { request, userId } from "./api.js";
import { t } from "./i18n.js";
import { Outbox } from "./outbox.js";
import { lessonSheet, markPicker } from "./sheets.js";
import { el, markText, setStatus, setTitle, toast } from "./ui.js";

const ATTENDANCE = ["present", "absent", "excused", "late"];
const ICON = { present: "", absent: "✗", excused: "🤒", late: "⏰" };

const state = { me: null, pair: null, span: "week", week: "", mode: "att", grid: null, waiting: new Set() };

const telegram = (window.Telegram && window.Telegram.WebApp) || null;

function queueState(what, count) {
  // While a change waits to be sent, Telegram asks before closing the page: nothing is lost silently.
  if (telegram && telegram.enableClosingConfirmation) {
    if (count) telegram.enableClosingConfirmation(); else telegram.disableClosingConfirmation();
  }
  if (what === "saving") setStatus(t("Saving…"), "busy");
  else if (what === "retrying") setStatus(t("Not saved yet: retrying…"), "warn");
  else if (what === "offline") setStatus(t("No connection: changes wait here and are sent when it is back."), "warn");
  else if (count) setStatus(t("Saving…"), "busy");
  // All answered, yet some kept: refused only because the page's initData is too old; a reopened page sends them.
  else if (outbox.waiting().length) setStatus(t("The page is out of date: close it and open it again from the bot."), "warn");
  else setStatus(t("Saved"), "ok");
}

// What the server's answer to each kind of write does to the page. Each finds its lesson by the entry's body, so
// a write a reload left unsent and sent from the new page lands on the grid shown now.
const outbox = new Outbox(userId(), queueState, {
  cell: {
    done(entry, result) {
      const at = locate(entry.body);
      if (at) {
        at.column.version = Math.max(at.column.version, result.version);
        const later = outbox.waiting().find((e) => e.key === entry.key);  // a later tap on this cell still waits
        paint(at.column, at.pupil, later && later.shown !== undefined ? later.shown : result.cell);
      }
      if (result.note === "absent_with_grade") toast(t("Saved. Note: this student is marked absent today."), "info");
    },
    refused(entry, error) {
      const body = error.body || {};
      const at = locate(entry.body);
      if (at && body.error === "stale") {
        at.column.version = body.version;
        paint(at.column, at.pupil, shownCell(body.cell));
        cellElement(at.column, at.pupil)?.classList.add("changed");
      } else if (at) {
        paint(at.column, at.pupil, entry.before ?? null);
      }
      toast(refusalText(error), "error");
    },
    failed(entry) {
      const at = locate(entry.body);
      if (at) cellElement(at.column, at.pupil)?.classList.add("failed");
    },
  },
  lesson: {
    done(entry, result) {
      const column = columnOf(entry.body);
      if (!column) return;
      column[entry.body.field] = entry.body.value;
      column.version = Math.max(column.version, result.version);
      repaintHeader(column);
    },
    refused(entry, error) {
      const column = columnOf(entry.body);
      if (column) repaintHeader(column);
      toast(refusalText(error), "error");
    },
    failed(entry) { headerElement(columnOf(entry.body))?.classList.add("failed"); },
  },
  attendance: {
    done() { toast(t("✅ Attendance saved."), "ok"); load(); },
    refused(_entry, error) { toast(refusalText(error), "error"); load(); },
    failed(entry) { headerElement(columnOf(entry.body))?.classList.add("failed"); },
  },
});

export function showGrid(me) {
  state.me = me;
  const saved = JSON.parse(sessionStorage.getItem("grid") || "null");
  state.pair = me.classes.find((p) => saved && p.class_id === saved.class_id && p.subject_id === saved.subject_id)
    || me.classes[0];
  // Writes a reload or a closed Mini App left unsent go out again once the grid shows where they land.
  load().finally(() => outbox.resend());
}

function columnOf(body) {
  return state.grid && state.grid.columns.find((c) => c.timetable_id === body.timetable_id && c.day === body.day);
}

function locate(body) {
  const column = columnOf(body);
  const pupil = column && state.grid.pupils.find((p) => p.id === body.student_id);
  return pupil ? { column, pupil } : null;
}

function cellElement(column, pupil) { return document.querySelector(`td[data-key="${column.i}:${pupil.id}"]`); }

function headerElement(column) {
  return column ? document.querySelector(`th.col[data-day="${column.day}"][data-period="${column.period}"]`) : null;
}

function shownCell(cell) { return cell && (cell.attendance || cell.grade !== null) ? cell : null; }

function lessonKey(column) { return `${column.timetable_id}:${column.day}`; }

// One storage key per cell or lesson field (the latest write of it wins while unsent).
function storeKey(column, what) {
  return `${state.grid.class_id}:${state.grid.subject_id}:${lessonKey(column)}:${what}`;
}

function pairKey(pair) { return `${pair.class_id}:${pair.subject_id}`; }

async function load() {
  sessionStorage.setItem("grid", JSON.stringify(state.pair));
  const query = new URLSearchParams({ class_id: state.pair.class_id, subject_id: state.pair.subject_id,
    span: state.span });
  if (state.week) query.set("week", state.week);
  document.body.dataset.loading = "1";
  try {
    state.grid = await request(`grid?${query}`);
  } catch (error) {
    toast(refusalText(error), "error");
    return;
  } finally {
    delete document.body.dataset.loading;
  }
  render();
}

function refusalText(error) {
  const code = error && error.body && error.body.error;
  if (code === "stale") return t("Changed on another device meanwhile: the cell shows the new value.");
  if (code === "not_allowed" || code === "not_found") return t("This is not your lesson, or the button is out of date.");
  if (code === "too_early") return t("The journal is filled on the day of the lesson, not before.");
  if (code === "bad_value") return t("This grade is not used for this class.");
  if (code === "unauthorized") return t("The page is out of date: close it and open it again from the bot.");
  return t("Something went wrong. Try again.");
}

function controls(grid) {
  const select = el("select", { id: "pair", "aria-label": t("Class and subject"), onchange: (event) => {
    state.pair = state.me.classes.find((p) => pairKey(p) === event.target.value);
    state.week = "";
    load();
  } }, state.me.classes.map((p) => el("option", { value: pairKey(p), selected: pairKey(p) === pairKey(state.pair) },
    `${p.class_name} · ${p.subject_name}${p.own ? "" : " 👁"}`)));
  const seg = (items, current, pick) => el("div", { class: "seg" }, items.map(([value, label]) =>
    el("button", { type: "button", class: value === current ? "on" : "", "aria-pressed": String(value === current),
      dataset: { value },
      onclick: () => pick(value) }, label)));
  const spans = seg([["week", t("This week")], ["term", t("Whole term")]], grid.span,
    (value) => { state.span = value; load(); });
  const modes = seg([["att", t("🙋 Attendance")], ["mark", t("🔢 Grades")]], state.mode,
    (value) => { state.mode = value; render(); });
  const nav = el("div", { class: "nav" },
    el("button", { type: "button", id: "earlier", disabled: grid.span !== "week",
      onclick: () => { state.week = grid.earlier; load(); } }, t("◀ Earlier")),
    el("span", { class: "range" }, grid.range),
    el("button", { type: "button", id: "later", disabled: grid.span !== "week" || !grid.later,
      onclick: () => { state.week = grid.later; load(); } }, t("Later ▶")));
  return el("div", { class: "controls" }, select, spans, nav, modes);
}

function cellText(grid, cell) {
  if (!cell) return "";
  const parts = [];
  if (ICON[cell.attendance]) parts.push(ICON[cell.attendance]);
  if (cell.grade !== null && cell.grade !== undefined) parts.push(markText(cell));
  return parts.join(" ");
}

function cellNode(grid, column, pupil, pending = false) {
  const key = `${column.i}:${pupil.id}`;
  const cell = grid.cells[key];
  const summative = cell && grid.summatives.find(([kind]) => kind === cell.kind);
  const classes = `cell${column.editable ? "" : " ro"}${summative ? " summative" : ""}${pending ? " pending" : ""}`;
  return el("td", { class: classes, dataset: { key, att: (cell && cell.attendance) || "" },
    title: summative ? summative[1] : undefined },
  el("button", { type: "button", disabled: !column.editable, onclick: () => tap(column, pupil) }, cellText(grid, cell)));
}

// The class's gaps are the class teacher's to see (the server says who that is, from the database); a subject
// teacher sees only their own lesson still waiting for its attendance, with a small dot.
function gapOf(grid, column) {
  if (!column.gap) return null;
  if (grid.is_class_teacher) return column.gap;
  return column.editable && column.gap === "attendance" ? "own" : null;
}

const GAP_TITLE = { attendance: "Attendance not taken", own: "Attendance not taken", marks: "No marks in the lesson" };

function headerNode(grid, column) {
  const gap = gapOf(grid, column);
  const pending = state.waiting.has(lessonKey(column));
  return el("th", { class: `col${gap ? ` gap-${gap}` : ""}${column.day === grid.today ? " today" : ""}${pending ? " pending" : ""}`,
    scope: "col", dataset: { day: column.day, period: column.period }, title: gap ? t(GAP_TITLE[gap]) : undefined },
  el("button", { type: "button", onclick: () => openLesson(column) },
    el("span", { class: "day" }, column.label), el("span", { class: "period" }, `#${column.period}`)));
}

function repaintHeader(column) {
  const old = headerElement(column);
  if (!old) return;
  state.waiting = waitingLessons();
  old.replaceWith(headerNode(state.grid, column));
}

function nameNode(grid, pupil) {
  const few = grid.is_class_teacher && pupil.too_few_marks;
  return el("th", { class: `name${few ? " too-few" : ""}`, scope: "row",
    title: few ? t("Too few marks this term: {n} of {need}", { n: pupil.term_marks, need: grid.min_marks }) : undefined },
  few ? el("small", { class: "badge" }, `${pupil.term_marks}/${grid.min_marks}`) : null, el("span", { title: pupil.name }, pupil.name));
}

// The class teacher's summary of the class's gaps in this subject, above the grid.
function gapsNode(grid) {
  if (!grid.is_class_teacher || !grid.gaps) return null;
  const chip = (kind, text, n) => el("span", { class: `chip gap-${kind}`, dataset: { n } }, `${text}: ${n}`);
  return el("p", { class: "gaps", id: "gaps" },
    chip("attendance", t("Attendance not taken"), grid.gaps.attendance), " ",
    chip("marks", t("No marks in the lesson"), grid.gaps.marks), " ",
    el("span", { class: "chip gap-pupils", dataset: { n: grid.gaps.pupils } },
      t("Pupils with too few marks: {n}", { n: grid.gaps.pupils })));
}

// Lessons with a topic, homework or "attendance taken" still waiting to be sent.
function waitingLessons() {
  const lessons = new Set();
  for (const entry of outbox.waiting()) if (entry.path !== "cell") lessons.add(entry.lesson);
  return lessons;
}

// Cells still waiting to be sent show the value tapped (a reload keeps it) and are marked as waiting.
function waitingCells(grid) {
  const cells = new Set();
  for (const entry of outbox.waiting()) {
    const at = entry.path === "cell" && locate(entry.body);
    if (!at) continue;
    const key = `${at.column.i}:${at.pupil.id}`;
    cells.add(key);
    if (entry.shown === null) delete grid.cells[key]; else if (entry.shown) grid.cells[key] = entry.shown;
  }
  return cells;
}

function render() {
  const grid = state.grid;
  setTitle(grid.title);
  state.waiting = waitingLessons();
  const pending = waitingCells(grid);
  const main = document.getElementById("main");
  const head = el("tr", {}, el("th", { class: "name corner", scope: "col" }, t("Pupil")),
    grid.columns.map((column) => headerNode(grid, column)));
  const rows = grid.pupils.map((pupil) => el("tr", { dataset: { pupil: pupil.id } }, nameNode(grid, pupil),
    grid.columns.map((column) => cellNode(grid, column, pupil, pending.has(`${column.i}:${pupil.id}`)))));
  const table = el("table", { class: "grid", id: "grid" }, el("thead", {}, head), el("tbody", {}, rows));
  const legend = el("p", { class: "legend muted" }, t("✓ present · ✗ absent · 🤒 with a reason · ⏰ late"));
  main.replaceChildren(...[controls(grid), gapsNode(grid), el("div", { class: "grid-wrap" }, table), legend]
    .filter(Boolean));
  document.body.classList.add("grid-page");
  const today = main.querySelector("th.today");
  if (today) today.scrollIntoView({ block: "nearest", inline: "center" });
}

function paint(column, pupil, cell) {
  const key = `${column.i}:${pupil.id}`;
  if (cell) state.grid.cells[key] = cell; else delete state.grid.cells[key];
  const old = cellElement(column, pupil);
  if (old) old.replaceWith(cellNode(state.grid, column, pupil, outbox.isWaiting(storeKey(column, pupil.id))));
}

function save(column, pupil, change, optimistic) {
  const before = state.grid.cells[`${column.i}:${pupil.id}`] || null;
  const body = { timetable_id: column.timetable_id, day: column.day, student_id: pupil.id, version: column.version,
    ...change };
  outbox.send(storeKey(column, pupil.id), "cell", lessonKey(column), body, { before, shown: optimistic || null });
  paint(column, pupil, optimistic);
}

function tap(column, pupil) {
  const cell = state.grid.cells[`${column.i}:${pupil.id}`] || { attendance: null, grade: null, kind: "regular" };
  if (state.mode === "att") {
    const next = ATTENDANCE[(ATTENDANCE.indexOf(cell.attendance || "present") + 1) % ATTENDANCE.length];
    save(column, pupil, { attendance: next }, { ...cell, attendance: next });
    return;
  }
  if (!column.scale.length) {
    toast(t("No marks in this class on this day."), "info");
    return;
  }
  markPicker(column, pupil, cell, state.grid.summatives, (change, shown) => save(column, pupil, change, shown));
}

// The lesson's sheet shows a topic or homework still waiting to be sent, not the one the server last had.
function openLesson(column) {
  const texts = {};
  for (const entry of outbox.waiting()) {
    if (entry.path === "lesson" && entry.lesson === lessonKey(column)) texts[entry.body.field] = entry.body.value;
  }
  lessonSheet(column, texts, { saveText: (field, value) => saveText(column, field, value),
    saveAttendance: () => saveAttendance(column) });
}

function saveText(column, field, value) {
  outbox.send(storeKey(column, field), "lesson", lessonKey(column),
    { timetable_id: column.timetable_id, day: column.day, field, value });
  repaintHeader(column);
}

function saveAttendance(column) {
  outbox.send(storeKey(column, "taken"), "attendance", lessonKey(column),
    { timetable_id: column.timetable_id, day: column.day, version: column.version });
  repaintHeader(column);
}
