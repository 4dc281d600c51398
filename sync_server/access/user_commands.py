"""`mss server user …`: add, list and disable users; issue, list and revoke API tokens; read
the audit log. `app` is a typer sub-app, mounted by sync_server/server_commands.py.

Passwords come from a prompt, or from MSS_USER_PASSWORD for scripts; they are never printed.
A token is printed once, when issued; only its SHA-256 is stored.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from sync_server.command_kit import (
    AsJson,
    DataDir,
    central_store,
    err,
    fail,
    out,
    parse_lifetime,
)

app = typer.Typer(
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Users, roles and API tokens for the release API; the audit log.",
)
USER_PASSWORD_ENV = "MSS_USER_PASSWORD"  # noqa: S105 - the variable's name


def new_password() -> str:
    from_env = os.environ.get(USER_PASSWORD_ENV)
    if from_env:
        return from_env
    if not sys.stdin.isatty():
        raise fail(f"no password: set {USER_PASSWORD_ENV} or run from a terminal")
    return typer.prompt("Password for the new user", hide_input=True, confirmation_prompt=True)


def password_of(user: str) -> str:
    """A user's password for a command that acts as them: from MSS_USER_PASSWORD, a prompt,
    or "" (no terminal), which no user has."""
    from_env = os.environ.get(USER_PASSWORD_ENV)
    if from_env:
        return from_env
    if not sys.stdin.isatty():
        return ""
    return str(typer.prompt(f"Password for {user}", hide_input=True))


def when(moment: Any) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment is not None else "-"


@app.command("add")
def add(
    data_dir: DataDir,
    name: Annotated[str, typer.Argument(help="The user's login name.")],
    role: Annotated[
        str, typer.Option(help="administrator, coordinator, analyst or global_analyst.")
    ],
    country: Annotated[
        list[str] | None,
        typer.Option(help="A country a coordinator or analyst may see (repeat for more)."),
    ] = None,
) -> None:
    """Add a user with a role (and countries for coordinators and analysts)."""
    from sync_server.access.users import UserError, add_user, check_role_and_countries
    from sync_server.settings import utc_now

    try:
        check_role_and_countries(role, country or [])
    except UserError as error:
        raise fail(str(error)) from None
    password = new_password()
    with central_store(data_dir) as (_settings, sessions):
        try:
            user = add_user(
                sessions, name=name, role=role, countries=country or [], password=password,
                clock=utc_now,
            )  # fmt: skip
        except UserError as error:
            raise fail(str(error)) from None
    scope = f" for {', '.join(user.countries)}" if user.countries else ""
    out.print(f"user {user.name} added: {user.role}{scope}", highlight=False)


@app.command("list")
def list_command(data_dir: DataDir, as_json: AsJson = False) -> None:
    """The users, their roles, countries and whether they are disabled."""
    from sync_server.access.users import list_users

    with central_store(data_dir) as (_settings, sessions):
        users = list_users(sessions)
    if as_json:
        out.print_json(json.dumps({"users": [user.to_json() for user in users]}))
        return
    table = Table(title="Users")
    for column in ("name", "role", "countries", "status", "created"):
        table.add_column(column)
    for user in users:
        status = f"disabled {when(user.disabled_at)}" if user.disabled else "active"
        table.add_row(
            escape(user.name), user.role, ", ".join(user.countries) or "-", status,
            when(user.created_at),
        )  # fmt: skip
    out.print(table)


@app.command("disable")
def disable(data_dir: DataDir, name: Annotated[str, typer.Argument()]) -> None:
    """Disable a user for good: their tokens stop working at once."""
    from sync_server.access.users import UserError, disable_user
    from sync_server.settings import utc_now

    with central_store(data_dir) as (_settings, sessions):
        try:
            disable_user(sessions, name, clock=utc_now)
        except UserError as error:
            raise fail(str(error)) from None
    out.print(f"user {name} disabled", highlight=False)


@app.command("unlock")
def unlock(data_dir: DataDir, name: Annotated[str, typer.Argument()]) -> None:
    """Lift the hold (or the wait) that repeated wrong passwords put on a user."""
    from sync_server.access.audit import record_event
    from sync_server.access.sign_in import lift
    from sync_server.settings import utc_now

    with central_store(data_dir) as (_settings, sessions):
        lifted = lift(sessions, name)
        if lifted:
            record_event(
                sessions, clock=utc_now, actor=None, action="unlock", outcome="ok",
                detail=f"sign-in hold on {name} lifted by an administrator",
            )  # fmt: skip
    out.print(
        f"user {name}: sign-in hold lifted" if lifted else f"user {name} was not held",
        highlight=False,
    )


@app.command("token")
def token(
    data_dir: DataDir,
    name: Annotated[str, typer.Argument(help="The user the token is for.")],
    expires: Annotated[str, typer.Option(help="Token lifetime: 30d, 12h…")] = "30d",
    label: Annotated[str, typer.Option(help="What the token is for, to tell it apart.")] = "",
    as_json: AsJson = False,
) -> None:
    """Issue an API token for a user. It is shown once: only its hash is kept."""
    from sync_server.access.tokens import issue_token
    from sync_server.access.users import UserError
    from sync_server.settings import utc_now

    lifetime = parse_lifetime(expires)
    with central_store(data_dir) as (_settings, sessions):
        try:
            issued = issue_token(
                sessions, user_name=name, lifetime=lifetime, clock=utc_now,
                random_bytes=os.urandom, label=label or "cli",
            )  # fmt: skip
        except UserError as error:
            raise fail(str(error)) from None
    if as_json:
        out.print_json(json.dumps(issued.to_json()))
        return
    out.print(issued.token, highlight=False, soft_wrap=True)
    err.print(
        f"token {issued.token_id} for {name}, valid until {when(issued.expires_at)} UTC; "
        "it is shown only this once",
        highlight=False,
    )


@app.command("tokens")
def tokens(
    data_dir: DataDir,
    name: Annotated[str | None, typer.Argument(help="Only this user's tokens.")] = None,
    as_json: AsJson = False,
) -> None:
    """The API tokens (ids, not the tokens): who, issued, expires, revoked."""
    from sync_server.access.tokens import list_tokens
    from sync_server.settings import utc_now

    with central_store(data_dir) as (_settings, sessions):
        found = list_tokens(sessions, name)
    now = utc_now()
    if as_json:
        out.print_json(json.dumps({"tokens": [t.to_json(now) for t in found]}))
        return
    table = Table(title="API tokens")
    for column in ("id", "user", "label", "issued", "expires", "state"):
        table.add_column(column)
    for t in found:
        table.add_row(
            t.token_id, escape(t.user_name), escape(t.label), when(t.issued_at),
            when(t.expires_at), t.state(now),
        )  # fmt: skip
    out.print(table)


@app.command("revoke-token")
def revoke_token_command(
    data_dir: DataDir, token_id: Annotated[str, typer.Argument(help="The token's id.")]
) -> None:
    """Revoke one API token by its id (see `tokens`)."""
    from sync_server.access.tokens import revoke_token
    from sync_server.access.users import UserError
    from sync_server.settings import utc_now

    with central_store(data_dir) as (_settings, sessions):
        try:
            revoked = revoke_token(sessions, token_id, clock=utc_now)
        except UserError as error:
            raise fail(str(error)) from None
    out.print(f"token {revoked.token_id} of {revoked.user_name} revoked", highlight=False)


@app.command("audit")
def audit(
    data_dir: DataDir,
    limit: Annotated[int, typer.Option(min=1, max=100_000, help="How many entries.")] = 50,
    name: Annotated[str | None, typer.Option("--user", help="Only this user's entries.")] = None,
    as_json: AsJson = False,
) -> None:
    """The audit log, newest first: every release and download, refused ones too."""
    from sync_server.access.audit import read_audit

    with central_store(data_dir) as (_settings, sessions):
        entries = read_audit(sessions, limit=limit, actor=name)
    if as_json:
        out.print_json(json.dumps({"entries": [entry.to_json() for entry in entries]}))
        return
    table = Table(title="Audit log")
    for column in ("at", "user", "action", "outcome", "release", "detail"):
        table.add_column(column)
    for entry in entries:
        table.add_row(
            when(entry.at), escape(entry.actor or "(no token)"), entry.action, entry.outcome,
            escape(entry.release_id or "-"), escape(entry.detail),
        )  # fmt: skip
    out.print(table)
