"""Settings: flag > environment > workspace bip.toml > user config > default, each validated."""

from pathlib import Path

import pytest

from toolkit.errors import BadInput, InvalidFile
from toolkit.settings import user_settings_path
from toolkit.workspace import load_workspace


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_defaults(ws: Path, monkeypatch):
    monkeypatch.delenv("BIP_TIMEZONE")
    settings = load_workspace(ws).settings
    assert settings.posts_dir == "posts"  # from the example bip.toml
    assert settings.github_login is None and settings.git_emails == []


def test_precedence_user_then_workspace_then_environment(ws: Path, monkeypatch):
    monkeypatch.delenv("BIP_TIMEZONE")
    write(
        user_settings_path(),
        'timezone = "Asia/Tokyo"\n[github]\nlogin = "from-user"\n'
        '[git]\nemails = ["user@example.com"]\n',
    )
    write(ws / "bip.toml", '[github]\nlogin = "from-workspace"\n')
    settings = load_workspace(ws).settings
    assert settings.timezone == "Asia/Tokyo"  # only the user config sets it
    assert settings.github_login == "from-workspace"
    assert settings.git_emails == ["user@example.com"]
    assert settings.sources["github_login"].endswith("ws/bip.toml")
    monkeypatch.setenv("BIP_GITHUB_LOGIN", "from-env")
    monkeypatch.setenv("BIP_GIT_EMAILS", "a@x.org, b@x.org")
    settings = load_workspace(ws).settings
    assert (
        settings.github_login == "from-env"
        and settings.sources["github_login"] == "BIP_GITHUB_LOGIN"
    )
    assert settings.git_emails == ["a@x.org", "b@x.org"]


def test_unknown_and_mistyped_settings_are_located(ws: Path):
    write(
        ws / "bip.toml",
        '# settings\ntimezone = "UTC"\n\n[github]\nlgoin = "me"\n[git]\nemails = "me@x"\n',
    )
    with pytest.raises(InvalidFile) as info:
        load_workspace(ws)
    rendered = [p.render() for p in info.value.problems]
    assert any(
        r.endswith("bip.toml:5: unknown setting 'github.lgoin' (did you mean 'login'?)")
        for r in rendered
    ), rendered
    assert any("bip.toml:7: setting 'emails' must be a list of strings" in r for r in rendered), (
        rendered
    )


def test_toml_syntax_error_has_a_line(ws: Path):
    write(ws / "bip.toml", '[github]\nlogin = "unterminated\n')
    with pytest.raises(InvalidFile) as info:
        load_workspace(ws)
    assert info.value.problems[0].line == 2
    assert "TOML syntax error" in info.value.problems[0].message


def test_bad_timezone_names_its_source(ws: Path, monkeypatch):
    monkeypatch.setenv("BIP_TIMEZONE", "Mars/Olympus")
    with pytest.raises(BadInput, match="unknown time zone 'Mars/Olympus' \\(from BIP_TIMEZONE\\)"):
        load_workspace(ws).now()


def test_bip_now_pins_the_clock(ws: Path, monkeypatch):
    monkeypatch.setenv("BIP_TIMEZONE", "Asia/Shanghai")
    monkeypatch.setenv("BIP_NOW", "2026-11-23T20:00:00+00:00")
    assert (
        load_workspace(ws).now().date().isoformat() == "2026-11-24"
    )  # already tomorrow in Shanghai
    monkeypatch.setenv("BIP_NOW", "yesterday")
    with pytest.raises(BadInput, match="BIP_NOW"):
        load_workspace(ws).now()
