"""The console's form posts: small urlencoded bodies, read with a bound."""

from __future__ import annotations

from urllib.parse import parse_qs

from starlette.requests import Request

MAX_FORM_BYTES = 16 * 1024
MAX_FIELDS = 20


class FormRefused(ValueError):
    """Not a form this console sent: too large, not urlencoded, or not text."""


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
