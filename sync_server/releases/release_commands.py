"""`mss server release`: an anonymised national or pooled release, written into --out.

Mount it with `register(app)` (sync_server/server_commands.py does). Heavy imports (pandas, pyarrow)
happen inside the command so that `mss --help` stays fast. A refusal is one clear line and
exit code 2 (nothing written); any other failure is one line and exit code 1.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from sync_server.command_kit import DataDir, central_store, err, fail, out
from sync_server.releases.formats import NAMES

FORMAT_HELP = f"{', '.join(NAMES)}, or all"
PHASES = ("reading", "treating", "writing")


def release(
    data_dir: DataDir,
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
    """Write an anonymised release: data file, codebook and risk report."""
    from sync_server.releases.build import ReleaseOrder, build_release
    from sync_server.releases.refusals import ReleaseRefused
    from sync_server.releases.seed import load_release_seed

    if not data_dir.is_dir():
        raise fail(f"{data_dir} is not a directory: give the server's --data-dir")
    if not os.environ.get("MSS_DATABASE_URL") and not (data_dir / "central.db").exists():
        raise fail(f"{data_dir} holds no central store: run `mss server init` first")
    try:
        with central_store(data_dir) as (_settings, sessions), _bars() as (bars, tasks):

            def progress(phase: str, done: int, total: int) -> None:
                task = tasks[phase]
                bars.update(task, completed=done, total=total or None, visible=True)

            order = ReleaseOrder(scope, country, spec, wave, fmt, lang, out_dir)
            result = build_release(
                sessions,
                order,
                release_seed=load_release_seed(data_dir),
                cache_dir=data_dir / "releases" / "treated",
                progress=progress,
            )
    except ReleaseRefused as refusal:
        raise fail(f"release refused ({refusal.code}): {refusal.message}", 2) from None
    except (OSError, ValueError) as error:
        raise fail(f"the release failed: {error}", 1) from None
    out.print(f"{result.rows} respondents, wave {result.wave}, in {result.out_dir}:")
    for path in result.files:
        out.print(f"  {path.name}")


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


def register(app: typer.Typer) -> None:
    """Add `release` to the `mss server` app."""
    app.command("release")(release)
