"""Personal data in comments, in the five languages, plain and obfuscated."""

from __future__ import annotations

import pytest

from sync_server.anonymise import scrub_text


@pytest.mark.parametrize(
    ("text", "expected", "counts"),
    [
        # names after titles, all five languages
        (
            "M. Jean Dupont m'a demandé de l'argent",
            "M. [NAME] m'a demandé de l'argent",
            {"NAME": 1},
        ),
        ("L'inspecteur Martin et Mme Diallo", "L'inspecteur [NAME] et Mme [NAME]", {"NAME": 2}),
        ("السيد محمد علي طلب رشوة", "السيد [NAME] طلب رشوة", {"NAME": 1}),
        ("قال المفتش خالد", "قال المفتش [NAME]", {"NAME": 1}),
        ("Sr. Juan Pérez y la Sra. María de la Cruz", "Sr. [NAME] y la Sra. [NAME]", {"NAME": 2}),
        ("Inspetor Carlos Silva pediu dinheiro", "Inspetor [NAME] pediu dinheiro", {"NAME": 1}),
        ("Officer John Smith asked for money", "Officer [NAME] asked for money", {"NAME": 1}),
        ("Dr. Ahmed Ben Salah", "Dr. [NAME]", {"NAME": 1}),
        # e-mails, plain and spelled out
        ("write to j.smith@customs.gov.sl.", "write to [EMAIL].", {"EMAIL": 1}),
        ("john at gmail dot com", "[EMAIL]", {"EMAIL": 1}),
        ("jane [at] mail [dot] org please", "[EMAIL] please", {"EMAIL": 1}),
        ("jean point dupont arobase douane point gouv point fr", "[EMAIL]", {"EMAIL": 1}),
        ("pedro arroba correo punto es", "[EMAIL]", {"EMAIL": 1}),
        ("ana arroba correio ponto pt", "[EMAIL]", {"EMAIL": 1}),
        # phone numbers: international, national, spaced, Arabic-Indic and full-width digits
        ("call +232 76 123 456 today", "call [PHONE] today", {"PHONE": 1}),
        ("اتصل ٠٧٦١٢٣٤٥٦", "اتصل [PHONE]", {"PHONE": 1}),
        ("tel ０７６１２３４５６７", "tel [PHONE]", {"PHONE": 1}),
        ("(076) 12-34-56 or 0 7 6 1 2 3 4 5 6", "[PHONE] or [PHONE]", {"PHONE": 2}),
        ("+977 98 0123 4567", "[PHONE]", {"PHONE": 1}),
        # ids: containers, plates, declarations
        ("container MSCU1234567 held", "container [ID] held", {"ID": 1}),
        ("plate AB-123-CD", "plate [ID]", {"ID": 1}),
        ("declaration C/2023/45678", "declaration [ID]", {"ID": 1}),
    ],
)
def test_personal_data_is_replaced_by_typed_placeholders(
    text: str, expected: str, counts: dict[str, int]
) -> None:
    clean, found = scrub_text(text)
    assert clean == expected
    assert {tag: n for tag, n in found.items() if n} == counts


@pytest.mark.parametrize(
    "text",
    [
        "Look at this point of view: management must act.",
        "Nous voulons plus de transparence au point de passage.",
        "Se pagó 500 dólares en 2024.",
        "A direção deve agir.",
        "يجب على الإدارة أن تتحرك",
        "The director general should lead by example.",
    ],
)
def test_ordinary_comments_are_left_alone(text: str) -> None:
    clean, found = scrub_text(text)
    assert clean == text
    assert sum(found.values()) == 0


def test_counts_cover_every_type_even_when_zero() -> None:
    assert scrub_text("")[1] == {"EMAIL": 0, "PHONE": 0, "ID": 0, "NAME": 0}
