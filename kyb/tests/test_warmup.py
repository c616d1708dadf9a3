"""The apps register their heavy engines with kyb.warmup; the plumbing runs them blind."""

from __future__ import annotations

import pytest

from kyb import warmup


def test_apps_register_their_engines_and_only_the_classifier_loads_before_fork() -> None:
    loaders = {name: loader.before_fork for name, loader in warmup._loaders.items()}
    assert loaders == {"classifier": True, "screening index": False}


def test_before_fork_runs_only_fork_safe_loaders(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    monkeypatch.setattr(warmup, "_loaders", {})
    warmup.warm_up_register("files", lambda: calls.append("files"), before_fork=True)
    warmup.warm_up_register("database", lambda: calls.append("database"))

    assert warmup.warm_up_run(before_fork=True) == ["files"]
    assert warmup.warm_up_run() == ["files", "database"]
    assert calls == ["files", "files", "database"]


def test_a_failing_loader_is_skipped_not_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(warmup, "_loaders", {})

    def broken() -> object:
        raise RuntimeError("artefact missing")

    warmup.warm_up_register("broken", broken)
    warmup.warm_up_register("fine", lambda: None)
    assert warmup.warm_up_run() == ["fine"]
