"""A report written from a release folder: figures.json, report.html and report.pdf.

The report reads only the release's own Parquet file (the same rows the analyst
downloads), and the spec for its texts and its questions' structure. Everything shown is
in figures.json, so each number can be checked against the file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from questionnaire_specs import Spec
from sync_server.reports.cells import DEFAULT_MIN_N
from sync_server.reports.comparability import NotComparable, check_comparable, check_same_wave
from sync_server.reports.figures import Alongside, report_figures
from sync_server.reports.page import Labels, render_html, write_pdf


class ReportRefused(Exception):
    """The report cannot be made from what was given: nothing is written."""


@dataclass(frozen=True)
class ReportFiles:
    figures: Path
    html: list[Path]
    pdf: list[Path]


def release_rows(release_dir: Path) -> pd.DataFrame:
    """The rows of a release folder's Parquet file."""
    files = sorted(release_dir.glob("*.parquet"))
    if len(files) != 1:
        raise ReportRefused(
            f"{release_dir} must hold one release's .parquet file (found {len(files)}): make "
            "the release with --format parquet or all"
        )
    return pd.read_parquet(files[0])


@dataclass(frozen=True)
class ReleaseFolder:
    """A release as an analyst holds it: its rows (the Parquet file) and its codebook."""

    rows: pd.DataFrame
    codebook: dict[str, Any]

    @property
    def spec_named(self) -> tuple[str | None, str | None]:
        named = self.codebook.get("spec", {})
        return named.get("id"), named.get("version")

    @property
    def scope(self) -> str:
        return str(self.codebook.get("release", {}).get("scope", "national"))

    def _coded(self) -> list[dict[str, Any]]:
        return [v for v in self.codebook.get("variables", []) if v.get("codes")]

    def labels(self) -> Labels:
        """The code labels: for a recoded variable, those of the level the release holds
        (an age band "Under 35", not the spec's "18–24")."""
        return {
            variable["name"]: {str(code["code"]): code["label"] for code in variable["codes"]}
            for variable in self._coded()
        }

    def codes(self) -> dict[str, list[tuple[object, bool]]]:
        """The codes the release holds per variable, non-substantive ones marked."""
        return {
            variable["name"]: [
                (code["code"], bool(code.get("non_substantive"))) for code in variable["codes"]
            ]
            for variable in self._coded()
        }


def read_release(release_dir: Path) -> ReleaseFolder:
    """The release folder's Parquet file and codebook.json; ReportRefused if it is none."""
    path = release_dir / "codebook.json"
    if not path.is_file():
        raise ReportRefused(f"{release_dir} is not a release folder (it has no codebook.json)")
    try:
        codebook = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as error:
        raise ReportRefused(f"{path} cannot be read: {error}") from None
    return ReleaseFolder(release_rows(release_dir), codebook)


@dataclass(frozen=True)
class OtherPopulation:
    """Another population's release of the same wave, and its own spec (the private sector
    beside officials): each factor's index is shown beside this one's, with the difference."""

    release_dir: Path
    spec: Spec


def build_report(
    release_dir: Path,
    spec: Spec,
    out_dir: Path,
    *,
    lang: str,
    previous_dir: Path | None = None,
    min_n: int = DEFAULT_MIN_N,
    alongside: OtherPopulation | None = None,
) -> ReportFiles:
    """Write the report of every population in the release into `out_dir` (new or empty).
    The release must be of `spec` (its codebook names it), `previous_dir` an earlier wave's
    of the same questionnaire, `alongside` another population's of the same wave; the scope
    is the release's own."""
    if lang not in spec.language_codes:
        raise ReportRefused(f"spec {spec.id} has no language {lang!r}")
    if min_n < 2:
        raise ReportRefused("the smallest cell shown must be at least 2 respondents")
    if out_dir.exists() and any(out_dir.iterdir()):
        raise ReportRefused(f"{out_dir} exists and is not empty")
    release = read_release(release_dir)
    if release.spec_named != (spec.id, spec.version):
        named_id, named_version = release.spec_named
        raise ReportRefused(
            f"the release is of {named_id} {named_version}, the spec file is {spec.id} "
            f"{spec.version}: give the release's own spec"
        )
    previous = read_release(previous_dir) if previous_dir is not None else None
    if previous is not None:
        try:
            check_comparable(release.codebook, previous.codebook)
        except NotComparable as reason:
            raise ReportRefused(str(reason)) from None
    beside = None
    if alongside is not None:
        other = read_release(alongside.release_dir)
        if other.spec_named != (alongside.spec.id, alongside.spec.version):
            raise ReportRefused(
                f"the other population's release is of {' '.join(map(str, other.spec_named))}, "
                f"its spec file of {alongside.spec.id} {alongside.spec.version}"
            )
        try:
            check_same_wave(release.codebook, other.codebook)
        except NotComparable as reason:
            raise ReportRefused(str(reason)) from None
        held = [
            p.id for p in alongside.spec.populations if (other.rows["population"] == p.id).any()
        ]
        if len(held) != 1:
            raise ReportRefused(
                f"the other population's release must hold one population (it holds {held})"
            )
        beside = Alongside(other.rows, alongside.spec, held[0])
    scope = release.scope
    rows = release.rows
    codes = release.codes()
    populations = [p.id for p in spec.populations if (rows["population"] == p.id).any()]
    if not populations:
        raise ReportRefused(f"the release holds no respondent of spec {spec.id}'s populations")
    figures: dict[str, Any] = {
        "spec": spec.identity.as_dict(),
        "scope": scope,
        "countries": sorted(str(c) for c in rows["country"].dropna().unique()),
        "populations": {
            population: report_figures(
                rows,
                spec,
                population,
                min_n=min_n,
                codes_released=codes,
                previous=previous.rows if previous is not None else None,
                alongside=beside,
            )
            for population in populations
        },
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    figures_path = out_dir / "figures.json"
    figures_path.write_text(
        json.dumps(figures, ensure_ascii=False, indent=1, sort_keys=True) + "\n", "utf-8"
    )
    labels = release.labels()
    html_paths, pdf_paths = [], []
    for population, population_figures in figures["populations"].items():
        page = render_html(population_figures, spec, lang, scope=scope, labels=labels)
        html_path = out_dir / f"report-{population}-{lang}.html"
        html_path.write_text(page, "utf-8")
        pdf_path = html_path.with_suffix(".pdf")
        write_pdf(page, pdf_path)
        html_paths.append(html_path)
        pdf_paths.append(pdf_path)
    return ReportFiles(figures_path, html_paths, pdf_paths)
