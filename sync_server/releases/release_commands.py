"""`mss server release`: an anonymised national or pooled release, written into --out.

Mount it with `register(app, gate)` (sync_server/server_commands.py does). A release by the
command line is asked for by a user and audited as one through the API: `--user` (their
password from MSS_USER_PASSWORD or a prompt) must exist, be enabled and have the release
within their role and countries, and every attempt, allowed or not, is in the audit log.
Those rules live in sync_server/access, a later stage than releases: server_commands.py
hands them in as `AccessRules`, so they are the API's own, not a copy.

Heavy imports (pandas, pyarrow) happen inside the command so that `mss --help` stays fast.
A refusal is one clear line and exit code 2 (nothing written); any other failure is one
line and exit code 1.
"""

from __future__ import annotations

import functools
import inspect
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from sync_server.command_kit import DataDir, central_store, err, fail, out
from sync_server.releases.formats import NAMES

FORMAT_HELP = f"{', '.join(NAMES)}, or all"
PHASES = ("reading", "treating", "writing")
SCOPES = ("national", "pooled")


@dataclass(frozen=True)
class AccessRules:
    """sync_server/access's rules, as the API applies them (for `release` and `comments`)."""

    # (sessions, name, password) -> the user as an access.user_roles.Actor, or None
    authenticate: Callable[[Any, str, str], Any]
    # (actor, action, scope, country) -> allowed (access.user_roles.may)
    may: Callable[[Any, str, str | None, str | None], bool]
    # access.audit.record_event, and access.audit.record (inside the caller's transaction)
    record_event: Callable[..., None]
    record: Callable[..., None]
    # (scope, country, spec, wave, fmt, lang) -> what was asked, in the audit log's words
    describe: Callable[[str, str | None, str, str | None, str, str], str]
    password_env: str


def password_of(gate: AccessRules, user: str) -> str:
    from_env = os.environ.get(gate.password_env)
    if from_env:
        return from_env
    if not sys.stdin.isatty():
        return ""
    return str(typer.prompt(f"Password for {user}", hide_input=True))


def release(
    gate: AccessRules,
    data_dir: DataDir,
    user: Annotated[
        str, typer.Option("--user", "--as", help="Who asks (`mss server user`): audited.")
    ],
    scope: Annotated[str, typer.Option(help="national (one country) or pooled (all).")],
    fmt: Annotated[str, typer.Option("--format", help=FORMAT_HELP)],
    out_dir: Annotated[Path, typer.Option("--out", help="A new or empty directory.")],
    country: Annotated[
        str | None, typer.Option(help="ISO 3166 code, e.g. SL (national releases).")
    ] = None,
    wave: Annotated[
        str | None, typer.Option(help="The wave's year (default: the latest wave).")
    ] = None,
    lang: Annotated[str, typer.Option(help="Language of the labels in the files.")] = "en",
    spec: Annotated[str, typer.Option(help="The questionnaire spec id.")] = "cips-officials",
) -> None:
    """Write an anonymised release: data file, codebook and risk report. Audited."""
    if not data_dir.is_dir():
        raise fail(f"{data_dir} is not a directory: give the server's --data-dir")
    if not os.environ.get("MSS_DATABASE_URL") and not (data_dir / "central.db").exists():
        raise fail(f"{data_dir} holds no central store: run `mss server init` first")
    password = password_of(gate, user)
    asked = gate.describe(scope, country, spec, wave, fmt, lang)
    with central_store(data_dir) as (settings, sessions):

        def audit(outcome: str, detail: str, actor: str | None = None) -> None:
            gate.record_event(
                sessions, clock=settings.clock, actor=actor or user, action="release",
                outcome=outcome, detail=f"{asked}; {detail}; by the command line",
            )  # fmt: skip

        actor = gate.authenticate(sessions, user, password) if password else None
        if actor is None:
            audit("unauthenticated", "unknown user, wrong password or disabled user")
            raise fail(
                f"{user} is not a user with that password (or is disabled): name a user of "
                f"`mss server user list` and set {gate.password_env} or type the password",
                2,
            )
        # A malformed order (unknown scope, a national one without country) is refused below.
        well_formed = scope in SCOPES and (scope == "pooled") == (country is None)
        if well_formed and not gate.may(actor, "release", scope, country):
            audit("denied", "not within the user's role or countries", actor.name)
            raise fail(f"{actor.name} ({actor.role}) may not request a {asked} release", 2)
        result = _build(data_dir, sessions, scope, country, spec, wave, fmt, lang, out_dir, audit)
        audit("ok", f"{result.rows} rows, {len(result.files)} files", actor.name)
    out.print(f"{result.rows} respondents, wave {result.wave}, in {result.out_dir}:")
    for path in result.files:
        out.print(f"  {path.name}")


def _build(
    data_dir: Path,
    sessions: Any,
    scope: str,
    country: str | None,
    spec: str,
    wave: str | None,
    fmt: str,
    lang: str,
    out_dir: Path,
    audit: Callable[[str, str], None],
) -> Any:
    from sync_server.releases.build import ReleaseOrder, build_release
    from sync_server.releases.refusals import ReleaseRefused
    from sync_server.releases.seed import load_release_seed

    try:
        with _bars() as (bars, tasks):

            def progress(phase: str, done: int, total: int) -> None:
                task = tasks[phase]
                bars.update(task, completed=done, total=total or None, visible=True)

            order = ReleaseOrder(scope, country, spec, wave, fmt, lang, out_dir)
            return build_release(
                sessions,
                order,
                release_seed=load_release_seed(data_dir),
                cache_dir=data_dir / "releases" / "treated",
                progress=progress,
            )
    except ReleaseRefused as refusal:
        audit("refused", f"{refusal.code}: {refusal.message}")
        raise fail(f"release refused ({refusal.code}): {refusal.message}", 2) from None
    except Exception as error:
        audit("refused", f"the release failed ({type(error).__name__})")
        if isinstance(error, OSError | ValueError):
            raise fail(f"the release failed: {error}", 1) from None
        raise


class _bars:
    """One bar per phase, shown when the phase starts."""

    def __enter__(self) -> tuple[Progress, dict[str, TaskID]]:
        columns = (
            TextColumn("{task.description:<9}"),
            BarColumn(),
            TextColumn("{task.completed:>10,}"),
            TimeElapsedColumn(),
        )
        self.progress = Progress(*columns, console=err)
        self.progress.__enter__()
        tasks = {
            phase: self.progress.add_task(phase, total=None, visible=False) for phase in PHASES
        }
        return self.progress, tasks

    def __exit__(self, *exc: object) -> None:
        self.progress.__exit__(*exc)  # type: ignore[arg-type]


def register(app: typer.Typer, gate: Callable[[], AccessRules]) -> None:
    """Add `release` to the `mss server` app; `gate()` gives access's rules when it runs."""

    def command(**options: Any) -> None:
        release(gate(), **options)

    # typer reads the options from the signature: the command's, less the gate.
    signature = inspect.signature(release, eval_str=True)
    functools.update_wrapper(command, release)
    command.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=list(signature.parameters.values())[1:]
    )
    app.command("release")(command)
