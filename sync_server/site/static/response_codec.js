// The sealed response's bytes, as protocol/response_codec.py writes them (its docstring has
// the layout): a bit stream driven by the browser spec (sync_server/site/browser_rules.py),
// answers in the spec's question order, choices as option indices, multiple choices as bit
// masks. encodeResponseCompact (what the site seals) deflates with the browser's
// CompressionStream when that is smaller, as the station does: zlib's raw DEFLATE at its
// default level on both sides, so the bytes, and the envelope's size, are the station's.
// encodeResponse never deflates (the processor reads either).

const FORMAT_VERSION = 1;
const COMPLETE = 0x01;
const DEFLATED = 0x02;
const BEFORE_EPOCH = 0x04;
const DAY_MS = 86400000;
const EPOCH_MS = Date.UTC(2000, 0, 1);

export class ResponseCodecError extends Error {}

class BitWriter {
  constructor() {
    this.bytes = [];
    this.acc = 0;
    this.count = 0;
  }
  bit(b) {
    this.acc = (this.acc << 1) | b;
    if (++this.count === 8) {
      this.bytes.push(this.acc);
      this.acc = 0;
      this.count = 0;
    }
  }
  write(number, width) {
    for (let i = width - 1; i >= 0; i--) this.bit(Math.floor(number / 2 ** i) % 2);
  }
  varint(number) {
    let n = BigInt(number);
    if (n < 0n) throw new ResponseCodecError("a varint cannot be negative");
    do {
      const group = Number(n & 0x7fn);
      n >>= 7n;
      this.bit(n ? 1 : 0);
      this.write(group, 7);
    } while (n);
  }
  raw(data) {
    this.varint(data.length);
    for (const byte of data) this.write(byte, 8);
  }
  toBytes() {
    const out = this.bytes.slice();
    if (this.count) out.push(this.acc << (8 - this.count));
    return Uint8Array.from(out);
  }
}

function utf8(value, what) {
  if (typeof value !== "string") throw new ResponseCodecError(`${what}: not text`);
  // Python cannot encode a lone surrogate; TextEncoder would quietly write U+FFFD.
  if (/\p{Surrogate}/u.test(value)) throw new ResponseCodecError(`${what}: not valid Unicode`);
  return new TextEncoder().encode(value);
}

function width(count) {
  return count <= 2 ? 1 : (count - 1).toString(2).length; // Python's max(1, bit_length)
}

function index(items, value, what) {
  const found = items.indexOf(value); // === : the code 1 and the text "1" differ
  if (found < 0) throw new ResponseCodecError(`${what} is not in the spec`); // never the value
  return found;
}

export function optionsOf(browserSpec, question) {
  if (question.type === "likert") return browserSpec.scales[question.scale] || [];
  return question.options || [];
}

// Types whose value never travels (questionnaire_specs/question_types.py: no wire tag): a
// note has none; a calculation is worked out again by the processor, so it is left out, and
// so is a read_only question (question_types.wire_tag).
const NOT_CARRIED = new Set(["note", "calculate"]);

function mine(browserSpec, population) {
  return browserSpec.questions.filter((q) => !q.populations || q.populations.includes(population));
}

/** The questions whose answers a response of `population` carries, in spec order. */
export function answeredQuestions(browserSpec, population) {
  return mine(browserSpec, population).filter((q) => !NOT_CARRIED.has(q.type) && !q.read_only);
}

function days(isoDate) {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate ?? "");
  if (!match) throw new ResponseCodecError("completed_on: not a YYYY-MM-DD date");
  const [year, month, day] = match.slice(1).map(Number);
  const at = new Date(0);
  at.setUTCFullYear(year, month - 1, day); // Date.UTC would read year 0099 as 1999
  if (year < 1 || at.getUTCFullYear() !== year || at.getUTCMonth() !== month - 1) {
    throw new ResponseCodecError("completed_on: no such date");
  }
  return Math.round((at.getTime() - EPOCH_MS) / DAY_MS);
}

function isoDays(value, where) {
  try {
    return days(value);
  } catch {
    throw new ResponseCodecError(`${where}: not a YYYY-MM-DD date`); // never the value
  }
}

function writeAnswer(writer, browserSpec, question, value) {
  const where = question.id;
  if (question.type === "date") {
    const n = BigInt(isoDays(value, where));
    writer.varint(n >= 0n ? n * 2n : -n * 2n - 1n); // zigzag days from 2000-01-01
    return;
  }
  if (question.type === "range") {
    const low = question.min, high = question.max, step = question.step ?? 1;
    if (!Number.isSafeInteger(value) || value < low || value > high || (value - low) % step) {
      throw new ResponseCodecError(`${where}: not a step of its range`);
    }
    writer.write((value - low) / step, width((high - low) / step + 1));
    return;
  }
  if (question.type === "single_choice" || question.type === "likert") {
    const codes = optionsOf(browserSpec, question).map((o) => o.code);
    writer.write(index(codes, value, `${where}: code`), width(codes.length));
  } else if (question.type === "multi_choice") {
    if (!Array.isArray(value)) throw new ResponseCodecError(`${where}: a multiple choice answer is a list`);
    const codes = optionsOf(browserSpec, question).map((o) => o.code);
    const chosen = new Set(value.map((code) => index(codes, code, `${where}: code`)));
    for (let i = 0; i < codes.length; i++) writer.bit(chosen.has(i) ? 1 : 0);
  } else if (question.type === "rank") {
    if (!Array.isArray(value)) throw new ResponseCodecError(`${where}: a rank answer is a list`);
    const codes = optionsOf(browserSpec, question).map((o) => o.code);
    const numbers = value.map((code) => index(codes, code, `${where}: code`));
    if (new Set(numbers).size !== numbers.length) {
      throw new ResponseCodecError(`${where}: an option is ranked twice`);
    }
    writer.write(numbers.length, width(codes.length + 1)); // how many, then first-ranked first
    for (const number of numbers) writer.write(number, width(codes.length));
  } else if (question.type === "number" && question.integer) {
    if (!(typeof value === "bigint" || Number.isSafeInteger(value))) {
      throw new ResponseCodecError(`${where}: not a whole number`);
    }
    const n = BigInt(value);
    writer.varint(n >= 0n ? n * 2n : -n * 2n - 1n); // zigzag
  } else if (question.type === "number") {
    if (typeof value !== "number" || !Number.isFinite(value)) {
      throw new ResponseCodecError(`${where}: not a finite number`);
    }
    const view = new DataView(new ArrayBuffer(8));
    view.setFloat64(0, value); // big-endian IEEE 754 binary64, as struct.pack(">d")
    for (let i = 0; i < 8; i++) writer.write(view.getUint8(i), 8);
  } else {
    writer.raw(utf8(value, where));
  }
}

function checkFields(browserSpec, response) {
  const mine = browserSpec.spec;
  const theirs = response.spec || {};
  if (theirs.id !== mine.id || theirs.version !== mine.version || theirs.sha256 !== mine.sha256) {
    throw new ResponseCodecError("the response names another spec");
  }
  if (!Number.isSafeInteger(response.duration_s) || response.duration_s < 0) {
    throw new ResponseCodecError("duration_s: a whole number of seconds, at least 0");
  }
  if (typeof response.complete !== "boolean") throw new ResponseCodecError("complete: true or false");
}

function body(browserSpec, response) {
  checkFields(browserSpec, response);
  const writer = new BitWriter();
  const languages = browserSpec.languages.map((l) => l.code);
  writer.varint(index(languages, response.language, "language"));
  const populations = browserSpec.populations.map((p) => p.id);
  writer.varint(index(populations, response.population, "population"));
  const dayCount = days(response.completed_on);
  writer.varint(Math.abs(dayCount));
  writer.varint(response.duration_s);
  writer.raw(utf8(response.country, "country"));
  writer.raw(utf8(response.region, "region"));
  const answers = response.answers || {};
  const questions = answeredQuestions(browserSpec, response.population);
  // A calculated value may be held, and stays behind.
  const held = mine(browserSpec, response.population).filter((q) => q.type !== "note");
  const asked = new Set(held.map((q) => q.id));
  const unknown = Object.keys(answers).filter((id) => !asked.has(id)).sort();
  if (unknown.length) throw new ResponseCodecError(`answers to questions not asked: ${unknown}`);
  for (const question of questions) {
    const value = answers[question.id];
    const present = value !== null && value !== undefined;
    writer.bit(present ? 1 : 0);
    if (present) writeAnswer(writer, browserSpec, question, value);
  }
  const flags = (response.complete ? COMPLETE : 0) | (dayCount < 0 ? BEFORE_EPOCH : 0);
  return { flags, bits: writer.toBytes() };
}

/** The plaintext to seal for `response` ({answers, spec, language, population, country,
 * region, completed_on, duration_s, complete}), never deflated: the station's bytes
 * whenever the station does not deflate either. */
export function encodeResponse(browserSpec, response) {
  const { flags, bits } = body(browserSpec, response);
  return framed(flags, bits);
}

function framed(flags, bytes) {
  const out = new Uint8Array(2 + bytes.length);
  out.set([FORMAT_VERSION, flags]);
  out.set(bytes, 2);
  return out;
}

/** As encodeResponse, deflated (raw DEFLATE) when that is smaller, as the station does.
 * Byte-identical to the station's where the browser's deflater is zlib's algorithm at its
 * default level, as Chromium's CompressionStream is (protocol/response_codec.py deflates at
 * that level for this reason; test_compressed_identity_js.py holds Chromium to it). Other
 * engines are not tested here: a deflater that is not zlib's at level 6 (zlib-ng, Apple's
 * Compression) writes other bytes of about the same size, which the processor reads alike. */
export async function encodeResponseCompact(browserSpec, response) {
  const { flags, bits } = body(browserSpec, response);
  const stream = new Blob([bits]).stream().pipeThrough(new CompressionStream("deflate-raw"));
  const deflated = new Uint8Array(await new Response(stream).arrayBuffer());
  return deflated.length < bits.length ? framed(flags | DEFLATED, deflated) : framed(flags, bits);
}
