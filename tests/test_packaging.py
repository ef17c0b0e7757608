"""The package as users get it: every subpackage listed, templates in the wheel, no symlinks."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from tests.conftest import REPO_ROOT

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def pyproject() -> dict:
    return tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_every_subpackage_is_listed_in_pyproject():
    on_disk = {
        ".".join(init.parent.relative_to(REPO_ROOT).parts)
        for init in (REPO_ROOT / "toolkit").rglob("__init__.py")
    } | {"toolkit.templates", "toolkit.data"}
    theme = REPO_ROOT / "toolkit" / "site" / "theme"  # `bip site build`'s Hugo theme: data only
    on_disk |= {
        ".".join(folder.relative_to(REPO_ROOT).parts)
        for folder in [theme, *theme.rglob("*")]
        if folder.is_dir() and folder.name != "__pycache__"
    }
    assert set(pyproject()["tool"]["setuptools"]["packages"]) == on_disk


def test_the_repository_tracks_no_symlink():
    listing = subprocess.run(
        ["git", "ls-files", "-s"], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert [line for line in listing.splitlines() if line.startswith("120000")] == []


def test_the_wheel_ships_the_builtin_templates(tmp_path: Path):
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--wheel-dir", str(tmp_path), str(REPO_ROOT)],
        check=True, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    # `make run` installs the same way: setuptools says nothing about how the package is laid out.
    assert "toolkit.data" not in built.stdout + built.stderr
    assert "BuildBackendWarning" not in built.stdout + built.stderr
    (wheel,) = tmp_path.glob("build_in_public-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    templates = {p.name for p in (REPO_ROOT / "templates").glob("*.md.j2")}
    assert templates and {f"toolkit/templates/{name}" for name in templates} <= names
    # Every data file, whatever its suffix: `bip reach sync --example` reads a .json one.
    data = {f"toolkit/data/{p.name}" for p in (REPO_ROOT / "toolkit" / "data").iterdir()}
    assert "toolkit/data/reading_list.example.yaml" in data and data <= names
    theme = REPO_ROOT / "toolkit" / "site" / "theme"  # `bip site build`'s Hugo theme, every file
    shipped = {p.relative_to(REPO_ROOT).as_posix() for p in theme.rglob("*") if p.is_file()}
    assert shipped and shipped <= names, shipped - names
    assert not any(name.startswith("tests/") for name in names)
