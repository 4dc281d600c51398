"""`anonymise`: processed responses in, a release-ready treated frame and its risk report out.

Pure: a frame and a spec in, a frame out; no database, files or network. The steps run in the
order README.md in this package lists them (identifiers and time, k-anonymity, l-diversity,
answers that would give a suppressed value back, free text, fresh ids and order), each rule
explained there.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import phonenumbers

from questionnaire_specs import Question, Spec
from questionnaire_specs.anonymity_settings import SETTINGS, naming_problems
from sync_server.anonymise.classes import combine, row_keys
from sync_server.anonymise.dates import PRECISIONS, coarsen_dates, whole_minutes
from sync_server.anonymise.disclosure_roles import (
    FIXED_QUASI_IDENTIFIERS,
    QuasiIdentifier,
    Roles,
    importance_order,
    read_roles,
    strata_of,
)
from sync_server.anonymise.free_text import DEFAULT_REGIONS, PLACEHOLDERS, scrub_text
from sync_server.anonymise.free_text_names import Vocabulary, vocabulary_of
from sync_server.anonymise.identifiers import (
    KEPT_RESPONSE_COLUMNS,
    RELEASED_AS_RECORDED,
    RESPONDENT_ID,
    fresh_ids,
    shuffled_order,
)
from sync_server.anonymise.k_anonymity import (
    DEFAULT_MAX_AT_RISK_SHARE,
    KResult,
    k_anonymise,
)
from sync_server.anonymise.l_diversity import DISTINCT_L, l_diversify
from sync_server.anonymise.risk_report import (
    ClassesBelowK,
    Diversity,
    RiskReport,
    Suppression,
    measure_risk,
)

SOURCE_ID = "response_id"
# Bumped whenever the same input and seed would be treated differently (2: country is a
# stratum; 3: a blank is its own value, importance order), so that a cached treatment made
# by older rules is not reused.
TREATMENT_VERSION = 3


@dataclass(frozen=True)
class TreatedData:
    frame: pd.DataFrame
    risk: RiskReport
    treatments: dict[str, str]  # released (or withheld) variable -> what was done to it


def anonymise(
    frame: pd.DataFrame,
    spec: Spec,
    *,
    k: int | None = None,
    date_precision: str | None = None,
    rng: np.random.Generator,
    include_free_text: bool,
    reviewed_free_text: bool = False,
    max_at_risk_share: float = DEFAULT_MAX_AT_RISK_SHARE,
) -> TreatedData:
    """Treat one spec's responses for release (see README.md for every rule).

    `frame`: one row per response with `response_id` and any of country, region, population,
    language, completed_on, duration_s, complete, and one column per answered question.
    `k` can raise the spec's k, never lower it. `rng`, seeded by the caller from the secret
    release seed, is the only source of randomness: the same frame (in any row order) and
    the same seed give the same output.
    """
    k_used, precision = _check(frame, spec, k, date_precision, rng)
    rows = len(frame)
    # Rows are treated in the order they came, then released in an order drawn from `rng`
    # over the rows sorted by source id: one reordering, and input order cannot matter.
    by_source = np.argsort(frame[SOURCE_ID].to_numpy(dtype=object).astype(str), kind="stable")
    frame = frame.reset_index(drop=True)
    roles = read_roles(spec, list(frame.columns))
    _check_declared(spec)
    quasi = tuple(_fitting(frame, qi) for qi in roles.quasi_identifiers)
    notes: list[str] = []
    if k is not None and k < spec.settings.k_anonymity:
        notes.append(f"k={k} was asked for; the spec's k={spec.settings.k_anonymity} applies.")

    released: dict[str, pd.Series] = {}
    treatments: dict[str, str] = {}
    if "completed_on" in frame:
        released["completed_on"] = coarsen_dates(frame["completed_on"], precision)
        treatments["completed_on"] = f"coarsened to the {precision}"
    if "duration_s" in frame:
        released["duration_min"] = whole_minutes(frame["duration_s"])
        treatments["duration_min"] = "duration in whole minutes, rounded down"

    rank = np.empty(rows, dtype=np.int64)
    rank[by_source] = np.arange(rows)
    kept = k_anonymise(
        frame,
        quasi,
        k_used,
        max_at_risk_share=max_at_risk_share,
        importance=importance_order(spec, [qi.name for qi in quasi]),
        strata=strata_of(spec),
        order_key=rank,
    )
    suppressed: dict[str, np.ndarray] = {}
    for index, name in enumerate(kept.names):
        released[name] = kept.column(index, frame[name])
        suppressed[name] = kept.suppressed[:, index].copy()
    for name in RELEASED_AS_RECORDED:
        if name in frame and name not in released:
            released[name] = frame[name]

    combos = combine(kept.codes)
    stratum_columns = [i for i, name in enumerate(kept.names) if name in strata_of(spec)]
    strata_keys = row_keys(kept.codes, stratum_columns)
    dependent: dict[str, int] = {}
    diversity: dict[str, Diversity] = {}
    for question in (spec.question(q) for q in roles.questions):
        column = released.get(question.id, frame[question.id])
        column, cut = _suppress_dependents(question, column, suppressed)
        if cut.any():
            dependent[question.id] = int(cut.sum())
        mask = suppressed.setdefault(question.id, np.zeros(rows, dtype=bool))
        mask |= cut
        if question.id in roles.sensitive:
            result = l_diversify(
                column,
                roles.non_substantive.get(question.id, frozenset()),
                frozenset(question.discloses) if question.discloses else None,
                combos,
                combos.inverse,
                strata_keys,
                rank,
                rng,
            )
            column = _blank(column, result.suppressed)
            mask |= result.suppressed
            diversity[question.id] = Diversity(
                result.violations_before,
                result.classes_before,
                result.violations_after,
                _rate(int(result.suppressed.sum()), rows),
                result.kept,
                result.bias,
            )
        released[question.id] = column

    scrubbed = dict.fromkeys(PLACEHOLDERS, 0)
    regions = _regions(frame)
    vocabulary = vocabulary_of(spec) if include_free_text and roles.free_text else None
    for name in roles.free_text:
        if include_free_text:
            released[name] = _scrub_column(released[name], regions, vocabulary, scrubbed)
        else:
            del released[name]

    treatments.update(
        _treatments(
            spec, roles, kept, diversity, dependent, rows, include_free_text, reviewed_free_text
        )
    )
    notes += _relevance_notes(spec, roles, kept)
    asked = [qi.name for qi in quasi if qi.name in roles.questions]
    if asked:
        skipped = int(frame[asked].isna().all(axis=1).sum())
        if skipped:
            notes.append(
                f"{skipped} respondents answered none of {', '.join(asked)}; a blank is "
                "counted as its own value, so they form classes of their own and make no "
                "other class look larger than it is."
            )
    if kept.filled:
        notes.append(
            f"{kept.filled} records had every quasi-identifier suppressed to join a class of "
            "blanks that was below k (respondents who skipped the demographic questions)."
        )
    order = [c for c in KEPT_RESPONSE_COLUMNS if c in released]
    order += [c for c in roles.questions if c in released and c not in order]
    ids = fresh_ids(rows, rng)  # the i-th id goes to the i-th response by source id
    shuffle = shuffled_order(rows, rng)
    taken = by_source[shuffle]
    columns = {RESPONDENT_ID: pd.Series(ids[shuffle], dtype=object)}
    columns.update({name: _taken(released[name], taken) for name in order})
    treated = pd.DataFrame(columns, copy=False)
    treatments = {RESPONDENT_ID: "fresh random id, not derived from any source id", **treatments}

    free_text = "none"
    if roles.free_text:
        free_text = "withheld"
        if include_free_text:
            free_text = "scrubbed, reviewed" if reviewed_free_text else "scrubbed"
    report = RiskReport(
        quasi_identifiers=list(kept.names),
        k=k_used,
        l_diversity=DISTINCT_L,
        date_precision=precision,
        rows_in=rows,
        rows_out=len(treated),
        below_k_before=ClassesBelowK(kept.below_k_before.classes, kept.below_k_before.records),
        below_k_after=ClassesBelowK(kept.below_k_after.classes, kept.below_k_after.records),
        recodings={name: level for name, level in kept.levels.items() if level is not None},
        suppression={
            name: _rate(int(kept.suppressed[:, i].sum()), rows) for i, name in enumerate(kept.names)
        },
        diversity=diversity,
        dependent_suppression={name: _rate(n, rows) for name, n in dependent.items()},
        free_text=free_text,
        scrubbed=scrubbed if include_free_text and roles.free_text else {},
        dropped_columns=[
            c
            for c in frame.columns
            if c not in released and c not in ("duration_s", *roles.free_text)
        ],
        notes=notes,
        strata=[name for name in strata_of(spec) if name in kept.names],
        risk_before=measure_risk(kept.original, kept.original, k_used),
        risk_after=measure_risk(kept.recoded, kept.codes, k_used),
        importance=list(importance_order(spec, list(kept.names))),
    )
    return TreatedData(treated, report, treatments)


def _check(
    frame: pd.DataFrame,
    spec: Spec,
    k: int | None,
    date_precision: str | None,
    rng: object,
) -> tuple[int, str]:
    if not isinstance(frame, pd.DataFrame):
        raise TypeError("anonymise takes a pandas DataFrame")
    if not isinstance(rng, np.random.Generator):
        raise TypeError("rng must be a numpy.random.Generator seeded from the release seed")
    if SOURCE_ID not in frame.columns:
        raise ValueError(f"the frame has no {SOURCE_ID} column (needed for a stable order)")
    if frame.columns.duplicated().any():
        raise ValueError("the frame has a column name twice")
    if frame[SOURCE_ID].isna().any() or frame[SOURCE_ID].duplicated().any():
        raise ValueError(f"{SOURCE_ID} must be present and unique on every row")
    if k is not None and (isinstance(k, bool) or not isinstance(k, int) or k < 2):
        raise ValueError(f"k must be a whole number of at least 2 (got {k!r})")
    precision = date_precision or spec.settings.date_precision
    if precision not in PRECISIONS:
        raise ValueError(f"date precision must be month or quarter (got {precision!r})")
    return max(spec.settings.k_anonymity, k or 0), precision


def _check_declared(spec: Spec) -> None:
    """The importance order and the strata name quasi-identifiers (or response columns):
    the spec checks' rule (anonymity_settings.py), for a spec built without them."""
    for setting in SETTINGS:
        names = getattr(spec.settings, setting) or []
        for _, why in naming_problems(setting, names, spec.questions):
            raise ValueError(f"settings.{setting}: {why}")


def _fitting(frame: pd.DataFrame, quasi: QuasiIdentifier) -> QuasiIdentifier:
    """A response column (e.g. region as text) that its namesake question's hierarchy does
    not describe is released without a hierarchy (suppression only)."""
    if quasi.name not in FIXED_QUASI_IDENTIFIERS or not quasi.levels:
        return quasi
    values = frame[quasi.name].dropna().unique()
    if all(v in quasi.levels[0].groups for v in values):
        return quasi
    return QuasiIdentifier(quasi.name)


def _blank(column: pd.Series, mask: np.ndarray) -> pd.Series:
    if not mask.any():
        return column
    if column.dtype == object:
        column = column.copy()
        column[mask] = None
        return column
    return column.mask(mask)


def _suppress_dependents(
    question: Question, column: pd.Series, suppressed: dict[str, np.ndarray]
) -> tuple[pd.Series, np.ndarray]:
    """Blank the answer where a question it depends on (its `relevant`) was suppressed: an
    answer to "how many times were you offered…" would otherwise reveal "offered = yes"."""
    cut = np.zeros(len(column), dtype=bool)
    expression = question.relevant_expression
    if expression is None:
        return column, cut
    for name in sorted(expression.references):
        if name in suppressed:
            cut |= suppressed[name]
    cut &= column.notna().to_numpy()
    return _blank(column, cut), cut


def _regions(frame: pd.DataFrame) -> tuple[str, ...]:
    regions = list(DEFAULT_REGIONS)
    if "country" in frame:
        for country in sorted(frame["country"].dropna().astype(str).unique()):
            code = country.upper()
            if code in phonenumbers.SUPPORTED_REGIONS and code not in regions:
                regions.append(code)
    return tuple(regions)


def _scrub_column(
    column: pd.Series, regions: tuple[str, ...], vocabulary: Vocabulary, totals: dict[str, int]
) -> pd.Series:
    # Each distinct text is scrubbed once; its spans count once per record holding it.
    present = column.dropna()
    present = present[present.map(lambda v: isinstance(v, str))]
    clean: dict[str, str] = {}
    for text, times in present.value_counts(sort=False).items():
        clean[text], counts = scrub_text(text, regions=regions, vocabulary=vocabulary)
        for tag, count in counts.items():
            totals[tag] += count * int(times)
    out = pd.Series(
        [clean.get(v) if isinstance(v, str) else None for v in column],
        index=column.index,
        dtype=object,
    )
    return out


_MASKED = (pd.arrays.IntegerArray, pd.arrays.BooleanArray, pd.arrays.FloatingArray)


def _taken(column: pd.Series, rows: np.ndarray) -> pd.Series:
    """The column's values in the order `rows` (numpy gathers: a million rows, ~70 columns)."""
    array = column.array
    if isinstance(array, _MASKED):
        mask = np.asarray(array.isna())
        data = array.to_numpy(dtype=array.dtype.numpy_dtype, na_value=0)
        return pd.Series(type(array)(data[rows], mask[rows]), copy=False)
    if column.dtype == object:
        return pd.Series(column.to_numpy()[rows], dtype=object, copy=False)
    return column.reset_index(drop=True).take(rows).reset_index(drop=True)


def _rate(count: int, rows: int) -> Suppression:
    return Suppression(count, count / rows if rows else 0.0)


def _treatments(
    spec: Spec,
    roles: Roles,
    kept: KResult,
    diversity: dict[str, Diversity],
    dependent: dict[str, int],
    rows: int,
    include_free_text: bool,
    reviewed: bool,
) -> dict[str, str]:
    out: dict[str, str] = {}
    for index, name in enumerate(kept.names):
        if name in strata_of(spec):
            out[name] = (
                "quasi-identifier and stratum: released as recorded, never generalised or "
                "suppressed; every class lies within one country"
            )
            continue
        level = kept.levels[name]
        share = kept.suppressed[:, index].sum() / rows
        head = f"generalised to {level}" if level else "released at its answer codes"
        out[name] = f"quasi-identifier: {head}; {share:.1%} suppressed locally"
    for name in RELEASED_AS_RECORDED:
        out.setdefault(name, "released as recorded")
    for name in roles.questions:
        if name in diversity:
            cut = diversity[name].suppressed.rate
            out[name] = (
                "sensitive: disclosing answers protected where a class would reveal them, "
                f"the same share of every answer blanked; {cut:.1%} suppressed, "
                f"bias {diversity[name].bias:.4f}"
            )
        elif name in roles.free_text:
            if include_free_text:
                review = "reviewed by an analyst" if reviewed else "not reviewed"
                out[name] = (
                    "free text: e-mails, phone numbers, id-like tokens, names and the "
                    "spec's place names replaced by [EMAIL] [PHONE] [ID] [NAME] [PLACE] "
                    f"({review})"
                )
            else:
                out[name] = "free text: withheld from this release"
        elif name not in out:
            out[name] = "released as answered"
        if name in dependent:
            refs = ", ".join(sorted(spec.question(name).relevant_expression.references))
            out[name] += (
                f"; {dependent[name] / rows:.1%} suppressed with a suppressed "
                f"answer it depends on ({refs})"
            )
    return out


def _relevance_notes(spec: Spec, roles: Roles, kept: KResult) -> list[str]:
    recoded = {name for name, level in kept.levels.items() if level is not None}
    notes = []
    for name in roles.questions:
        expression = spec.question(name).relevant_expression
        hit = sorted(recoded & set(expression.references)) if expression else []
        if hit:
            notes.append(
                f"{name} is asked depending on {', '.join(hit)}, which is released coarser: "
                "whether it was answered may reveal the finer value."
            )
    return notes
