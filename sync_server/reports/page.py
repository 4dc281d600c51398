"""The report as an HTML page (Jinja2) and as a PDF (WeasyPrint, which shapes Arabic with
HarfBuzz and embeds the fonts it uses), from the figures and the spec's texts."""

from __future__ import annotations

import base64
from collections.abc import Callable
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from questionnaire_specs import Spec, key_factor_name
from sync_server.reports.charts import COLOURS, differences_svg, factor_profile_svg
from sync_server.reports.figures import NOT_STATED
from sync_server.reports.wording import RTL, word


def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("sync_server.reports", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _number(value: float | None, places: int = 0) -> str:
    return "" if value is None else f"{value:.{places}f}"


def profile_text(figures: dict[str, Any], lang: str) -> str:
    """The text alternative of the factor profile chart: every value it draws."""
    parts = []
    for factor in figures["factors"]:
        index = factor["index"]
        name = key_factor_name(factor["factor"], lang)
        parts.append(f"{factor['factor']}. {name}: " + (
            _number(index["value"]) if index else word("hidden", lang)
        ))  # fmt: skip
    return "; ".join(parts)


def cell_name(spec: Spec, figure: str, lang: str, category_label: Callable[[str, str], str]) -> str:
    """A hidden cell's name for people: "kf3/gender/3" → "3. Transparency — Gender: Other"."""
    item, _, rest = figure.partition("/")
    if item.startswith("kf") and item[2:].isdigit():
        name = f"{item[2:]}. {key_factor_name(int(item[2:]), lang)}"
    else:
        label = spec.question(item).label
        name = label.get(lang) or label["en"]
    if not rest:
        return name
    by, _, category = rest.partition("/")
    return f"{name} — {breakdown_label(spec, by, lang)}: {category_label(by, category)}"


def breakdown_label(spec: Spec, by: str, lang: str) -> str:
    if by == "country":
        return word("country", lang)
    label = spec.question(by).label
    return label.get(lang) or label["en"]


def _difference(factor: dict[str, Any], which: str) -> dict[str, Any] | None:
    if which == "gap":
        return factor["by_gender"]["gap_women_minus_men"]
    if which == "alongside":
        return (factor.get("alongside") or {}).get("difference")
    return factor.get("change")


def _differences(figures: dict[str, Any], which: str) -> list[tuple[str, dict[str, Any] | None]]:
    return [(str(f["factor"]), _difference(f, which)) for f in figures["factors"]]


def differences_text(figures: dict[str, Any], which: str, lang: str) -> str:
    """The text alternative of a differences chart: each factor's signed difference."""
    parts = []
    for factor in figures["factors"]:
        difference = _difference(factor, which)
        shown = (
            word("hidden", lang)
            if difference is None
            else f"{difference['difference']:+.1f}"
            + (f" ({word('significant', lang)})" if difference["significant"] else "")
        )
        parts.append(f"{factor['factor']}. {key_factor_name(factor['factor'], lang)}: {shown}")
    return "; ".join(parts)


def _data_uri(svg: str) -> str:
    # An image, not inline SVG: WeasyPrint and browsers draw it alike, and the page needs
    # no other file.
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


Labels = dict[str, dict[str, dict[str, str]]]  # question id -> code -> language -> label


def spec_labels(spec: Spec, question_ids: list[str]) -> Labels:
    """The categories' labels as the spec has them (a release's codebook has the labels of
    the level it released, and takes precedence: see build.py)."""
    asked = {q.id for q in spec.questions}
    return {
        qid: {str(o.code): dict(o.label) for o in spec.options_for(qid)}
        for qid in question_ids
        if qid in asked  # "country" is no question: its codes are its labels
    }


def render_html(
    figures: dict[str, Any],
    spec: Spec,
    lang: str,
    *,
    scope: str,
    labels: Labels | None = None,
) -> str:
    """The whole report as one self-contained HTML page (charts inline, no network)."""
    labels = {**spec_labels(spec, figures["breakdowns"]), **(labels or {})}

    def category_label(qid: str, code: str) -> str:
        if code == NOT_STATED:
            return word("not_stated", lang)
        texts = labels.get(qid, {}).get(code)
        return (texts.get(lang) or texts.get("en") or code) if texts else code

    beside = figures.get("alongside")
    other = (beside["label"].get(lang) or beside["label"].get("en", "")) if beside else ""

    def hidden_cell(figure: str) -> str:
        item, _, rest = figure.partition("/")
        if rest == "alongside":
            return f"{cell_name(spec, item, lang, category_label)} — {other}"
        return cell_name(spec, figure, lang, category_label)

    template = _environment().get_template("report.html.j2")
    return template.render(
        lang=lang,
        direction="rtl" if lang in RTL else "ltr",
        figures=figures,
        scope=scope,
        compared=any("change" in factor for factor in figures["factors"]),
        largest_effect=max(
            (abs(v) for v in figures["quality"]["effect_on_index"].values() if v is not None),
            default=0.0,
        ),
        population=spec.population(figures["population"]).label.get(lang, ""),
        factor_name=lambda number: key_factor_name(number, lang),
        cell_name=hidden_cell,
        breakdown_label=lambda by: breakdown_label(spec, by, lang),
        category_label=category_label,
        question_label=lambda qid: (
            spec.question(qid).label.get(lang) or spec.question(qid).label["en"]
        ),
        word=lambda key, **values: word(key, lang, **values),
        number=_number,
        percent=lambda value: "" if value is None else f"{value * 100:.0f} %",
        colours=COLOURS,
        profile_chart=_data_uri(factor_profile_svg(figures["factors"])),
        gap_chart=_data_uri(differences_svg(_differences(figures, "gap"))),
        gap_text=differences_text(figures, "gap", lang),
        change_chart=_data_uri(differences_svg(_differences(figures, "change")))
        if any("change" in f for f in figures["factors"])
        else None,
        change_text=differences_text(figures, "change", lang),
        alongside=other,
        alongside_chart=_data_uri(differences_svg(_differences(figures, "alongside")))
        if beside
        else None,
        alongside_text=differences_text(figures, "alongside", lang),
        profile_text=profile_text(figures, lang),
    )


def write_pdf(html: str, path: Path) -> None:
    from weasyprint import HTML

    HTML(string=html).write_pdf(path)
