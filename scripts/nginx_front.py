"""Run the shipped front (deploy/nginx/kyb.conf) with a local, unprivileged nginx.

    python scripts/nginx_front.py --upstream 127.0.0.1:8000 --listen 127.0.0.1:8080 --dir var/nginx
    nginx -p var/nginx -c nginx.conf            # start (it daemonizes; stop: nginx ... -s quit)

Writes ``DIR/kyb.conf`` (the template with its variables filled in, as envsubst would) and
``DIR/nginx.conf`` (a main file that includes it, with pid, logs and temp files under DIR).
The same function renders it for the tests (tests/test_front.py).
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parent.parent / "deploy" / "nginx" / "kyb.conf"
VARIABLES = ("KYB_UPSTREAM", "KYB_LISTEN", "KYB_ACCESS_LOG")

MAIN = """\
worker_processes {workers};
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
daemon {daemon};
events {{ worker_connections 4096; }}
http {{
    client_body_temp_path {dir}/client_body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    include {dir}/kyb.conf;
}}
"""


def render_site(*, upstream: str, listen: str, access_log: str) -> str:
    """kyb.conf with ``${KYB_UPSTREAM}``, ``${KYB_LISTEN}`` and ``${KYB_ACCESS_LOG}``
    substituted; nginx's own ``$variables`` are left alone (what ``envsubst`` given those three
    names does)."""
    values = dict(zip(VARIABLES, (upstream, listen, access_log), strict=True))
    pattern = r"\$\{(" + "|".join(VARIABLES) + r")\}"
    return re.sub(pattern, lambda m: values[m[1]], TEMPLATE.read_text())


def write_local(
    directory: Path, *, upstream: str, listen: str, workers: int = 1, daemon: bool = True
) -> Path:
    """Write kyb.conf and a main nginx.conf under ``directory``; return the main file."""
    directory = directory.resolve()
    directory.mkdir(parents=True, exist_ok=True)
    site = render_site(upstream=upstream, listen=listen, access_log=str(directory / "access.log"))
    (directory / "kyb.conf").write_text(site)
    main = directory / "nginx.conf"
    main.write_text(MAIN.format(dir=directory, workers=workers, daemon="on" if daemon else "off"))
    return main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--upstream", default="127.0.0.1:8000", help="gunicorn host:port")
    parser.add_argument("--listen", default="127.0.0.1:8080", help="nginx [addr:]port")
    parser.add_argument("--dir", default="var/nginx", help="folder for config, logs, pid")
    parser.add_argument("--workers", type=int, default=1, help="nginx worker processes")
    args = parser.parse_args()
    conf = write_local(
        Path(args.dir), upstream=args.upstream, listen=args.listen, workers=args.workers
    )
    print(f"nginx -p {conf.parent} -c {conf}")


if __name__ == "__main__":
    main()
