"""The install is reproducible: every dependency pyproject.toml names is pinned in requirements.lock, which the
README's commands install from (re-resolve with `.ci/lock` after changing a dependency)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    specs = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        specs += extra
    return {canonical(re.split(r"[\[<>=!~;\s]", spec, maxsplit=1)[0]) for spec in specs}


def pinned() -> dict[str, str]:
    lines = (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines()
    return {canonical(m[1]): m[2] for line in lines if (m := re.match(r"^([A-Za-z0-9_.\-]+)==([^\s;]+)", line))}


def test_every_declared_dependency_is_pinned_in_the_lock():
    missing = sorted(declared() - set(pinned()))
    assert not missing, f"not in requirements.lock (run .ci/lock): {missing}"


def test_readme_commands_install_from_the_lock():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "python -m pip install -c requirements.lock -e . && python -m bot" in readme
    test_command = 'python -m pip install -c requirements.lock -e ".[test]" && python -m pytest -q'
    assert test_command in readme
    assert test_command in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
