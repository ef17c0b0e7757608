"""Workspace templates are bounded: operations, sizes, output and time, each a located error."""

from __future__ import annotations

import itertools
from pathlib import Path

import jinja2
import pytest

from toolkit.drafts.sandbox import BoundedEnvironment, Limits, TemplateLimit, memory_cap

HOSTILE = {
    "nested-ranges": (
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
        "more than 1,000,000 operations",
    ),
    "power": ("{{ 9 ** 9999999 }}", "is a number of over 100,000 bits"),
    "repetition": ("{{ 'a' * 3000000000 }}", "a repetition of over 10,000,000"),
    "center": ("{{ 'x'|center(3000000000) }}", "3,000,000,000 is over the limit"),
    "ljust": ("{{ 'x'.ljust(3000000000) }}", "3,000,000,000 is over the limit"),
    "percent-width": ("{{ '%3000000000d' % 1 }}", "a format width of over"),
    "brace-width": ("{{ '{:>3000000000}'.format(1) }}", "a format width of over"),
    "doubling": (
        "{% set ns = namespace(s='ab') %}{% for i in range(60) %}"
        "{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s|length }}",
        "a value of over 10,000,000 characters or items",
    ),
    "replace": ("{{ ('a' * 5000000)|replace('a', 'bbbbbbbbbb') }}", "a value of over"),
    "output": (
        "{% for i in range(100000) %}{{ 'a' * 1000 }}{% endfor %}",
        "the post would be over 10,000,000 characters",
    ),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_a_template_that_would_burn_the_machine_stops_at_its_line(bip, ws: Path, name: str):
    body, said = HOSTILE[name]
    folder = ws / "templates"
    folder.mkdir()
    (folder / "mine.md.j2").write_text(f"{{# mine #}}\nline two\n{body}\n", encoding="utf-8")
    result = bip("-w", str(ws), "draft", "mine", "--title", "t", code=2)
    assert f"bip: error: template {folder / 'mine.md.j2'}:3: " in result.stderr
    assert said in result.stderr
    assert not (ws / "posts").exists()


def test_a_render_past_its_deadline_stops_without_sleeping(tmp_path: Path):
    ticks = itertools.count()
    env = BoundedEnvironment(limits=Limits(seconds=5, clock=lambda: float(next(ticks))))
    looping = env.from_string("{% for i in range(100000) %}{{ i }}{% endfor %}")
    with pytest.raises(TemplateLimit, match="rendering took more than 5 s"):
        env.render_bounded(looping, {})


def test_what_templates_use_every_day_still_works(tmp_path: Path):
    env = BoundedEnvironment(undefined=jinja2.StrictUndefined)
    text = env.from_string(
        "{{ range(3)|list }} {{ range(5)|length }} {{ 3 in range(5) }} {{ '%5.1f'|format(2.25) }}"
        " {{ 'ab' * 3 }} {{ 2 ** 64 }} {{ '{:,}'.format(10000000000) }} {{ 'x'|center(5) }}|"
        "{{ [1, 2] + [3] }} {{ 'a-b'|replace('-', '--') }} {{ big }}"
    )
    assert env.render_bounded(text, {"big": 10_000_000_000}) == (
        "[0, 1, 2] 5 True   2.2 ababab 18446744073709551616 10,000,000,000   x  |"
        "[1, 2, 3] a--b 10000000000"
    )


def test_the_memory_cap_holds_while_it_lasts_and_is_lifted_after():
    resource = pytest.importorskip("resource")
    if not Path("/proc/self/statm").exists():
        pytest.skip("the memory cap needs Linux's /proc")
    before = resource.getrlimit(resource.RLIMIT_AS)
    with memory_cap(64 << 20), pytest.raises(MemoryError):
        bytearray(512 << 20)
    assert resource.getrlimit(resource.RLIMIT_AS) == before
