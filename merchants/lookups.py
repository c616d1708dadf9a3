"""``people__person_name_icontains``: part of a person's name, case-insensitively.

``people__icontains`` compared the term with the people JSON as text, keys included: "Ole",
"nam", "birth" or "null" found every merchant with people ("role", "name", "date_of_birth").
This lookup keeps that comparison as a pre-filter, so PostgreSQL still narrows with the trigram
index on ``UPPER(people::text)`` (``idx_merchants_people_trgm``), and then requires the term in
one person's ``name``.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Lookup


def like_pattern(term: str) -> str:
    """``%term%`` with LIKE's wildcards and escape character taken literally."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class PersonNameContains(Lookup):  # type: ignore[type-arg]
    lookup_name = "person_name_icontains"
    prepare_rhs = False

    def process_rhs(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        return "%s", [like_pattern(str(self.rhs))]

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        # lhs and rhs are compiled column SQL and a placeholder: the term is a parameter.
        names = (
            f"EXISTS (SELECT 1 FROM jsonb_array_elements(CASE WHEN jsonb_typeof({lhs}) = 'array' "  # noqa: S608
            f"THEN {lhs} ELSE '[]'::jsonb END) AS person "
            f"WHERE UPPER(person ->> 'name') LIKE UPPER({rhs}))"
        )
        params = [*lhs_params, *lhs_params, *rhs_params]
        if '"' in str(self.rhs) or "\\" in str(self.rhs):
            return names, params  # escaped differently in the JSON text: no pre-filter
        text = f"UPPER(({lhs})::text) LIKE UPPER({rhs})"
        return f"({text} AND {names})", [*lhs_params, *rhs_params, *params]
