"""`mss server …`: the server operator's commands.

Thin: each command builds Settings, calls one function of intake, the processor or the
exports, and prints the outcome. Heavy imports happen inside the commands so that
`mss --help` stays fast. Errors are one clear line and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from sync_server.access.report_commands import register as register_report_command
from sync_server.access.user_commands import app as user_app
from sync_server.command_kit import (
    AsJson,
    DataDir,
    central_store,
    check_place,
    err,
    fail,
    out,
    parse_lifetime,
)
from sync_server.operator_key_commands import app as operator_key_app
from sync_server.releases.comment_review_commands import comments_app
from sync_server.releases.release_commands import AccessRules
from sync_server.releases.release_commands import register as register_release_command
from sync_server.site.site_commands import register as register_site_commands
from sync_server.survey_key_commands import app as survey_key_app
from sync_server.survey_key_commands import key_passphrase, unlock_held_keys

app = typer.Typer(no_args_is_help=True, pretty_exceptions_enable=False)
app.add_typer(user_app, name="user", help="Users, roles, API tokens and the audit log.")
app.add_typer(
    survey_key_app,
    name="survey-key",
    help="Survey keys per country and wave (new, list, retire) and their m-of-n custody.",
)
app.add_typer(
    operator_key_app,
    name="operator-key",
    help="The operator's offline signing key, which vouches for each new survey key.",
)
USER_PASSWORD_ENV = "MSS_USER_PASSWORD"  # noqa: S105 - the variable's name


def access_rules() -> AccessRules:
    """The API's rules for who may do what, and its audit log, for `release` and `comments`."""
    from sync_server.access.audit import record, record_event
    from sync_server.access.release_requests import ReleaseRequest
    from sync_server.access.user_roles import may
    from sync_server.access.users import authenticate_password

    def describe(*order: Any) -> str:
        return ReleaseRequest(*order).describe()

    return AccessRules(
        authenticate_password, may, record_event, record, describe, USER_PASSWORD_ENV
    )


register_release_command(app, access_rules)
register_report_command(app)
register_site_commands(app)

quarantine_app = typer.Typer(no_args_is_help=True)
app.add_typer(quarantine_app, name="quarantine", help="The quarantine: list, release.")
app.add_typer(comments_app(access_rules), name="comments", help="The comments review queue.")
CIPS_SPECS = Path(__file__).resolve().parent.parent / "questionnaire_specs" / "cips"


def require_initialised(data_dir: Path) -> None:
    from sync_server.survey_keys import SurveyKeyFiles

    if not SurveyKeyFiles(data_dir).public.exists():
        raise fail(f"{data_dir} is not an initialised server: run `mss server init` first")


def progress_bar() -> Progress:
    return Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=err
    )


@app.command()
def init(
    data_dir: DataDir,
    spec: Annotated[
        list[Path] | None,
        typer.Option(help="A questionnaire spec to accept answers to (default: the CIPS pair)."),
    ] = None,
    kem: Annotated[
        str,
        typer.Option(
            help="The survey key's kind: x25519, or mlkem768-x25519 (post-quantum hybrid; "
            "1,088 more bytes per response; stations only: the online site needs x25519)."
        ),
    ] = "x25519",
) -> None:
    """Create the central store and the survey key pair, and register the specs."""
    from crypto import SURVEY_KEY_PASSPHRASE, CryptoError, secret_weakness
    from crypto.survey_keys import KEMS
    from protocol import Problem
    from questionnaire_specs import SpecError, canonical_json, load_spec
    from sync_server.ingest import register_spec
    from sync_server.settings import utc_now
    from sync_server.survey_keys import SurveyKeyFiles, adopt_first_key

    keys = SurveyKeyFiles(data_dir)
    if keys.exist():
        raise fail(f"{data_dir} already holds a survey key: it is initialised")
    if kem not in KEMS:
        raise fail(f"--kem must be one of {', '.join(KEMS)}, not {kem!r}")
    paths = spec or sorted(CIPS_SPECS.glob("*.yaml"))
    try:
        specs = [load_spec(path) for path in paths]
    except SpecError as error:
        raise fail(str(error)) from None
    passphrase = key_passphrase(confirm=True)
    weakness = secret_weakness(passphrase, SURVEY_KEY_PASSPHRASE)
    if weakness is not None:  # before anything is made: nothing to clean up
        raise fail(weakness)
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)  # keys, releases, the store
    with central_store(data_dir) as (settings, sessions):
        try:
            public = keys.create(passphrase, kem=kem)
        except (CryptoError, OSError) as error:
            raise fail(f"cannot write the survey key: {error}") from None
        adopt_first_key(sessions, data_dir, clock=utc_now)
        for loaded in specs:
            try:
                register_spec(sessions, canonical_json(loaded), clock=utc_now)
            except Problem as problem:
                raise fail(problem.detail) from None
        out.print(f"central store: {settings.effective_database_url.split('@')[-1]}")
    out.print(
        f"survey public key: {keys.public} ({public.kem}, fingerprint {public.fingerprint()})"
    )
    out.print(f"survey private key: {keys.private} (encrypted; the processor's only)")
    for loaded in specs:
        out.print(f"accepting answers to {loaded.id} {loaded.version}")


@app.command()
def serve(
    data_dir: DataDir,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8080,
    migrate: Annotated[
        bool,
        typer.Option(help="Apply store migrations at start (off for extra workers)."),
    ] = True,
) -> None:
    """Run the intake API with uvicorn (it holds no survey private key)."""
    import dataclasses

    from sync_server.app import create_app
    from sync_server.serving import serve_app
    from sync_server.settings import Settings

    require_initialised(data_dir)
    settings = Settings.from_env(os.environ, data_dir=data_dir)
    settings = dataclasses.replace(settings, migrate_on_start=migrate)
    serve_app(create_app(settings), host=host, port=port)


@app.command("enroll-token")
def enroll_token(
    data_dir: DataDir,
    country: Annotated[str, typer.Option(help="ISO 3166 country code, e.g. SL.")],
    region: Annotated[str, typer.Option(help="The region the station works in.")],
    server_url: Annotated[str, typer.Option(help="The URL stations reach the server at.")],
    out_path: Annotated[Path, typer.Option("--out", help="Where to write the bundle.")],
    population: Annotated[
        str,
        typer.Option(
            help="Populations the station asks, comma-separated, each one a registered spec "
            "declares (officials, private_sector, all…); 'both' means every one of them."
        ),
    ] = "both",
    expires: Annotated[str, typer.Option(help="Token lifetime: 7d, 12h, 30m…")] = "7d",
) -> None:
    """Write a provisioning bundle with a single-use, expiring enrolment token."""
    import segno

    from protocol import Problem
    from protocol.provisioning import ProvisioningCode
    from sync_server.ingest.bundles import (
        StationPlace,
        issue_bundle,
        operator_fingerprint,
        registered_populations,
    )
    from sync_server.settings import utc_now
    from sync_server.survey_keys import SurveyKeyFiles

    require_initialised(data_dir)
    check_place(country)
    if not server_url.startswith(("http://", "https://")):
        raise fail("--server-url must start with http:// or https://")
    lifetime = parse_lifetime(expires)
    if out_path.exists():
        raise fail(f"{out_path} exists: a bundle is never overwritten")
    public = SurveyKeyFiles(data_dir).public_key()
    with central_store(data_dir) as (_settings, sessions):
        known = registered_populations(sessions)
        chosen = [p.strip() for p in population.split(",") if p.strip()]
        chosen = known if chosen == ["both"] else chosen
        unknown = [p for p in chosen if p not in known]
        if unknown or not chosen:
            raise fail(
                f"--population: {', '.join(unknown) or 'none given'} is not a population of "
                f"the registered specs ({', '.join(known) or 'none'}); or give 'both'"
            )
        place = StationPlace(country, region, tuple(chosen), server_url)
        try:
            bundle = issue_bundle(
                sessions,
                place,
                lifetime=lifetime,
                survey_public_key=public.to_text(),
                clock=utc_now,
                random_bytes=os.urandom,
            )
        except (Problem, ValueError) as error:
            raise fail(str(getattr(error, "detail", error))) from None
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with out_path.open("xb") as handle:
        handle.write(bundle.to_json())
    out_path.chmod(0o600)
    qr_path = out_path.with_suffix(".token.png")
    code = ProvisioningCode.for_bundle(bundle).to_text()
    segno.make(code, error="m").save(str(qr_path), scale=6)
    out.print(f"bundle: {out_path} (token valid until {bundle.expires_at}, single use)")
    out.print(f"provisioning code as a QR code (mss station provision --qr-image): {qr_path}")
    fingerprint = operator_fingerprint(bundle)
    if fingerprint is None:
        out.print(
            "this server has no operator key: the station will never switch to a new survey "
            "key (mss server operator-key new, then issue the token again)"
        )
    else:
        out.print(f"the station will pin operator key {fingerprint}: compare it with yours")


@app.command("revoke-station")
def revoke(data_dir: DataDir, station_id: Annotated[str, typer.Argument()]) -> None:
    """Refuse everything a station sends from now on (a lost or stolen tablet)."""
    from protocol import Problem
    from sync_server.ingest import revoke_station
    from sync_server.settings import utc_now

    with central_store(data_dir) as (_settings, sessions):
        try:
            revoke_station(sessions, station_id, clock=utc_now)
        except Problem as problem:
            raise fail(problem.detail) from None
    out.print(f"station {station_id} revoked")


@app.command("import")
def import_usb(data_dir: DataDir, folder: Annotated[Path, typer.Argument()]) -> None:
    """Import a USB folder of signed batch files through the same checks as HTTP."""
    from sync_server.ingest.usb_import import ImportFolderInvalid, import_folder
    from sync_server.settings import utc_now

    require_initialised(data_dir)
    with central_store(data_dir) as (_settings, sessions), progress_bar() as bar:
        task = bar.add_task("importing", total=None)
        try:
            report = import_folder(
                sessions, folder, clock=utc_now,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )  # fmt: skip
        except ImportFolderInvalid as error:
            raise fail(str(error)) from None
    out.print(
        f"{len(report.files)} files: {report.total('accepted')} new envelopes, "
        f"{report.total('duplicate')} already here, {report.total('conflict')} conflicts"
    )
    for name in report.missing:
        err.print(f"[yellow]missing:[/] {name} is in the manifest but not in the folder")
    for refused in report.refused:
        err.print(f"[red]refused:[/] {refused.file}: {refused.reason}", highlight=False)
    if report.refused or report.missing:
        raise typer.Exit(1)


@app.command()
def process(
    data_dir: DataDir,
    worker: Annotated[str, typer.Option(help="A name for this processor in claims.")] = "",
    shares: Annotated[
        list[Path] | None,
        typer.Option(
            "--share",
            help="A custodian's share file, once the key is in custody "
            "(`mss server survey-key split`): as many as it needs.",
        ),
    ] = None,  # fmt: skip
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            max=64,
            help="Processes to use (one per core): on PostgreSQL each claims its own chunks "
            "(SKIP LOCKED); on SQLite one writes while the others open and check.",
        ),
    ] = 1,  # fmt: skip
    key_ids: Annotated[
        list[str] | None,
        typer.Option(
            "--key",
            help="A survey key id to unlock (repeat); default: every key whose file is on "
            "this host. Envelopes sealed to other keys stay pending.",
        ),
    ] = None,  # fmt: skip
) -> None:
    """Open, check and load the inbox into the central store (resumable, idempotent)."""
    from sync_server.processor.openers import process_with_workers
    from sync_server.settings import utc_now
    from sync_server.store import make_engine, make_session_factory
    from sync_server.survey_keys import adopt_first_key

    require_initialised(data_dir)
    held = unlock_held_keys(data_dir, shares or [], key_ids or [])
    name = worker or f"processor-{os.getpid()}"
    with central_store(data_dir) as (settings, sessions), progress_bar() as bar:
        adopt_first_key(sessions, data_dir, clock=utc_now)
        task = bar.add_task("processing", total=None)
        report = process_with_workers(
            sessions, held, workers=workers, clock=utc_now, worker_id=name,
            # each forked processor opens its own connections
            fresh_sessions=lambda: make_session_factory(
                make_engine(settings.effective_database_url)
            ),
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )  # fmt: skip
    out.print(f"processed {report.processed}, quarantined {report.quarantined}")
    if report.dates_replaced:
        out.print(
            f"{report.dates_replaced} response(s) from a tablet with an impossible date: "
            "kept, dated the day they arrived"
        )
    for code, count in sorted(report.reasons.items()):
        out.print(f"  quarantined as {code}: {count}")
    for key_id, count in report.left_for_keys.items():
        out.print(f"left {count} pending for survey key {key_id} (not held by this processor)")


@app.command()
def status(data_dir: DataDir, as_json: AsJson = False) -> None:
    """Per station: received, duplicates, conflicts, sequences, gaps, last sync and beacon."""
    from sync_server.ingest import fleet_status
    from sync_server.ingest.fleet import CLOCK_SKEW_WARNING_SECONDS

    require_initialised(data_dir)
    with central_store(data_dir) as (_settings, sessions):
        fleet = fleet_status(sessions)
    totals = {
        "stations": len(fleet.stations),
        "received": sum(s.received for s in fleet.stations),
        "duplicates": sum(s.duplicates for s in fleet.stations),
        "conflicts": fleet.conflicts,
        "pending": fleet.pending,
        "processed": fleet.processed,
        "quarantined": fleet.quarantined,
    }
    if as_json:
        document = {
            "totals": totals,
            "stations": [s.model_dump(mode="json") for s in fleet.stations],
        }
        out.print_json(json.dumps(document))
        return
    table = Table(title="Stations")
    for column in ("station", "country", "region", "status", "received", "dup", "conflicts",
                   "last seq", "gaps", "last sync", "clock"):  # fmt: skip
        table.add_column(column)
    for s in fleet.stations:
        gaps = ", ".join(f"{a}–{b}" for a, b in s.gaps) or "none"
        last = s.last_sync_at.strftime("%Y-%m-%d %H:%M") if s.last_sync_at else "never"
        skew = s.clock_skew_seconds
        clock = "?" if skew is None else ("WRONG" if abs(skew) > CLOCK_SKEW_WARNING_SECONDS
                                          else "ok")  # fmt: skip
        table.add_row(s.station_id, s.country, s.region, s.status, str(s.received),
                      str(s.duplicates), str(s.conflicts), str(s.last_envelope_seq), gaps,
                      last, clock)  # fmt: skip
    out.print(table)
    out.print(", ".join(f"{key} {value}" for key, value in totals.items()))
    for s in fleet.stations:  # an online campaign flooded: said, not absorbed
        if s.arrivals is not None and s.arrivals.spike:
            usual = "new" if s.arrivals.usual is None else f"usually {s.arrivals.usual:.1f}"
            out.print(f"SPIKE {s.station_id}: {s.arrivals.recent} received in the last hour "
                      f"({usual})")  # fmt: skip


@app.command()
def export(
    data_dir: DataDir,
    user: Annotated[str, typer.Option(help="An administrator's user name (`mss server user`).")],
    out_path: Annotated[Path, typer.Option("--out", help="The file to write.")],
    fmt: Annotated[str, typer.Option("--format", help="csv")] = "csv",
) -> None:
    """Administrators only: the processed responses as CSV, one row each, without ids or
    exact times, but NOT anonymised. Analysts get `mss server release`. Audited."""
    from sync_server.access.audit import record_event
    from sync_server.access.user_roles import may
    from sync_server.access.users import authenticate_password
    from sync_server.exports.responses_csv import export_responses_csv
    from sync_server.settings import utc_now

    if fmt != "csv":
        raise fail(f"unknown format {fmt!r}: use csv")
    require_initialised(data_dir)
    password = os.environ.get(USER_PASSWORD_ENV) or (
        typer.prompt(f"Password for {user}", hide_input=True) if sys.stdin.isatty() else ""
    )
    with central_store(data_dir) as (_settings, sessions):
        actor = authenticate_password(sessions, user, password) if password else None
        if actor is None or not may(actor, "export", None, None):
            outcome = "unauthenticated" if actor is None else "denied"
            record_event(sessions, clock=utc_now, actor=user, action="export", outcome=outcome,
                         detail="responses CSV")  # fmt: skip
            raise fail(
                "only an administrator may export unanonymised responses "
                f"(set {USER_PASSWORD_ENV} or type the password); analysts use `release`"
            )
        count = export_responses_csv(sessions, out_path)
        record_event(sessions, clock=utc_now, actor=actor.name, action="export", outcome="ok",
                     detail=f"responses CSV, {count} rows")  # fmt: skip
    out.print(f"{count} responses written to {out_path}")


@quarantine_app.command("list")
def quarantine_list(data_dir: DataDir, as_json: AsJson = False) -> None:
    """Every quarantined envelope, newest first: its name for `release`, the station, where
    it was held (intake or processor) and why; never its content."""
    from sync_server.ingest.fleet import quarantine_entries
    from sync_server.ingest.quarantine_release import QuarantineRef

    with central_store(data_dir) as (_settings, sessions):
        entries = quarantine_entries(sessions)
    rows = [{"ref": QuarantineRef.of(e).to_text(), **e.model_dump(mode="json")} for e in entries]
    if as_json:
        out.print_json(json.dumps({"entries": rows}))
        return
    table = Table(title="Quarantine")
    for column in ("ref", "at", "station", "country", "seq", "held by", "reason", "detail"):
        table.add_column(column)
    for row in rows:
        table.add_row(row["ref"], str(row["at"] or "–"), row["station_id"], row["country"],
                      str(row["seq"]), row["where"], row["reason"], row["detail"])  # fmt: skip
    out.print(table)
    out.print(f"{len(rows)} in quarantine")


@quarantine_app.command("release")
def quarantine_release(
    data_dir: DataDir,
    refs: Annotated[list[str], typer.Argument(help="Names that `quarantine list` shows.")],
) -> None:
    """Put envelopes back in the processor's queue once their cause is fixed (then run
    `mss server process`). An intake conflict that still conflicts stays. Audited."""
    from protocol import Problem
    from sync_server.access.audit import record_event
    from sync_server.ingest.quarantine_release import QuarantineRef, release_quarantined
    from sync_server.settings import utc_now

    failed = False
    with central_store(data_dir) as (_settings, sessions):
        for text in refs:
            try:
                released = release_quarantined(
                    sessions, QuarantineRef.from_text(text), clock=utc_now
                )
            except Problem as problem:
                failed = True
                err.print(f"[red]not released:[/] {text}: {problem.detail}", highlight=False)
                record_event(
                    sessions, clock=utc_now, actor=None, action="quarantine",
                    outcome="not-found" if problem.code == "not-found" else "refused",
                    detail=f"{text}, from the command line: {problem.code}",
                )  # fmt: skip
                continue
            record_event(
                sessions, clock=utc_now, actor=None, action="quarantine", outcome="ok",
                detail=f"{text} (held for {released.reason}) released from the command line",
            )  # fmt: skip
            out.print(f"released {text} (held for {released.reason}): queued for the processor")
    if failed:
        raise typer.Exit(1)
