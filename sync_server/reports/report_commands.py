"""`mss server report`: the results report of a release folder, written into --out.

It reads the release an analyst downloaded (its Parquet file and codebook.json), not the
central store: anyone who holds the release can make the report and check every number
against the file, and no one needs a password to do it. The spec file gives the texts; it
must be the release's own spec (its id and version are checked against the codebook).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sync_server.command_kit import fail, out


def report(
    release_dir: Annotated[
        Path, typer.Option("--release", help="A release folder (mss server release).")
    ],
    spec_file: Annotated[Path, typer.Option("--spec", help="The release's spec (YAML).")],
    out_dir: Annotated[Path, typer.Option("--out", help="A new or empty directory.")],
    lang: Annotated[str, typer.Option(help="The report's language.")] = "en",
    previous: Annotated[
        Path | None,
        typer.Option(help="The same scope's release of an earlier wave: adds the change."),
    ] = None,
    min_n: Annotated[int, typer.Option(help="Cells with fewer respondents are hidden.")] = 10,
) -> None:
    """Write figures.json and, per population, the report as HTML and PDF."""
    from questionnaire_specs import SpecError, load_spec
    from sync_server.reports.build import ReportRefused, build_report

    try:
        spec = load_spec(spec_file)
    except SpecError as error:
        raise fail(f"{spec_file}: {error}", 2) from None
    try:
        files = build_report(
            release_dir, spec, out_dir, lang=lang, previous_dir=previous, min_n=min_n
        )
    except ReportRefused as refused:
        raise fail(str(refused), 2) from None
    out.print(f"report in {out_dir}:")
    for path in [files.figures, *files.html, *files.pdf]:
        out.print(f"  {path.name}")


def register(app: typer.Typer) -> None:
    app.command("report")(report)
