"""Survey questionnaire specs: the models, the expression language, loading and checking."""

from questionnaire_specs.expressions import Expression, ExpressionError, compile_expression
from questionnaire_specs.identity import SpecIdentity, canonical_json
from questionnaire_specs.key_factors import KEY_FACTORS, key_factor_name
from questionnaire_specs.loader import (
    check_spec_document,
    load_spec,
    load_spec_body,
    load_spec_text,
)
from questionnaire_specs.models import (
    Disclosure,
    Language,
    Option,
    Population,
    Question,
    QuestionType,
    Scale,
    Section,
    Settings,
    Spec,
)
from questionnaire_specs.problems import Problem, SpecError

__all__ = [
    "KEY_FACTORS",
    "Disclosure",
    "Expression",
    "ExpressionError",
    "Language",
    "Option",
    "Population",
    "Problem",
    "Question",
    "QuestionType",
    "Scale",
    "Section",
    "Settings",
    "Spec",
    "SpecError",
    "SpecIdentity",
    "canonical_json",
    "check_spec_document",
    "compile_expression",
    "key_factor_name",
    "load_spec",
    "load_spec_body",
    "load_spec_text",
]
