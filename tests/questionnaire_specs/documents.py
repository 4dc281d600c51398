"""A small valid spec document to break in tests, and helpers to find problems."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from questionnaire_specs import Problem

FIXTURES = Path(__file__).with_name("fixtures")


def text(en: str, fr: str | None = None, ar: str | None = None) -> dict[str, str]:
    return {"en": en, "fr": fr or f"{en} (fr)", "ar": ar or f"{en} (ar)"}


BASE: dict[str, Any] = {
    "id": "tiny",
    "version": "1.0.0",
    "languages": [
        {"code": "en", "name": "English"},
        {"code": "fr", "name": "Français"},
        {"code": "ar", "name": "العربية", "rtl": True},
    ],
    "title": text("Tiny"),
    "introduction": text("Hello"),
    "populations": [{"id": "officials", "label": text("Officials")}],
    "scales": {
        "agree3": {
            "points": [
                {"code": 1, "label": text("Disagree")},
                {"code": 2, "label": text("Neutral")},
                {"code": 3, "label": text("Agree")},
            ]
        }
    },
    "questions": [
        {
            "id": "consent",
            "type": "single_choice",
            "required": True,
            "label": text("Agree?"),
            "options": [
                {"code": 1, "label": text("Yes")},
                {"code": 2, "label": text("No")},
            ],
        },
        {
            "id": "region",
            "type": "single_choice",
            "label": text("Region"),
            "options": [
                {"code": "n", "label": text("North")},
                {"code": "s", "label": text("South")},
                {"code": "e", "label": text("East")},
            ],
            "disclosure": "quasi_identifier",
            "hierarchy": [
                {
                    "level": "half",
                    "groups": [
                        {"code": "ns", "members": ["n", "s"], "label": text("North-south")},
                        {"code": "e", "members": ["e"], "label": text("East")},
                    ],
                }
            ],
        },
        {
            "id": "trust",
            "type": "likert",
            "scale": "agree3",
            "key_factor": 3,
            "relevant": "${consent} = 1",
            "label": text("I trust"),
        },
        {
            "id": "age",
            "type": "number",
            "min": 18,
            "max": 70,
            "label": text("Age"),
        },
        {
            "id": "comment",
            "type": "text",
            "disclosure": "free_text",
            "constraint": "string-length(.) <= 200",
            "constraint_message": text("Too long"),
            "label": text("Comment"),
        },
    ],
}


def only(problems: list[Problem], question_id: str | None, field: str) -> Problem:
    """The single problem naming this question and field (fails the test otherwise)."""
    found = [p for p in problems if p.question_id == question_id and p.field == field]
    assert len(found) == 1, f"expected one problem at {question_id}/{field}, got {problems}"
    return found[0]
