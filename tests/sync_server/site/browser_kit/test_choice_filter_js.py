"""choice_filter on both channels: the options question_widgets.offeredOptions keeps in
Chromium are those question_types.offered keeps on the station, for generated answers and
generated filters over the options' columns and codes."""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from playwright.sync_api import Page

from questionnaire_specs import load_spec
from questionnaire_specs.models import Spec
from questionnaire_specs.question_types import offered
from sync_server.site.browser_rules import browser_spec
from tests.questionnaire_specs.documents import FIXTURES

CASCADING = load_spec(FIXTURES / "cascading.yaml")

OFFERED = """async ([doc, cases]) => {
  const x = await import('/expressions.js');
  const w = await import('/question_widgets.js');
  return cases.map(([language, answers]) => {
    const choices = x.choicesFor(doc, language);
    return doc.questions
      .filter((q) => q.options)
      .map((q) => w.offeredOptions(q, q.options, answers, choices).map((o) => o.code));
  });
}"""


def _station(spec: Spec, language: str, answers: dict[str, Any]) -> list[list[object]]:
    labels = spec.choice_labels(language)
    return [
        [option.code for option in offered(spec, question, answers, labels)]
        for question in spec.questions
        if question.options
    ]


ANSWERS = st.fixed_dictionaries(
    {},
    optional={
        "region": st.sampled_from([1, 2, 3, "1"]),
        "main_task": st.sampled_from(["inspect", "value", "audit", "none", 11]),
    },
)
FILTERS = st.sampled_from(
    [
        "column('region') = ${region}",
        "column('region') != ${region} or column('name') = 99",
        "column('name') > 20 and column('name') < ${region} * 20",
        "string-length(column('region')) = 0",
        "column('region') = coalesce(${region}, '2')",
        "jr:choice-name(column('name'), '${post}') = 'Airport'",
        "contains(jr:choice-name(${region}, '${region}'), 'o') and column('region') = 1",
        "column('nope') = 'x' or count-selected(${region}) = 1",
    ]
)


def test_the_cascade_offers_alike_on_both_channels(kit_page: Page) -> None:
    document = browser_spec(CASCADING)

    @settings(max_examples=60, deadline=None)
    @given(st.lists(st.tuples(st.sampled_from(["en", "fr"]), ANSWERS), min_size=1))
    def check(cases: list[tuple[str, dict[str, Any]]]) -> None:
        got = kit_page.evaluate(OFFERED, [document, cases])
        assert got == [_station(CASCADING, language, answers) for language, answers in cases]

    check()


def test_generated_filters_offer_alike(kit_page: Page) -> None:
    @settings(max_examples=40, deadline=None)
    @given(FILTERS, st.lists(st.tuples(st.sampled_from(["en", "fr"]), ANSWERS), min_size=1))
    def check(choice_filter: str, cases: list[tuple[str, dict[str, Any]]]) -> None:
        # The filter is put on the post question without the load-time checks (pydantic
        # only): the evaluators are compared, a column no option has included.
        document = yaml.safe_load((FIXTURES / "cascading.yaml").read_text(encoding="utf-8"))
        document["questions"][1]["choice_filter"] = choice_filter
        spec = Spec.model_validate(document)
        got = kit_page.evaluate(OFFERED, [browser_spec(spec), cases])
        assert got == [_station(spec, language, answers) for language, answers in cases]

    check()
