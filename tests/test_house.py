"""The house rules, read from the code itself (its syntax tree): what two modules share is
public, no module does two jobs, and a command never borrows another command's logic."""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

from tests.conftest import REPO_ROOT

OURS = ("toolkit", "tests", "bench")
MAX_LINES = 500

# Known violations (file, private name used there): none left. Add one only with its reason.
ALLOWED_PRIVATE: set[tuple[str, str]] = set()
ALLOWED_PRIVATE_MODULES: set[tuple[str, str]] = set()


def python_files(*folders: str) -> list[Path]:
    return sorted(p for folder in folders for p in (REPO_ROOT / folder).rglob("*.py"))


def shown(path: Path) -> str:
    return path.relative_to(REPO_ROOT).as_posix()


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO_ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), str(path))


def is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


@cache
def defined_privates(path: Path) -> frozenset[str]:
    """The private names a module defines: at its top level, in its classes, on `self`."""
    names: set[str] = set()
    for node in ast.walk(tree(path)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            if isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"):
                names.add(node.attr)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
    return frozenset(n for n in names if is_private(n))


def private_uses(path: Path, elsewhere: set[str]) -> list[tuple[int, str]]:
    """Where a module uses a private name of another of our modules: `from ours import _x`,
    `something._x` for an `_x` only another module defines, a patch of "_x" by name."""
    mine = defined_privates(path)
    found = []
    for node in ast.walk(tree(path)):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] in OURS:
                found += [(node.lineno, a.name) for a in node.names if is_private(a.name)]
        elif isinstance(node, ast.Attribute) and is_private(node.attr):
            on_self = isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")
            if not on_self and node.attr not in mine and node.attr in elsewhere:
                found.append((node.lineno, node.attr))
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") in (
            "setattr",
            "object",
            "patch",
        ):
            for arg in node.args[:2]:  # setattr(module, "_x", ...), setattr("toolkit.m._x", ...)
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    parts = arg.value.split(".")
                    if len(parts) > 1 and parts[0] in OURS:
                        found += [(node.lineno, p) for p in parts if is_private(p)]
                    elif is_private(arg.value) and arg.value in elsewhere:
                        found.append((node.lineno, arg.value))
    return found


def test_no_private_name_crosses_a_module():
    files = python_files("toolkit", "tests")
    definers: dict[str, set[Path]] = {}
    for path in files:
        for name in defined_privates(path):
            definers.setdefault(name, set()).add(path)
    problems = []
    for path in files:
        elsewhere = {name for name, where in definers.items() if where - {path}}
        for line, name in private_uses(path, elsewhere):
            if (shown(path), name) not in ALLOWED_PRIVATE:
                problems.append(f"{shown(path)}:{line}: {name}")
    assert problems == [], "make these names public where they are defined:\n" + "\n".join(problems)


def test_no_private_module_is_imported_from_another():
    packages = {module_name(p.parent) for p in python_files("toolkit") if p.name == "__init__.py"}
    problems = []
    for path in python_files("toolkit", "tests"):
        for node in ast.walk(tree(path)):
            modules = []
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                modules = [node.module]
                if node.module in packages:  # `from toolkit.cli import _help`: a module too
                    modules += [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                modules = [a.name for a in node.names]
            for module in modules:
                parts = module.split(".")
                if parts[0] in OURS and any(is_private(p) for p in parts):
                    if (shown(path), module) not in ALLOWED_PRIVATE_MODULES:
                        problems.append(f"{shown(path)}:{node.lineno}: {module}")
    assert problems == []


def test_no_module_does_two_jobs():
    long = {
        shown(p): n
        for p in python_files("toolkit")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}, f"split these (at most {MAX_LINES} lines a module)"


def command_modules() -> set[str]:
    """The cli/ modules that define commands (the others are shared helpers)."""
    found = set()
    for path in python_files("toolkit/cli"):
        for node in ast.walk(tree(path)):
            if (  # `@app.command(...)`: a ctx.command elsewhere is no definition
                isinstance(node, ast.Attribute)
                and node.attr == "command"
                and isinstance(node.value, ast.Name)
                and node.value.id == "app"
            ):
                if path.name != "__init__.py":
                    found.add(module_name(path))
    return found


def test_no_command_imports_another_commands_logic():
    """A command may import shared helpers (output, context, ...) and attach itself to a
    group's `app`, but never take another command's functions."""
    commands = command_modules()
    assert {"toolkit.cli.read", "toolkit.cli.contrib"} <= commands
    problems = []
    for path in python_files("toolkit/cli"):
        me = module_name(path)
        for node in ast.walk(tree(path)):
            if not isinstance(node, ast.ImportFrom) or not node.module:
                continue
            targets = (
                [(f"toolkit.cli.{a.name}", None) for a in node.names]
                if node.module == "toolkit.cli"
                else [(node.module, a.name) for a in node.names]
            )
            for module, name in targets:
                if module in commands and module != me and name != "app":
                    problems.append(f"{shown(path)}:{node.lineno}: {module}.{name}")
    assert problems == []


def test_every_property_test_sets_its_budget():
    """Hypothesis tests keep their power on a bounded budget: examples and deadline set."""
    problems = []
    for path in python_files("tests"):
        for node in ast.walk(tree(path)):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            names = [ast.unparse(d) for d in node.decorator_list]
            if not any(n.startswith("given(") for n in names):
                continue
            budget = [d for d in node.decorator_list if not ast.unparse(d).startswith("given(")]
            text = " ".join(ast.unparse(d) for d in budget)
            shared = [n for n in names if n.isidentifier()]  # FAST = settings(...)
            for name in shared:
                for other in ast.walk(tree(path)):
                    if isinstance(other, ast.Assign) and ast.unparse(other.targets[0]) == name:
                        text += " " + ast.unparse(other.value)
            if "max_examples" not in text or "deadline" not in text:
                problems.append(f"{shown(path)}:{node.lineno}: {node.name}")
    assert problems == []
