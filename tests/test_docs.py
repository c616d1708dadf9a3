"""The docs tree holds together and says what the code does.

- The README stays a front door (at most 15 KB); the manual lives in docs/.
- Every relative link and heading anchor in README.md and docs/**/*.md resolves, inside the
  repository (GitHub's anchor rules).
- Tables that restate the code are checked against it: every environment variable the code reads
  is in docs/configuration.md; the beat table names every scheduled task; the state table is
  ``ALLOWED_TRANSITIONS``; the reason-code table is the risk weights.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = ROOT / "docs"
README_MAX_BYTES = 15 * 1024

_FENCE = re.compile(r"^\s*(```|~~~)")
_INLINE_CODE = re.compile(r"`[^`\n]*`")
_LINK_TARGET = re.compile(r"\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


def markdown_files() -> list[Path]:
    return [README, *sorted(DOCS.rglob("*.md"))]


def _prose_lines(text: str) -> list[str]:
    """The lines outside fenced code blocks."""
    lines, fenced = [], False
    for line in text.splitlines():
        if _FENCE.match(line):
            fenced = not fenced
            continue
        if not fenced:
            lines.append(line)
    return lines


def github_slug(heading: str) -> str:
    """The anchor GitHub gives a heading: its text (links and emphasis reduced to their text),
    lowercased, punctuation dropped except ``-`` and ``_``, spaces turned into ``-``."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)
    text = re.sub(r"<[^>]+>", "", text).replace("`", "").strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    seen: dict[str, int] = {}
    found = set()
    for line in _prose_lines(path.read_text()):
        match = _HEADING.match(line)
        if not match:
            continue
        slug = github_slug(match.group(2))
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        found.add(slug if count == 0 else f"{slug}-{count}")
    return found


def links(path: Path) -> list[str]:
    """Every link or image target in the prose of ``path`` (code blocks and code spans skipped)."""
    targets = []
    for line in _prose_lines(path.read_text()):
        targets += _LINK_TARGET.findall(_INLINE_CODE.sub("", line))
    return targets


def broken_links(path: Path) -> list[str]:
    problems = []
    for target in links(path):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I):  # http:, https:, mailto:
            continue
        file_part, _, anchor = target.partition("#")
        if file_part.startswith("/"):
            problems.append(f"{target}: absolute path (GitHub resolves it against the host)")
            continue
        resolved = (path.parent / file_part).resolve() if file_part else path
        if not resolved.is_relative_to(ROOT):
            problems.append(f"{target}: outside the repository")
        elif not resolved.exists():
            problems.append(f"{target}: no such file")
        elif anchor and resolved.suffix == ".md" and anchor not in anchors(resolved):
            problems.append(f"{target}: no heading with that anchor in {resolved.name}")
    return problems


def test_readme_is_a_front_door_of_at_most_15_kb() -> None:
    size = len(README.read_bytes())
    assert size <= README_MAX_BYTES, f"README.md is {size} bytes; move detail into docs/"


def test_the_docs_tree_has_a_map_linking_every_page() -> None:
    pages = {p.name for p in DOCS.glob("*.md")} - {"README.md"}
    mapped = {Path(t.partition("#")[0]).name for t in links(DOCS / "README.md")}
    assert pages - mapped == set(), "docs/README.md must list every docs page"


@pytest.mark.parametrize("path", markdown_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_and_anchor_resolves(path: Path) -> None:
    assert broken_links(path) == []


def test_the_link_check_catches_what_it_guards(tmp_path: Path) -> None:
    """The checker itself: a missing file, a missing anchor, a path out of the repository."""
    assert github_slug("Speed on 1,000,000 verifications: `manage.py bench_admin`") == (
        "speed-on-1000000-verifications-managepy-bench_admin"
    )
    page = DOCS / "configuration.md"
    assert "connection-budget" in anchors(page)
    probe = DOCS / "_probe_for_test_docs.md"
    probe.write_text(
        "[a](configuration.md#connection-budget) [b](nope.md) [c](configuration.md#nope) "
        "[d](../../outside.md) [e](#here) `[f](ignored.md)`\n\n## Here\n"
    )
    try:
        problems = broken_links(probe)
    finally:
        probe.unlink()
    assert [p.split(":")[0] for p in problems] == [
        "nope.md",
        "configuration.md#nope",
        "../../outside.md",
    ]


# --- tables that restate the code ------------------------------------------------------------

_ENV_HELPERS = {"env_str", "env_bool", "env_int", "env_float", "env_list"}
_SKIP_PARTS = {".venv", "var", "tests", "node_modules", "migrations"}


def _python_sources() -> list[Path]:
    """Shipped Python: the project's packages, without tests, migrations or the virtualenv."""
    tops = [d for d in ROOT.iterdir() if d.is_dir() and not d.name.startswith((".", "_"))]
    return [
        p
        for top in tops
        if top.name not in _SKIP_PARTS
        for p in top.rglob("*.py")
        if not _SKIP_PARTS & set(p.relative_to(ROOT).parts)
    ]


def variables_read_by_the_code() -> set[str]:
    """Names passed to the ``kyb.env`` readers anywhere in shipped code, and names read straight
    from ``os.environ`` / ``os.getenv`` by the ``kyb`` package (gunicorn, Celery, tracing)."""
    names: set[str] = set()
    for path in _python_sources():
        in_kyb = path.relative_to(ROOT).parts[0] == "kyb"
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Call) and node.args:
                func = node.func
                name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
                direct = in_kyb and ast.unparse(func) in {"os.environ.get", "os.getenv"}
                if name in _ENV_HELPERS or direct:
                    first = node.args[0]
                    if isinstance(first, ast.Constant) and isinstance(first.value, str):
                        names.add(first.value)
            subscript = isinstance(node, ast.Subscript) and ast.unparse(node.value) == "os.environ"
            key = node.slice if isinstance(node, ast.Subscript) else None
            if in_kyb and subscript and isinstance(key, ast.Constant):
                names.add(str(key.value))
    return names


def test_every_variable_the_code_reads_is_documented() -> None:
    names = variables_read_by_the_code()
    assert {"SECRET_KEY", "PIPELINE_SWEEP_INTERVAL", "GUNICORN_WORKERS"} <= names  # scan works
    configuration = (DOCS / "configuration.md").read_text()
    missing = sorted(n for n in names if f"`{n}`" not in configuration)
    assert missing == [], "add these to docs/configuration.md"


def _table_rows(path: Path, heading: str) -> list[list[str]]:
    """The cells of the first table under ``heading`` (a ``##`` or ``###`` title)."""
    text = path.read_text()
    start = re.search(rf"^#+ {re.escape(heading)}\s*$", text, re.M)
    assert start, f"{path.name} has no section {heading!r}"
    rows: list[list[str]] = []
    for line in text[start.end() :].splitlines():
        if line.startswith("|"):
            rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
        elif rows:
            break
    return rows[2:]  # without the header and its rule


def test_the_beat_table_names_every_scheduled_task() -> None:
    from django.conf import settings

    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    rows = _table_rows(DOCS / "architecture.md", "Celery")
    documented = {re.sub(r"`", "", row[0]) for row in rows}
    assert documented == scheduled


def test_the_state_table_is_the_state_machine() -> None:
    from verifications.models import ALLOWED_TRANSITIONS

    allowed = {(str(a), str(b)) for a, targets in ALLOWED_TRANSITIONS.items() for b in targets}
    documented = set()
    for row in _table_rows(DOCS / "pipeline.md", "States"):
        (source,) = re.findall(r"`(\w+)`", row[0])
        documented |= {(source, target) for target in re.findall(r"`(\w+)`", row[1])}
    assert documented == allowed


def test_the_reason_code_table_is_the_risk_weights() -> None:
    from verifications.risk import WEIGHTS

    rows = _table_rows(DOCS / "pipeline.md", "Risk score and decision")
    documented = {row[0].strip("`"): (int(row[1]), row[2]) for row in rows}
    assert documented == {code: (r.weight, r.effect) for code, r in WEIGHTS.items()}
