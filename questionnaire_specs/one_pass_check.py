"""A whole response checked in one pass, compiled per spec and population: does it have no
problem at all?

check_response's loop asks, for every question, the rule book's questions (relevance, type
rule, constraint, required, required_when) through attribute reads and branches that are the
same for every response. Here each population's questions become one straight-line Python
function, with each question's rule, codes and closures bound as constants, that answers only
yes or no. A yes is what check_response's full loop would find: no problem; on any doubt it says
no, and check_response then runs the full loop, which names every problem exactly as
before (tests/questionnaire_specs/test_compiled_rules.py compares the two on valid and
invalid responses). The rules themselves stay where they are: this calls the same closures
and type rules, in the same order, and only skips the bookkeeping.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from questionnaire_specs.answer_problems import is_empty
from questionnaire_specs.expressions import Choices, truthy
from questionnaire_specs.models import Spec
from questionnaire_specs.once_per_spec import once_per_spec
from questionnaire_specs.rule_book import PopulationRules, rule_book

# (answers, the option labels jr:choice-name() reads, complete) -> no problem at all
Clean = Callable[[Mapping[str, object], Choices | None, bool], bool]


def _source(rules: PopulationRules, names: dict[str, object], spec: Spec) -> str:
    """The function's text. No id, code or expression is written into it: each is a
    constant in `names`, so nothing in a spec can change what the code does."""
    names.update(SPEC=spec, ASKED=rules.asked_ids, truthy=truthy, is_empty=is_empty)
    lines = [
        "def clean(answers, labels, complete):",
        "    if not answers.keys() <= ASKED:",
        "        return False",
        "    get = answers.get",
    ]
    relevance: dict[str, str] = {}  # relevance text -> the local holding its outcome
    for number, asked in enumerate(rules.asked):
        names[f"I{number}"] = asked.id
        lines.append(f"    v = get(I{number})")
        indent = "    "
        if asked.relevant is not None:
            local = relevance.get(asked.relevant)
            if local is None:
                # Worked out where the full loop first meets it: the same calls, in order.
                local = relevance[asked.relevant] = f"r{len(relevance)}"
                names[f"E{number}"] = asked.is_relevant
                lines.append(f"    {local} = truthy(E{number}(answers, None, labels))")
            lines += [
                f"    if not {local}:",
                f"        if I{number} in answers:",
                "            return False",
                "    else:",
            ]
            indent = "        "
        lines.append(f"{indent}if type(v) is not int and is_empty(v):")
        if asked.required:
            lines.append(f"{indent}    if complete: return False")
        elif asked.required_when is not None:
            # Worked out only when the full loop would: complete and left empty.
            names[f"W{number}"] = asked.required_when
            condition = f"truthy(W{number}(answers, None, labels))"
            lines.append(f"{indent}    if complete and {condition}: return False")
        else:
            lines.append(f"{indent}    pass")
        lines.append(f"{indent}else:")
        body = indent + "    "
        if asked.codes is not None:
            names[f"N{number}"] = frozenset(c for k, c in asked.codes if k is int)
            names[f"S{number}"] = frozenset(c for k, c in asked.codes if k is str)
            lines.append(
                f"{body}if not ((type(v) is int and v in N{number})"
                f" or (type(v) is str and v in S{number})):"
            )
            inner = body + "    "
        else:
            inner = body
        if asked.rule is None:
            lines.append(f"{inner}return False")  # a note takes no answer
        else:
            names[f"R{number}"], names[f"Q{number}"] = asked.rule, asked.question
            lines += [
                f"{inner}if R{number}(SPEC, Q{number}, v, answers, labels) is not None:",
                f"{inner}    return False",
            ]
        if asked.constraint is not None:
            names[f"C{number}"] = asked.constraint
            lines += [
                f"{body}if not truthy(C{number}(answers, v, labels)):",
                f"{body}    return False",
            ]
    lines.append("    return True")
    return "\n".join(lines) + "\n"


@once_per_spec
def one_pass_check(spec: Spec) -> dict[str, Clean]:
    """population id -> its compiled check."""
    checks = {}
    for population, rules in rule_book(spec).populations.items():
        names: dict[str, object] = {}
        source = _source(rules, names, spec)
        exec(compile(source, f"<one-pass check of {spec.id} {population}>", "exec"), names)  # noqa: S102 - the text is ours, the spec's content only constants
        checks[population] = names["clean"]
    return checks  # type: ignore[return-value]
