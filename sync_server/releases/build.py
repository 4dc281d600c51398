"""Build one release: read the store, treat (or reuse the treated file), cut the scope, write
the data file, the codebook and the risk report into a fresh directory.

Every refusal happens before anything is written; the files are written into a temporary
directory beside `out_dir` and renamed into place at the end, so a failed release leaves
nothing behind. The files carry no build time, so the same data and the same release seed
give byte-identical files.

Free text: national files carry it scrubbed; pooled files withhold it unless it has been
reviewed. There is no review workflow yet (future work), so pooled files never carry it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.compute as pc
from sqlalchemy.orm import Session, sessionmaker

from questionnaire_specs import Disclosure, QuestionType, Spec
from sync_server.anonymise import RiskReport
from sync_server.releases import codebook as books
from sync_server.releases.formats import NAMES, WRITERS, XLSX_MAX_ROWS
from sync_server.releases.frame import StoreResponses, read_frame, read_responses
from sync_server.releases.refusals import ReleaseRefused
from sync_server.releases.release_risk import check_k, release_risk_json, release_risk_markdown
from sync_server.releases.treated_cache import (
    Treated,
    TreatmentKey,
    is_cached,
    treated_file,
    treatment_rng,
)

SCOPES = ("national", "pooled")
# (phase, done, total): phases are "reading", "treating", "writing"; total 0 when unknown.
Progress = Callable[[str, int, int], None]
POOLED_FREE_TEXT = (
    "withheld: pooled releases carry free text only once reviewed, and there is no review "
    "workflow yet"
)


@dataclass(frozen=True)
class ReleaseOrder:
    """One release asked for: which records, in which formats and language, written where."""

    scope: str  # national | pooled
    country: str | None  # a national release's country; None for pooled
    spec_id: str
    wave: str | None  # None: the latest wave
    fmt: str  # one of formats.NAMES, or "all"
    lang: str  # the language of the labels in the files
    out_dir: Path  # absent or empty


@dataclass(frozen=True)
class ReleaseFiles:
    """What one release writes: its data in each format, its codebook and its risk report."""

    stem: str  # the data files' name before the format's extension
    formats: list[str]
    data: pd.DataFrame
    variables: list[books.Variable]
    lang: str
    codebook: dict[str, Any]
    risk_json: dict[str, Any]
    risk_markdown: str


@dataclass(frozen=True)
class ReleaseResult:
    out_dir: Path
    files: list[Path]
    rows: int
    risk: RiskReport  # the anonymiser's report on the treated file (all countries)
    wave: str = ""
    risk_json: dict[str, Any] = field(default_factory=dict)


def _check_order(order: ReleaseOrder) -> list[str]:
    scope, country, fmt, out_dir = order.scope, order.country, order.fmt, order.out_dir
    if scope not in SCOPES:
        raise ReleaseRefused("unknown-scope", f"--scope must be national or pooled, not {scope!r}")
    if scope == "national" and not country:
        raise ReleaseRefused("missing-country", "a national release names its --country")
    if scope == "pooled" and country:
        raise ReleaseRefused("country-in-pooled", "a pooled release holds every country")
    formats = list(NAMES) if fmt == "all" else [fmt]
    if fmt != "all" and fmt not in NAMES:
        raise ReleaseRefused(
            "unknown-format", f"unknown format {fmt!r}: use {', '.join(NAMES)} or all"
        )
    if out_dir.exists() and (not out_dir.is_dir() or any(out_dir.iterdir())):
        raise ReleaseRefused("out-dir-not-empty", f"{out_dir} exists and is not an empty directory")
    return formats


def _scope_count(responses: StoreResponses, scope: str, country: str | None) -> int:
    if scope == "pooled":
        return responses.count
    return int(pc.sum(pc.equal(responses.table["country"], country)).as_py() or 0)


def build_release(
    session_factory: sessionmaker[Session],
    order: ReleaseOrder,
    *,
    release_seed: bytes,
    cache_dir: Path | None = None,
    progress: Progress | None = None,
) -> ReleaseResult:
    """Build a release into `order.out_dir` (absent or empty). ReleaseRefused, with nothing
    written, for a bad order or one that would put fewer than k respondents in a file.

    `cache_dir` keeps the treated file per (spec, wave) for the next release to reuse."""
    scope, country, lang = order.scope, order.country, order.lang
    out_dir = Path(order.out_dir)
    formats = _check_order(order)
    report = progress or (lambda _phase, _done, _total: None)
    report("reading", 0, 0)
    responses = read_responses(session_factory, order.spec_id, order.wave)
    spec = responses.spec
    if lang not in spec.language_codes:
        raise ReleaseRefused(
            "unknown-language",
            f"spec {spec.id} has no language {lang!r} (it has {', '.join(spec.language_codes)})",
        )
    k = spec.settings.k_anonymity
    if scope == "national" and country not in responses.countries():
        known = ", ".join(responses.countries()) or "none"
        raise ReleaseRefused(
            "unknown-country",
            f"no response to {spec.id} in wave {responses.wave} comes from {country!r} "
            f"(countries with responses: {known})",
        )
    if responses.count < k or _scope_count(responses, scope, country) < k:
        raise ReleaseRefused(
            "fewer-than-k",
            f"the release would hold {_scope_count(responses, scope, country)} respondents, "
            f"fewer than k={k}: it could identify them",
        )
    treated = _treated(session_factory, responses, release_seed, cache_dir, report)
    frame = _cut(treated, scope, country)
    if len(frame) < k:
        raise ReleaseRefused(
            "fewer-than-k",
            f"after treatment the release would hold {len(frame)} respondents, fewer than k={k}",
        )
    smallest = check_k(frame, treated.quasi_identifiers, k)
    treatments = _treatments(spec, treated, scope)
    if scope == "pooled":
        frame = frame.drop(columns=_free_text(spec, frame))
    variables = books.variables_for(spec, list(frame.columns), treatments)
    data = _analysis_frame(spec, frame)
    if "xlsx" in formats and len(data) > XLSX_MAX_ROWS:
        *others, last = (name for name in NAMES if name != "xlsx")
        raise ReleaseRefused(
            "too-many-rows-for-xlsx",
            f"{len(data)} rows do not fit an Excel sheet: choose {', '.join(others)} or {last}",
        )
    release = {
        "scope": scope,
        "country": country if scope == "national" else None,
        "wave": responses.wave,
        "spec_versions": list(responses.versions),
        "rows": len(data),
        "formats": formats,
        "labels_language": lang,
    }
    codebook = books.codebook_json(
        spec, variables, release=release, quasi_identifiers=treated.quasi_identifiers
    )
    risk_json = release_risk_json(
        treated.risk_json, release, k, smallest, treated.countries_held_back
    )
    stem = "-".join(
        [spec.id, scope, *([country] if scope == "national" and country else []), responses.wave]
    )
    markdown = release_risk_markdown(treated.risk_markdown, risk_json)
    content = ReleaseFiles(stem, formats, data, variables, lang, codebook, risk_json, markdown)
    files = _write(out_dir, content, report)
    return ReleaseResult(out_dir, files, len(data), treated.risk, responses.wave, risk_json)


def _treated(
    session_factory: sessionmaker[Session],
    responses: StoreResponses,
    release_seed: bytes,
    cache_dir: Path | None,
    report: Progress,
) -> Treated:
    spec = responses.spec
    key = TreatmentKey(spec.id, responses.wave, responses.fingerprint, release_seed)
    if is_cached(cache_dir, key):
        report("reading", responses.count, responses.count)

    def treat() -> Treated:
        store = read_frame(
            session_factory, responses, progress=lambda done, _t: report("reading", done, 0)
        )
        report("treating", 0, 0)
        from sync_server.releases.wave_treatment import treat_frame

        treated = treat_frame(store.frame, spec, treatment_rng(key))
        report("treating", 1, 1)
        return treated

    return treated_file(key, treat=treat, cache_dir=cache_dir)


def _cut(treated: Treated, scope: str, country: str | None) -> pd.DataFrame:
    frame = treated.frame
    if scope == "pooled":
        return frame.reset_index(drop=True)
    # Row order and values are the treated file's: the national file is a plain subset.
    return frame[frame["country"] == country].reset_index(drop=True)


def _free_text(spec: Spec, frame: pd.DataFrame) -> list[str]:
    return [
        q.id
        for q in spec.questions
        if q.disclosure is Disclosure.FREE_TEXT and q.id in frame.columns
    ]


def _treatments(spec: Spec, treated: Treated, scope: str) -> dict[str, str]:
    treatments = dict(treated.treatments)
    if scope == "pooled":
        for question in spec.questions:
            if question.disclosure is Disclosure.FREE_TEXT:
                treatments[question.id] = POOLED_FREE_TEXT
    return treatments


def _analysis_frame(spec: Spec, frame: pd.DataFrame) -> pd.DataFrame:
    """The release's columns: a multi_choice answer becomes one 0/1 column per option."""
    columns: dict[str, Any] = {}
    for name in frame.columns:
        question = next((q for q in spec.questions if q.id == name), None)
        if question is None or question.type is not QuestionType.MULTI_CHOICE:
            columns[name] = frame[name]
            continue
        chosen = frame[name].map(_codes_of, na_action="ignore")
        for option in spec.options_for(question):
            flag = chosen.map(
                lambda codes, code=option.code: int(code in codes), na_action="ignore"
            )
            columns[books.option_column(name, option.code)] = flag.astype("Int64")
    return pd.DataFrame(columns, index=frame.index)


def _codes_of(value: object) -> frozenset[object]:
    """The selected codes of a multi_choice cell ("1;3", or a list), as int where possible."""
    parts = value.split(";") if isinstance(value, str) else list(value)  # type: ignore[call-overload]
    return frozenset(int(p) if isinstance(p, str) and p.lstrip("-").isdigit() else p for p in parts)


def _write(out_dir: Path, content: ReleaseFiles, report: Progress) -> list[Path]:
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=out_dir.parent, prefix=f".{out_dir.name}.part-"))
    try:
        names = []
        total = len(content.formats) + 2
        for done, fmt in enumerate(content.formats):
            report("writing", done, total)
            name = f"{content.stem}.{fmt}"
            WRITERS[fmt](content.data, content.variables, content.lang, staging / name)
            names.append(name)
        (staging / "codebook.json").write_bytes(books.dumps(content.codebook))
        (staging / "codebook.md").write_text(
            books.codebook_markdown(content.codebook, content.lang), encoding="utf-8", newline="\n"
        )
        (staging / "risk-report.json").write_bytes(books.dumps(content.risk_json))
        (staging / "risk-report.md").write_text(
            content.risk_markdown, encoding="utf-8", newline="\n"
        )
        names += ["codebook.json", "codebook.md", "risk-report.json", "risk-report.md"]
        staging.chmod(0o750)
        if out_dir.exists():
            out_dir.rmdir()  # empty (checked before): replaced by the finished release
        os.replace(staging, out_dir)
        report("writing", total, total)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return [out_dir / name for name in names]
