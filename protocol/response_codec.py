"""The sealed response's bytes: a compact encoding driven by the spec both sides hold.

Every envelope names its spec identity (and HPKE binds it through `info`), and station and
server hold that exact spec, so the answers need not carry their question ids: they are
written in the spec's question order, each in as few bits as its type needs — a choice is
an index into its options, a multiple choice a bit mask. A 60-answer CIPS response is about
60 bytes before sealing instead of about 550 as compressed JSON, which is what keeps the
wire within 1.2x of plain compressed JSON (bench/wire.py).

Layout (docs/protocol.md):
    byte 0      format version (1)
    byte 1      flags: bit 0 complete, bit 1 the rest is raw DEFLATE (used when smaller),
                bit 2 completed_on is before 2000-01-01 (its varint counts days back)
    rest        a bit stream, most significant bit first:
                varint language index, varint population index,
                varint completed_on (days from 2000-01-01), varint duration_s,
                text country, text region,
                then for every question of the population whose type has a wire tag
                (questionnaire_specs/question_types.py), in spec order:
                1 presence bit, and if present the answer, by the tag:
                  option   (single_choice, likert)  index into the options, in
                                                    width(len(options)) bits
                  options  (multi_choice)           one bit per option, in option order
                  ranks    (rank)                   how many are ranked, in
                                                    width(len(options) + 1) bits, then each
                                                    ranked option's index, first-ranked
                                                    first, in width(len(options)) bits
                  zigzag   (number, integer)        zigzag varint
                  float64  (number, decimal)        IEEE 754 binary64
                  utf8     (text)                   varint byte length, then UTF-8 bytes
                  day      (date)                   zigzag varint of days from 2000-01-01
                  step     (range)                  (answer - min) / step, in
                                                    width(steps + 1) bits
                zero bits to the byte boundary. A calculate question has no tag: the
                processor works its value out again from the answers.
A varint is 7-bit groups, low group first, each preceded by a continuation bit.
"""

from __future__ import annotations

import math
import struct
import zlib
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import Any

from questionnaire_specs import Question, Spec
from questionnaire_specs.once_per_spec import once_per_spec
from questionnaire_specs.question_types import parse_date, range_bounds, wire_tag

FORMAT_VERSION = 1
_COMPLETE = 0x01
_DEFLATED = 0x02
# A tablet whose clock battery went flat says 1970: the response is sealed all the same
# (the processor judges the date), so dates before the epoch count backwards.
_BEFORE_EPOCH = 0x04
EPOCH = date(2000, 1, 1)
_DAYS_AFTER = (date.max - EPOCH).days
_DAYS_BEFORE = (EPOCH - date.min).days
MAX_TEXT_BYTES = 64 * 1024
MAX_DECODED_BYTES = 256 * 1024
EARLY_END = "the response ends too early"


class ResponseCodecError(ValueError):
    """Bytes that are not a response to this spec, or a response that cannot be encoded."""


def _width(count: int) -> int:
    return max(1, (count - 1).bit_length())


class _BitWriter:
    def __init__(self) -> None:
        self.value = 0
        self.bits = 0

    def write(self, number: int, width: int) -> None:
        self.value = (self.value << width) | number
        self.bits += width

    def varint(self, number: int) -> None:
        if number < 0:
            raise ResponseCodecError("a varint cannot be negative")
        while True:
            group, number = number & 0x7F, number >> 7
            self.write(1 if number else 0, 1)
            self.write(group, 7)
            if not number:
                return

    def raw(self, data: bytes) -> None:
        self.varint(len(data))
        if data:
            self.write(int.from_bytes(data, "big"), 8 * len(data))

    def to_bytes(self) -> bytes:
        padding = -self.bits % 8
        return (self.value << padding).to_bytes((self.bits + padding) // 8, "big")


class _BitReader:
    def __init__(self, data: bytes) -> None:
        self.value = int.from_bytes(data, "big")
        self.remaining = 8 * len(data)

    def read(self, width: int) -> int:
        if width > self.remaining:
            raise ResponseCodecError(EARLY_END)
        self.remaining -= width
        return (self.value >> self.remaining) & ((1 << width) - 1)

    def varint(self) -> int:
        # Each group is its continuation bit and 7 bits: read as one 8-bit field.
        number, shift = 0, 0
        while True:
            group = self.read(8)
            number |= (group & 0x7F) << shift
            shift += 7
            if not group & 0x80:
                return number
            if shift > 63:
                raise ResponseCodecError("a varint is too long")

    def raw(self, limit: int) -> bytes:
        length = self.varint()
        if length > limit:
            raise ResponseCodecError("a text is longer than any answer may be")
        return self.read(8 * length).to_bytes(length, "big") if length else b""

    def finish(self) -> None:
        if self.remaining >= 8 or self.read(self.remaining) != 0:
            raise ResponseCodecError("the response has trailing bytes")


def _zigzag(number: int) -> int:
    return number * 2 if number >= 0 else -number * 2 - 1


def _unzigzag(number: int) -> int:
    return number // 2 if number % 2 == 0 else -(number + 1) // 2


def answered_questions(spec: Spec, population: str) -> list[Question]:
    """The questions whose answers travel, in spec order."""
    return [q for q in spec.questions_for(population) if wire_tag(q) is not None]


def _index(items: Sequence[Any], value: Any, what: str) -> int:
    for number, item in enumerate(items):
        if item == value and type(item) is type(value):
            return number
    # The value itself is never quoted: it may be an answer.
    raise ResponseCodecError(f"{what} is not in the spec")


def _write_option(writer: _BitWriter, spec: Spec, question: Question, value: Any) -> None:
    codes = spec.option_codes(question)
    writer.write(_index(codes, value, f"{question.id}: code"), _width(len(codes)))


def _read_option(reader: _BitReader, spec: Spec, question: Question) -> Any:
    codes = spec.option_codes(question)
    number = reader.read(_width(len(codes)))
    if number >= len(codes):
        raise ResponseCodecError(f"{question.id}: option index out of range")
    return codes[number]


def _write_options(writer: _BitWriter, spec: Spec, question: Question, value: Any) -> None:
    codes = spec.option_codes(question)
    if not isinstance(value, list):
        raise ResponseCodecError(f"{question.id}: a multiple choice answer is a list")
    chosen = {_index(codes, code, f"{question.id}: code") for code in value}
    for number in range(len(codes)):
        writer.write(1 if number in chosen else 0, 1)


def _read_options(reader: _BitReader, spec: Spec, question: Question) -> Any:
    # The whole mask at once, first option in its highest bit.
    codes = spec.option_codes(question)
    mask = reader.read(len(codes)) if codes else 0
    top = len(codes) - 1
    return [code for number, code in enumerate(codes) if mask >> (top - number) & 1]


def _write_ranks(writer: _BitWriter, spec: Spec, question: Question, value: Any) -> None:
    codes = spec.option_codes(question)
    if not isinstance(value, list):
        raise ResponseCodecError(f"{question.id}: a rank answer is a list")
    numbers = [_index(codes, code, f"{question.id}: code") for code in value]
    if len(set(numbers)) != len(numbers):
        raise ResponseCodecError(f"{question.id}: an option is ranked twice")
    writer.write(len(numbers), _width(len(codes) + 1))
    for number in numbers:
        writer.write(number, _width(len(codes)))


def _read_ranks(reader: _BitReader, spec: Spec, question: Question) -> Any:
    codes = spec.option_codes(question)
    count = reader.read(_width(len(codes) + 1))
    numbers = [reader.read(_width(len(codes))) for _ in range(min(count, len(codes)))]
    if count > len(codes) or any(number >= len(codes) for number in numbers):
        raise ResponseCodecError(f"{question.id}: rank index out of range")
    if len(set(numbers)) != len(numbers):
        raise ResponseCodecError(f"{question.id}: an option is ranked twice")
    return [codes[number] for number in numbers]


def _write_zigzag(writer: _BitWriter, _spec: Spec, question: Question, value: Any) -> None:
    if type(value) is not int:
        raise ResponseCodecError(f"{question.id}: not a whole number")
    writer.varint(_zigzag(value))


def _read_zigzag(reader: _BitReader, _spec: Spec, _question: Question) -> Any:
    return _unzigzag(reader.varint())


def _write_float64(writer: _BitWriter, _spec: Spec, question: Question, value: Any) -> None:
    if type(value) not in (int, float) or not math.isfinite(value):
        raise ResponseCodecError(f"{question.id}: not a finite number")
    writer.write(int.from_bytes(struct.pack(">d", float(value)), "big"), 64)


def _read_float64(reader: _BitReader, _spec: Spec, _question: Question) -> Any:
    return struct.unpack(">d", reader.read(64).to_bytes(8, "big"))[0]


def _write_utf8(writer: _BitWriter, _spec: Spec, question: Question, value: Any) -> None:
    if not isinstance(value, str):
        raise ResponseCodecError(f"{question.id}: not text")
    writer.raw(value.encode("utf-8"))


def _read_utf8(reader: _BitReader, _spec: Spec, question: Question) -> Any:
    try:
        return reader.raw(MAX_TEXT_BYTES).decode("utf-8")
    except UnicodeDecodeError:
        raise ResponseCodecError(f"{question.id}: the text is not UTF-8") from None


def _write_day(writer: _BitWriter, _spec: Spec, question: Question, value: Any) -> None:
    day = parse_date(value)
    if day is None:
        raise ResponseCodecError(f"{question.id}: not a YYYY-MM-DD date")
    writer.varint(_zigzag((day - EPOCH).days))


def _read_day(reader: _BitReader, _spec: Spec, question: Question) -> Any:
    days = _unzigzag(reader.varint())
    if not -_DAYS_BEFORE <= days <= _DAYS_AFTER:
        raise ResponseCodecError(f"{question.id}: the date is out of range")
    return (EPOCH + timedelta(days=days)).isoformat()


def _write_step(writer: _BitWriter, _spec: Spec, question: Question, value: Any) -> None:
    low, high, step = range_bounds(question)
    if type(value) is not int or not low <= value <= high or (value - low) % step:
        raise ResponseCodecError(f"{question.id}: not a step of its range")
    writer.write((value - low) // step, _width((high - low) // step + 1))


def _read_step(reader: _BitReader, _spec: Spec, question: Question) -> Any:
    low, high, step = range_bounds(question)
    count = (high - low) // step + 1
    number = reader.read(_width(count))
    if number >= count:
        raise ResponseCodecError(f"{question.id}: the step is out of range")
    return low + number * step


# Each wire tag of the question-type registry: how its answer is written and read.
_WRITERS = {
    "option": _write_option,
    "options": _write_options,
    "ranks": _write_ranks,
    "zigzag": _write_zigzag,
    "float64": _write_float64,
    "utf8": _write_utf8,
    "day": _write_day,
    "step": _write_step,
}
_READERS = {
    "option": _read_option,
    "options": _read_options,
    "ranks": _read_ranks,
    "zigzag": _read_zigzag,
    "float64": _read_float64,
    "utf8": _read_utf8,
    "day": _read_day,
    "step": _read_step,
}


def _write_answer(writer: _BitWriter, spec: Spec, question: Question, value: Any) -> None:
    _WRITERS[wire_tag(question)](writer, spec, question, value)  # type: ignore[index]


def _reader_source(spec: Spec, population: str, names: dict[str, Any]) -> str:
    """The text of one population's answer reader: per answered question in spec order, its
    presence bit and, for a single choice, its index read straight off the stream's integer
    (they are most of a response; a loop over field records and a method call for each was
    most of the decoder's time), any other tag through its reader. Widths and counts are
    written in as numbers; ids, codes, readers and messages are constants in `names`."""
    names.update(E=ResponseCodecError, EARLY=EARLY_END, SPEC=spec)
    lines = [
        "def read(reader):",
        "    answers = {}",
        "    value, remaining = reader.value, reader.remaining",
    ]
    for number, question in enumerate(answered_questions(spec, population)):
        tag = wire_tag(question)
        names[f"I{number}"] = question.id
        lines += [
            "    if not remaining:",
            "        raise E(EARLY)",
            "    remaining -= 1",
            "    if (value >> remaining) & 1:",
        ]
        if tag == "option":
            codes = spec.option_codes(question)
            width = _width(len(codes))
            names[f"C{number}"] = codes
            names[f"M{number}"] = f"{question.id}: option index out of range"
            lines += [
                f"        if remaining < {width}:",
                "            raise E(EARLY)",
                f"        remaining -= {width}",
                f"        n = (value >> remaining) & {(1 << width) - 1}",
                f"        if n >= {len(codes)}:",
                f"            raise E(M{number})",
                f"        answers[I{number}] = C{number}[n]",
            ]
        else:
            names[f"R{number}"], names[f"Q{number}"] = _READERS[tag], question  # type: ignore[index]
            lines += [
                "        reader.remaining = remaining",
                f"        answers[I{number}] = R{number}(reader, SPEC, Q{number})",
                "        remaining = reader.remaining",
            ]
    lines += ["    reader.remaining = remaining", "    return answers"]
    return "\n".join(lines) + "\n"


@once_per_spec
def _answer_readers(spec: Spec) -> dict[str, Callable[[_BitReader], dict[str, Any]]]:
    """population id -> the compiled reader of its answers."""
    readers = {}
    for population in spec.populations:
        names: dict[str, Any] = {}
        source = _reader_source(spec, population.id, names)
        exec(compile(source, f"<answer reader of {spec.id} {population.id}>", "exec"), names)  # noqa: S102 - the text is ours, the spec's content only constants
        readers[population.id] = names["read"]
    return readers


def _read_answers(reader: _BitReader, spec: Spec, population: str) -> dict[str, Any]:
    """Every answer of the stream, in spec order."""
    return _answer_readers(spec)[population](reader)


def encode_response(spec: Spec, response: dict[str, Any]) -> bytes:
    """The bytes to seal for `response` (the fields of docs/protocol.md's sealed response)."""
    population = response["population"]
    writer = _BitWriter()
    writer.varint(_index(spec.language_codes, response["language"], "language"))
    writer.varint(_index([p.id for p in spec.populations], population, "population"))
    days = (date.fromisoformat(response["completed_on"]) - EPOCH).days
    writer.varint(abs(days))
    writer.varint(int(response["duration_s"]))
    writer.raw(response["country"].encode("utf-8"))
    writer.raw(response["region"].encode("utf-8"))
    answers = response["answers"]
    questions = answered_questions(spec, population)
    # A calculated value stays behind: the processor works it out again.
    held = {q.id for q in spec.questions_for(population) if q.is_answered}
    unknown = set(answers) - held
    if unknown:
        raise ResponseCodecError(f"answers to questions not asked: {sorted(unknown)}")
    for question in questions:
        value = answers.get(question.id)
        writer.write(0 if value is None else 1, 1)
        if value is not None:
            _write_answer(writer, spec, question, value)
    body = writer.to_bytes()
    flags = (_COMPLETE if response["complete"] else 0) | (_BEFORE_EPOCH if days < 0 else 0)
    # zlib's default level (6), the one a browser's CompressionStream uses: the online site
    # then seals these very bytes, so an envelope's size does not tell the channel apart
    # (sync_server/site/static/response_codec.js; tests/sync_server/site/browser_kit).
    packer = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
    deflated = packer.compress(body) + packer.flush()
    if len(deflated) < len(body):  # free text compresses; bit-packed codes do not
        flags, body = flags | _DEFLATED, deflated
    return bytes([FORMAT_VERSION, flags]) + body


def decode_response(spec: Spec, data: bytes) -> dict[str, Any]:
    """The response dict back from sealed bytes, checked against the spec's shape."""
    if len(data) < 2 or data[0] != FORMAT_VERSION:
        raise ResponseCodecError("not a version 1 response")
    flags, body = data[1], data[2:]
    if flags & ~(_COMPLETE | _DEFLATED | _BEFORE_EPOCH):
        raise ResponseCodecError("unknown flags")
    if flags & _DEFLATED:
        inflater = zlib.decompressobj(-15)
        try:
            body = inflater.decompress(body, MAX_DECODED_BYTES)
        except zlib.error as error:
            raise ResponseCodecError(f"the response does not inflate: {error}") from None
        if inflater.unconsumed_tail or not inflater.eof:
            raise ResponseCodecError("the response is truncated or too large")
    reader = _BitReader(body)
    languages = spec.language_codes
    populations = [p.id for p in spec.populations]
    language, population = reader.varint(), reader.varint()
    if language >= len(languages) or population >= len(populations):
        raise ResponseCodecError("language or population index out of range")
    days, duration = reader.varint(), reader.varint()
    before = bool(flags & _BEFORE_EPOCH)
    if days > (_DAYS_BEFORE if before else _DAYS_AFTER) or (before and days == 0):
        raise ResponseCodecError("the completion date is out of range")
    completed_on = EPOCH - timedelta(days=days) if before else EPOCH + timedelta(days=days)
    try:
        country = reader.raw(200).decode("utf-8")
        region = reader.raw(800).decode("utf-8")
    except UnicodeDecodeError:
        raise ResponseCodecError("country or region is not UTF-8") from None
    answers = _read_answers(reader, spec, populations[population])
    reader.finish()
    return {
        "v": 1,
        "answers": answers,
        "spec": spec.identity.as_dict(),
        "language": languages[language],
        "population": populations[population],
        "country": country,
        "region": region,
        "completed_on": completed_on.isoformat(),
        "duration_s": duration,
        "complete": bool(flags & _COMPLETE),
    }
