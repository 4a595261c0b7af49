// The grid's bottom sheets: the mark picker of one cell and a lesson's topic, homework and "attendance taken".
// They only ask; what is picked goes back to the grid (grid.js), which saves it through the outbox.
import { t } from "./i18n.js";
import { closeSheet, el, markText, openSheet, toast } from "./ui.js";

function scoreShown(score) {
  const [points, maximum] = score.replace("%", "").split("/").map(Number);
  return maximum ? { points, max_points: maximum } : { points, max_points: 100 };
}

// Kazakhstan's СОР/СОЧ: points over the maximum ("17/20") or a per cent ("85"), as typed in chat.
function scoreRow(kind, label, cell, pick) {
  const current = cell.kind === kind && cell.grade !== null ? markText(cell).replace("%", "") : undefined;
  const input = el("input", { type: "text", inputmode: "numeric", placeholder: "17/20", dataset: { kind },
    "aria-label": label, value: current });
  return el("label", { class: "percent" }, el("span", { class: "kind" }, label), input,
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
    } }, t("Save")));
}

// onPick(change, shown): the change to send and the cell to show meanwhile.
export function markPicker(column, pupil, cell, summatives, onPick) {
  const pick = (grade, kind, score) => {
    closeSheet();
    const shown = { ...cell, grade, kind, points: null, max_points: null, attendance: cell.attendance || "present" };
    if (grade === null) onPick({ clear: true }, { ...cell, grade: null, kind: "regular" });
    else if (score) onPick({ score, kind }, { ...shown, ...scoreShown(score) });
    else onPick({ grade, kind }, shown);
  };
  const row = (kind, label) => el("div", { class: "marks" }, label ? el("span", { class: "kind" }, label) : null,
    column.scale.map((g) => el("button", { type: "button", class: `mark${cell.grade === g && cell.kind === kind ? " on" : ""}`,
      dataset: { grade: g, kind }, onclick: () => pick(g, kind) }, String(g))));
  const rows = [row("regular", "")];
  for (const [kind, label] of summatives) rows.push(column.summative_percent ? scoreRow(kind, label, cell, pick) : row(kind, label));
  openSheet(el("h2", {}, pupil.name), el("p", { class: "muted" }, column.long), ...rows,
    el("div", { class: "actions" },
      el("button", { type: "button", class: "secondary", onclick: () => pick(null) }, t("✖ No grade")),
      el("button", { type: "button", class: "secondary", onclick: closeSheet }, t("Close"))));
}

// waiting: {topic, homework} still unsent (shown instead of the server's); on: {saveText(field, value), saveAttendance()}.
export function lessonSheet(column, waiting, on) {
  const shown = (name) => (name in waiting ? waiting[name] : column[name] || "");
  const field = (name, label, multiline) => {
    const input = el(multiline ? "textarea" : "input", { name, maxlength: name === "topic" ? "300" : "1000",
      disabled: !column.editable, rows: multiline ? "3" : undefined });
    input.value = shown(name);
    return el("label", { class: `field${name in waiting ? " pending" : ""}` }, el("span", {}, label), input);
  };
  const inputs = { topic: field("topic", t("Topic"), false), homework: field("homework", t("Homework"), true) };
  const save = () => {
    closeSheet();
    for (const [name, label] of Object.entries(inputs)) {
      const value = label.querySelector("input, textarea").value.trim();
      if (value !== shown(name)) on.saveText(name, value);
    }
  };
  const actions = column.editable ? el("div", { class: "actions" },
    el("button", { type: "button", id: "save-texts", onclick: save }, t("Save")),
    column.attendance_taken ? null : el("button", { type: "button", id: "save-attendance",
      onclick: () => { closeSheet(); on.saveAttendance(); } }, t("✅ Save attendance"))) : el("p", { class: "muted" }, t("read only"));
  const note = Object.keys(waiting).length ? el("p", { class: "warn" }, t("Not saved yet: retrying…")) : null;
  openSheet(el("h2", {}, `${column.long} · #${column.period}`), note, inputs.topic, inputs.homework, actions,
    el("div", { class: "actions" }, el("button", { type: "button", class: "secondary", onclick: closeSheet }, t("Close"))));
}
