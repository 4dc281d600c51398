"""`mss station …`: the coordinator's and the scripted respondent's commands.

Secrets come from the environment (MSS_STATION_PASSPHRASE, MSS_STATION_PIN) for scripts, or
from a hidden prompt. Every failure is one clear line on stderr and exit 1 (or 2 for bad
usage), never a traceback; no answer, passphrase, PIN or key is ever printed.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from device_app.kiosk.kiosk_command import run as run_kiosk_command

app = typer.Typer(no_args_is_help=True)

PASSPHRASE_ENV = "MSS_STATION_PASSPHRASE"  # noqa: S105 - a variable name, not a secret
PIN_ENV = "MSS_STATION_PIN"

StationDir = Annotated[
    Path, typer.Option("--station-dir", help="The station's directory.", file_okay=False)
]
F = TypeVar("F", bound=Callable[..., Any])


def fail(message: str, code: int = 1) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def one_line_errors(command: F) -> F:
    """Turn every expected failure into one line and an exit code."""

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        from crypto import CryptoError
        from device_app.errors import InvalidAnswers, StationError

        try:
            return command(*args, **kwargs)
        except typer.Exit:
            raise
        except InvalidAnswers as error:
            typer.echo(f"error: {error}; nothing was written:", err=True)
            for problem in error.problems:
                typer.echo(f"  - {problem}", err=True)
            raise typer.Exit(1) from None
        except StationError as error:
            raise fail(str(error), error.exit_code) from None
        except CryptoError as error:
            raise fail(str(error)) from None
        except KeyboardInterrupt:
            raise fail("interrupted; nothing half-done was kept", 130) from None
        except OSError as error:
            raise fail(f"{error.filename or ''} {error.strerror or error}".strip()) from None
        except Exception as error:  # noqa: BLE001 - one line, never a traceback
            # Only the type: an unexpected message could quote an answer or a secret.
            raise fail(f"unexpected {type(error).__name__}; nothing half-done was kept") from None

    return run  # type: ignore[return-value]


def passphrase_from_env_or_prompt(*, confirm: bool = False) -> str:
    value = os.environ.get(PASSPHRASE_ENV)
    if value:
        return value
    if not sys.stdin.isatty():
        raise fail(f"no passphrase: set {PASSPHRASE_ENV} or run in a terminal", 2)
    return typer.prompt("Coordinator passphrase", hide_input=True, confirmation_prompt=confirm)


def pin_from_env_or_prompt() -> str:
    value = os.environ.get(PIN_ENV)
    if value:
        return value
    if not sys.stdin.isatty():
        raise fail(f"no coordinator PIN: set {PIN_ENV} or run in a terminal", 2)
    return typer.prompt("Coordinator PIN (4-12 digits)", hide_input=True, confirmation_prompt=True)


def unlock(station_dir: Path) -> Any:
    from device_app.station import Station

    return Station.unlock(station_dir, passphrase_from_env_or_prompt())


@app.command()
@one_line_errors
def provision(
    station_dir: StationDir,
    bundle: Annotated[
        Path | None, typer.Option("--bundle", help="The bundle from `mss server enroll-token`.")
    ] = None,
    qr_text: Annotated[
        str | None,
        typer.Option(
            "--qr-text",
            help="The enrolment QR code's text (mss:provision?…); '-' reads it from stdin, "
            "which keeps the token out of the shell's history.",
        ),
    ] = None,
    qr_image: Annotated[
        Path | None,
        typer.Option("--qr-image", help="A picture of the enrolment QR code (PNG, JPEG)."),
    ] = None,
) -> None:
    """Create this station, enrol it with the server and fetch its questionnaires: from the
    bundle file, or from the console's enrolment QR code (its text or a picture of it)."""
    from device_app.provisioning import provision as provision_station
    from device_app.provisioning import read_code_image, read_code_text

    given = [name for name, value in (("--bundle", bundle), ("--qr-text", qr_text),
             ("--qr-image", qr_image)) if value is not None]  # fmt: skip
    if len(given) != 1:
        raise fail("give one of --bundle, --qr-text or --qr-image", 2)
    if qr_text is not None:
        carried: Any = read_code_text(sys.stdin.read() if qr_text == "-" else qr_text)
    elif qr_image is not None:
        carried = read_code_image(qr_image)
    else:
        carried = bundle
    passphrase = passphrase_from_env_or_prompt(confirm=True)
    pin = pin_from_env_or_prompt()
    with provision_station(station_dir, carried, passphrase, pin) as station:
        typer.echo(
            f"station {station.station_id} provisioned in {station_dir} "
            f"({station.country}, {station.region}; {', '.join(station.populations)})"
        )


@app.command()
@one_line_errors
def simulate(
    station_dir: StationDir,
    responses: Annotated[int, typer.Option("--responses", min=1, help="How many respondents.")],
    seed: Annotated[
        int | None, typer.Option("--seed", help="Seed for reproducible answers.")
    ] = None,
    population: Annotated[
        str | None, typer.Option("--population", help="One population (default: all).")
    ] = None,
) -> None:
    """Scripted respondents: random valid answers through the real survey session."""
    from random import Random

    from rich.progress import Progress

    from device_app.scripted_respondent import simulate_respondents

    rng = Random(seed)  # noqa: S311 - answers for demos and tests, not secrets
    with unlock(station_dir) as station, Progress(transient=False) as progress:
        task = progress.add_task("respondents", total=responses)
        outcome = simulate_respondents(
            station,
            responses,
            rng=rng,
            population=population,
            progress=lambda done: progress.update(task, completed=done),
        )
    typer.echo(
        f"{outcome.finished} responses sealed into the outbox "
        f"({', '.join(f'{k}: {v}' for k, v in sorted(outcome.by_population.items()))}); "
        f"last seq {outcome.last_seq}"
    )


@app.command()
@one_line_errors
def submit(
    station_dir: StationDir,
    answers: Annotated[Path, typer.Option("--answers", help="JSON: question id → answer.")],
    population: Annotated[str | None, typer.Option("--population")] = None,
    language: Annotated[str | None, typer.Option("--language")] = None,
) -> None:
    """Seal one response given as a JSON file (the paper fallback); invalid ones are refused."""
    from device_app.scripted_respondent import submit_answers
    from device_app.secret_json import read_secret_json

    given = read_secret_json(answers, "the answers file")
    with unlock(station_dir) as station:
        seq = submit_answers(station, given, population=population, language=language)
    typer.echo(f"response sealed into the outbox as seq {seq}")


@app.command()
@one_line_errors
def status(
    station_dir: StationDir,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Outbox counts, last sync, last seq and spec versions."""
    with unlock(station_dir) as station:
        current = station.status()
    if as_json:
        typer.echo(json.dumps(current.as_json(), indent=2, sort_keys=True))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"station {current.station_id}", show_header=False)
    last = current.last_sync.isoformat() if current.last_sync else "never"
    if current.last_sync_ok is False:
        last += " (failed)"
    for label, value in (
        ("country, region", f"{current.country}, {current.region}"),
        ("server", current.server_url),
        (
            "survey key",
            current.survey_key_id
            + (f" (kept: {current.survey_key_refused})" if current.survey_key_refused else ""),
        ),
        ("pending", current.pending),
        ("acknowledged", current.acknowledged),
        ("conflict", current.conflict),
        ("rejected", current.rejected),
        ("last seq", current.last_seq),
        ("interrupted respondents", current.interrupted_drafts),
        ("clock", f"WRONG: says {current.wrong_clock}" if current.wrong_clock else "ok"),
        ("last sync", last),
        ("specs", ", ".join(f"{k} {v}" for k, v in sorted(current.spec_versions.items()))),
    ):
        table.add_row(label, str(value))
    Console().print(table)
    for problem in current.problems:
        typer.echo(f"  {problem}")


@app.command()
@one_line_errors
def sync(
    station_dir: StationDir,
    server_url: Annotated[
        str | None, typer.Option("--server-url", help="Override the provisioned server URL.")
    ] = None,
    attempts: Annotated[
        int, typer.Option("--attempts", min=1, max=20, help="Tries per request (backoff).")
    ] = 5,
) -> None:
    """Send the outbox in signed batches and a beacon; only receipts mark envelopes sent."""
    from rich.progress import Progress

    with unlock(station_dir) as station, Progress(transient=True) as progress:
        task = progress.add_task("sending", total=None)
        report = station.sync(
            progress=lambda done, total: progress.update(task, completed=done, total=total),
            server_url=server_url,
            max_attempts=attempts,
        )
    typer.echo(
        f"{report.batches} batch(es) sent to {report.server_url}: {report.accepted} accepted, "
        f"{report.duplicate} duplicate, {report.conflict} conflict, {report.rejected} rejected; "
        f"{report.pending_after} still pending"
    )
    for problem in report.problems:
        typer.echo(f"  {problem}")
    if report.beacon_problem:
        typer.echo(f"  beacon not accepted: {report.beacon_problem}", err=True)


@app.command()
@one_line_errors
def export(
    station_dir: StationDir,
    to: Annotated[Path, typer.Option("--to", help="The folder (e.g. on a USB stick).")],
    include_all: Annotated[
        bool, typer.Option("--all", help="Also the envelopes already acknowledged.")
    ] = False,
) -> None:
    """Write the outbox as signed batch files plus manifest.json for `mss server import`."""
    with unlock(station_dir) as station:
        report = station.export_usb(to, include_acknowledged=include_all)
    if not report.files:
        typer.echo("nothing to export: the outbox has no pending envelopes")
        return
    typer.echo(
        f"{report.envelopes} envelope(s) in {report.batches} batch file(s) written to {to} "
        "(nothing is marked sent until the server's receipt arrives)"
    )


# `mss station run`: the kiosk. Its command lives beside the kiosk; Kivy loads only when run.
app.command("run")(run_kiosk_command)
