// Label piping in the browser: `${q}` inside a label, hint or message shows the answer to q,
// exactly as questionnaire_specs/piping.py shows it (a choice by its option's label in the
// page's language, several joined by ", "; anything else as string() writes it; unanswered:
// nothing). `choices` is choicesFor(browserSpec, language) from expressions.js.

import { choiceName, fromAnswer, text } from "./expressions.js";

const PIPED = /\$\{([A-Za-z][A-Za-z0-9_]*)\}/g;

function answerOf(answers, name) {
  if (answers instanceof Map) return fromAnswer(answers.get(name));
  return fromAnswer(Object.hasOwn(answers, name) ? answers[name] : null);
}

function hasChoices(choices, question) {
  if (choices === null || choices === undefined) return false;
  return choices instanceof Map ? choices.has(question) : Object.hasOwn(choices, question);
}

/** An answer as a text shows it. */
export function shown(question, value, choices) {
  if (value === null) return "";
  if (!hasChoices(choices, question)) return text(value);
  const chosen = Array.isArray(value) ? value : [value];
  return chosen
    .map((item) => {
      const label = choiceName(item, question, choices);
      return label === null ? text(item) : label;
    })
    .join(", ");
}

/** `template` with each `${q}` replaced by the answer to q as shown. */
export function pipe(template, answers, choices = null) {
  return template.replace(PIPED, (_, name) => shown(name, answerOf(answers, name), choices));
}
