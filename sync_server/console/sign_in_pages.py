"""Signing in and out of the console, and choosing its language.

The password goes through access.sign_in, the path POST /v1/tokens takes: the same
throttle (growing waits per name and per address, a hold an administrator lifts) and the
same audit of wrong passwords."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from protocol.problems import Problem
from sync_server.access.audit import record_event
from sync_server.access.sign_in import Caller, sign_in_with_password
from sync_server.console.front_desk import (
    HOME,
    LOGIN,
    LOGIN_COOKIE,
    SESSION_COOKIE,
    Console,
    Posted,
    anyone_signed_in,
    form_post,
    menu_of,
    posted_form,
    render,
    set_cookie,
    signed_in,
    to_login,
)
from sync_server.console.phrases import LANGUAGES
from sync_server.console.web_sessions import (
    LIFETIME,
    choose_language,
    end_session,
    open_session,
)

LOGIN_FORM_SECONDS = 3600
LOGIN_TOKEN_BYTES = 32


def sign_in_routes(console: Console) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    def login_page(
        request: Request, *, status: int = 200, notice: str = "", **filled: object
    ) -> Response:
        token = console.random_bytes(LOGIN_TOKEN_BYTES).hex()
        response = render(
            console, request, "login.html", None, status=status, login_csrf=token,
            notice=notice, filled=filled, signed_out=request.query_params.get("signed_out"),
        )  # fmt: skip
        set_cookie(console, request, response, LOGIN_COOKIE, token, LOGIN_FORM_SECONDS)
        return response

    @router.get(HOME)
    def home(request: Request) -> Response:
        who = signed_in(console, request)
        if who is None:
            return to_login()
        menu = menu_of(who.actor)
        return RedirectResponse(menu[0][1] if menu else LOGIN, status_code=303)

    @router.get(LOGIN)
    def get_login(request: Request) -> Response:
        if signed_in(console, request) is not None:
            return RedirectResponse(HOME, status_code=303)
        return login_page(request)

    @router.post(LOGIN)
    async def post_login(request: Request) -> Response:
        fields = await posted_form(console, request, request.cookies.get(LOGIN_COOKIE), None)
        if isinstance(fields, Response):
            return fields
        name = fields.get("name", "")[:100]
        caller = Caller(address=console.address_of(request), name=name)
        try:
            async with console.password_checks:
                actor = await run_in_threadpool(
                    sign_in_with_password, console.session_factory, caller,
                    fields.get("password", ""), clock=console.clock,
                )  # fmt: skip
        except Problem as problem:
            if problem.code == "too-many-attempts":
                return login_page(
                    request, status=429, notice="wait", seconds=problem.retry_after or 1
                )
            return login_page(request, status=403, notice="held")
        if actor is None:
            return login_page(request, status=401, notice="wrong_password")

        def begin() -> str:
            session_id = open_session(
                console.session_factory, actor, clock=console.clock,
                random_bytes=console.random_bytes,
            )  # fmt: skip
            record_event(
                console.session_factory, clock=console.clock, actor=actor.name,
                action="sign-in", outcome="ok", detail=f"console, from {caller.address}",
            )  # fmt: skip
            return session_id

        session_id = await run_in_threadpool(begin)
        response = RedirectResponse(HOME, status_code=303)
        set_cookie(
            console, request, response, SESSION_COOKIE, session_id, int(LIFETIME.total_seconds())
        )
        response.delete_cookie(LOGIN_COOKIE, path="/console")
        return response

    @router.post("/console/logout")
    @form_post(console, anyone_signed_in, "signing out")
    async def post_logout(request: Request, posted: Posted) -> Response:
        who = posted.who

        def finish() -> None:
            end_session(console.session_factory, request.cookies.get(SESSION_COOKIE, ""))
            record_event(
                console.session_factory, clock=console.clock, actor=who.actor.name,
                action="sign-in", outcome="ok", detail="console, signed out",
            )  # fmt: skip

        await run_in_threadpool(finish)
        response = RedirectResponse(f"{LOGIN}?signed_out=1", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/console")
        return response

    @router.post("/console/language")
    @form_post(console, anyone_signed_in, "choosing a language")
    async def post_language(request: Request, posted: Posted) -> Response:
        who, fields = posted.who, posted.fields
        lang = fields.get("lang", "")
        if lang in LANGUAGES:
            await run_in_threadpool(choose_language, console.session_factory, who.actor.name, lang)
        back = fields.get("back", HOME)
        # Only a console path: never a redirect to somewhere else.
        target = back if back.startswith("/console") and "//" not in back else HOME
        return RedirectResponse(target, status_code=303)

    return router
