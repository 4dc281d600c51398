"""Reading files: not-a-spec inputs, YAML errors with positions, YAML 1.1 pitfalls."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from questionnaire_specs import Problem, SpecError, load_spec, load_spec_text
from tests.questionnaire_specs.documents import BASE, FIXTURES


def single(error: pytest.ExceptionInfo[SpecError]) -> Problem:
    assert len(error.value.problems) == 1, error.value.problems
    return error.value.problems[0]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty"),
        (b"# only a comment\n", "is empty"),
        (b"- a\n- b\n", "holds a list, not a questionnaire spec"),
        (b"just words\n", "holds a single text"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "binary file"),
        (b"id: \xff\xfe\n", "not UTF-8"),
    ],
)
def test_files_that_are_not_specs(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "thing.yaml"
    path.write_bytes(content)
    with pytest.raises(SpecError) as caught:
        load_spec(path)
    problem = single(caught)
    assert message in problem.message and problem.file == str(path)
    assert "\n" not in str(problem)


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(SpecError) as caught:
        load_spec(tmp_path / "nope.yaml")
    assert single(caught).message == "no such file"
    with pytest.raises(SpecError) as caught:
        load_spec(tmp_path)
    assert "is a directory" in single(caught).message


def test_malformed_yaml_gives_line_and_column() -> None:
    text = "id: x\nversion: 1.0.0\nlanguages: [\n  {code: en\n"
    with pytest.raises(SpecError) as caught:
        load_spec_text(text, "broken.yaml")
    problem = single(caught)
    assert problem.message.startswith("invalid YAML")
    assert problem.line is not None and problem.column is not None
    assert str(problem).startswith(f"broken.yaml:{problem.line}:{problem.column}: invalid YAML")


def test_question_mark_in_a_flow_mapping_gets_a_hint() -> None:
    text = "title: {en: Anything else?, fr: Autre ?}\n"
    with pytest.raises(SpecError) as caught:
        load_spec_text(text, "q.yaml")
    problem = single(caught)
    assert (problem.line, problem.column) == (1, 26)
    assert "put a text holding ',', '?' or ': ' in quotes" in problem.message


def test_tags_that_build_objects_are_refused() -> None:
    with pytest.raises(SpecError) as caught:
        load_spec_text("id: !!python/object:os.system x\n", "evil.yaml")
    assert "invalid YAML" in single(caught).message


def test_several_documents_in_one_file() -> None:
    with pytest.raises(SpecError) as caught:
        load_spec_text("id: a\n---\nid: b\n", "two.yaml")
    assert "invalid YAML" in single(caught).message


def _yaml(document: dict) -> str:
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False)


def test_boolean_label_suggests_quotes() -> None:
    text = _yaml(BASE).replace("en: 'Yes'\n", "en: yes\n", 1)
    assert "en: yes\n" in text  # the option label of consent
    with pytest.raises(SpecError) as caught:
        load_spec_text(text, "spec.yaml")
    problem = single(caught)
    assert (problem.question_id, problem.field) == ("consent", "options[0].label.en")
    assert "boolean true" in problem.message and "'yes'" in problem.message
    assert "quotes" in problem.message
    line = text.splitlines()[problem.line - 1]
    assert line[problem.column - 1 :].startswith("yes")


def test_boolean_option_code_suggests_quotes() -> None:
    text = _yaml(BASE).replace("code: n\n", "code: on\n", 1)
    with pytest.raises(SpecError) as caught:
        load_spec_text(text, "spec.yaml")
    problem = single(caught)
    assert (problem.question_id, problem.field) == ("region", "options[0].code")
    assert "not a boolean" in problem.message and "quotes" in problem.message


def test_number_where_text_is_expected() -> None:
    text = _yaml(BASE).replace("version: 1.0.0", "version: 1.0")
    with pytest.raises(SpecError) as caught:
        load_spec_text(text, "spec.yaml")
    problem = single(caught)
    assert problem.field == "version" and "put it in quotes" in problem.message
    assert (problem.line, problem.column) == (2, 10)


def test_duplicate_yaml_keys_are_errors() -> None:
    text = _yaml(BASE).replace("  type: number\n", "  type: number\n  type: text\n", 1)
    with pytest.raises(SpecError) as caught:
        load_spec_text(text, "spec.yaml")
    problems = [p for p in caught.value.problems if "appears twice" in p.message]
    assert len(problems) == 1
    assert (problems[0].question_id, problems[0].field) == ("age", "type")
    assert text.splitlines()[problems[0].line - 1].strip() == "type: text"


def test_expression_column_points_into_the_file() -> None:
    text = _yaml(BASE).replace("relevant: ${consent} = 1", "relevant: ${consent} = 1 or ${x}")
    with pytest.raises(SpecError) as caught:
        load_spec_text(text, "spec.yaml")
    problem = single(caught)
    assert (problem.question_id, problem.field) == ("trust", "relevant")
    assert "column 19 of the expression" in problem.message
    line = text.splitlines()[problem.line - 1]
    assert line[problem.column - 1 :] == "${x}"


def test_problems_are_in_file_order_with_positions() -> None:
    text = _yaml(BASE)
    text = text.replace("id: tiny", "id: Tiny").replace("type: likert", "type: lickert")
    with pytest.raises(SpecError) as caught:
        load_spec_text(text, "spec.yaml")
    problems = caught.value.problems
    assert [p.field for p in problems] == ["id", "type"]
    assert problems[0].line < problems[1].line
    assert problems[1].question_id == "trust"


def test_bom_is_accepted() -> None:
    text = "\ufeff" + (FIXTURES / "example.yaml").read_text(encoding="utf-8")
    assert load_spec_text(text, "bom.yaml").id == "example-integrity"
