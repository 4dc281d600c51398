"""Personal data in comments, in the five languages, plain and obfuscated."""

from __future__ import annotations

from pathlib import Path

import pytest

from questionnaire_specs import load_spec_text
from sync_server.anonymise import scrub_text
from sync_server.anonymise.free_text_names import vocabulary_of


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
    assert scrub_text("")[1] == {"EMAIL": 0, "PHONE": 0, "ID": 0, "NAME": 0, "PLACE": 0}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # names without a title, and after the titles issue 10 found missing
        ("Ask Kamara about the missing goods.", "Ask [NAME] about the missing goods."),
        ("Siempre es Mohamed Sesay quien cobra.", "Siempre es [NAME] quien cobra."),
        ("Le commandant Diallo demande de l'argent.", "Le commandant [NAME] demande de l'argent."),
        ("la licenciada Xicará pidió dinero", "la licenciada [NAME] pidió dinero"),
        ("a inspetora Tamang pediu dinheiro", "a inspetora [NAME] pediu dinheiro"),
        ("العقيد خالد الزعبي طلب المال", "العقيد [NAME] طلب المال"),
        # lower-case names after an honorific; Arabic titles fused with a preposition
        ("mr kamara takes bribes", "mr [NAME] takes bribes"),
        ("monsieur nasser prend de l'argent", "monsieur [NAME] prend de l'argent"),
        ("اشتكيت للسيد أحمد الخطيب", "اشتكيت للسيد [NAME]"),
        ("وبالعقيد يوسف", "وبالعقيد [NAME]"),
        # spelled-out phone numbers
        ("call zero seven six one two three four five six", "call [PHONE]"),
        ("au zéro sept six un deux trois quatre cinq six", "au [PHONE]"),
        ("اتصل على صفر سبعة ستة واحد اثنان ثلاثة أربعة خمسة", "اتصل على [PHONE]"),
        # declaration and plate numbers written with spaces
        ("declaration C 2023 45678 was changed", "declaration [ID] was changed"),
        ("the truck with plate AB 123 CD passed", "the truck with plate [ID] passed"),
        ("camion WSK 1234 sans contrôle", "camion [ID] sans contrôle"),
    ],
)
def test_what_issue_10_found_reaching_releases_is_caught(text: str, expected: str) -> None:
    assert scrub_text(text)[0] == expected


@pytest.mark.parametrize(
    "text",
    [
        "They asked for 1 000 000 Leones to release the goods.",
        "On m'a demandé 50 000 FCFA, et 200 euros le 12.03.2024.",
        "يجب على المدير العام أن يكون قدوة",
        "المدير العام للجمارك يجب أن يراجع الإجراءات",
        "Le directeur général doit montrer l'exemple.",
        "The Ministry of Finance ignores the World Bank reports.",
        "Paguei 500 reais em 2024.",
    ],
)
def test_amounts_dates_and_job_titles_stay(text: str) -> None:
    assert scrub_text(text)[0] == text


def test_post_names_come_from_the_spec_option_labels() -> None:
    path = Path(__file__).parents[3] / "questionnaire_specs" / "cips" / "officials.yaml"
    text = path.read_text(encoding="utf-8")
    generic = vocabulary_of(load_spec_text(text, "officials"))
    # The CIPS labels are kinds of post, used lower-case elsewhere in the spec: no names.
    assert "Airport" not in generic.places and "Seaport" not in generic.places
    named = text.replace(
        "{en: Airport, fr: Aéroport, es: Aeropuerto, pt: Aeroporto, ar: مطار}",
        "{en: Lungi International Airport, fr: Lungi International Airport, "
        "es: Lungi International Airport, pt: Lungi International Airport, ar: مطار لونغي}",
    )
    vocabulary = vocabulary_of(load_spec_text(named, "officials with a named airport"))
    assert "Lungi International Airport" in vocabulary.places
    clean, counts = scrub_text("At Lungi International Airport they ask", vocabulary=vocabulary)
    assert clean == "At [PLACE] they ask" and counts["PLACE"] == 1
    assert scrub_text("At the airport they ask", vocabulary=vocabulary)[0] == (
        "At the airport they ask"
    )
