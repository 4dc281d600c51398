// The respondent's flow on the online survey site: language, (population), the spec's
// introduction, one question or one whole section per page (the spec's settings.site_paging)
// with Back/Next, then seal in the browser and send.
// Answers live only in this page's memory; only the SEALED envelope is ever stored (in
// localStorage, until the site's receipt arrives), so closing the tab leaves no answer.
import { sealBase } from "./hpke.js";
import { redeemCode } from "./blind_tokens.js";
import { SITE_ENVELOPE_VERSION, sealInfo } from "./envelope_info.js";
import { encodeResponseCompact } from "./response_codec.js";
import { choicesFor, isTrue } from "./expressions.js";
import { pipe, shown } from "./piping.js";
import {
  calculated,
  hasWidget,
  offeredOptions,
  readWidget,
  widget,
  widgetProblem,
} from "./question_widgets.js";

const data = JSON.parse(document.getElementById("survey-data").textContent);
const spec = data.spec;
const root = document.getElementById("survey");
const pendingKey = `mss-sealed-${data.campaign}`;

const state = {
  language: null,
  population: data.populations.length === 1 ? data.populations[0] : null,
  answers: {},
  seeded: new Set(), // questions whose default was offered once (a cleared one stays cleared)
  at: -1, // index into pageGroups(); -1: the introduction
  startedAt: 0,
  token: null, // a one-time submission token, bought with an access code (memory only)
  lastActivity: Date.now(),
};

function words() {
  return data.words[state.language] || data.words[spec.languages[0].code];
}

function say(key, values = {}) {
  return words()[key].replace(/\{(\w+)\}/g, (_, name) => String(values[name]));
}

function text(labels) {
  if (!labels) return "";
  return labels[state.language] ?? labels[spec.languages[0].code] ?? "";
}

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) {
      node.append(typeof child === "string" ? document.createTextNode(child) : child);
    }
  }
  return node;
}

function setLanguage(code) {
  state.language = code;
  const language = spec.languages.find((l) => l.code === code);
  document.documentElement.lang = code;
  document.documentElement.dir = language && language.rtl ? "rtl" : "ltr";
  document.title = text(spec.title) || "Survey";
}

function show(...children) {
  root.replaceChildren(...children.filter((child) => child !== null)); // null: nothing there
  const heading = root.querySelector("h1, h2, legend");
  (heading || root).focus?.();
}

// --- which questions are asked ------------------------------------------------------------

function questions() {
  return spec.questions.filter((q) => !q.populations || q.populations.includes(state.population));
}

const labelsByLanguage = {};

function labels() {
  // Each choice question's option labels in the page's language: what jr:choice-name()
  // and piping show (the station's Spec.choice_labels).
  labelsByLanguage[state.language] ??= choicesFor(spec, state.language);
  return labelsByLanguage[state.language];
}

function piped(texts) {
  // A label, hint or message in the page's language, each ${q} showing the answer to q.
  return pipe(text(texts), asked().kept, labels());
}

function holds(tree, answers, current = null) {
  try {
    return isTrue(tree, answers, current, labels());
  } catch {
    return false; // an expression that cannot be evaluated (an overflow) does not hold
  }
}

function relevant(question, answers) {
  return !question.relevant || holds(question.relevant, answers);
}

function required(question, answers) {
  // required_when reads the answers before the question, as the station's rule book does
  return !!question.required || (!!question.required_when && holds(question.required_when, answers));
}

function asked() {
  // Answers to questions that are no longer relevant do not count for later relevance.
  const kept = {};
  const list = [];
  for (const question of questions()) {
    if (!relevant(question, kept)) continue;
    if (question.type === "calculate") {
      // no page of its own unless read_only; its value counts for what follows, as the
      // station's does
      const value = calculated(question, kept, labels());
      if (value !== undefined) kept[question.id] = value;
      if (question.read_only) list.push(question);
      continue;
    }
    list.push(question);
    if (question.read_only) {
      // shown, never entered: its value is its default, as the processor works it out
      if (question.default !== undefined) kept[question.id] = question.default;
      continue;
    }
    if (question.id in state.answers) kept[question.id] = state.answers[question.id];
  }
  return { list, kept };
}

function asking() {
  return new Set(asked().list.map((question) => question.id));
}

// --- paging: one question per page, or one section per page (settings.site_paging) --------

function pageGroups() {
  // Every page this population could see, in order. The indices stay put as answers change;
  // a page with nothing to ask now is passed over (openPages).
  const mine = questions().filter((question) => question.type !== "calculate" || question.read_only);
  if (spec.settings.site_paging === "section" && spec.sections) {
    return spec.sections
      .map((section) => ({
        section,
        questions: mine.filter((question) => section.questions.includes(question.id)),
      }))
      .filter((page) => page.questions.length);
  }
  return mine.map((question) => ({ section: null, questions: [question] }));
}

function openPages() {
  // The pages that ask something, given the answers so far; the current page always counts.
  const now = asking();
  const open = [];
  pageGroups().forEach((page, at) => {
    if (at === state.at || page.questions.some((q) => now.has(q.id))) open.push(at);
  });
  return open;
}

function optionsOf(question) {
  return question.type === "likert" ? spec.scales[question.scale] || [] : question.options || [];
}

// --- pages --------------------------------------------------------------------------------

function languagePage() {
  const buttons = spec.languages.map((language) =>
    el(
      "button",
      {
        type: "button",
        class: "choice",
        lang: language.code,
        dir: language.rtl ? "rtl" : "ltr",
        onclick: () => {
          setLanguage(language.code);
          next();
        },
      },
      language.name,
    ),
  );
  const titles = spec.languages.map((language) =>
    el(
      "span",
      { lang: language.code, dir: language.rtl ? "rtl" : "ltr" },
      (data.words[language.code] || {}).choose_language || "",
    ),
  );
  show(
    el("h1", { class: "languages-title", tabindex: "-1" }, titles),
    el("div", { class: "languages", role: "group" }, buttons),
  );
}

function languageSwitch() {
  const change = (event) => {
    if (root.querySelector(".question")) keepPage(); // what is typed stays
    setLanguage(event.target.value);
    render();
  };
  const select = el(
    "select",
    { id: "language", onchange: change },
    spec.languages.map((l) =>
      el("option", { value: l.code, lang: l.code, selected: l.code === state.language }, l.name),
    ),
  );
  return el("div", { class: "switch" }, el("label", { for: "language" }, say("language")), select);
}

function populationPage() {
  const buttons = data.populations.map((id) => {
    const population = spec.populations.find((p) => p.id === id);
    return el(
      "button",
      {
        type: "button",
        class: "choice",
        onclick: () => {
          state.population = id;
          render();
        },
      },
      text(population && population.label) || id,
    );
  });
  show(
    languageSwitch(),
    el("h1", { tabindex: "-1" }, say("choose_population")),
    el("div", { role: "group" }, buttons),
  );
}

function codePage(error = null) {
  const described = error ? "code-error" : null;
  const field = el("input", {
    id: "access-code",
    type: "text",
    autocomplete: "off",
    spellcheck: "false",
    autocapitalize: "characters",
    "aria-describedby": described,
    "aria-invalid": error ? "true" : null,
  });
  const submit = async () => {
    // The token is signed blind (blind_tokens.js): the site cannot link it to this code.
    const answer = await redeemCode(data.campaign, field.value.trim()).catch(() => ({}));
    if (answer.token) {
      state.token = answer.token;
      return render();
    }
    const problem = answer.problem || {};
    codePage(problem.code === "code-used" ? say("code_used") : say("code_unknown"));
  };
  show(
    languageSwitch(),
    el("h1", { tabindex: "-1" }, say("code_title")),
    error ? el("p", { class: "error", id: "code-error", role: "alert" }, error) : null,
    el("label", { for: "access-code" }, say("code_label")),
    field,
    el(
      "div",
      { class: "nav" },
      el("button", { type: "button", class: "primary", onclick: submit }, say("continue")),
    ),
  );
}

function introductionPage() {
  show(
    languageSwitch(),
    el("h1", { tabindex: "-1" }, text(spec.title)),
    el("p", { class: "introduction" }, text(spec.introduction)),
    el(
      "div",
      { class: "nav" },
      el(
        "button",
        { type: "button", class: "primary", onclick: () => go(openPages()[0] ?? 0) },
        say("start"),
      ),
    ),
  );
}

function shownValue(question) {
  // A read_only question's value as its page shows it (a choice by its label).
  const value = asked().kept[question.id];
  return shown(question.id, value === undefined ? null : value, labels());
}

function startWithDefaults(page) {
  // The first time a question's page is shown, its default becomes its answer when it is
  // offered: the respondent may change or clear it, and a question never shown has none.
  for (const question of page.questions) {
    if (question.default === undefined || question.read_only || state.seeded.has(question.id)) continue;
    state.seeded.add(question.id);
    const codes = Array.isArray(question.default) ? question.default : [question.default];
    const offered = question.choice_filter ? offeredCodes(question) : null;
    if (offered && !codes.every((code) => offered.has(code))) continue;
    if (!(question.id in state.answers)) state.answers[question.id] = question.default;
  }
}

function input(question, error, value = state.answers[question.id]) {
  const described = error ? `error-${question.id}` : null;
  if (question.type === "note") return null;
  if (question.read_only) {
    return el("output", { id: `answer-${question.id}`, class: "read-only" }, shownValue(question));
  }
  if (hasWidget(question)) {
    const offered = offeredOptions(question, optionsOf(question), asked().kept, labels());
    const page = { options: offered, label: (option) => text(option.label), say };
    return widget(question, value, {
      id: `answer-${question.id}`,
      name: question.id,
      "aria-describedby": described,
      "aria-invalid": error ? "true" : null,
      "aria-required": required(question, asked().kept) ? "true" : null,
    }, el, page);
  }
  if (question.type === "number" || question.type === "text") {
    const attributes = {
      id: `answer-${question.id}`,
      name: question.id,
      "aria-describedby": described,
      "aria-invalid": error ? "true" : null,
      "aria-required": required(question, asked().kept) ? "true" : null,
    };
    if (question.type === "number") {
      Object.assign(attributes, {
        type: "text",
        inputmode: question.integer ? "numeric" : "decimal",
        value: value === undefined ? "" : String(value),
      });
      return el("input", attributes);
    }
    if (question.max_length) attributes.maxlength = question.max_length;
    if (question.multiline) return el("textarea", attributes, value ?? "");
    return el("input", { ...attributes, type: "text", value: value ?? "" });
  }
  const multi = question.type === "multi_choice";
  const chosen = multi ? value || [] : [value];
  const needed = required(question, asked().kept);
  return el(
    "div",
    {
      id: `answer-${question.id}`,
      class: "options",
      role: multi ? "group" : "radiogroup",
      // a group of checkboxes takes no aria-required: its "required" note describes it
      "aria-describedby": [needed ? `required-${question.id}` : null, described].filter(Boolean).join(" ") || null,
      "aria-required": !multi && needed ? "true" : null,
    },
    optionsOf(question).map((option, number) => {
      const id = `answer-${question.id}-${number}`;
      return el(
        "label",
        { class: "option", for: id },
        el("input", {
          type: multi ? "checkbox" : "radio",
          id,
          name: question.id,
          value: String(number),
          checked: chosen.includes(option.code),
        }),
        el("span", {}, text(option.label)),
      );
    }),
  );
}

function offeredCodes(question) {
  return new Set(offeredOptions(question, optionsOf(question), asked().kept, labels()).map((o) => o.code));
}

function filterOptions() {
  // A choice_filter shows only the options it offers over the answers so far; an option no
  // longer offered is unchecked (and its answer dropped), which may change what a later
  // question of the same page offers: repeated until nothing changes.
  for (let round = 0; round <= spec.questions.length; round += 1) {
    let changed = false;
    for (const question of pageGroups()[state.at].questions) {
      if (!question.choice_filter) continue;
      if (question.type === "rank") {
        changed = reRank(question) || changed;
        continue;
      }
      const offered = offeredCodes(question);
      optionsOf(question).forEach((option, number) => {
        const box = root.querySelector(`#answer-${CSS.escape(question.id)}-${number}`);
        if (!box) return;
        box.closest("label").hidden = !offered.has(option.code);
        if (box.checked && !offered.has(option.code)) {
          box.checked = false;
          changed = true;
        }
      });
    }
    if (!changed) return;
    keepPage();
  }
}

function reRank(question) {
  // A ranking lists exactly what its choice_filter offers: when that changes, the list is
  // built again, the options still offered in the respondent's order, new ones after them.
  const list = root.querySelector(`.rank[name="${CSS.escape(question.id)}"]`);
  if (!list) return false;
  const options = question.options || [];
  const shown = [...list.querySelectorAll(".rank-row")].map((row) => options[Number(row.dataset.option)].code);
  const offered = offeredCodes(question);
  if (shown.length === offered.size && shown.every((code) => offered.has(code))) return false;
  const order = list.dataset.touched ? shown.filter((code) => offered.has(code)) : undefined;
  const again = input(question, null, order);
  again.setAttribute("aria-labelledby", `label-${question.id}`);
  list.replaceWith(again);
  return true;
}

function read(question) {
  // What the page's inputs hold now, as the sealed response carries it (or undefined).
  if (question.type === "note" || question.read_only) return undefined;
  if (hasWidget(question)) {
    return readWidget(question, root.querySelector(`[name="${CSS.escape(question.id)}"]`));
  }
  if (question.type === "number" || question.type === "text") {
    const raw = root.querySelector(`[name="${CSS.escape(question.id)}"]`).value;
    if (question.type === "text") return raw.trim() === "" ? undefined : raw;
    const trimmed = raw.trim().replace(",", ".");
    if (trimmed === "") return undefined;
    return Number.isFinite(Number(trimmed)) ? Number(trimmed) : NaN;
  }
  const options = optionsOf(question);
  const boxes = [...root.querySelectorAll(`input[name="${CSS.escape(question.id)}"]`)];
  const codes = boxes.filter((b) => b.checked).map((b) => options[Number(b.value)].code);
  if (question.type === "multi_choice") return codes.length ? codes : undefined;
  return codes.length ? codes[0] : undefined;
}

function problemWith(question, value) {
  if (question.read_only) return null; // nothing entered: nothing to mend
  if (value === undefined) return required(question, asked().kept) ? say("required") : null;
  if (hasWidget(question)) {
    const problem = widgetProblem(question, value, say);
    if (problem) return problem;
  }
  if (question.type === "number") {
    if (Number.isNaN(value) || (question.integer && !Number.isInteger(value))) return say("number");
    const low = question.min ?? -Infinity;
    const high = question.max ?? Infinity;
    if (value < low || value > high)
      return say("range", { min: question.min ?? "", max: question.max ?? "" });
  }
  if (question.choice_filter) {
    const offered = offeredCodes(question);
    if ((Array.isArray(value) ? value : [value]).some((code) => !offered.has(code))) return say("invalid");
  }
  if (question.type === "multi_choice") {
    const exclusive = optionsOf(question)
      .filter((o) => o.exclusive)
      .map((o) => o.code);
    if (value.length > 1 && value.some((code) => exclusive.includes(code))) return say("invalid");
  }
  if (question.constraint && !holds(question.constraint, asked().kept, value)) {
    return piped(question.constraint_message) || say("invalid");
  }
  return null;
}

function requiredNote(question) {
  // Said before the respondent tries to go on; a required_when note shows and hides as the
  // answers above it change (settle).
  if (question.type === "note" || question.read_only || !(question.required || question.required_when)) return null;
  const attributes = { class: "required-note", id: `required-${question.id}` };
  return el("p", { ...attributes, hidden: !required(question, asked().kept) }, say("answer_required"));
}

function questionField(question, error) {
  const sectioned = pageGroups()[state.at].section !== null;
  const heading = question.type === "note" ? (sectioned ? "h2" : "h1") : "legend";
  const label = el(heading, { id: `label-${question.id}`, tabindex: "-1" }, piped(question.label));
  const field = el(
    question.type === "note" ? "div" : "fieldset",
    { class: "question", "data-question": question.id },
    label,
    question.help ? el("p", { class: "help" }, piped(question.help)) : null,
    requiredNote(question),
    error ? el("p", { class: "error", id: `error-${question.id}`, role: "alert" }, error) : null,
    input(question, error),
  );
  if (question.read_only) {
    field.querySelector("output.read-only").setAttribute("aria-labelledby", `label-${question.id}`);
  } else if (question.type === "number" || question.type === "text" || hasWidget(question)) {
    // A text box (a date, a slider, a rank's list) is named by its question.
    field.querySelector(".rank, input, textarea").setAttribute("aria-labelledby", `label-${question.id}`);
  }
  return field;
}

function questionPage(problems = {}) {
  // problems: a message by question id ("" for the page as a whole).
  const page = pageGroups()[state.at];
  startWithDefaults(page);
  const title = page.section
    ? el("h1", { tabindex: "-1" }, text(page.section.title) || text(spec.title))
    : null;
  const progress = el(
    "div",
    { class: "progress" },
    el("progress", { "aria-hidden": "true" }),
    el("span", {}),
  );
  show(
    languageSwitch(),
    progress,
    title,
    problems[""] ? el("p", { class: "error", role: "alert" }, problems[""]) : null,
    el(
      "div",
      { class: "page", oninput: relive, onchange: relive },
      page.questions.map((question) => questionField(question, problems[question.id])),
    ),
    el(
      "div",
      { class: "nav" },
      el("button", { type: "button", class: "secondary", onclick: back }, say("back")),
      el("button", { type: "button", class: "primary", onclick: forward }),
    ),
  );
  settle();
  const first = page.questions.find((question) => problems[question.id]);
  if (first) {
    // The first question to mend, its message in view.
    document.getElementById(`label-${first.id}`).focus({ preventScroll: true });
    root.querySelector(`[data-question="${CSS.escape(first.id)}"]`).scrollIntoView();
  }
}

function settle() {
  // The page as the answers now stand: which of its questions are asked, the progress, and
  // whether the primary button moves on or finishes.
  filterOptions();
  const now = asking();
  const byId = Object.fromEntries(questions().map((question) => [question.id, question]));
  for (const field of root.querySelectorAll(".page > .question")) {
    field.hidden = !now.has(field.dataset.question);
    // An answer given higher on the same page shows at once in the texts that pipe it.
    const question = byId[field.dataset.question];
    reword(field.querySelector(`#label-${CSS.escape(question.id)}`), question.label);
    if (question.help) reword(field.querySelector(".help"), question.help);
    const value = field.querySelector("output.read-only");
    if (value && value.textContent !== shownValue(question)) value.textContent = shownValue(question);
    // An answer higher on the same page may make it required, or no longer.
    if (question.required_when) needsAnswer(field, question, required(question, asked().kept));
  }
  const open = openPages();
  const at = open.indexOf(state.at) + 1;
  const sectioned = pageGroups()[state.at].section !== null;
  const bar = root.querySelector(".progress progress");
  bar.max = open.length;
  bar.value = at;
  root.querySelector(".progress span").textContent = say(
    sectioned ? "progress_section" : "progress",
    { at, of: open.length },
  );
  root.querySelector(".nav .primary").textContent = say(at === open.length ? "finish" : "next");
}

function needsAnswer(field, question, needed) {
  // What marks a question as required, kept in step with its required_when.
  const shown = field.querySelector(".required-note");
  if (shown) shown.hidden = !needed;
  const box = field.querySelector(`#answer-${CSS.escape(question.id)}`);
  if (!box) return;
  const group = box.getAttribute("role") === "group" || box.getAttribute("role") === "radiogroup";
  const note = `required-${question.id}`;
  if (group) {
    const described = (box.getAttribute("aria-describedby") || "").split(" ");
    const others = described.filter((id) => id && id !== note);
    const ids = needed ? [note, ...others] : others;
    if (ids.length) box.setAttribute("aria-describedby", ids.join(" "));
    else box.removeAttribute("aria-describedby");
  }
  if (needed && box.getAttribute("role") !== "group") box.setAttribute("aria-required", "true");
  else box.removeAttribute("aria-required");
}

function reword(element, texts) {
  const wording = piped(texts);
  if (element.textContent !== wording) element.textContent = wording; // a screen reader hears only a change
}

function relive() {
  // Relevance is re-evaluated as the respondent answers: a question appears or goes at once.
  keepPage();
  settle();
}

function thanksPage() {
  show(
    el("h1", { tabindex: "-1" }, say("thanks_title")),
    el("p", { role: "status" }, say("thanks")),
  );
}

function statusPage(message) {
  show(
    el("h1", { tabindex: "-1" }, text(spec.title)),
    el("p", { role: "status", class: "sending" }, message),
  );
}

// --- moving -------------------------------------------------------------------------------

function render(problems = {}) {
  if (state.language === null) return languagePage();
  if (state.population === null) return populationPage();
  if (data.requires_codes && state.token === null) return codePage();
  if (state.at < 0) return introductionPage();
  return questionPage(problems);
}

function next() {
  state.at = -1;
  render();
}

function go(at) {
  if (at >= 0 && !state.startedAt) state.startedAt = Date.now();
  state.at = at;
  render();
}

function keepPage() {
  // What the page's inputs hold goes into the answers. A question hidden by relevance keeps
  // its value (it comes back if the question does) but no longer counts: asked() leaves it.
  const page = pageGroups()[state.at];
  const values = {};
  for (const question of page.questions) {
    const value = read(question);
    if (value === undefined) delete state.answers[question.id];
    else state.answers[question.id] = value;
    values[question.id] = value;
  }
  return { page, values };
}

function back() {
  keepPage();
  const earlier = openPages().filter((at) => at < state.at);
  go(earlier.length ? earlier[earlier.length - 1] : -1);
}

function forward() {
  const { page, values } = keepPage();
  const now = asking();
  const problems = {};
  for (const question of page.questions) {
    if (!now.has(question.id)) continue;
    const problem = problemWith(question, values[question.id]);
    if (problem) problems[question.id] = problem;
  }
  if (Object.keys(problems).length) return render(problems);
  const later = openPages().find((at) => at > state.at);
  if (later !== undefined) return go(later);
  finish();
}

// --- sealing and sending ------------------------------------------------------------------

function base64(bytes) {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function fromBase64(text) {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

function today() {
  // The day only: no time of day is ever sealed.
  return new Date().toISOString().slice(0, 10);
}

let finishing = false;

async function finish() {
  // One response, one envelope: a second click on Finish must not seal a second one.
  if (finishing || localStorage.getItem(pendingKey)) return;
  finishing = true;
  statusPage(say("sending"));
  const response = {
    v: 1,
    answers: asked().kept,
    spec: spec.spec,
    language: state.language,
    population: state.population,
    country: data.country,
    region: data.region,
    completed_on: today(),
    duration_s: Math.max(0, Math.round((Date.now() - state.startedAt) / 1000)),
    complete: true,
  };
  const envelopeId = crypto.randomUUID();
  let sealed;
  try {
    // Deflated as the station deflates: the same bytes, so the same size, as a tablet's.
    const plaintext = await encodeResponseCompact(spec, response);
    const info = sealInfo(envelopeId, spec.spec, data.station_id, data.key_id);
    sealed = await sealBase(fromBase64(data.public_key), info, plaintext);
  } catch (error) {
    finishing = false;
    return render({ "": say("refused", { detail: error.message }) }); // still on the last page
  }
  // v5: the context binds the campaign's key id. A body kept from a page of before (no v)
  // is sent again as it is: the server reads it as v3.
  const body = {
    v: SITE_ENVELOPE_VERSION,
    envelope_id: envelopeId,
    spec: spec.spec,
    sealed: base64(sealed),
  };
  if (state.token) body.token = state.token;
  localStorage.setItem(pendingKey, JSON.stringify({ body, language: state.language }));
  // From here the answers are gone from memory: only the sealed envelope remains.
  state.answers = {};
  finishing = false;
  send();
}

let retryDelay = 2;

async function send() {
  const pending = JSON.parse(localStorage.getItem(pendingKey) || "null");
  if (!pending) return;
  if (pending.language) setLanguage(pending.language);
  statusPage(say("sending"));
  let answer;
  try {
    answer = await fetch(data.envelopes, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(pending.body),
      credentials: "omit",
      cache: "no-store",
    });
  } catch {
    return later(retryDelay);
  }
  if (answer.ok) {
    localStorage.removeItem(pendingKey);
    return thanksPage();
  }
  let problem = {};
  try {
    problem = await answer.json();
  } catch {
    problem = {};
  }
  if (answer.status === 429 || answer.status >= 500 || problem.retry) {
    return later(Number(answer.headers.get("Retry-After")) || retryDelay);
  }
  // Refused for good (closed campaign, conflict…): keeping it would only resend it.
  localStorage.removeItem(pendingKey);
  statusPage(say("refused", { detail: problem.title || answer.status }));
}

function later(seconds) {
  statusPage(say("retrying", { s: seconds }));
  retryDelay = Math.min(retryDelay * 2, 60);
  setTimeout(send, seconds * 1000);
}

// Inactivity: with answers on the page and no key or touch for idle_seconds, forget them.
for (const kind of ["pointerdown", "keydown", "input"]) {
  window.addEventListener(
    kind,
    () => {
      state.lastActivity = Date.now();
    },
    { capture: true },
  );
}
setInterval(() => {
  const answering = state.language !== null && !localStorage.getItem(pendingKey);
  if (answering && Date.now() - state.lastActivity > data.idle_seconds * 1000) {
    Object.assign(state, {
      language: null,
      answers: {},
      at: -1,
      startedAt: 0,
      token: null,
      population: data.populations.length === 1 ? data.populations[0] : null,
    });
    state.lastActivity = Date.now();
    render();
  }
}, 1000);

window.addEventListener("online", () => send());
if (localStorage.getItem(pendingKey)) send();
else render();
