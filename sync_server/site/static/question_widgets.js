// The site's widgets for the question types that are more than a box or a list of options:
// a date (the browser's own date picker: a wheel on a phone, no keyboard), a range (a
// slider on its steps) and a rank (the options in a numbered list, each with Up and Down
// buttons), as the kiosk has them (device_app/kiosk/screens/answer_pickers.py, rank_list.py);
// and the value of a calculation, worked out as questionnaire_specs/question_types.py does.
// No widget starts with a value but the question's default (site.js gives it as the value):
// a date never shows the device's date, a slider counts as answered only once it is moved,
// and a ranking once an option is moved or the order shown is kept.
import { evaluate, isTrue, text } from "./expressions.js";

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Whether the type's widget is one of these (site.js asks before building its own). */
export function hasWidget(question) {
  return question.type === "date" || question.type === "range" || question.type === "rank";
}

/** How many of `shown` options a rank answer orders, as question_types.ranked_count says:
 * all of them, or the question's `positions` when it asks for fewer. */
export function rankedCount(question, shown) {
  return question.positions == null ? shown : Math.min(question.positions, shown);
}

/** The widget for `question` holding `value`; `attributes` are its ids and aria-*. A rank
 * needs `page`: the options offered now, their labels (`label`) and the page's words. */
export function widget(question, value, attributes, el, page = null) {
  if (question.type === "rank") return rankList(question, value, attributes, el, page);
  if (question.type === "date") {
    return el("input", {
      ...attributes,
      type: "date",
      min: question.min ?? null,
      max: question.max ?? null,
      value: value ?? "",
    });
  }
  const touched = Number.isInteger(value);
  const shown = el("output", { for: attributes.id, class: "range-value" }, touched ? String(value) : "—");
  const slider = el("input", {
    ...attributes,
    type: "range",
    min: String(question.min),
    max: String(question.max),
    step: String(question.step ?? 1),
    value: String(touched ? value : question.min),
    "data-touched": touched ? "yes" : null,
    "aria-valuetext": touched ? String(value) : "—",
    oninput: (event) => {
      event.target.dataset.touched = "yes";
      shown.textContent = event.target.value;
      event.target.setAttribute("aria-valuetext", event.target.value);
    },
  });
  return el(
    "div",
    { class: "range" },
    shown,
    el("span", { class: "range-end", "aria-hidden": "true" }, String(question.min)),
    slider,
    el("span", { class: "range-end", "aria-hidden": "true" }, String(question.max)),
  );
}

// A rank: an ordered list whose rows carry their option's index (data-option); the list holds
// data-touched once the respondent has moved a row or kept the order. Each move keeps the
// focus on the option moved (on the button pressed, or at an end on its other one: a keyboard
// user goes on moving the same option) and says its new place through a polite live region.
function rankList(question, value, attributes, el, page) {
  const { options, label, say } = page;
  const held = (value || []).filter((code) => options.some((o) => o.code === code));
  const order = [
    ...held.map((code) => options.find((o) => o.code === code)),
    ...options.filter((o) => !held.includes(o.code)),
  ];
  const all = optionsIndex(question);
  const status = el("p", { class: "visually-hidden", role: "status", "aria-live": "polite" });
  const list = el("ol", { class: "rank-rows" });
  const keep = el("button", { type: "button", class: "secondary rank-keep" }, say("rank_keep"));
  const group = el(
    "div",
    {
      ...attributes,
      class: "rank",
      role: "group",
      "data-touched": held.length ? "yes" : null,
      "data-positions": String(rankedCount(question, options.length)),
    },
    list,
    keep,
    status,
  );
  const touch = () => {
    group.dataset.touched = "yes";
    keep.disabled = true;
    number();
    group.dispatchEvent(new Event("input", { bubbles: true })); // the page keeps the answer
  };
  const number = () => {
    const rows = [...list.children];
    const ranked = Number(group.dataset.positions);
    rows.forEach((row, place) => {
      row.querySelector(".rank-number").textContent =
        group.dataset.touched && place < ranked ? String(place + 1) : "";
      row.querySelector(".rank-up").disabled = place === 0;
      row.querySelector(".rank-down").disabled = place === rows.length - 1;
    });
  };
  const move = (row, by, button) => {
    const rows = [...list.children];
    const to = rows.indexOf(row) + by;
    if (to < 0 || to >= rows.length) return;
    if (by < 0) list.insertBefore(row, rows[to]);
    else list.insertBefore(row, rows[to].nextSibling);
    touch();
    // At an end the button pressed is off: the focus goes to the row's other one.
    const other = row.querySelector(button.classList.contains("rank-up") ? ".rank-down" : ".rank-up");
    (button.disabled ? other : button).focus();
    status.textContent = say("rank_moved", {
      option: row.querySelector(".rank-label").textContent,
      at: to + 1,
      of: rows.length,
    });
  };
  for (const option of order) {
    const name = label(option);
    const key = (way) =>
      el("button", { type: "button", class: `rank-${way}`, "aria-label": say(`rank_move_${way}`, { option: name }) }, say(`rank_${way}`));
    const up = key("up");
    const down = key("down");
    const row = el(
      "li",
      { class: "rank-row", "data-option": String(all.get(option.code)) },
      el("span", { class: "rank-number", "aria-hidden": "true" }),
      el("span", { class: "rank-label" }, name),
      up,
      down,
    );
    up.addEventListener("click", () => move(row, -1, up));
    down.addEventListener("click", () => move(row, 1, down));
    list.append(row);
  }
  keep.disabled = Boolean(group.dataset.touched);
  keep.addEventListener("click", touch);
  number();
  return group;
}

function optionsIndex(question) {
  return new Map((question.options || []).map((option, index) => [option.code, index]));
}

/** What the widget holds, as the sealed response carries it (undefined: no answer). */
export function readWidget(question, field) {
  if (question.type === "rank") {
    if (!field.dataset.touched) return undefined;
    const options = question.options || [];
    const rows = [...field.querySelectorAll(".rank-row")];
    return rows.slice(0, Number(field.dataset.positions)).map((row) => options[Number(row.dataset.option)].code);
  }
  if (question.type === "date") return field.value === "" ? undefined : field.value;
  return field.dataset.touched ? Number(field.value) : undefined;
}

/** The problem with `value`, in the page's words (`say`), or null: the rule book's rules
 * (a real day within the bounds; a whole number on a step within the range). */
export function widgetProblem(question, value, say) {
  if (question.type === "rank") return null; // the list holds each offered option once
  if (question.type === "date") {
    const day = ISO_DATE.test(value) ? new Date(`${value}T00:00:00Z`) : null;
    if (!day || Number.isNaN(day.getTime()) || day.toISOString().slice(0, 10) !== value) {
      return say("invalid");
    }
    if ((question.min && value < question.min) || (question.max && value > question.max)) {
      return say("range", { min: question.min ?? "", max: question.max ?? "" });
    }
    return null;
  }
  const step = question.step ?? 1;
  if (!Number.isInteger(value) || value < question.min || value > question.max) {
    return say("range", { min: question.min, max: question.max });
  }
  return (value - question.min) % step ? say("invalid") : null;
}

/** A calculate question's value from the answers before it, as text (undefined: empty);
 * `choices` are the option labels jr:choice-name() reads (choicesFor). */
export function calculated(question, answers, choices = null) {
  let value;
  try {
    value = evaluate(question.calculation, answers, null, choices);
  } catch {
    return undefined; // what cannot be evaluated has no value (the processor's own counts)
  }
  if (value === null || (Array.isArray(value) && !value.length)) return undefined;
  if (typeof value === "number" && !Number.isFinite(value)) return undefined;
  const shown = text(value);
  return shown === "" ? undefined : shown;
}

/** The options shown now, as questionnaire_specs/question_types.offered gives them: all of
 * `options`, or those the question's choice_filter holds for (each option read as
 * {name: its code, ...its columns}) over the answers before it. */
export function offeredOptions(question, options, answers, choices = null) {
  if (!question.choice_filter) return options;
  return options.filter((option) => {
    try {
      return isTrue(question.choice_filter, answers, { ...(option.columns ?? {}), name: option.code }, choices);
    } catch {
      return false; // what cannot be evaluated offers nothing (the rule book refuses it too)
    }
  });
}
