// The interpreter of `relevant` and `constraint` in the browser: the parsed trees of
// questionnaire_specs/expression_trees.py, evaluated with exactly the rules of
// questionnaire_specs/expressions.py (README "Expressions"). The browser never parses text.
//
// Values as Python has them: null (empty), booleans, integers as BigInt (Python's are
// exact at any size), floats as numbers, strings, arrays. In `answers`, a JavaScript number
// with an integral value is read as an integer, any other as a float; `new Float(x)` marks a
// float whose value happens to be integral (2.0 + 1 is 3.0, 2 + 1 is 3: the kind is kept).
// `choices` (jr:choice-name) maps a choice question's id to its [code, label] pairs in the
// respondent's language: choicesFor(browserSpec, language) builds it from the page's spec.

export class EvaluationError extends Error {} // where Python raises (OverflowError, ValueError)

export class Float {
  constructor(value) {
    this.value = value;
  }
}

const MAX_STR_DIGITS = 4300; // Python's int <-> str conversion limit
const SMALL = 2n ** 53n;
// Python's str.strip() whitespace (str.isspace), which is not JavaScript's trim().
const SPACE = "\t\n\u000b\f\r\u001c\u001d\u001e\u001f \u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000";
const NUMBER = /^-?[0-9]+(\.[0-9]+)?$/;

export function fromAnswer(value) {
  if (value === undefined || value === null) return null;
  if (value instanceof Float) return value.value;
  if (typeof value === "number") return Number.isInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map(fromAnswer);
  return value; // string, boolean, bigint
}

function answerOf(answers, name) {
  if (answers instanceof Map) return fromAnswer(answers.get(name));
  return fromAnswer(Object.hasOwn(answers, name) ? answers[name] : null);
}

const isNumber = (v) => typeof v === "bigint" || typeof v === "number" || typeof v === "boolean";
const numeric = (v) => (typeof v === "boolean" ? (v ? 1n : 0n) : v); // Python: True is 1

export function truthy(value) {
  if (value === null || value === undefined) return false;
  if (typeof value === "bigint") return value !== 0n;
  if (typeof value === "number") return value !== 0; // NaN is true, as bool(nan) is
  if (typeof value === "string" || Array.isArray(value)) return value.length > 0;
  return Boolean(value);
}

function toFloat(value) {
  if (typeof value !== "bigint") return value;
  const converted = Number(value); // rounds to nearest, ties to even, as float(int)
  if (!Number.isFinite(converted)) throw new EvaluationError("int too large to convert to float");
  return converted;
}

function checkDigits(count) {
  if (count > MAX_STR_DIGITS) throw new EvaluationError("exceeds the integer string limit");
}

function stripped(text) {
  let start = 0;
  let end = text.length;
  while (start < end && SPACE.includes(text[start])) start++;
  while (end > start && SPACE.includes(text[end - 1])) end--;
  return text.slice(start, end);
}

function asNumber(text) {
  const t = stripped(text);
  if (!NUMBER.test(t)) return null;
  if (t.includes(".")) return Number(t);
  checkDigits(t.replace("-", "").length);
  return BigInt(t);
}

function comparable(left, right) {
  if (isNumber(left) && isNumber(right)) return [numeric(left), numeric(right)];
  if (typeof left === "string" && typeof right === "string") return [left, right];
  // The option code 1 and the text '1' (as imported XLSForms write it) are the same answer.
  if (isNumber(left) && typeof right === "string") {
    const converted = asNumber(right);
    return converted === null ? null : [numeric(left), converted];
  }
  if (typeof left === "string" && isNumber(right)) {
    const converted = asNumber(left);
    return converted === null ? null : [converted, numeric(right)];
  }
  return null;
}

function order(a, b) {
  // Python orders strings by code point, JavaScript by UTF-16 unit: they differ past U+FFFF.
  if (typeof a !== "string" || !(/[\ud800-\udfff]/.test(a) || /[\ud800-\udfff]/.test(b))) {
    return a < b ? -1 : a > b ? 1 : a == b ? 0 : NaN; // bigint/number: exact; NaN: unordered
  }
  const x = Array.from(a, (c) => c.codePointAt(0));
  const y = Array.from(b, (c) => c.codePointAt(0));
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

export function compare(op, left, right) {
  if (left === null || right === null) return false;
  const pair = comparable(left, right);
  if (pair === null) return op === "!=";
  const [a, b] = pair;
  if (op === "=") return typeof a === "string" ? a === b : a == b; // 1n == 1.0: exact
  if (op === "!=") return typeof a === "string" ? a !== b : a != b;
  const c = order(a, b);
  if (op === "<") return c < 0;
  if (op === "<=") return c <= 0;
  if (op === ">") return c > 0;
  if (op === ">=") return c >= 0;
  throw new Error(`unknown comparison ${op}`);
}

function bitLength(n) {
  return n === 0n ? 0 : n.toString(2).length;
}

function scaled(x, exponent) {
  let e = exponent;
  let v = x;
  while (e > 1000) (v *= 2 ** 1000), (e -= 1000);
  while (e < -1000) (v *= 2 ** -1000), (e += 1000);
  return v * 2 ** e;
}

function trueDivide(a, b) {
  // Python's int / int: correctly rounded. Small operands are exact doubles: divide them.
  const negative = a < 0n !== b < 0n;
  const n = a < 0n ? -a : a;
  const d = b < 0n ? -b : b;
  if (n <= SMALL && d <= SMALL) return Number(a) / Number(b);
  if (n === 0n) return negative ? -0 : 0;
  // A quotient of at least 66 bits with a sticky bit rounds once, correctly, in Number().
  const shift = 66 - (bitLength(n) - bitLength(d));
  let q;
  let exact;
  if (shift > 0) {
    const top = n << BigInt(shift);
    q = top / d;
    exact = q * d === top;
  } else {
    const bottom = d << BigInt(-shift);
    q = n / bottom;
    exact = q * bottom === n;
  }
  if (!exact) q |= 1n;
  const result = scaled(Number(q), -shift);
  if (!Number.isFinite(result)) throw new EvaluationError("integer division result too large");
  return negative ? -result : result;
}

export function arithmetic(op, left, right) {
  if (!(isNumber(left) && isNumber(right))) return null;
  let a = numeric(left);
  let b = numeric(right);
  // Python tests a zero divisor before it converts anything.
  if ((op === "/" || op === "mod") && (b === 0n || b === 0)) return null;
  if (typeof a === "bigint" && typeof b === "bigint") {
    if (op === "+") return a + b;
    if (op === "-") return a - b;
    if (op === "*") return a * b;
    if (op === "/") return trueDivide(a, b);
    if (op === "mod") return a % b; // truncated, the sign of the dividend: XPath's mod
  } else {
    a = toFloat(a);
    b = toFloat(b);
    if (op === "+") return a + b;
    if (op === "-") return a - b;
    if (op === "*") return a * b;
    if (op === "/") return a / b;
    if (op === "mod") return a % b; // C's fmod, as Python's math.fmod (NaN for Infinity)
  }
  throw new Error(`unknown operator ${op}`);
}

function selected(answer, code) {
  if (answer === null) return false;
  if (Array.isArray(answer)) return answer.some((item) => compare("=", item, code));
  return compare("=", answer, code);
}

function items(answer) {
  if (answer === null) return [];
  return Array.isArray(answer) ? answer : [answer];
}

function countSelected(answer) {
  return BigInt(items(answer).length);
}

function selectedAt(answer, index) {
  const position = indexOf(index);
  const chosen = items(answer);
  if (position === null || position < 0n || position >= BigInt(chosen.length)) return null;
  return chosen[Number(position)];
}

function isBlank(value) {
  return value === null || value === "" || (Array.isArray(value) && value.length === 0);
}

// --- conversions: the one text and the one number of any value ---------------------------

/** XPath's number(): text that reads as a number is one; null (XPath's NaN) otherwise. */
function numberOf(value) {
  if (typeof value === "boolean") return value ? 1n : 0n;
  if (typeof value === "bigint" || typeof value === "number") return value;
  if (typeof value === "string") return asNumber(value);
  return null;
}

function shortest(x) {
  // The shortest round-trip digits of |x| (as Python's repr) and the digits before the point.
  const [mantissa, exp] = Math.abs(x).toExponential().split("e");
  return [mantissa.replace(".", ""), Number(exp) + 1];
}

/** XPath's string() of a float: no exponent, no trailing ".0", the shortest digits. */
function floatText(x) {
  if (Number.isNaN(x)) return "NaN";
  if (!Number.isFinite(x)) return x > 0 ? "Infinity" : "-Infinity";
  if (x === 0) return "0";
  const sign = x < 0 ? "-" : "";
  const [digits, point] = shortest(x);
  if (point <= 0) return `${sign}0.${"0".repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${"0".repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

function intText(n) {
  checkDigits((n < 0n ? -n : n).toString().length);
  return n.toString();
}

/** XPath's string(): empty is '', true is 'true', 2.0 is '2', chosen codes '1 3'. */
export function text(value) {
  if (value === null) return "";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "bigint") return intText(value);
  if (typeof value === "number") return floatText(value);
  if (Array.isArray(value)) return value.map(text).join(" ");
  return value;
}

function indexOf(value) {
  const n = numberOf(value);
  if (n === null || (typeof n === "number" && !Number.isFinite(n))) return null;
  return typeof n === "bigint" ? n : BigInt(Math.trunc(n));
}

// --- numbers -------------------------------------------------------------------------------

const PLACES = 1000000n; // beyond this many places a rounding changes nothing or leaves 0

function roundNumber(value, places = 0n) {
  const number = numberOf(value);
  let count = indexOf(places);
  if (number === null || count === null) return null;
  count = Number(count > PLACES ? PLACES : count < -PLACES ? -PLACES : count);
  if (typeof number === "number" && (!Number.isFinite(number) || number === 0)) return number;
  if (typeof number === "bigint" && count >= 0) return number;
  const negative = number < 0;
  const [digits, point] =
    typeof number === "bigint" ? [intText(negative ? -number : number), null] : shortest(number);
  const before = point === null ? digits.length : point;
  const keep = before + count;
  if (keep >= digits.length) return number;
  let kept = keep > 0 ? BigInt(digits.slice(0, keep)) : 0n;
  if (keep >= 0) {
    const rest = digits.slice(keep);
    const tie = rest[0] === "5" && rest.slice(1).replace(/0/g, "") === "";
    if (rest[0] > "5" || (rest[0] === "5" && !tie) || (tie && !negative)) kept += 1n;
  }
  const exponent = before - Math.max(keep, 0);
  if (typeof number === "bigint") {
    const magnitude = kept * 10n ** BigInt(exponent);
    return negative ? -magnitude : magnitude;
  }
  return Number(`${negative ? "-" : ""}${kept}e${exponent}`);
}

function whole(value, how) {
  const n = numberOf(value);
  if (n === null || typeof n === "bigint") return n;
  if (how === "int") return Number.isFinite(n) ? BigInt(Math.trunc(n)) : null;
  if (!Number.isFinite(n)) return n;
  return (how === "floor" ? Math.floor(n) : Math.ceil(n)) + 0; // + 0: never -0, as Python
}

function absolute(value) {
  const n = numberOf(value);
  if (n === null) return null;
  if (typeof n === "bigint") return n < 0n ? -n : n;
  return Math.abs(n);
}

function extreme(values, how) {
  if (values.some((v) => v === null)) return null;
  const numbers = values.flatMap(items).map(numberOf);
  if (numbers.length === 0 || numbers.some((n) => n === null)) return null;
  if (numbers.some((n) => typeof n === "number" && Number.isNaN(n))) return NaN;
  let best = numbers[0];
  for (const n of numbers.slice(1)) if (how === "min" ? n < best : n > best) best = n;
  return best;
}

function total(value) {
  let result = 0n;
  for (const item of items(value)) {
    const n = numberOf(item);
    if (n === null) return null;
    result = arithmetic("+", result, n);
  }
  return result;
}

// --- text ----------------------------------------------------------------------------------

function clamp(index, length) {
  const n = BigInt(length);
  return Number(index < 0n ? 0n : index > n ? n : index);
}

function substring(value, start, ...end) {
  const characters = Array.from(text(value)); // code points, as Python's str
  const first = indexOf(start);
  const last = end.length ? indexOf(end[0]) : BigInt(characters.length);
  if (first === null || last === null) return null;
  return characters.slice(clamp(first, characters.length), clamp(last, characters.length)).join("");
}

function translated(value, source, target) {
  const replacement = new Map();
  const to = Array.from(text(target));
  Array.from(text(source)).forEach((character, position) => {
    if (!replacement.has(character)) replacement.set(character, position < to.length ? to[position] : "");
  });
  return Array.from(text(value), (c) => (replacement.has(c) ? replacement.get(c) : c)).join("");
}

export function choiceName(value, question, choices) {
  if (choices === null || choices === undefined) return null;
  const options = choices instanceof Map ? choices.get(question) : Object.hasOwn(choices, question) ? choices[question] : undefined;
  if (value === null || options === undefined || Array.isArray(value)) return null;
  for (const [code, label] of options) if (compare("=", fromAnswer(code), value)) return label;
  return null;
}

/** column('c') in a choice_filter: the column `c` of the option being filtered, which is
 * the expression's context item (`current`), as expressions.option_column reads it; `name`
 * is its code. Empty for a column it lacks, outside a choice_filter, or a non-literal name. */
function optionColumn(row, argument) {
  if (row === null || typeof row !== "object" || Array.isArray(row) || argument[0] !== "str") return null;
  return Object.hasOwn(row, argument[1]) ? fromAnswer(row[argument[1]]) : null;
}

/** jr:choice-name's context for a page: each choice question's [code, label] pairs in
 * `language`, from the browser spec (sync_server/site/browser_rules.py). */
export function choicesFor(browserSpec, language) {
  const fallback = browserSpec.languages[0].code;
  const label = (texts) => texts[language] || texts[fallback] || ""; // as Spec.text
  const choices = {};
  for (const question of browserSpec.questions) {
    const options = question.options ?? (question.scale ? browserSpec.scales[question.scale] : null);
    if (options) choices[question.id] = options.map((option) => [option.code, label(option.label)]);
  }
  return choices;
}

const patterns = new Map();

function regexOf(javascript) {
  if (!patterns.has(javascript)) patterns.set(javascript, new RegExp(javascript, "u"));
  return patterns.get(javascript);
}

const CHOICE_QUESTION = /^\$\{([A-Za-z][A-Za-z0-9_]*)\}$/;

/** Python's repr() of a float: the shortest round-trip digits, in Python's layout. */
export function floatRepr(x) {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const sign = x < 0 ? "-" : "";
  const [mantissa, exp] = Math.abs(x).toExponential().split("e");
  const digits = mantissa.replace(".", "");
  const e = Number(exp);
  const point = e + 1; // digits before the decimal point
  if (point <= -4 || point > 16) {
    const rest = digits.length > 1 ? `.${digits.slice(1)}` : "";
    const power = String(Math.abs(e)).padStart(2, "0");
    return `${sign}${digits[0]}${rest}e${e < 0 ? "-" : "+"}${power}`;
  }
  if (point <= 0) return `${sign}0.${"0".repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${"0".repeat(point - digits.length)}.0`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

function stringLength(value) {
  return BigInt(Array.from(text(value)).length); // code points, as Python's len
}

const ONE_ARGUMENT = {
  "count-selected": countSelected,
  "string-length": stringLength,
  number: numberOf,
  string: text,
  boolean: truthy,
  int: (v) => whole(v, "int"),
  floor: (v) => whole(v, "floor"),
  ceiling: (v) => whole(v, "ceiling"),
  abs: absolute,
  sum: total,
};

function call(name, args, value, choices) {
  // The branches that are not taken are not evaluated.
  if (name === "if") return truthy(value(args[0])) ? value(args[1]) : value(args[2]);
  if (name === "coalesce") {
    const first = value(args[0]);
    return isBlank(first) ? value(args[1]) : first;
  }
  if (name === "jr:choice-name") return choiceName(value(args[0]), CHOICE_QUESTION.exec(args[1][1])[1], choices);
  const values = args.map(value);
  if (Object.hasOwn(ONE_ARGUMENT, name)) return ONE_ARGUMENT[name](values[0]);
  switch (name) {
    case "selected":
      return selected(values[0], values[1]);
    case "selected-at":
      return selectedAt(values[0], values[1]);
    case "true":
      return true;
    case "false":
      return false;
    case "concat":
      return values.map(text).join("");
    case "contains":
      return text(values[0]).includes(text(values[1]));
    case "starts-with":
      return text(values[0]).startsWith(text(values[1]));
    case "ends-with":
      return text(values[0]).endsWith(text(values[1]));
    case "substr":
      return substring(...values);
    case "translate":
      return translated(...values);
    case "round":
      return roundNumber(...values);
    case "min":
    case "max":
      return extreme(values, name);
    default:
      throw new Error(`not an expression function: ${name}`);
  }
}

function literal(tree) {
  if (tree[0] === "int") return BigInt(tree[1]);
  return tree[1] === "inf" ? Infinity : Number(tree[1]);
}

/** The value of a parsed tree over `answers` (an object or Map of question id to answer);
 * `current` is the answer a constraint checks (`.`), `choices` what jr:choice-name reads
 * (choicesFor). Throws EvaluationError where Python's evaluator raises. */
export function evaluate(tree, answers, current = null, choices = null) {
  const value = (child) => evaluate(child, answers, current, choices);
  const kind = tree[0];
  switch (kind) {
    case "int":
    case "float":
      return literal(tree);
    case "str":
      return tree[1];
    case "ref":
      return answerOf(answers, tree[1]);
    case "current":
      return fromAnswer(current);
    case "neg": {
      const operand = numeric(value(tree[1]));
      return isNumber(operand) ? -operand : null;
    }
    case "not":
      return !truthy(value(tree[1]));
    case "logic": {
      const left = truthy(value(tree[2]));
      if (tree[1] === "and") return left && truthy(value(tree[3]));
      return left || truthy(value(tree[3]));
    }
    case "cmp":
      return compare(tree[1], value(tree[2]), value(tree[3]));
    case "arith":
      return arithmetic(tree[1], value(tree[2]), value(tree[3]));
    case "call":
      if (tree[1] === "column") return optionColumn(current, tree[2][0]);
      return call(tree[1], tree[2], value, choices);
    case "regex":
      return regexOf(tree[3]).test(text(value(tree[1])));
    default:
      break;
  }
  throw new Error(`not an expression tree node: ${kind}`);
}

/** As a condition (relevant, constraint): an empty result is false. */
export function isTrue(tree, answers, current = null, choices = null) {
  return truthy(evaluate(tree, answers, current, choices));
}
