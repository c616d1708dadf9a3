"""``make run``: wait until the platform can decide a verification, then return.

``python scripts/wait_ready.py http://HOST:PORT`` polls ``/readyz`` until the web answers 200,
then sends one small task (the metrics snapshot) through the broker and waits for its result:
a pool process answers only once it has started and warmed up (classifier and screening index,
``kyb/celery.py``), so the first verification after the banner is not the one that waits.
Exit 1 after ``--timeout`` seconds (default 300) with what is still missing.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import urllib.request


def _web_ready(base: str) -> bool:
    try:
        # our own URL, built from GUNICORN_BIND: http only
        with urllib.request.urlopen(f"{base}/readyz", timeout=2) as response:  # noqa: S310
            return bool(response.status == 200)
    except OSError:
        return False


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("base", help="the web's base URL, e.g. http://127.0.0.1:8000")
    parser.add_argument("--timeout", type=float, default=300.0)
    args = parser.parse_args()
    deadline = time.monotonic() + args.timeout
    while not _web_ready(args.base):
        if time.monotonic() > deadline:
            print(f"make run: the web did not answer {args.base}/readyz in time", file=sys.stderr)
            return 1
        time.sleep(0.5)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kyb.settings")
    import django

    django.setup()
    from kyb.celery import app
    from kyb.queues import Queue

    result = app.send_task("kyb.monitoring.metrics_snapshot", queue=Queue.MAINTENANCE.value)
    try:
        result.get(timeout=max(1.0, deadline - time.monotonic()))
    except Exception as exc:  # noqa: BLE001 - any failure means "not ready"; say which
        print(f"make run: the worker did not answer in time ({exc!r})", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    sys.exit(main())
