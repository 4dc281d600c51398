"""The console's form posts: small urlencoded bodies, and the USB import's files as
multipart/form-data, each read with a bound."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qs

from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import Request

MAX_FORM_BYTES = 16 * 1024
MAX_FIELDS = 20


class FormRefused(ValueError):
    """Not a form this console sent: too large, not urlencoded, or not text."""


class UploadTooLarge(FormRefused):
    """An upload past the console's bound: said so, not taken for a forged form."""


async def read_form(request: Request) -> dict[str, str]:
    """Each field's first value (the console's forms never repeat a name)."""
    kind = (request.headers.get("content-type") or "").split(";", 1)[0].strip().lower()
    if kind != "application/x-www-form-urlencoded":
        raise FormRefused("a console form is sent urlencoded")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_FORM_BYTES:
            raise FormRefused("the form is larger than any the console sends")
        chunks.append(chunk)
    try:
        text = b"".join(chunks).decode("ascii")
        fields = parse_qs(text, max_num_fields=MAX_FIELDS, errors="strict")
    except (UnicodeDecodeError, ValueError):
        raise FormRefused("the form is not urlencoded text") from None
    if any("\x00" in value for values in fields.values() for value in values):
        raise FormRefused("the form holds a NUL character")
    return {name: values[0] for name, values in fields.items()}


@dataclass(frozen=True)
class FormBody:
    """A posted form: its text fields, and the files it carried (name, bytes) in order."""

    fields: dict[str, str]
    files: list[tuple[str, bytes]] = field(default_factory=list)


FormReader = Callable[[Request], Awaitable[FormBody]]


async def read_text_form(request: Request) -> FormBody:
    return FormBody(await read_form(request))


def upload_reader(*, max_files: int, max_bytes: int) -> FormReader:
    """A reader of a multipart form of at most `max_files` files and `max_bytes` in all
    (the body is cut off as soon as it passes the bound, never read whole first)."""

    async def read(request: Request) -> FormBody:
        kind = (request.headers.get("content-type") or "").split(";", 1)[0].strip().lower()
        if kind != "multipart/form-data":
            raise FormRefused("an upload is sent as multipart/form-data")
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            raise UploadTooLarge("the upload is larger than the console takes at once")

        async def bounded() -> AsyncIterator[bytes]:
            size = 0
            async for chunk in request.stream():
                size += len(chunk)
                if size > max_bytes:
                    raise UploadTooLarge("the upload is larger than the console takes at once")
                yield chunk

        parser = MultiPartParser(
            request.headers, bounded(), max_files=max_files, max_fields=MAX_FIELDS,
            max_part_size=MAX_FORM_BYTES,
        )  # fmt: skip
        try:
            parsed = await parser.parse()
        except MultiPartException as error:
            if error.message.startswith("Too many files"):
                raise UploadTooLarge(error.message) from None
            message = f"the upload is not a form this console sent ({error.message})"
            raise FormRefused(message) from None
        fields: dict[str, str] = {}
        files: list[tuple[str, bytes]] = []
        try:
            for name, value in parsed.multi_items():
                if isinstance(value, UploadFile):
                    files.append((value.filename or "", await value.read()))
                elif "\x00" in value:
                    raise FormRefused("the form holds a NUL character")
                else:
                    fields.setdefault(name, value)
        finally:
            await parsed.close()
        return FormBody(fields, files)

    return read
