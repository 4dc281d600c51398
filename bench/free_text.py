"""The free-text scrubber on generated comments in five languages: planted personal data,
and benign comments that must come out unchanged.

    .venv/bin/python bench/free_text.py [--comments 4000] [--seed 1]

Planted items: bare names, names after titles the old scrubber missed (le commandant, la
licenciada, a inspectora, العقيد …), lower-case names ("mr kamara"), Arabic titles fused with
a preposition (للسيد), spelled-out phone numbers, post names from a spec's own option labels,
declaration and plate numbers written with spaces, plain phones and e-mails. The names come
from lists written here for the five surveyed countries (Sierra Leone, Nepal, Niger, Jordan,
Guatemala), not from the scrubber's name lists; the figures say how many of them those lists
hold. An item is caught when no part of it is left in the scrubbed text. Benign comments
hold amounts with their currency, dates, years, job titles, institutions and places; one is
altered when the scrubbed text differs at all. Figures, not a test: nothing here asserts.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from questionnaire_specs import load_spec_text  # noqa: E402
from sync_server.anonymise.free_text import scrub_text  # noqa: E402
from sync_server.anonymise.free_text_names import _known_names, vocabulary_of  # noqa: E402

OFFICIALS = Path(__file__).resolve().parent.parent / "questionnaire_specs/cips/officials.yaml"
CAUGHT_TARGET = 0.98
ALTERED_TARGET = 0.05

GENERIC_POSTS = ["Land border post", "Seaport", "Airport", "Inland office or dry port",
                 "Headquarters or regional directorate"]  # fmt: skip
# A country's spec names its posts: the officials spec with Sierra Leone's post names.
POSTS = ["Gbalamuya", "Queen Elizabeth II Quay", "Lungi International Airport",
         "Kissy Dockyard", "Jendema"]  # fmt: skip

GENERIC_POSTS = ["Land border post", "Seaport", "Airport", "Inland office or dry port",
                 "Headquarters or regional directorate"]  # fmt: skip
FIRST = ["Mohamed", "Fatmata", "Aminata", "Ibrahim", "Isatu", "Foday", "Hawa", "Sorie",
         "Sunita", "Bikash", "Prakash", "Sita", "Aïchatou", "Souley", "Hadiza", "Oumarou",
         "Rosalía", "Byron", "Heidy", "Jorge", "Yazan", "Rania", "Bashar", "Hiba"]  # fmt: skip
LAST = ["Kamara", "Sesay", "Koroma", "Bangura", "Conteh", "Turay", "Jalloh", "Mansaray",
        "Kargbo", "Fofanah", "Shrestha", "Gurung", "Tamang", "Thapa", "Adhikari", "Issoufou",
        "Adamou", "Hamani", "Maïga", "Abdou", "Xicará", "Ajú", "Tzul", "Cumes", "Chávez",
        "Haddad", "Khalil", "Nasser", "Qasem", "Majali"]  # fmt: skip
AR_FIRST = ["أحمد", "محمد", "خالد", "رنا", "ليلى", "عمر", "يوسف", "سارة", "حسن", "فاطمة"]
AR_LAST = ["الخطيب", "النابلسي", "العبادي", "المجالي", "الزعبي", "حداد", "نصار", "قاسم"]

DIGITS = {
    "en": ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"],
    "fr": ["zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf"],
    "es": ["cero", "uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve"],
    "pt": ["zero", "um", "dois", "três", "quatro", "cinco", "seis", "sete", "oito", "nove"],
    "ar": ["صفر", "واحد", "اثنان", "ثلاثة", "أربعة", "خمسة", "ستة", "سبعة", "ثمانية", "تسعة"],
}
# Titles with a name after them, per language (the ones issue 10 found missing first).
TITLES = {
    "en": ["Commander", "Colonel", "Superintendent", "Officer", "Mr", "Mrs", "Inspector",
           "Supervisor", "Deputy Commissioner", "Captain"],
    "fr": ["le commandant", "la commandante", "le capitaine", "le contrôleur", "M.", "Mme",
           "le receveur", "l'inspectrice", "le chef", "le vérificateur"],
    "es": ["la licenciada", "el licenciado", "el ingeniero", "la inspectora", "don", "doña",
           "el comandante", "el jefe", "la Sra.", "el aforador"],
    "pt": ["a inspetora", "o inspetor", "o fiscal", "a diretora", "o senhor", "a senhora",
           "o verificador", "o despachante", "o chefe", "a doutora"],
    "ar": ["العقيد", "للسيد", "السيد", "المفتش", "بالعقيد", "وللمفتش", "المدير", "الرائد",
           "للمقدم", "السيدة"],
}  # fmt: skip
LOWER_TITLES = {
    "en": ["mr", "mrs", "officer"], "fr": ["monsieur", "madame", "m."],
    "es": ["señor", "don", "sr."], "pt": ["senhor", "seu", "dona"], "ar": [],
}  # fmt: skip

PLANTED = {
    "bare_name": {
        "en": ["{n} at the gate asks every trader for money.",
               "Ask {n}, he knows who takes the envelopes.",
               "Nothing changes while {n} is in charge of the warehouse."],
        "fr": ["C'est toujours {n} qui demande de l'argent au poste.",
               "{n} garde les marchandises sans raison."],
        "es": ["Siempre es {n} quien pide dinero en la frontera.",
               "{n} retiene la mercancía sin motivo."],
        "pt": ["É sempre {n} quem pede dinheiro na fronteira.",
               "{n} segura as mercadorias sem motivo."],
        "ar": ["{n} يطلب المال من كل تاجر.", "الموظف {n} يأخذ رشوة عند البوابة."],
    },
    "titled_name": {
        "en": ["{t} {n} asked me for money.", "I complained to {t} {n} and nothing happened."],
        "fr": ["{t} {n} m'a demandé de l'argent.", "J'ai signalé {t} {n} sans résultat."],
        "es": ["{t} {n} me pidió dinero.", "Denuncié a {t} {n} y no pasó nada."],
        "pt": ["{t} {n} pediu-me dinheiro.", "Denunciei {t} {n} e nada aconteceu."],
        "ar": ["{t} {n} طلب مني المال.", "اشتكيت {t} {n} ولم يحدث شيء."],
    },
    "lower_name": {
        "en": ["{t} {n} takes bribes every day.", "ask {t} {n} about the missing goods"],
        "fr": ["{t} {n} prend de l'argent tous les jours."],
        "es": ["{t} {n} cobra sobornos cada día."],
        "pt": ["{t} {n} cobra subornos todos os dias."],
    },
    "spelled_phone": {
        "en": ["Call me on {p} if you need details.", "my number is {p}"],
        "fr": ["Appelez-moi au {p} pour les détails."],
        "es": ["Llámeme al {p} para más detalles."],
        "pt": ["Ligue-me para o {p} para detalhes."],
        "ar": ["اتصل بي على {p} للتفاصيل"],
    },
    "post_name": {
        "en": ["At {post} the officers ask for money at night.",
               "The scanner at {post} has been broken for months."],
        "fr": ["À {post} les agents demandent de l'argent la nuit."],
        "es": ["En {post} los agentes piden dinero de noche."],
        "pt": ["Em {post} os agentes pedem dinheiro à noite."],
        "ar": ["في {post} يطلب الموظفون المال ليلا."],
    },
    "spaced_id": {
        "en": ["Declaration {d} was changed after payment.", "The truck with plate {l} "
               "passed without inspection."],
        "fr": ["La déclaration {d} a été modifiée après paiement.",
               "Le camion immatriculé {l} est passé sans contrôle."],
        "es": ["La declaración {d} fue modificada tras el pago.",
               "El camión con placa {l} pasó sin inspección."],
        "pt": ["A declaração {d} foi alterada após o pagamento.",
               "O camião com matrícula {l} passou sem inspeção."],
        "ar": ["تم تعديل البيان رقم {d} بعد الدفع.", "مرت الشاحنة رقم اللوحة {l} دون تفتيش."],
    },
    "phone_or_email": {
        "en": ["Write to {e} or call {ph}.", "Contact {e} for the list."],
        "fr": ["Écrivez à {e} ou appelez le {ph}."],
        "es": ["Escriba a {e} o llame al {ph}."],
        "pt": ["Escreva para {e} ou ligue {ph}."],
        "ar": ["راسلني على {e} أو اتصل {ph}"],
    },
}  # fmt: skip

BENIGN = {
    "en": ["They asked for {amount} to release the goods.", "The fee was {amount} in {year}.",
           "The director general should lead by example.", "Training on the code of conduct "
           "is needed at every post.", "Since {date} the ASYCUDA system is down twice a week.",
           "Management must publish the tariffs.", "The Ministry of Finance ignores our "
           "reports.", "Salaries are paid late, sometimes three months late.",
           "Rotation of staff would reduce collusion with brokers.", "Nothing to add.",
           "The World Bank project improved the scanners.", "Supervisors rarely check the "
           "inspection reports.", "I paid {amount} last year and got no receipt.",
           "Officers in Freetown are better trained than at the border.",
           "The Head Office should audit the warehouse every quarter."],
    "fr": ["On m'a demandé {amount} pour libérer la marchandise.", "Le directeur général doit "
           "montrer l'exemple.", "Depuis le {date}, le système SYDONIA tombe en panne.",
           "La direction doit publier les tarifs.", "Les salaires arrivent en retard.",
           "Il faut plus de formation sur le code de conduite.", "Rien à ajouter.",
           "Le ministère des Finances ignore nos rapports.", "J'ai payé {amount} en {year}.",
           "Les agents de Niamey sont mieux formés qu'à la frontière.",
           "Le chef de bureau contrôle rarement les déclarations."],
    "es": ["Me pidieron {amount} para liberar la mercancía.", "El director general debe dar "
           "el ejemplo.", "Desde el {date} el sistema falla cada semana.", "La dirección debe "
           "publicar las tarifas.", "Los salarios llegan tarde.", "Se pagó {amount} en {year}.",
           "Falta capacitación sobre el código de conducta.", "Nada que agregar.",
           "El Ministerio de Finanzas ignora nuestros informes.",
           "Los agentes en Guatemala reciben mejor formación que en la frontera.",
           "El jefe de aduana revisa pocas declaraciones."],
    "pt": ["Pediram-me {amount} para libertar a mercadoria.", "A direção deve agir.",
           "O diretor-geral deve dar o exemplo.", "Desde {date} o sistema falha todas as "
           "semanas.", "Os salários chegam atrasados.", "Paguei {amount} em {year}.",
           "Falta formação sobre o código de conduta.", "Nada a acrescentar.",
           "O Ministério das Finanças ignora os nossos relatórios.",
           "O chefe da alfândega verifica poucas declarações."],
    "ar": ["طلبوا مني {amount} للإفراج عن البضائع.", "يجب على المدير العام أن يكون قدوة.",
           "يجب على الإدارة أن تتحرك", "الرواتب تتأخر كثيرا.", "نحتاج إلى تدريب على مدونة "
           "السلوك.", "دفعت {amount} في {year}.", "لا شيء أضيفه.",
           "وزارة المالية تتجاهل تقاريرنا.", "المدير العام للجمارك يجب أن يراجع الإجراءات.",
           "الموظفون في عمان أفضل تدريبا من الحدود.", "رئيس القسم نادرا ما يراجع البيانات."],
}  # fmt: skip
AMOUNTS = {
    "en": ["1 000 000 Leones", "Le 500,000", "USD 200", "$150", "50,000 leones",
           "2 million Leones"],
    "fr": ["50 000 FCFA", "100 000 francs CFA", "200 euros", "25 000 FCFA"],
    "es": ["500 quetzales", "Q 1,500", "300 dólares", "2.000 quetzales"],
    "pt": ["500 reais", "1.000 euros", "200 dólares"],
    "ar": ["500 دينار", "1000 دولار", "200 دينار"],
}  # fmt: skip


@dataclass
class Planted:
    kind: str
    language: str
    text: str
    secrets: list[str]  # each must be gone from the scrubbed text


def _phone(rng: random.Random) -> str:
    return "0" + "".join(str(rng.randrange(10)) for _ in range(8))


def _spelled(rng: random.Random, language: str) -> tuple[str, str]:
    number = _phone(rng)
    return " ".join(DIGITS[language][int(d)] for d in number), number


def _plate(rng: random.Random) -> str:
    letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
    a = "".join(rng.choice(letters) for _ in range(rng.choice([2, 3])))
    return f"{a} {rng.randrange(100, 9999)}" + (f" {rng.choice(letters)}{rng.choice(letters)}"
                                                 if rng.random() < 0.5 else "")  # fmt: skip


def _declaration(rng: random.Random) -> str:
    return rng.choice([
        f"C {rng.randrange(1000, 99999)}",
        f"{rng.choice(['2024', '2025'])} C {rng.randrange(100, 99999)}",
        f"SL {rng.choice(['2024', '2025'])} {rng.randrange(10000, 999999)}",
        f"IM4 {rng.randrange(10000, 99999)} {rng.randrange(10, 99)}",
    ])  # fmt: skip


def planted(rng: random.Random, kind: str, language: str) -> Planted:
    template = rng.choice(PLANTED[kind][language])
    secrets: list[str] = []
    fill: dict[str, str] = {}
    if kind in ("bare_name", "titled_name", "lower_name"):
        if language == "ar":
            name = f"{rng.choice(AR_FIRST)} {rng.choice(AR_LAST)}"
            if kind == "bare_name":
                name = f"{rng.choice(AR_FIRST)} {rng.choice(AR_FIRST)}"  # first, father's
        else:
            name = rng.choice([rng.choice(LAST), f"{rng.choice(FIRST)} {rng.choice(LAST)}"])
        if kind == "lower_name":
            name = rng.choice(LAST).lower()
            fill["t"] = rng.choice(LOWER_TITLES[language])
        elif kind == "titled_name":
            fill["t"] = rng.choice(TITLES[language])
        fill["n"] = name
        secrets = [part for part in name.split() if len(part) > 2]
    elif kind == "spelled_phone":
        fill["p"], number = _spelled(rng, language)
        secrets = [fill["p"].split()[3]]  # the fourth digit word onwards must be gone
        secrets = [" ".join(fill["p"].split()[2:5])]
    elif kind == "post_name":
        fill["post"] = rng.choice(POSTS)
        secrets = [fill["post"]]
    elif kind == "spaced_id":
        fill["d"], fill["l"] = _declaration(rng), _plate(rng)
        secrets = [fill["d"] if "{d}" in template else fill["l"]]
        secrets = [max(re.findall(r"\d+", secrets[0]), key=len)]
    elif kind == "phone_or_email":
        user = rng.choice(LAST).lower()
        fill["e"] = f"{user}{rng.randrange(10, 99)}@{rng.choice(['gmail.com', 'nra.gov.sl'])}"
        fill["ph"] = rng.choice([f"+232 {rng.randrange(20, 99)} {rng.randrange(100, 999)} "
                                 f"{rng.randrange(100, 999)}", _phone(rng)])  # fmt: skip
        secrets = [fill["e"].split("@")[0]] + ([fill["ph"][-6:]] if "{ph}" in template else [])
    return Planted(kind, language, template.format(**fill), secrets)


def benign(rng: random.Random, language: str) -> str:
    template = rng.choice(BENIGN[language])
    return template.format(
        amount=rng.choice(AMOUNTS[language]),
        year=rng.choice(["2023", "2024", "2025"]),
        date=f"{rng.randrange(1, 28):02d}.{rng.randrange(1, 12):02d}.2025",
    )


def _caught(item: Planted, scrubbed: str) -> bool:
    folded = scrubbed.casefold()
    return not any(secret.casefold() in folded for secret in item.secrets)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=1)
    arguments = parser.parse_args()
    rng = random.Random(arguments.seed)
    text = OFFICIALS.read_text(encoding="utf-8")
    for code, (generic, post) in enumerate(zip(GENERIC_POSTS, POSTS, strict=True), start=1):
        line = re.compile(rf"- \{{code: {code}, label: \{{en: {generic},[^\n]*")
        labels = ", ".join(f"{lang}: {post}" for lang in DIGITS)
        text = line.sub(f"- {{code: {code}, label: {{{labels}}}}}", text, count=1)
    spec = load_spec_text(text, "officials with Sierra Leone's posts")
    vocabulary = vocabulary_of(spec)
    missing_posts = [post for post in POSTS if post not in vocabulary.places]
    languages = list(DIGITS)
    kinds = list(PLANTED)
    items = []
    for _ in range(arguments.comments):
        kind = rng.choice(kinds)
        language = rng.choice([lang for lang in languages if lang in PLANTED[kind]])
        items.append(planted(rng, kind, language))
    benign_texts = [
        (lang, benign(rng, lang)) for lang in rng.choices(languages, k=arguments.comments)
    ]
    scrub_text("warm up Kamara", vocabulary=vocabulary)  # load the name and word lists
    started = time.perf_counter()
    missed: Counter[tuple[str, str]] = Counter()
    per_kind: Counter[str] = Counter()
    examples: dict[tuple[str, str], str] = {}
    for item in items:
        per_kind[item.kind] += 1
        scrubbed, _ = scrub_text(item.text, vocabulary=vocabulary)
        if not _caught(item, scrubbed):
            missed[(item.kind, item.language)] += 1
            examples.setdefault((item.kind, item.language), f"{item.text!r} -> {scrubbed!r}")
    altered: Counter[str] = Counter()
    altered_examples: dict[str, str] = {}
    for language, comment in benign_texts:
        scrubbed, _ = scrub_text(comment, vocabulary=vocabulary)
        if scrubbed != comment:
            altered[language] += 1
            altered_examples.setdefault(comment, scrubbed)
    seconds = time.perf_counter() - started
    caught = 1 - sum(missed.values()) / len(items)
    changed = sum(altered.values()) / len(benign_texts)
    names = {w.lower() for w in FIRST + LAST}
    listed = len(names & _known_names())
    print(f"free text: {len(items)} comments with planted personal data, {len(benign_texts)} "
          f"benign, five languages, {2 * len(items) / seconds:,.0f} comments/s")  # fmt: skip
    print(
        f"  planted items caught: {caught:.1%} (target >= {CAUGHT_TARGET:.0%}): "
        f"{'met' if caught >= CAUGHT_TARGET else 'not met'}"
    )
    print(
        f"  benign comments altered: {changed:.1%} (target <= {ALTERED_TARGET:.0%}): "
        f"{'met' if changed <= ALTERED_TARGET else 'not met'}"
    )
    print(
        f"  planted Latin-script names found in the scrubber's name lists: {listed} of "
        f"{len(names)} (the others are caught as words too rare to be words)"
    )
    print(
        f"  post names taken from the spec's option labels: {len(POSTS) - len(missing_posts)}"
        f" of {len(POSTS)}"
    )
    for kind in kinds:
        lost = sum(n for (k, _), n in missed.items() if k == kind)
        print(f"  {kind:<15} caught {1 - lost / max(per_kind[kind], 1):6.1%} of {per_kind[kind]}")
    for (kind, language), count in missed.most_common(14):
        print(f"    missed {count:>4} {kind}/{language}: {examples[(kind, language)]}")
    for comment, scrubbed in list(altered_examples.items())[:8]:
        print(f"    altered: {comment!r} -> {scrubbed!r}")


if __name__ == "__main__":
    main()
