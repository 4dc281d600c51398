"""What every console page shares: who is asking (the session cookie), what they may see
(the menu, from user_roles), how a page is answered (a template in their language, never
cached, framed by nobody), and how a refusal is answered and audited."""

from __future__ import annotations

import asyncio
import functools
import inspect
import typing
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from sync_server.access.audit import record_event
from sync_server.access.user_roles import Actor, may_at_all
from sync_server.console.forms import (
    FormBody,
    FormReader,
    FormRefused,
    UploadTooLarge,
    read_text_form,
)
from sync_server.console.phrases import (
    LANGUAGE_NAMES,
    LANGUAGES,
    best_language,
    direction,
    phrase,
)
from sync_server.console.web_sessions import SignedIn, csrf_matches, find_session

Clock = Callable[[], datetime]
RandomBytes = Callable[[int], bytes]

SESSION_COOKIE = "mss_console"
LOGIN_COOKIE = "mss_console_login"  # the sign-in form's CSRF token, before any session
COOKIE_PATH = "/console"
HOME = "/console"
LOGIN = "/console/login"
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'"
    ),
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
}
# (menu key, path, the user_roles action that opens it)
MENU = (
    ("fleet", "/console/fleet", "fleet"),
    ("quarantine", "/console/quarantine", "fleet"),
    ("enrol", "/console/enrol", "fleet"),
    ("import", "/console/import", "fleet"),
    ("releases", "/console/releases", "download"),
    ("users", "/console/users", "users"),
    ("audit", "/console/audit", "users"),
)


@dataclass(frozen=True)
class Console:
    """The console's collaborators, handed in by create_app (nothing global)."""

    session_factory: sessionmaker[Session]
    clock: Clock
    random_bytes: RandomBytes
    data_dir: Path
    # The client's address as the API reads it (behind a trusted proxy), for throttling.
    address_of: Callable[[Request], str]
    # Bounds the Argon2id checks running at once, shared with POST /v1/tokens.
    password_checks: asyncio.Semaphore
    templates: Jinja2Templates
    # None: Secure cookies when the request came over TLS (as the proxy says).
    secure_cookies: bool | None = None


def console_templates() -> Jinja2Templates:
    loader = jinja2.FileSystemLoader(str(Path(__file__).parent / "templates"))
    return Jinja2Templates(env=jinja2.Environment(loader=loader, autoescape=True))


def menu_of(actor: Actor) -> list[tuple[str, str]]:
    return [(key, path) for key, path, action in MENU if may_at_all(actor, action)]


def language_of(request: Request, who: SignedIn | None) -> str:
    if who is not None and who.lang in LANGUAGES:
        return who.lang
    asked = request.query_params.get("lang")
    if asked in LANGUAGES:
        return asked
    return best_language((request.headers.get("accept-language") or "").split(","))


def render(
    console: Console,
    request: Request,
    template: str,
    who: SignedIn | None,
    *,
    status: int = 200,
    lang: str | None = None,
    **values: Any,
) -> HTMLResponse:
    chosen = lang or language_of(request, who)

    def words(key: str, **filled: object) -> str:
        return phrase(chosen, key, **filled)

    context = {
        "t": words, "lang": chosen, "dir": direction(chosen), "who": who,
        "csrf": who.csrf_token if who is not None else "",
        "menu": menu_of(who.actor) if who is not None else [],
        "languages": LANGUAGE_NAMES, "here": request.url.path, **values,
    }  # fmt: skip
    response = console.templates.TemplateResponse(
        request, template, context, status_code=status, headers=SECURITY_HEADERS
    )
    return response


def set_cookie(
    console: Console, request: Request, response: Response, name: str, value: str, max_age: int
) -> None:
    secure = console.secure_cookies
    if secure is None:
        secure = request.url.scheme == "https"
    response.set_cookie(
        name, value, max_age=max_age, path=COOKIE_PATH, httponly=True, samesite="strict",
        secure=secure,
    )  # fmt: skip


def to_login() -> RedirectResponse:
    return RedirectResponse(LOGIN, status_code=303)


def signed_in(console: Console, request: Request) -> SignedIn | None:
    session_id = request.cookies.get(SESSION_COOKIE)
    if not session_id:
        return None
    return find_session(console.session_factory, session_id, clock=console.clock)


def refuse(
    console: Console,
    request: Request,
    who: SignedIn | None,
    why: str,
    *,
    status: int = 403,
    outcome: str = "denied",
    message: str = "refused_body",
) -> HTMLResponse:
    """A refused page or form: audited (what was asked and why, never a value), answered
    with a page saying so."""
    record_event(
        console.session_factory, clock=console.clock,
        actor=who.actor.name if who is not None else None, action="page", outcome=outcome,
        detail=f"{request.method} {request.url.path}: {why}",
    )  # fmt: skip
    return render(console, request, "refused.html", who, status=status, message=message)


def guard(
    console: Console, request: Request, allowed: Callable[[Actor], bool], what: str
) -> SignedIn | Response:
    """The signed-in user when `allowed` says yes; otherwise the answer to send: the sign-in
    page for nobody, an audited refusal for someone whose role or countries do not allow."""
    who = signed_in(console, request)
    if who is None:
        return to_login()
    if not allowed(who.actor):
        return refuse(console, request, who, f"{what} is not within the user's role or countries")
    return who


async def posted_form(
    console: Console, request: Request, expected_csrf: str | None, who: SignedIn | None
) -> dict[str, str] | Response:
    """The form's fields when its CSRF token is the expected one; otherwise an audited 403."""
    body = await posted_body(console, request, expected_csrf, who, read_text_form)
    return body if isinstance(body, Response) else body.fields


async def posted_body(
    console: Console,
    request: Request,
    expected_csrf: str | None,
    who: SignedIn | None,
    read: FormReader,
) -> FormBody | Response:
    """The form (as `read` reads it) when its CSRF token is the expected one; otherwise an
    audited 403."""
    try:
        body = await read(request)
    except UploadTooLarge as too_large:
        why = str(too_large)
        return await run_in_threadpool(
            lambda: refuse(
                console,
                request,
                who,
                why,
                status=413,
                outcome="invalid",
                message="upload_too_large",
            )  # fmt: skip
        )
    except FormRefused as refused:
        why = f"no valid CSRF token ({refused})"
    else:
        why = "no valid CSRF token"
        if expected_csrf is not None and csrf_matches(expected_csrf, body.fields.get("csrf")):
            return body
    return await run_in_threadpool(
        lambda: refuse(console, request, who, why, outcome="refused", message="csrf_refused")
    )


@dataclass(frozen=True)
class Posted:
    """A form post that passed the door: who sent it (signed in, allowed) and its fields
    (its CSRF token checked)."""

    who: SignedIn
    fields: dict[str, str]
    files: list[tuple[str, bytes]]


Reach = Callable[..., Response | None]
Endpoint = Callable[..., Awaitable[Response]]


def form_post(
    console: Console,
    allowed: Callable[[Actor], bool],
    what: str,
    *,
    reach: Reach | None = None,
    read: FormReader = read_text_form,
) -> Callable[[Endpoint], Endpoint]:
    """Every console POST's door, in one place: signed in (else the sign-in page), the role
    allows `what` (else an audited refusal), `reach(who, request, **path values)` says
    nothing against it (e.g. the station's country), then the CSRF token (else an audited
    403). Only then is the handler called, as `handler(request, posted, **path values)`.
    `read` reads the body: urlencoded fields unless told (the USB upload's multipart)."""

    def wrap(handler: Endpoint) -> Endpoint:
        @functools.wraps(handler)
        async def endpoint(request: Request, **values: Any) -> Response:
            who = await run_in_threadpool(guard, console, request, allowed, what)
            if isinstance(who, Response):
                return who
            if reach is not None:
                refused = await run_in_threadpool(reach, who, request, **values)
                if refused is not None:
                    return refused
            body = await posted_body(console, request, who.csrf_token, who, read)
            if isinstance(body, Response):
                return body
            return await handler(request, Posted(who, body.fields, body.files), **values)

        return _signed_as(endpoint, handler, less="posted")

    return wrap


Page = Callable[..., Response]


def page_get(
    console: Console, allowed: Callable[[Actor], bool], what: str
) -> Callable[[Page], Page]:
    """Every console page's door (GET): signed in (else the sign-in page) and the role allows
    `what` (else an audited refusal); only then is the page drawn, as
    `page(request, who, **query and path values)`."""

    def wrap(page: Page) -> Page:
        @functools.wraps(page)
        def endpoint(request: Request, **values: Any) -> Response:
            who = guard(console, request, allowed, what)
            if isinstance(who, Response):
                return who
            return page(request, who, **values)

        return _signed_as(endpoint, page, less="who")

    return wrap


def _signed_as(endpoint: Any, handler: Callable[..., Any], *, less: str) -> Any:
    """`endpoint` with the handler's signature less the parameter the door supplies: FastAPI
    reads the query and path values from it."""
    hints = typing.get_type_hints(handler, include_extras=True)
    kept = [
        parameter.replace(annotation=hints.get(name, parameter.annotation))
        for name, parameter in inspect.signature(handler).parameters.items()
        if name != less
    ]
    endpoint.__signature__ = inspect.Signature(kept, return_annotation=Response)
    return endpoint


def anyone_signed_in(actor: Actor) -> bool:
    return True
