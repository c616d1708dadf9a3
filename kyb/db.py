"""Database helpers shared by the apps' services."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import IntegrityError, transaction

from kyb.errors import Conflict


def violated_constraint(exc: IntegrityError) -> str | None:
    """The name of the constraint PostgreSQL reported (psycopg's ``diag``), not a guess from the
    message text, which a locale or a server version may word differently."""
    diag = getattr(exc.__cause__, "diag", None)
    return getattr(diag, "constraint_name", None)


@contextmanager
def conflict_on(constraint: str, *, code: str, message: str) -> Iterator[None]:
    """Run the block in a savepoint; a violation of ``constraint`` becomes ``Conflict(code,
    message)`` (409), any other integrity error is raised as it is."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError as exc:
        if violated_constraint(exc) == constraint:
            raise Conflict(code, message) from exc
        raise
