// The teacher's grid: pupils down, lessons across. A tap sets attendance or opens the mark picker; every
// change is saved at once through the same rules as the chat (history, refusal of a stale screen).
import { PendingStore, request, SaveQueue, userId } from "./api.js";
import { t } from "./i18n.js";
import { closeSheet, el, markText, openSheet, setStatus, setTitle, toast } from "./ui.js";

const ATTENDANCE = ["present", "absent", "excused", "late"];
const ICON = { present: "", absent: "✗", excused: "🤒", late: "⏰" };

const state = { me: null, pair: null, span: "week", week: "", mode: "att", grid: null };

const telegram = (window.Telegram && window.Telegram.WebApp) || null;
const store = new PendingStore(userId());

const queue = new SaveQueue((what, count) => {
  // While a change waits to be sent, Telegram asks before closing the page: nothing is lost silently.
  if (telegram && telegram.enableClosingConfirmation) {
    if (count) telegram.enableClosingConfirmation(); else telegram.disableClosingConfirmation();
  }
  if (what === "saving") setStatus(t("Saving…"), "busy");
  else if (what === "retrying") setStatus(t("Not saved yet: retrying…"), "warn");
  else if (what === "offline") setStatus(t("No connection: changes wait here and are sent when it is back."), "warn");
  else setStatus(count ? t("Saving…") : t("Saved"), count ? "busy" : "ok");
});

export function showGrid(me) {
  state.me = me;
  const saved = JSON.parse(sessionStorage.getItem("grid") || "null");
  state.pair = me.classes.find((p) => saved && p.class_id === saved.class_id && p.subject_id === saved.subject_id)
    || me.classes[0];
  resendStored();
  load();
}

// Changes a reload or a closed Mini App left unsent go out again, in the order they were made; each lesson's
// version moves on with our own accepted saves so they never refuse each other.
function resendStored() {
  const versions = {};
  const entries = Object.entries(store.all()).sort(([, a], [, b]) => a.id - b.id);
  for (const [cellKey, entry] of entries) {
    queue.push({
      path: entry.path,
      body: () => ({ ...entry.body, version: versions[entry.lesson] ?? entry.body.version }),
      done: (result) => {
        versions[entry.lesson] = result.version;
        settled(cellKey, entry, result.version);
        repaint(entry.body, result.cell, result.version);
      },
      refused: (error) => {
        const body = error.body || {};
        if (body.error === "stale") {
          versions[entry.lesson] = body.version;
          repaint(entry.body, shownCell(body.cell), body.version, "changed");
        }
        settled(cellKey, entry, body.version);
        toast(refusalText(error), "error");
      },
    });
  }
}

function settled(cellKey, entry, version) {
  store.drop(cellKey, entry.id);
  if (version !== undefined) store.bump(entry.lesson, version);
}

// A restored change landed: the grid, if it shows that cell, takes the server's value and version.
function repaint(body, cell, version, mark) {
  const column = state.grid && state.grid.columns.find((c) => c.timetable_id === body.timetable_id && c.day === body.day);
  const pupil = column && state.grid.pupils.find((p) => p.id === body.student_id);
  if (!pupil) return;
  if (version !== undefined) column.version = version;
  paint(column, pupil, cell);
  if (mark) document.querySelector(`td[data-key="${column.i}:${pupil.id}"]`)?.classList.add(mark);
}

function shownCell(cell) { return cell && (cell.attendance || cell.grade !== null) ? cell : null; }

function cellStoreKey(column, pupil) {
  return `${state.pair.class_id}:${state.pair.subject_id}:${column.timetable_id}:${column.day}:${pupil.id}`;
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

function cellNode(grid, column, pupil) {
  const key = `${column.i}:${pupil.id}`;
  const cell = grid.cells[key];
  const summative = cell && grid.summatives.find(([kind]) => kind === cell.kind);
  const node = el("td", { class: `cell${column.editable ? "" : " ro"}${summative ? " summative" : ""}`,
    dataset: { key, att: (cell && cell.attendance) || "" }, title: summative ? summative[1] : undefined },
  el("button", { type: "button", disabled: !column.editable, onclick: () => tap(column, pupil) }, cellText(grid, cell)));
  return node;
}

function headerNode(grid, column) {
  const gap = column.gap ? ` gap-${column.gap}` : "";
  return el("th", { class: `col${gap}${column.day === grid.today ? " today" : ""}`, scope: "col",
    dataset: { day: column.day, period: column.period },
    title: column.gap === "attendance" ? t("Attendance not taken") : column.gap === "marks" ? t("No marks in the lesson") : undefined },
  el("button", { type: "button", onclick: () => lessonSheet(column) },
    el("span", { class: "day" }, column.label), el("span", { class: "period" }, `#${column.period}`)));
}

function render() {
  const grid = state.grid;
  setTitle(grid.title);
  const main = document.getElementById("main");
  const head = el("tr", {}, el("th", { class: "name corner", scope: "col" }, t("Pupil")),
    grid.columns.map((column) => headerNode(grid, column)));
  const rows = grid.pupils.map((pupil) => el("tr", { dataset: { pupil: pupil.id } },
    el("th", { class: `name${pupil.too_few_marks ? " too-few" : ""}`, scope: "row",
      title: pupil.too_few_marks ? t("Too few marks this term: {n} of {need}", { n: pupil.term_marks, need: grid.min_marks }) : undefined },
    el("span", { title: pupil.name }, pupil.name), pupil.too_few_marks ? el("small", { class: "badge" }, `${pupil.term_marks}/${grid.min_marks}`) : null),
    grid.columns.map((column) => cellNode(grid, column, pupil))));
  const table = el("table", { class: "grid", id: "grid" }, el("thead", {}, head), el("tbody", {}, rows));
  const legend = el("p", { class: "legend muted" }, t("✓ present · ✗ absent · 🤒 with a reason · ⏰ late"),
    el("br"), el("span", { class: "chip gap-attendance" }, t("Attendance not taken")), " ",
    el("span", { class: "chip gap-marks" }, t("No marks in the lesson")));
  main.replaceChildren(controls(grid), el("div", { class: "grid-wrap" }, table), legend);
  for (const entry of Object.values(store.all())) {  // still waiting to be sent: shown as such
    const column = grid.columns.find((c) => c.timetable_id === entry.body.timetable_id && c.day === entry.body.day);
    if (column) main.querySelector(`td[data-key="${column.i}:${entry.body.student_id}"]`)?.classList.add("pending");
  }
  const today = main.querySelector("th.today");
  if (today) today.scrollIntoView({ block: "nearest", inline: "center" });
}

function paint(column, pupil, cell, pending = false) {
  const key = `${column.i}:${pupil.id}`;
  if (cell) state.grid.cells[key] = cell; else delete state.grid.cells[key];
  const old = document.querySelector(`td[data-key="${key}"]`);
  if (!old) return;
  const fresh = cellNode(state.grid, column, pupil);
  fresh.classList.toggle("pending", pending);
  old.replaceWith(fresh);
}

function save(column, pupil, change, optimistic) {
  const before = state.grid.cells[`${column.i}:${pupil.id}`] || null;
  paint(column, pupil, optimistic, true);
  const body = () => ({ timetable_id: column.timetable_id, day: column.day, student_id: pupil.id,
    version: column.version, ...change });
  const cellKey = cellStoreKey(column, pupil);
  const entry = { id: Date.now() * 1000 + Math.floor(Math.random() * 1000), path: "cell",
    lesson: `${column.timetable_id}:${column.day}`, body: body() };
  store.put(cellKey, entry);
  queue.push({
    path: "cell",
    body,
    done: (result) => {
      settled(cellKey, entry, result.version);
      column.version = result.version;
      paint(column, pupil, result.cell);
      if (result.note === "absent_with_grade") toast(t("Saved. Note: this student is marked absent today."), "info");
    },
    refused: (error) => {
      const body = error.body || {};
      settled(cellKey, entry, body.error === "stale" ? body.version : undefined);
      if (body.error === "stale") {
        column.version = body.version;
        paint(column, pupil, shownCell(body.cell));
        document.querySelector(`td[data-key="${column.i}:${pupil.id}"]`)?.classList.add("changed");
      } else {
        paint(column, pupil, before);
      }
      toast(refusalText(error), "error");
    },
    failed: () => document.querySelector(`td[data-key="${column.i}:${pupil.id}"]`)?.classList.add("failed"),
  });
}

function tap(column, pupil) {
  const cell = state.grid.cells[`${column.i}:${pupil.id}`] || { attendance: null, grade: null, kind: "regular" };
  if (state.mode === "att") {
    const next = ATTENDANCE[(ATTENDANCE.indexOf(cell.attendance || "present") + 1) % ATTENDANCE.length];
    save(column, pupil, { attendance: next }, { ...cell, attendance: next });
    return;
  }
  markPicker(column, pupil, cell);
}

function scoreShown(score) {
  const [points, maximum] = score.replace("%", "").split("/").map(Number);
  return maximum ? { points, max_points: maximum } : { points, max_points: 100 };
}

function markPicker(column, pupil, cell) {
  if (!column.scale.length) {
    toast(t("No marks in this class on this day."), "info");
    return;
  }
  const pick = (grade, kind, score) => {
    closeSheet();
    const shown = { ...cell, grade, kind, points: null, max_points: null, attendance: cell.attendance || "present" };
    if (grade === null) save(column, pupil, { clear: true }, { ...cell, grade: null, kind: "regular" });
    else if (score) save(column, pupil, { score, kind }, { ...shown, ...scoreShown(score) });
    else save(column, pupil, { grade, kind }, shown);
  };
  const row = (kind, label) => el("div", { class: "marks" }, label ? el("span", { class: "kind" }, label) : null,
    column.scale.map((g) => el("button", { type: "button", class: `mark${cell.grade === g && cell.kind === kind ? " on" : ""}`,
      dataset: { grade: g, kind }, onclick: () => pick(g, kind) }, String(g))));
  const rows = [row("regular", "")];
  for (const [kind, label] of state.grid.summatives) {
    if (column.summative_percent) {
      // Kazakhstan's СОР/СОЧ: points over the maximum ("17/20") or a per cent ("85"), as typed in chat.
      const current = cell.kind === kind && cell.grade !== null ? markText(cell).replace("%", "") : undefined;
      const input = el("input", { type: "text", inputmode: "numeric", placeholder: "17/20", dataset: { kind },
        "aria-label": label, value: current });
      rows.push(el("label", { class: "percent" }, el("span", { class: "kind" }, label), input,
        el("button", { type: "button", onclick: () => {
          const text = input.value.replace(/\s+/g, "");
          const match = /^(\d{1,3})(?:\/(\d{1,3}))?%?$/.exec(text);
          const points = match && Number(match[1]);
          const maximum = match && (match[2] ? Number(match[2]) : 100);
          if (!match || maximum === 0 || points > maximum) {
            toast(t("Please send points over the maximum, like 17/20, or a per cent from 0 to 100, like 85."), "error");
            return;
          }
          pick(Math.floor((100 * points) / maximum + 0.5), kind, text);
        } }, t("Save"))));
    } else {
      rows.push(row(kind, label));
    }
  }
  openSheet(el("h2", {}, pupil.name), el("p", { class: "muted" }, column.long), ...rows,
    el("div", { class: "actions" },
      el("button", { type: "button", class: "secondary", onclick: () => pick(null) }, t("✖ No grade")),
      el("button", { type: "button", class: "secondary", onclick: closeSheet }, t("Close"))));
}

function lessonSheet(column) {
  const field = (name, label, multiline) => {
    const input = el(multiline ? "textarea" : "input", { name, maxlength: name === "topic" ? "300" : "1000",
      disabled: !column.editable, rows: multiline ? "3" : undefined });
    input.value = column[name] || "";
    return el("label", { class: "field" }, el("span", {}, label), input);
  };
  const topic = field("topic", t("Topic"), false);
  const homework = field("homework", t("Homework"), true);
  const actions = column.editable ? el("div", { class: "actions" },
    el("button", { type: "button", onclick: () => saveTexts(column, topic, homework) }, t("Save")),
    column.attendance_taken ? null : el("button", { type: "button", onclick: () => saveAttendance(column) },
      t("✅ Save attendance"))) : el("p", { class: "muted" }, t("read only"));
  openSheet(el("h2", {}, `${column.long} · #${column.period}`), topic, homework, actions,
    el("div", { class: "actions" }, el("button", { type: "button", class: "secondary", onclick: closeSheet }, t("Close"))));
}

function saveTexts(column, topic, homework) {
  closeSheet();
  for (const [name, label] of [["topic", topic], ["homework", homework]]) {
    const value = label.querySelector("input, textarea").value.trim();
    if (value === (column[name] || "")) continue;
    queue.push({ path: "lesson", body: () => ({ timetable_id: column.timetable_id, day: column.day, field: name, value }),
      done: (result) => { column[name] = value; column.version = result.version; },
      refused: (error) => toast(refusalText(error), "error") });
  }
}

function saveAttendance(column) {
  closeSheet();
  queue.push({ path: "attendance", body: () => ({ timetable_id: column.timetable_id, day: column.day, version: column.version }),
    done: () => { toast(t("✅ Attendance saved."), "ok"); load(); },
    refused: (error) => { toast(refusalText(error), "error"); load(); } });
}
