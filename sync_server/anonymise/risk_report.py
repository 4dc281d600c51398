"""The risk report that travels with every release: what was at risk and what was done.

Risk is counted strictly (a blank is its own value, sdcMicro's `alpha = 0`), before and after
treatment: sample uniques, records in classes below k, individual risk (1 / class size: an
intruder who knows the respondent took part, so no sampling protects anyone) and expected
re-identifications (its sum). The insider measure is the roster attack: someone who knows a
colleague's true demographics and that they took part looks for the records that could be
theirs (a released blank fits any value); a record is insider-unique when only one fits.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from sync_server.anonymise.classes import combine, compatible_reduce


@dataclass(frozen=True)
class Risk:
    records: int
    sample_uniques: int  # records alone in their class
    below_k: int  # records in a class smaller than k
    mean_individual_risk: float  # mean of 1 / class size
    max_individual_risk: float
    expected_reidentifications: float  # sum of 1 / class size
    insider_unique: int  # records an insider with a roster finds exactly one candidate for
    insider_below_k: int  # ... fewer than k candidates for


def measure_risk(truth: np.ndarray, released: np.ndarray, k: int) -> Risk:
    """Strict-count risk of `released` codes (records x quasi-identifiers, -1 blank), and the
    insider measure against `truth` (the same records' answers at the released levels)."""
    records = len(released)
    if records == 0:
        return Risk(0, 0, 0, 0.0, 0.0, 0.0, 0, 0)
    combos = combine(released)
    sizes = combos.weights[combos.inverse]
    individual = 1.0 / sizes
    queries = combine(truth)
    candidates = compatible_reduce(queries.codes, combos.codes, combos.weights, "sum")
    found = candidates[queries.inverse]
    return Risk(
        records=records,
        sample_uniques=int((sizes == 1).sum()),
        below_k=int((sizes < k).sum()),
        mean_individual_risk=round(float(individual.mean()), 6),
        max_individual_risk=round(float(individual.max()), 6),
        expected_reidentifications=round(float(individual.sum()), 3),
        insider_unique=int((found == 1).sum()),
        insider_below_k=int((found < k).sum()),
    )


@dataclass(frozen=True)
class ClassesBelowK:
    classes: int  # distinct released quasi-identifier combinations whose class is below k
    records: int


@dataclass(frozen=True)
class Suppression:
    count: int  # records whose value was set missing by this treatment
    rate: float  # count / records released


@dataclass(frozen=True)
class Diversity:
    violations_before: int  # records holding an answer their class discloses (after k)
    classes_before: int
    violations_after: int
    suppressed: Suppression
    kept: float = 1.0  # share of the substantive answers released
    bias: float = 0.0  # largest change of an answer's share among the released answers


@dataclass(frozen=True)
class RiskReport:
    quasi_identifiers: list[str]
    k: int
    l_diversity: int
    date_precision: str
    rows_in: int
    rows_out: int
    below_k_before: ClassesBelowK
    below_k_after: ClassesBelowK
    recodings: dict[str, str]  # variable -> hierarchy level it is released at
    suppression: dict[str, Suppression]  # quasi-identifier -> local suppression
    diversity: dict[str, Diversity]  # sensitive variable -> l-diversity
    # Cells of other questions set missing because their `relevant` named a suppressed
    # value, so that their presence cannot reveal it.
    dependent_suppression: dict[str, Suppression]
    free_text: str  # "withheld" | "scrubbed" | "scrubbed, reviewed" | "none"
    scrubbed: dict[str, int]  # placeholder type -> spans replaced
    dropped_columns: list[str]
    notes: list[str] = field(default_factory=list)
    # Variables released as recorded within which k and l are reached (["country"]): no
    # class crosses them, so a file cut on one of their values meets k and l on its own.
    strata: list[str] = field(default_factory=list)
    risk_before: Risk | None = None
    risk_after: Risk | None = None
    importance: list[str] = field(default_factory=list)  # most important first
    counting: str = "strict"  # a blank is its own value (sdcMicro alpha = 0)

    def to_json(self) -> dict[str, Any]:
        """A plain, JSON-serialisable dict."""
        return asdict(self)

    @classmethod
    def from_json(cls, document: dict[str, Any]) -> RiskReport:
        """The report again from its `to_json()` (as a cached treated file keeps it)."""

        def rate(value: dict[str, Any]) -> Suppression:
            return Suppression(**value)

        return cls(
            **{
                **document,
                "below_k_before": ClassesBelowK(**document["below_k_before"]),
                "below_k_after": ClassesBelowK(**document["below_k_after"]),
                "suppression": {k: rate(v) for k, v in document["suppression"].items()},
                "diversity": {
                    k: Diversity(**{**v, "suppressed": rate(v["suppressed"])})
                    for k, v in document["diversity"].items()
                },
                "dependent_suppression": {
                    k: rate(v) for k, v in document["dependent_suppression"].items()
                },
                **{
                    name: Risk(**document[name]) if document.get(name) else None
                    for name in ("risk_before", "risk_after")
                },
            }
        )

    def to_markdown(self) -> str:
        lines = [
            "# Disclosure risk report",
            "",
            f"- Records in: {self.rows_in}; records released: {self.rows_out}",
            f"- Quasi-identifiers: {', '.join(self.quasi_identifiers) or 'none'}",
            f"- k-anonymity: k = {self.k}; distinct l-diversity: l = {self.l_diversity}",
            f"- Dates released to the {self.date_precision}; durations in whole minutes",
            "- A suppressed value is released as missing. When classes are counted, a blank "
            "(suppressed or unanswered) is its own value (sdcMicro's alpha = 0): a skipped "
            "question never makes a class look larger than it is.",
            *self._strata_lines(),
            *self._risk_lines(),
            "",
            "## Classes below k",
            "",
            "| | classes | records |",
            "|---|---:|---:|",
            f"| before treatment | {self.below_k_before.classes} | {self.below_k_before.records} |",
            f"| after treatment | {self.below_k_after.classes} | {self.below_k_after.records} |",
            "",
            "## Quasi-identifiers",
            "",
            "| variable | released at | suppressed locally | rate |",
            "|---|---|---:|---:|",
        ]
        for name in self.quasi_identifiers:
            cut = self.suppression.get(name, Suppression(0, 0.0))
            level = self.recodings.get(name, "answers as given")
            if name in self.strata:
                level = "as recorded (stratum: never suppressed)"
            lines.append(f"| {name} | {level} | {cut.count} | {cut.rate:.2%} |")
        lines += ["", "## Sensitive items (disclosing answers protected)", ""]
        if self.diversity:
            lines += [
                "A class reveals an answer when all its records hold it; only answers that "
                "disclose are protected. The same share of every answer is blanked, so the "
                "released shares stay the answers' (bias: the largest change of a share).",
                "",
                "| variable | records in revealing classes | after | suppressed | rate | "
                "answers kept | bias |",
                "|---|---:|---:|---:|---:|---:|---:|",
            ]
            for name, div in self.diversity.items():
                lines.append(
                    f"| {name} | {div.violations_before} | {div.violations_after} | "
                    f"{div.suppressed.count} | {div.suppressed.rate:.2%} | {div.kept:.1%} | "
                    f"{div.bias:.4f} |"
                )
        else:
            lines.append("No sensitive items.")
        if self.dependent_suppression:
            lines += [
                "",
                "## Suppressed with the answer they depend on",
                "",
                "| variable | suppressed | rate |",
                "|---|---:|---:|",
            ]
            for name, cut in self.dependent_suppression.items():
                lines.append(f"| {name} | {cut.count} | {cut.rate:.2%} |")
        lines += ["", "## Free text", "", f"Free text: {self.free_text}."]
        if self.free_text.startswith("scrubbed"):
            spans = ", ".join(f"{tag} {count}" for tag, count in self.scrubbed.items())
            lines.append(f"Spans replaced by placeholders: {spans}.")
        lines += ["", "## Columns not released", ""]
        lines.append(", ".join(self.dropped_columns) if self.dropped_columns else "None.")
        if self.notes:
            lines += ["", "## Notes", ""] + [f"- {note}" for note in self.notes]
        return "\n".join(lines) + "\n"

    def _risk_lines(self) -> list[str]:
        if self.risk_before is None or self.risk_after is None:
            return []
        before, after = self.risk_before, self.risk_after
        rows = [
            ("sample uniques (records)", before.sample_uniques, after.sample_uniques),
            ("records in classes below k", before.below_k, after.below_k),
            ("mean individual risk", before.mean_individual_risk, after.mean_individual_risk),
            ("highest individual risk", before.max_individual_risk, after.max_individual_risk),
            (
                "expected re-identifications",
                before.expected_reidentifications,
                after.expected_reidentifications,
            ),
            ("insider-unique records (roster attack)", before.insider_unique, after.insider_unique),
            ("records an insider narrows below k", before.insider_below_k, after.insider_below_k),
        ]
        lines = [
            "",
            "## Disclosure risk before and after treatment",
            "",
            "Individual risk is 1 / class size (an intruder who knows the respondent took "
            "part); the insider knows a colleague's true values and counts the records that "
            "could be theirs (a released blank fits any value).",
            "",
            "| measure | before | after |",
            "|---|---:|---:|",
        ]
        lines += [f"| {name} | {a} | {b} |" for name, a, b in rows]
        if self.importance:
            lines += ["", f"Importance order (kept longest first): {', '.join(self.importance)}."]
        return lines

    def _strata_lines(self) -> list[str]:
        if not self.strata:
            return []
        names = " and ".join(self.strata)
        return [
            f"- {names.capitalize()} is a stratum: never generalised or suppressed, and no "
            f"class crosses it, so k and l hold within each {names} and every file cut on "
            f"one {names} (a national release) meets them on its own."
        ]
