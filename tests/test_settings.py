"""The precedence table, setting by setting: flag > environment > workspace > user > default."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT
from toolkit.settings import ENVIRONMENT, TABLE, Setting, user_settings_path
from toolkit.workspace import load_workspace


def toml_line(setting: Setting, value: str) -> str:
    table, _, key = setting.key.rpartition(".")
    shown = f'["{value}"]' if setting.is_list else value if setting.is_number else f'"{value}"'
    return (f"[{table}]\n" if table else "") + f"{key} = {shown}\n"


def expected(setting: Setting, value: str) -> object:
    return [value] if setting.is_list else float(value) if setting.is_number else value


VALUES = {
    "timezone": ("Asia/Tokyo", "Europe/Berlin", "Asia/Shanghai"),
    "gpu_hour_usd": ("1.5", "2.25", "3.75"),
    "generator": ("hugo", "jekyll", "both"),
}


@pytest.mark.parametrize("setting", TABLE, ids=lambda s: s.name)
@pytest.mark.parametrize("layers", ["default", "user", "user+workspace", "user+workspace+env"])
def test_each_setting_follows_the_precedence_table(
    setting: Setting, layers: str, ws: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.delenv("BIP_TIMEZONE")
    monkeypatch.delenv("GITHUB_API_URL")
    (ws / "bip.toml").write_text("")
    user_value, ws_value, env_value = VALUES.get(
        setting.name, ("from-user", "from-workspace", "from-env")
    )
    if setting.name == "api_url":
        user_value, ws_value, env_value = (f"https://{v}.example/api/v3" for v in ("u", "w", "e"))
    default = getattr(load_workspace(ws).settings, setting.name)
    if "user" in layers:
        user_settings_path().parent.mkdir(parents=True, exist_ok=True)
        user_settings_path().write_text(toml_line(setting, user_value))
    if "workspace" in layers:
        (ws / "bip.toml").write_text(toml_line(setting, ws_value))
    if "env" in layers:
        assert setting.env, f"{setting.name} has no environment variable"
        monkeypatch.setenv(setting.env, env_value)
    settings = load_workspace(ws).settings
    winner, origin = {
        "default": (default, None),
        "user": (expected(setting, user_value), str(user_settings_path())),
        "user+workspace": (expected(setting, ws_value), str(ws / "bip.toml")),
        "user+workspace+env": (expected(setting, env_value), setting.env),
    }[layers]
    assert getattr(settings, setting.name) == winner
    assert settings.sources.get(setting.name) == origin


def test_a_flag_beats_the_environment_and_bip_toml(bip, ws: Path, monkeypatch):
    """--workspace over BIP_WORKSPACE; --api-url over GITHUB_API_URL and [github] api_url."""
    other = ws.parent / "other"
    other.mkdir()
    monkeypatch.setenv("BIP_WORKSPACE", str(other))
    assert "nanogpt" in bip("-w", str(ws), "read", "list").stdout  # `other` has no list
    (ws / "bip.toml").write_text('[github]\napi_url = "http://127.0.0.1:7/api/v3"\n')
    result = bip(
        "-w",
        str(ws),
        "contrib",
        "status",
        "--user",
        "me",
        "--repo",
        "a/b",
        "--api-url",
        "not a url",
        code=2,
    )
    assert "'not a url' is not an API URL" in result.stderr


def test_only_the_settings_module_reads_the_environment():
    readers = []
    for path in sorted((REPO_ROOT / "toolkit").rglob("*.py")):
        if path.name == "settings.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv"):
                if isinstance(node.value, ast.Name) and node.value.id == "os":
                    readers.append(f"{path.relative_to(REPO_ROOT)}:{node.lineno}")
    assert readers == [], "read variables through toolkit.settings.environ()"


def test_every_variable_is_documented_in_the_readme():
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    assert [name for name in ENVIRONMENT if f"`{name}`" not in readme] == []


@pytest.mark.parametrize(
    ("value", "where"),
    [
        ("[" * 5000 + "]" * 5000, "3:105"),  # arrays, 5,000 deep
        ("{a = " * 5000 + "1" + "}" * 5000, "3:505"),  # inline tables
    ],
    ids=["arrays", "inline-tables"],
)
def test_a_bip_toml_nested_thousands_deep_is_a_located_error(bip, ws: Path, value, where):
    settings = ws / "bip.toml"
    # Brackets in a comment and a string are not nesting: the place is the value's.
    settings.write_text(f'# [[[[\n[github]\nx = {value}\nlogin = "[[["\n', encoding="utf-8")
    result = bip("--workspace", str(ws), "read", "list", code=2)
    assert f"{settings}:{where}: arrays and tables nest more than 100 levels deep" in (
        result.stderr
    )


def test_nesting_up_to_the_limit_is_toml_as_usual():
    import tomllib

    from toolkit.settings import MAX_TOML_DEPTH, toml_too_deep

    deepest = "x = " + "[" * MAX_TOML_DEPTH + "]" * MAX_TOML_DEPTH + "\n"
    assert toml_too_deep(deepest) is None and tomllib.loads(deepest)
    assert toml_too_deep("x = " + "[" * (MAX_TOML_DEPTH + 1)) == (1, MAX_TOML_DEPTH + 5)
    assert toml_too_deep('x = """\n' + "[" * 500 + '\n"""\ny = 1  # ' + "{" * 500) is None


def test_a_bad_setting_after_blank_lines_is_located_on_its_own_line(bip, ws: Path):
    (ws / "bip.toml").write_text("# mine\n\n\n[github]\n\nuzer = 'me'\n")
    said = bip("-w", str(ws), "read", "list", code=2).stderr
    assert f"{ws / 'bip.toml'}:6:" in said and "unknown setting 'github.uzer'" in said
