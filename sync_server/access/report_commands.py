"""`mss server report`: the results report, written into --out, in one of two ways.

- On the server, by scope: `--data-dir D --user U --scope national --country SL [--wave W]
  [--compare W0]` reports on the newest listed release the user may read of that scope,
  country, spec and wave (building one, audited, when there is none), exactly as
  `POST /v1/releases/{id}/reports` does: the report is kept and listed with the release.
- From a release folder an analyst downloaded: `--release DIR --spec FILE [--previous DIR]`.
  It reads only the folder's Parquet file and codebook.json, so anyone who holds the release
  can make the report and check every number against the file, with no password. The spec
  file gives the texts and must be the release's own (its id and version are checked).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from sync_server.command_kit import fail, out

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from sync_server.access.release_requests import ReleaseView
    from sync_server.access.report_requests import ReportRequest
    from sync_server.access.user_roles import Actor
    from sync_server.settings import Settings

ByScope = Annotated[str | None, typer.Option(help="On the server: national or pooled.")]


def report(
    out_dir: Annotated[Path, typer.Option("--out", help="A new or empty directory.")],
    lang: Annotated[str, typer.Option(help="The report's language.")] = "en",
    release_dir: Annotated[
        Path | None, typer.Option("--release", help="A release folder (mss server release).")
    ] = None,
    spec: Annotated[
        str | None,
        typer.Option(
            help="With --release: the release's spec file (YAML). On the server: "
            "the spec id (default cips-officials)."
        ),
    ] = None,  # fmt: skip
    previous: Annotated[
        Path | None, typer.Option(help="With --release: an earlier wave's release folder.")
    ] = None,
    data_dir: Annotated[Path | None, typer.Option(help="On the server: its data dir.")] = None,
    user: Annotated[str | None, typer.Option(help="On the server: who asks (audited).")] = None,
    scope: ByScope = None,
    country: Annotated[str | None, typer.Option(help="On the server: ISO 3166 code.")] = None,
    wave: Annotated[str | None, typer.Option(help="On the server: the wave (latest).")] = None,
    compare: Annotated[
        str | None, typer.Option(help="On the server: an earlier wave, for the change.")
    ] = None,
    alongside: Annotated[
        str | None,
        typer.Option(
            help="Another population beside this one: on the server its spec id "
            "(cips-private-sector); with --release its release folder."
        ),
    ] = None,  # fmt: skip
    alongside_spec: Annotated[
        Path | None, typer.Option(help="With --release --alongside: that release's spec file.")
    ] = None,
    min_n: Annotated[int, typer.Option(help="Cells with fewer respondents are hidden.")] = 10,
) -> None:
    """Write figures.json and, per population, the report as HTML and PDF."""
    if release_dir is not None:
        if spec is None:
            raise fail("--release needs --spec, the release's spec file", 2)
        if data_dir or user or scope or country or wave or compare:
            raise fail("--release reads a folder: --data-dir, --user, --scope, --country, "
                       "--wave and --compare are for reports on the server", 2)  # fmt: skip
        if (alongside is None) != (alongside_spec is None):
            raise fail("--alongside DIR goes with --alongside-spec FILE", 2)
        other = (Path(alongside), alongside_spec) if alongside and alongside_spec else None
        names = _from_folder(release_dir, Path(spec), out_dir, lang, previous, other, min_n)
    else:
        if data_dir is None or user is None or scope is None:
            raise fail("give --release DIR --spec FILE, or --data-dir, --user and --scope", 2)
        if previous is not None:
            raise fail("on the server, --compare names the earlier wave (not --previous)", 2)
        if (scope == "national") != (country is not None) or scope not in ("national", "pooled"):
            raise fail("--scope national names its --country; --scope pooled names none", 2)
        if alongside_spec is not None:
            raise fail("on the server, --alongside names the other spec id: no spec file", 2)
        asked = _Asked(scope, country, spec or "cips-officials", wave, compare, lang, min_n,
                       alongside)  # fmt: skip
        names = _from_server(data_dir, user, asked, out_dir)
    out.print(f"report in {out_dir}:")
    for name in names:
        out.print(f"  {name}")


def _from_folder(
    release_dir: Path,
    spec_file: Path,
    out_dir: Path,
    lang: str,
    previous: Path | None,
    alongside: tuple[Path, Path] | None,
    min_n: int,
) -> list[str]:
    from questionnaire_specs import SpecError, load_spec
    from sync_server.reports.build import OtherPopulation, ReportRefused, build_report

    try:
        spec = load_spec(spec_file)
        other = OtherPopulation(alongside[0], load_spec(alongside[1])) if alongside else None
    except SpecError as error:
        raise fail(f"{error}", 2) from None
    try:
        files = build_report(
            release_dir, spec, out_dir, lang=lang, previous_dir=previous, min_n=min_n,
            alongside=other,
        )  # fmt: skip
    except ReportRefused as refused:
        raise fail(str(refused), 2) from None
    return [path.name for path in [files.figures, *files.html, *files.pdf]]


@dataclass(frozen=True)
class _Asked:
    """A report asked for on the server by scope, as the options give it."""

    scope: str
    country: str | None
    spec_id: str
    wave: str | None
    compare: str | None
    lang: str
    min_n: int
    alongside: str | None  # another spec id: its release of the same wave


def _from_server(data_dir: Path, user: str, asked: _Asked, out_dir: Path) -> list[str]:
    from protocol.problems import Problem
    from sync_server.access.audit import record_event
    from sync_server.access.report_requests import request_report
    from sync_server.access.user_commands import USER_PASSWORD_ENV, password_of
    from sync_server.access.users import authenticate_password
    from sync_server.command_kit import central_store

    if out_dir.exists() and any(out_dir.iterdir()):
        raise fail(f"{out_dir} exists and is not empty", 2)
    if not data_dir.is_dir():
        raise fail(f"{data_dir} is not a directory: give the server's --data-dir", 2)
    password = password_of(user)
    with central_store(data_dir) as (settings, sessions):
        actor = authenticate_password(sessions, user, password) if password else None
        if actor is None:
            record_event(
                sessions, clock=settings.clock, actor=user, action="report",
                outcome="unauthenticated", detail="report by the command line",
            )  # fmt: skip
            raise fail(f"{user} is not a user with that password (or is disabled): set "
                       f"{USER_PASSWORD_ENV} or type the password", 2)  # fmt: skip
        try:
            report = _report_request(settings, sessions, actor, asked)
            request_report(
                sessions, actor, report, data_dir=settings.data_dir, clock=settings.clock
            )
        except Problem as problem:
            raise fail(f"{problem.detail} ({problem.code})", 2) from None
        made = Path(settings.data_dir) / "releases" / report.release_id / report.folder
    out_dir.mkdir(parents=True, exist_ok=True)
    for path in sorted(made.iterdir()):
        shutil.copy2(path, out_dir / path.name)
    return sorted(path.name for path in made.iterdir())


def _report_request(
    settings: Settings, sessions: sessionmaker[Session], actor: Actor, asked: _Asked
) -> ReportRequest:
    """The listed releases the report reads: this wave's, the earlier wave's, and the other
    population's of the same wave as this one."""
    from sync_server.access.report_requests import ReportRequest

    this = _listed_release(settings, sessions, actor, asked, asked.wave)
    earlier = (
        _listed_release(settings, sessions, actor, asked, asked.compare) if asked.compare else None
    )
    beside = (
        _listed_release(
            settings, sessions, actor, replace(asked, spec_id=asked.alongside), this.wave
        )
        if asked.alongside
        else None
    )
    return ReportRequest(
        this.release_id, asked.lang, earlier.release_id if earlier else None, asked.min_n,
        beside.release_id if beside else None,
    )  # fmt: skip


def _listed_release(
    settings: Settings,
    sessions: sessionmaker[Session],
    actor: Actor,
    asked: _Asked,
    wave: str | None,
) -> ReleaseView:
    """The newest listed release with a Parquet file of the scope, country, spec and wave
    (the latest wave unless one is named) that `actor` may read; one is built (and audited)
    when there is none."""
    from sync_server.access.release_requests import (
        ReleaseRequest,
        request_release,
        visible_releases,
    )

    listed = [
        view
        for view in visible_releases(sessions, actor)  # newest first
        if (view.scope, view.country, view.spec_id) == (asked.scope, asked.country, asked.spec_id)
        and (wave is None or view.wave == wave)
        and any(name.endswith(".parquet") for name in view.files)
    ]
    if listed:
        # no wave asked: the latest wave's (max keeps the newest of equals), as a release does
        return max(listed, key=lambda view: view.wave or "")
    order = ReleaseRequest(asked.scope, asked.country, asked.spec_id, wave, "parquet", asked.lang)
    made = request_release(
        sessions, actor, order, data_dir=settings.data_dir, clock=settings.clock,
        random_bytes=settings.random_bytes,
    )  # fmt: skip
    out.print(f"built release {made.release_id} ({made.rows} respondents, wave {made.wave})")
    return made


def register(app: typer.Typer) -> None:
    app.command("report")(report)
