"""The risk report that travels with every release: what was at risk and what was done."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


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
            "- A suppressed value is released as missing. When classes are counted, a missing "
            "value (suppressed or unanswered) matches any value, as in sdcMicro"
            + (
                f", but only among records of the same {' and '.join(self.strata)}."
                if self.strata
                else "."
            ),
            *self._strata_lines(),
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
        lines += ["", "## Sensitive items (distinct l-diversity)", ""]
        if self.diversity:
            lines += [
                "| variable | records in violation before | after | suppressed | rate |",
                "|---|---:|---:|---:|---:|",
            ]
            for name, div in self.diversity.items():
                lines.append(
                    f"| {name} | {div.violations_before} | {div.violations_after} | "
                    f"{div.suppressed.count} | {div.suppressed.rate:.2%} |"
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

    def _strata_lines(self) -> list[str]:
        if not self.strata:
            return []
        names = " and ".join(self.strata)
        return [
            f"- {names.capitalize()} is a stratum: never generalised or suppressed, and no "
            f"class crosses it, so k and l hold within each {names} and every file cut on "
            f"one {names} (a national release) meets them on its own."
        ]
