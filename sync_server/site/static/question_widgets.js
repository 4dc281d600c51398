// The site's widgets for the question types that are more than a box or a list of options:
// a date (the browser's own date picker: a wheel on a phone, no keyboard) and a range (a
// slider on its steps), as the kiosk has them (device_app/kiosk/screens/answer_pickers.py);
// and the value of a calculation, worked out as questionnaire_specs/question_types.py does.
// Neither widget starts with a value: a date never shows the device's date, and a slider
// counts as answered only once it is moved.
import { evaluate, isTrue, text } from "./expressions.js";

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Whether the type's widget is one of these (site.js asks before building its own). */
export function hasWidget(question) {
  return question.type === "date" || question.type === "range";
}

/** The widget for `question` holding `value`; `attributes` are its ids and aria-*. */
export function widget(question, value, attributes, el) {
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

/** What the widget holds, as the sealed response carries it (undefined: no answer). */
export function readWidget(question, field) {
  if (question.type === "date") return field.value === "" ? undefined : field.value;
  return field.dataset.touched ? Number(field.value) : undefined;
}

/** The problem with `value`, in the page's words (`say`), or null: the rule book's rules
 * (a real day within the bounds; a whole number on a step within the range). */
export function widgetProblem(question, value, say) {
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
