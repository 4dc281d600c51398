"""The ten key factors of the Revised Arusha Declaration, named in the survey's languages."""

from __future__ import annotations

KEY_FACTORS: dict[int, dict[str, str]] = {
    1: {
        "en": "Leadership and commitment",
        "fr": "Leadership et engagement",
        "es": "Liderazgo y compromiso",
        "pt": "Liderança e compromisso",
        "ar": "القيادة والالتزام",
    },
    2: {
        "en": "Regulatory framework",
        "fr": "Cadre réglementaire",
        "es": "Marco regulatorio",
        "pt": "Quadro regulamentar",
        "ar": "الإطار التنظيمي",
    },
    3: {
        "en": "Transparency",
        "fr": "Transparence",
        "es": "Transparencia",
        "pt": "Transparência",
        "ar": "الشفافية",
    },
    4: {
        "en": "Automation",
        "fr": "Automatisation",
        "es": "Automatización",
        "pt": "Automatização",
        "ar": "الأتمتة",
    },
    5: {
        "en": "Reform and modernisation",
        "fr": "Réforme et modernisation",
        "es": "Reforma y modernización",
        "pt": "Reforma e modernização",
        "ar": "الإصلاح والتحديث",
    },
    6: {
        "en": "Audit and investigation",
        "fr": "Audit et enquête",
        "es": "Auditoría e investigación",
        "pt": "Auditoria e investigação",
        "ar": "التدقيق والتحقيق",
    },
    7: {
        "en": "Code of conduct",
        "fr": "Code de conduite",
        "es": "Código de conducta",
        "pt": "Código de conduta",
        "ar": "مدونة السلوك",
    },
    8: {
        "en": "Human resource management",
        "fr": "Gestion des ressources humaines",
        "es": "Gestión de recursos humanos",
        "pt": "Gestão de recursos humanos",
        "ar": "إدارة الموارد البشرية",
    },
    9: {
        "en": "Morale and organisational culture",
        "fr": "Moral et culture organisationnelle",
        "es": "Moral y cultura organizacional",
        "pt": "Moral e cultura organizacional",
        "ar": "الروح المعنوية والثقافة التنظيمية",
    },
    10: {
        "en": "Relationship with the private sector",
        "fr": "Relations avec le secteur privé",
        "es": "Relación con el sector privado",
        "pt": "Relação com o setor privado",
        "ar": "العلاقة مع القطاع الخاص",
    },
}


def key_factor_name(number: int, language: str) -> str:
    """The factor's name in `language`, in English when that language has none."""
    names = KEY_FACTORS[number]
    return names.get(language, names["en"])
