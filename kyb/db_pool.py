"""The check psycopg's pool runs on a connection as it hands it out (``OPTIONS["pool"]["check"]``).

After PostgreSQL restarted (or a proxy between dropped its connections) each process's pool still
held up to ``DB_POOL_MAX_SIZE`` dead connections, and handed each out once: one request failed
per dead connection (a 503), for minutes, until their lifetime or idle limit retired them.

psycopg's own ``ConnectionPool.check_connection`` asks the server (a round trip per checkout).
An idle connection has nothing to read, so when the server ends one (a shutdown's FATAL message,
or EOF) its socket turns readable: ``select`` with no wait tells, at the cost of one system call.
A connection cut without a word (a silent network partition) is not caught here; TCP keepalives
and ``DB_POOL_MAX_LIFETIME`` bound those.
"""

from __future__ import annotations

import select

import psycopg


def check_idle_connection(conn: psycopg.Connection) -> None:
    """Raise if the server has closed ``conn`` or sent it anything while it sat in the pool: the
    pool then discards it and hands out another."""
    if conn.closed or conn.broken:
        raise psycopg.OperationalError("the connection is closed")
    readable, _, _ = select.select([conn.fileno()], [], [], 0)
    if readable:
        # Closed, so the pool discards it (one it cannot tell is broken goes back in the pool,
        # and the same connection failed the check until the pool's timeout).
        conn.close()
        raise psycopg.OperationalError("the server ended the connection while it was idle")
