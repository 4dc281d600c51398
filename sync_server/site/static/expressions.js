// The interpreter of `relevant` and `constraint` in the browser: the parsed trees of
// questionnaire_specs/expression_trees.py, evaluated with exactly the rules of
// questionnaire_specs/expressions.py (README "Expressions"). The browser never parses text.
//
// Values as Python has them: null (empty), booleans, integers as BigInt (Python's are
// exact at any size), floats as numbers, strings, arrays. In `answers`, a JavaScript number
// with an integral value is read as an integer, any other as a float; `new Float(x)` marks a
// float whose value happens to be integral (only string-length can tell them apart).

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

function fromAnswer(value) {
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
  if (typeof a === "bigint" && typeof b === "bigint") {
    if (op === "+") return a + b;
    if (op === "-") return a - b;
    if (op === "*") return a * b;
    if (op === "/") return b === 0n ? null : trueDivide(a, b);
  } else {
    a = toFloat(a);
    b = toFloat(b);
    if (op === "+") return a + b;
    if (op === "-") return a - b;
    if (op === "*") return a * b;
    if (op === "/") return b === 0 ? null : a / b;
  }
  throw new Error(`unknown operator ${op}`);
}

function selected(answer, code) {
  if (answer === null) return false;
  if (Array.isArray(answer)) return answer.some((item) => compare("=", item, code));
  return compare("=", answer, code);
}

function countSelected(answer) {
  if (answer === null) return 0n;
  return Array.isArray(answer) ? BigInt(answer.length) : 1n;
}

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
  if (value === null) return 0n;
  if (typeof value === "string") return BigInt(Array.from(value).length); // code points
  if (Array.isArray(value)) return BigInt(value.length);
  if (typeof value === "boolean") return value ? 4n : 5n; // "True", "False"
  if (typeof value === "bigint") {
    const digits = (value < 0n ? -value : value).toString().length;
    checkDigits(digits);
    return BigInt(digits + (value < 0n ? 1 : 0));
  }
  return BigInt(floatRepr(value).length);
}

function literal(tree) {
  if (tree[0] === "int") return BigInt(tree[1]);
  return tree[1] === "inf" ? Infinity : Number(tree[1]);
}

/** The value of a parsed tree over `answers` (an object or Map of question id to answer);
 * `current` is the answer a constraint checks (`.`). Throws EvaluationError where Python's
 * evaluator raises. */
export function evaluate(tree, answers, current = null) {
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
      const value = numeric(evaluate(tree[1], answers, current));
      return isNumber(value) ? -value : null;
    }
    case "not":
      return !truthy(evaluate(tree[1], answers, current));
    case "logic": {
      const left = truthy(evaluate(tree[2], answers, current));
      if (tree[1] === "and") return left && truthy(evaluate(tree[3], answers, current));
      return left || truthy(evaluate(tree[3], answers, current));
    }
    case "cmp":
      return compare(tree[1], evaluate(tree[2], answers, current), evaluate(tree[3], answers, current));
    case "arith":
      return arithmetic(tree[1], evaluate(tree[2], answers, current), evaluate(tree[3], answers, current));
    case "call": {
      const values = tree[2].map((arg) => evaluate(arg, answers, current));
      if (tree[1] === "selected") return selected(values[0], values[1]);
      if (tree[1] === "count-selected") return countSelected(values[0]);
      if (tree[1] === "string-length") return stringLength(values[0]);
      break;
    }
    default:
      break;
  }
  throw new Error(`not an expression tree node: ${kind}`);
}

/** As a condition (relevant, constraint): an empty result is false. */
export function isTrue(tree, answers, current = null) {
  return truthy(evaluate(tree, answers, current));
}
