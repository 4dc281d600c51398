"""The response decoder as it was before decoding in bulk (issue 16): a bit at a time, each
answer through the registry's lookups. Kept as the reference the fast decoder is checked
against (test_response_codec_fast_path.py); the unchanged per-tag readers are shared."""

from __future__ import annotations

import zlib
from datetime import timedelta
from typing import Any

from protocol import response_codec as codec
from protocol.response_codec import ResponseCodecError
from questionnaire_specs import Question, Spec
from questionnaire_specs.question_types import kind_of


class BitReader(codec._BitReader):
    def varint(self) -> int:  # the former one: its continuation bit read on its own
        number, shift = 0, 0
        while True:
            more = self.read(1)
            number |= self.read(7) << shift
            shift += 7
            if not more:
                return number
            if shift > 63:
                raise ResponseCodecError("a varint is too long")


def _read_options(reader: BitReader, spec: Spec, question: Question) -> Any:
    return [code for code in spec.option_codes(question) if reader.read(1)]


READERS = {**codec._READERS, "options": _read_options}


def decode_response(spec: Spec, data: bytes) -> dict[str, Any]:
    if len(data) < 2 or data[0] != codec.FORMAT_VERSION:
        raise ResponseCodecError("not a version 1 response")
    flags, body = data[1], data[2:]
    if flags & ~(codec._COMPLETE | codec._DEFLATED | codec._BEFORE_EPOCH):
        raise ResponseCodecError("unknown flags")
    if flags & codec._DEFLATED:
        inflater = zlib.decompressobj(-15)
        try:
            body = inflater.decompress(body, codec.MAX_DECODED_BYTES)
        except zlib.error as error:
            raise ResponseCodecError(f"the response does not inflate: {error}") from None
        if inflater.unconsumed_tail or not inflater.eof:
            raise ResponseCodecError("the response is truncated or too large")
    reader = BitReader(body)
    languages = spec.language_codes
    populations = [p.id for p in spec.populations]
    language, population = reader.varint(), reader.varint()
    if language >= len(languages) or population >= len(populations):
        raise ResponseCodecError("language or population index out of range")
    days, duration = reader.varint(), reader.varint()
    before = bool(flags & codec._BEFORE_EPOCH)
    if days > (codec._DAYS_BEFORE if before else codec._DAYS_AFTER) or (before and days == 0):
        raise ResponseCodecError("the completion date is out of range")
    epoch = codec.EPOCH
    completed_on = epoch - timedelta(days=days) if before else epoch + timedelta(days=days)
    try:
        country = reader.raw(200).decode("utf-8")
        region = reader.raw(800).decode("utf-8")
    except UnicodeDecodeError:
        raise ResponseCodecError("country or region is not UTF-8") from None
    answers: dict[str, Any] = {}
    for question in codec.answered_questions(spec, populations[population]):
        if reader.read(1):
            tag = kind_of(question).wire(question)
            answers[question.id] = READERS[tag](reader, spec, question)  # type: ignore[index]
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
        "complete": bool(flags & codec._COMPLETE),
    }
