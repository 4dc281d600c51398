"""Small real specs for the anonymiser tests: quasi-identifiers with hierarchies, a sensitive
item with a follow-up asked only on "yes", a free-text comment and a serial number that
lets a test find each input row in the shuffled output."""

from __future__ import annotations

from typing import Any

from questionnaire_specs import Spec, check_spec_document


def _text(value: str) -> dict[str, str]:
    return {"en": value}


def _options(codes: list[int], non_substantive: tuple[int, ...] = ()) -> list[dict[str, Any]]:
    return [
        {
            "code": c,
            "label": _text(f"option {c}"),
            **({"non_substantive": True} if c in non_substantive else {}),
        }
        for c in codes
    ]


def _hierarchy(name: str, sizes: list[int]) -> list[dict[str, Any]]:
    """Levels that pair neighbouring codes (at most two levels)."""
    levels = []
    codes = list(range(1, sizes[0] + 1))
    depth = 1
    while len(codes) > 1 and depth <= 2:
        groups = [codes[i : i + 2] for i in range(0, len(codes), 2)]
        levels.append(
            {
                "level": f"{name}_{depth}",
                "groups": [
                    {"code": g + 1, "members": members, "label": _text(f"group {g + 1}")}
                    for g, members in enumerate(groups)
                ],
            }
        )
        codes = list(range(1, len(groups) + 1))
        depth += 1
    return levels


def tiny_spec(quasi_sizes: list[int], *, k: int = 5, date_precision: str = "month") -> Spec:
    questions: list[dict[str, Any]] = [
        {"id": "serial", "type": "number", "label": _text("Serial")},
    ]
    for index, size in enumerate(quasi_sizes):
        name = f"qi{index}"
        question: dict[str, Any] = {
            "id": name,
            "type": "single_choice",
            "label": _text(name),
            "options": _options(list(range(1, size + 1))),
            "disclosure": "quasi_identifier",
            "hierarchy": _hierarchy(name, [size]),
        }
        questions.append(question)
    questions += [
        {
            "id": "offered",
            "type": "single_choice",
            "label": _text("Offered?"),
            "options": _options([1, 2, 9], non_substantive=(9,)),
            "disclosure": "sensitive",
        },
        {
            "id": "offered_times",
            "type": "single_choice",
            "label": _text("How often?"),
            "relevant": "${offered} = 1",
            "options": _options([1, 2, 3]),
        },
        {
            "id": "stages",
            "type": "multi_choice",
            "label": _text("Stages"),
            "options": _options([1, 2, 3]),
        },
        {"id": "comment", "type": "text", "label": _text("Comment"), "disclosure": "free_text"},
    ]
    document = {
        "id": "tiny",
        "version": "1.0.0",
        "languages": [{"code": "en", "name": "English"}],
        "title": _text("Tiny"),
        "introduction": _text("Tiny survey"),
        "populations": [{"id": "officials", "label": _text("Officials")}],
        "settings": {"k_anonymity": k, "date_precision": date_precision},
        "questions": questions,
    }
    return check_spec_document(document, "tiny.yaml")
