"""docs/architecture.md stays true: every path it names exists, it names every
Python module of the app, and no module grows past ~300 lines unnoticed (one
that must says "Longer than ~300 lines because ..." in its docstring)."""
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOC = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
# `pwa/x.py`, `tests/helpers.py`, `pwa/static/`...; `static/…` and `templates/…` are under pwa/,
# and a bare `x.js` is the phone's, in pwa/static/js/.
NAMED = sorted(set(re.findall(r"`((?:pwa|tests|migrations|docs|bench|tools|static|templates)/[\w./-]*)`", DOC))
               | set(re.findall(r"`([\w-]+\.js)`", DOC)))
MODULES = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "pwa").glob("*.py"))


def where(path):
    if "/" not in path:
        return ROOT / "pwa" / "static" / "js" / path
    return ROOT / ("pwa/" + path if path.startswith(("static/", "templates/")) else path)


@pytest.mark.parametrize("path", NAMED)
def test_every_path_the_page_names_exists(path):
    assert where(path).exists(), f"docs/architecture.md names {path}, which is not in the tree"


def test_the_page_names_paths():
    assert len(NAMED) > 30


@pytest.mark.parametrize("module", MODULES)
def test_every_module_of_the_app_has_its_room_on_the_page(module):
    assert f"`{module}`" in DOC, f"{module} is missing from docs/architecture.md"


@pytest.mark.parametrize("module", MODULES)
def test_no_module_is_long_without_a_reason_at_its_top(module):
    text = (ROOT / module).read_text(encoding="utf-8")
    lines = text.count("\n")
    assert lines <= 300 or "Longer than" in text.split('"""')[1], f"{module}: {lines} lines"
