"""A real server and provisioned stations for the kiosk tests and bench/kiosk.py.

Two small specs in the five kiosk languages (one per population, like the CIPS pair) with
one question of every type; the server runs under uvicorn on 127.0.0.1 so that the kiosk,
in its own process, syncs over real HTTP.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from crypto import KdfCost, SurveyPrivateKey, generate_survey_key
from device_app.provisioning import provision
from protocol.provisioning import ProvisioningBundle
from questionnaire_specs import canonical_json, load_spec_text
from sync_server.app import create_app
from sync_server.ingest import issue_enrolment_token, register_spec, register_survey_key
from sync_server.settings import Settings

PASSPHRASE = "kiosk coordinator passphrase"
PIN = "1357"
COUNTRY = "SL"
REGION = "Western Area"
LANGUAGES = ("en", "fr", "es", "pt", "ar")


def t(en: str, fr: str, es: str, pt: str, ar: str) -> dict[str, str]:
    return {"en": en, "fr": fr, "es": es, "pt": pt, "ar": ar}


def opt(code: int, label: dict[str, str], **flags: bool) -> dict[str, object]:
    return {"code": code, "label": label, **flags}


YES = t("Yes", "Oui", "Sí", "Sim", "نعم")
NO = t("No", "Non", "No", "Não", "لا")
PREFER_NOT = t("Prefer not to answer", "Je préfère ne pas répondre", "Prefiero no responder",
               "Prefiro não responder", "أفضل عدم الإجابة")  # fmt: skip

POPULATION_LABELS = {
    "officials": t("Customs official", "Agent des douanes", "Funcionario de aduanas",
                   "Funcionário aduaneiro", "موظف جمارك"),  # fmt: skip
    "private_sector": t("Private sector (trader or agent)",
                        "Secteur privé (commerçant ou agent)",
                        "Sector privado (comerciante o agente)",
                        "Setor privado (comerciante ou agente)", "القطاع الخاص (تاجر أو وكيل)"),
}  # fmt: skip
SPEC_IDS = {"officials": "kiosk-officials", "private_sector": "kiosk-private"}


def spec_document(population: str, abandon: str = "discard") -> dict[str, object]:
    """A small spec with one question of every type, in the five kiosk languages."""
    return {
        "id": SPEC_IDS[population],
        "version": "1.0.0",
        "languages": [
            {"code": "en", "name": "English"}, {"code": "fr", "name": "Français"},
            {"code": "es", "name": "Español"}, {"code": "pt", "name": "Português"},
            {"code": "ar", "name": "العربية", "rtl": True},
        ],  # fmt: skip
        "title": t("Customs Integrity Perception Survey",
                   "Enquête sur la perception de l'intégrité en douane",
                   "Encuesta de percepción de la integridad en las aduanas",
                   "Questionário de opinião sobre a integridade nas Alfândegas",
                   "استبيان تصورات النزاهة في الجمارك"),  # fmt: skip
        "introduction": t("Your answers are anonymous.", "Vos réponses sont anonymes.",
                          "Sus respuestas son anónimas.", "As suas respostas são anónimas.",
                          "إجاباتك مجهولة الهوية."),  # fmt: skip
        "populations": [{"id": population, "label": POPULATION_LABELS[population]}],
        "settings": {"abandon": abandon},
        "scales": {"agree5": {"points": [
            opt(1, t("Strongly disagree", "Pas du tout d'accord", "Muy en desacuerdo",
                     "Discordo totalmente", "لا أوافق بشدة")),
            opt(2, t("Disagree", "Pas d'accord", "En desacuerdo", "Discordo", "لا أوافق")),
            opt(3, t("Neither agree nor disagree", "Ni d'accord ni pas d'accord",
                     "Ni de acuerdo ni en desacuerdo", "Não concordo nem discordo",
                     "لا أوافق ولا أعارض")),
            opt(4, t("Agree", "D'accord", "De acuerdo", "Concordo", "أوافق")),
            opt(5, t("Strongly agree", "Tout à fait d'accord", "Muy de acuerdo",
                     "Concordo totalmente", "أوافق بشدة")),
            opt(8, t("Don't know", "Je ne sais pas", "No sé", "Não sei", "لا أعرف"),
                non_substantive=True),
            opt(9, PREFER_NOT, non_substantive=True),
        ]}},  # fmt: skip
        "sections": [
            {"id": "intro", "questions": [
                {"id": "anonymity", "type": "note", "label": t(
                    "Nobody can link your answers to you. The tablet seals them before anyone "
                    "can read them, and no name, post or office is ever recorded with them.",
                    "Personne ne peut relier vos réponses à vous. La tablette les scelle avant "
                    "que quiconque puisse les lire, et aucun nom, poste ou bureau n'est jamais "
                    "enregistré avec elles.",
                    "Nadie puede relacionar sus respuestas con usted. La tableta las sella antes "
                    "de que nadie pueda leerlas y nunca se registra con ellas ningún nombre, "
                    "puesto ni oficina.",
                    "Ninguém pode ligar as suas respostas a si. O tablet sela-as antes que "
                    "alguém as possa ler, e nenhum nome, posto ou gabinete é alguma vez "
                    "registado com elas.",
                    "لا يمكن لأحد أن يربط إجاباتك بك. يختم الجهاز إجاباتك قبل أن يتمكن أي شخص "
                    "من قراءتها، ولا يُسجَّل معها أي اسم أو وظيفة أو مكتب على الإطلاق.")},
                {"id": "consent", "type": "single_choice", "required": True, "label": t(
                    "Do you agree to take part?", "Acceptez-vous de participer ?",
                    "¿Acepta participar?", "Aceita participar?", "هل توافق على المشاركة؟"),
                 "options": [opt(1, YES), opt(2, NO)]},
            ]},
            {"id": "main", "relevant": "${consent} = 1", "questions": [
                {"id": "lead_example", "type": "likert", "scale": "agree5", "key_factor": 1,
                 "required": True, "label": t(
                    "Senior management sets a clear example of integrity in its daily "
                    "decisions.",
                    "La haute direction donne un exemple clair d'intégrité dans ses décisions "
                    "quotidiennes.",
                    "La alta dirección da un ejemplo claro de integridad en sus decisiones "
                    "diarias.",
                    "A direção de topo dá um exemplo claro de integridade nas suas decisões "
                    "diárias.",
                    "تضرب الإدارة العليا مثالا واضحا في النزاهة في قراراتها اليومية.")},
                {"id": "offered_payment", "type": "single_choice", "disclosure": "sensitive",
                 "required": True, "label": t(
                    "In the last 12 months, were you offered an unofficial payment?",
                    "Au cours des 12 derniers mois, vous a-t-on proposé un paiement non "
                    "officiel ?",
                    "¿En los últimos 12 meses le ofrecieron un pago no oficial?",
                    "Nos últimos 12 meses, foi-lhe oferecido um pagamento não oficial?",
                    "هل عُرض عليك خلال الأشهر الاثني عشر الماضية دفع غير رسمي؟"),
                 "options": [opt(1, YES), opt(2, NO), opt(9, PREFER_NOT, non_substantive=True)]},
                {"id": "stages", "type": "multi_choice", "required": True,
                 "constraint": "count-selected(.) <= 2",
                 "constraint_message": t("Pick at most two.", "Choisissez-en deux au plus.",
                                         "Elija dos como máximo.", "Escolha no máximo duas.",
                                         "اختر اثنين على الأكثر."),
                 "label": t("At which stages do irregular payments happen most?",
                            "À quelles étapes les paiements irréguliers sont-ils les plus "
                            "fréquents ?",
                            "¿En qué etapas ocurren más los pagos irregulares?",
                            "Em que fases ocorrem mais pagamentos irregulares?",
                            "في أي المراحل تكثر المدفوعات غير النظامية؟"),
                 "options": [
                     opt(1, t("Declaration", "Déclaration", "Declaración", "Declaração",
                              "التصريح")),
                     opt(2, t("Inspection", "Inspection", "Inspección", "Inspeção", "المعاينة")),
                     opt(3, t("Release", "Mainlevée", "Levante", "Desalfandegamento",
                              "الإفراج")),
                     opt(9, t("None of these", "Aucune", "Ninguna", "Nenhuma",
                              "لا شيء مما سبق"), exclusive=True),
                 ]},
                {"id": "years", "type": "number", "integer": True, "required": True, "min": 0,
                 "max": 45, "label": t(
                    "How many years have you worked in customs?",
                    "Depuis combien d'années travaillez-vous en douane ?",
                    "¿Cuántos años lleva trabajando en aduanas?",
                    "Há quantos anos trabalha nas alfândegas?", "كم سنة عملت في الجمارك؟"),
                 "help": t("Whole years.", "En années entières.", "En años completos.",
                           "Em anos completos.", "بالسنوات الكاملة.")},
                {"id": "comment", "type": "text", "max_length": 200, "disclosure": "free_text",
                 "label": t("Anything else you want to tell us?", "Autre chose à nous dire ?",
                            "¿Algo más que quiera decirnos?",
                            "Mais alguma coisa que nos queira dizer?",
                            "هل هناك شيء آخر تود إخبارنا به؟")},
            ]},
        ],
    }  # fmt: skip


def spec_body(population: str, abandon: str = "discard") -> bytes:
    text = json.dumps(spec_document(population, abandon), ensure_ascii=False)
    return canonical_json(load_spec_text(text, SPEC_IDS[population]))


@dataclass
class KioskWorld:
    root: Path
    app: object
    server_url: str = ""

    @property
    def session_factory(self):  # noqa: ANN201 - the server's sessionmaker
        return self.app.state.server.session_factory  # type: ignore[attr-defined]

    def provision(self, name: str, populations: tuple[str, ...] = ("officials",)) -> Path:
        """A provisioned, enrolled station directory (closed: the kiosk unlocks it)."""
        token, _ = issue_enrolment_token(
            self.session_factory, country=COUNTRY, region=REGION,
            populations=list(populations), lifetime=timedelta(days=1), clock=_now,
            random_bytes=os.urandom, server_url=self.server_url,
        )  # fmt: skip
        bundle = self.root / f"{name}-bundle.json"
        bundle.write_bytes(
            ProvisioningBundle(
                server_url=self.server_url,
                token=token,
                survey_public_key=self.public_key,
                country=COUNTRY,
                region=REGION,
                populations=list(populations),
            ).to_json()
        )
        station_dir = self.root / name
        provision(station_dir, bundle, PASSPHRASE, PIN, cost=KdfCost.FAST).close()
        return station_dir

    public_key: str = ""
    survey_key: SurveyPrivateKey | None = None  # for the benchmarks that run the processor


def _now() -> datetime:
    return datetime.now(UTC)


def make_kiosk_world(
    root: Path,
    abandon: str = "discard",
    populations: tuple[str, ...] = ("officials", "private_sector"),
) -> KioskWorld:
    """The server app with the survey key and both kiosk specs registered (not yet served)."""
    root.mkdir(parents=True, exist_ok=True)
    settings = Settings(data_dir=root / "server")
    settings.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    app = create_app(settings)
    world = KioskWorld(root=root, app=app)
    survey_key = generate_survey_key()
    world.public_key = survey_key.public_key().to_text()
    world.survey_key = survey_key
    register_survey_key(world.session_factory, COUNTRY, world.public_key, clock=_now)
    for population in populations:
        register_spec(world.session_factory, spec_body(population, abandon), clock=_now)
    return world
