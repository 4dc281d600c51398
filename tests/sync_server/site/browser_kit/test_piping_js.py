"""piping.js shows, in Chromium, the text questionnaire_specs/piping.py shows, and choicesFor
builds from the page's spec the option labels Spec.choice_labels builds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from playwright.sync_api import Page

from questionnaire_specs import load_spec
from questionnaire_specs.piping import pipe
from sync_server.site.browser_rules import browser_spec
from tests.sync_server.site.browser_kit.test_expressions_js import CHOICES, tagged, values

ROOT = Path(__file__).resolve().parents[4]
SPECS = [
    ROOT / "questionnaire_specs" / "cips" / "officials.yaml",
    ROOT / "tests" / "questionnaire_specs" / "fixtures" / "example.yaml",
]
NAMES = ["a", "b", "q_1", "c"]
TEMPLATES = st.lists(
    st.one_of(
        st.sampled_from([f"${{{name}}}" for name in NAMES]),
        st.text(st.sampled_from(list("ab ${}_1é😀")), max_size=4),
    ),
    max_size=6,
).map("".join)

PIPE = """async ([cases, choices]) => {
  const x = await import('/expressions.js');
  const p = await import('/piping.js');
  const untag = (v) => {
    if (v === null) return null;
    if ('b' in v) return v.b;
    if ('i' in v) return v.i.startsWith('-') ? -BigInt('0x' + v.i.slice(1)) : BigInt('0x' + v.i);
    const special = {nan: NaN, inf: Infinity, '-inf': -Infinity};
    if ('f' in v) return new x.Float(special[v.f] ?? Number(v.f));
    if ('s' in v) return v.s;
    return v.l.map(untag);
  };
  return cases.map(([template, answers]) => {
    const plain = Object.fromEntries(Object.entries(answers).map(([k, v]) => [k, untag(v)]));
    try { return p.pipe(template, plain, choices); }
    catch (e) { return e instanceof x.EvaluationError ? 'error' : 'bug: ' + e; }
  });
}"""


def _python(template: str, answers: dict[str, Any]) -> str:
    try:
        return pipe(template, answers, CHOICES)
    except ValueError:  # an integer past Python's 4300 digits, as the browser refuses it
        return "error"


def test_python_and_the_browser_pipe_alike(kit_page: Page) -> None:
    @settings(max_examples=40, deadline=None)
    @given(st.lists(st.tuples(TEMPLATES, st.dictionaries(st.sampled_from(NAMES), values))))
    def check(cases: list[tuple[str, dict[str, Any]]]) -> None:
        payload = [[t, {k: tagged(v) for k, v in answers.items()}] for t, answers in cases]
        got = kit_page.evaluate(PIPE, [payload, CHOICES])
        assert got == [_python(template, answers) for template, answers in cases]

    check()


@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.stem)
def test_choices_for_a_page_are_the_spec_s_labels(kit_page: Page, path: Path) -> None:
    spec = load_spec(path)
    document = browser_spec(spec)
    for language in [language.code for language in spec.languages]:
        got = kit_page.evaluate(
            """async ([doc, language]) => {
              const x = await import('/expressions.js');
              return x.choicesFor(doc, language);
            }""",
            [document, language],
        )
        expected = spec.choice_labels(language)
        assert got == {q: [list(pair) for pair in pairs] for q, pairs in expected.items()}
