"""Database helpers shared by the apps' services."""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

import psycopg
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections, models, transaction
from django.db.models import Field, Model
from django.db.models.signals import post_save

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


M = TypeVar("M", bound=Model)


# ---- fixed SQL for the hottest statements ---------------------------------------------------
# The ORM compiles every query anew: for a POST that writes four rows and reads one, compiling
# costs more CPU than PostgreSQL spends running them. These helpers build each statement's SQL
# once per model and bind only the values, with the fields' own conversions (``pre_save`` for
# ``auto_now``, ``get_db_prep_save`` for JSON and encrypted fields, ``from_db_value`` on read),
# so the rows are the ones ``Model.objects.create()`` and ``.get()`` would write and read.


@functools.cache
def _select_sql(model: type[Model], where: str) -> tuple[str, tuple[Field[Any, Any], ...]]:
    fields = tuple(model._meta.concrete_fields)
    columns = ", ".join(f'"{f.column}"' for f in fields)
    table = model._meta.db_table
    return f'SELECT {columns} FROM "{table}" WHERE {where}', fields  # noqa: S608 - model names


def fetch_one(model: type[M], where: str, params: Sequence[Any]) -> M | None:
    """The one row of ``model`` matching the fixed condition ``where`` (``%s`` placeholders
    for ``params``), as an instance, or None. ``where`` must be a literal of the caller's: it
    is part of the cached statement, never built from input."""
    sql, fields = _select_sql(model, where)
    conn = connections[DEFAULT_DB_ALIAS]  # the wrapper itself: the proxy costs a lookup per use
    with conn.cursor() as cursor:
        cursor.execute(sql, list(params))
        row = cursor.fetchone()
    if row is None:
        return None
    values = [
        f.from_db_value(value, None, conn) if hasattr(f, "from_db_value") else value
        for f, value in zip(fields, row, strict=True)
    ]
    return model.from_db(conn.alias, [f.attname for f in fields], values)


@functools.cache
def _insert_sql(model: type[Model], with_pk: bool) -> tuple[str, tuple[Field[Any, Any], ...]]:
    meta = model._meta
    fields = tuple(f for f in meta.local_concrete_fields if with_pk or f is not meta.auto_field)
    columns = ", ".join(f'"{f.column}"' for f in fields)
    marks = ", ".join("%s" for _ in fields)
    pk = meta.pk.column
    sql = f'INSERT INTO "{meta.db_table}" ({columns}) VALUES ({marks}) RETURNING "{pk}"'  # noqa: S608
    return sql, fields


def insert_statement(obj: Model) -> tuple[str, list[Any]]:
    """``INSERT ... RETURNING pk`` of a new instance and its values, as ``save()`` would
    compute them (defaults already set by the constructor, ``auto_now`` stamped here)."""
    with_pk = obj.pk is not None or obj._meta.auto_field is None
    sql, fields = _insert_sql(type(obj), with_pk)
    conn = connections[DEFAULT_DB_ALIAS]
    params = []
    for f in fields:
        value = f.pre_save(obj, True)
        if _NATIVE.get(type(f)) is not type(value):
            value = f.get_db_prep_save(value, conn)
        params.append(value)
    return sql, params


# Field classes whose conversion of a value already of this Python type is the identity (the
# exact class: a subclass such as EmailField may convert); they skip ``get_db_prep_save``.
_NATIVE: dict[type[Field[Any, Any]], type] = {
    models.CharField: str,
    models.TextField: str,
    models.BooleanField: bool,
    models.IntegerField: int,
    models.SmallIntegerField: int,
    models.PositiveSmallIntegerField: int,
    models.PositiveIntegerField: int,
    models.BigIntegerField: int,
}


def _server_binding_cursor(conn: Any) -> Any:
    """A cursor that sends the values apart from the statement (PostgreSQL binds them),
    whatever ``DB_SERVER_SIDE_BINDING`` says (on by default, when Django's own cursors do too).

    With it off, Django's psycopg cursors bind on the client: every value is quoted into the SQL
    text in Python, which for the multi-row statements below (sixty values and more) cost a
    quarter of the statement's CPU (439 -> 327 µs for six ten-column rows, 5 x 3,000 runs). The
    cursor still goes through Django's wrapper, so query logging, execute wrappers (metrics)
    and the connection's adapters and time zone are the same. The placeholders stay ``%s``;
    PostgreSQL types each value from the column it goes into."""
    conn.ensure_connection()
    return conn._prepare_cursor(psycopg.Cursor(conn.connection))


def run_together(
    statements: Sequence[tuple[str, Sequence[Any]]], *, new: Sequence[Model] = ()
) -> list[Any]:
    """Run data-modifying statements, each ending in ``RETURNING <one column>``, as one
    statement (in order, as data-modifying CTEs of one snapshot) and return each one's first
    returned value (None when it touched no row). ``new`` are the instances whose
    ``insert_statement`` opened the list, in order: they get their primary keys, are marked
    saved and announced with ``post_save(created=True)`` as ``save()`` would.

    Foreign keys between rows inserted together hold because Django creates them
    ``DEFERRABLE INITIALLY DEFERRED`` (checked at commit)."""
    parts = [f"s{i} AS ({sql})" for i, (sql, _) in enumerate(statements)]
    picks = ", ".join(f"(SELECT * FROM s{i} LIMIT 1)" for i in range(len(statements)))  # noqa: S608
    params = [p for _, ps in statements for p in ps]
    conn = connections[DEFAULT_DB_ALIAS]
    with _server_binding_cursor(conn) as cursor:
        cursor.execute(f"WITH {', '.join(parts)} SELECT {picks}", params)
        row = cursor.fetchone()
    values = list(row) if row is not None else [None] * len(statements)
    for obj, pk in zip(new, values, strict=False):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = conn.alias
        post_save.send(
            sender=type(obj),
            instance=obj,
            created=True,
            update_fields=None,
            raw=False,
            using=conn.alias,
        )
    return values
