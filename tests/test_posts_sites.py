"""Posts every generator builds, judged by the generators and a browser: the training-run post
with its loss curve, drafted into a real Jekyll site and a real Hugo site, one left a draft and
one published two days later; one Jekyll build, one Hugo build and one Chromium for the module.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests import hugo, jekyll
from tests.browser import Visit, open_browser, serve
from tests.test_drafts import front
from toolkit.workspace import init_workspace

# A training script printing nanoGPT's log lines: 21 steps of a falling loss, val every 100.
TRAIN = r"""
import math
print("tokens per iteration will be: 491,520")
for it in range(0, 201, 10):
    loss = 3 + 8 * math.exp(-it / 80)
    if it % 100 == 0:
        print(f"step {it}: train loss {loss - 0.05:.4f}, val loss {loss:.4f}")
    print(f"iter {it}: loss {loss:.4f}, time 170.00ms, mfu 38.00%")
"""


def cited_post(ident: str, title: str) -> str:
    """A reading-list entry (a post) whose title the tests' posts cite, as YAML list lines."""
    quoted = title.replace("'", "''")
    return f"""
  - id: {ident}
    kind: post
    title: '{quoted}'
    url: https://example.org/{ident}
    year: 2025
    status: done
"""


# Text that is Liquid to Jekyll (a post about Jinja, Go templates or Jekyll itself): a cited
# entry's title, in the training-run post's text. It must reach the page as written.
LIQUID_TITLE = "Templates in posts: {{ x }}, {% if y %}no{% endif %} and {%- endraw %} stay text"
LIQUID_ENTRY = cited_post("liquid", LIQUID_TITLE)
# Text that is a shortcode call to Hugo (a post about Hugo): a cited entry's title, in the Hugo
# site's training-run post. The site has no `note` shortcode: unescaped, the build stops.
SHORTCODE_TITLE = "Hugo in posts: {{% note %}}hi{{% /note %}} stays text"
SHORTCODE_ENTRY = cited_post("shortcodes", SHORTCODE_TITLE)
# The same in code (a title with a code span): Hugo runs shortcodes in code too, where no form
# shows as typed in Jekyll as well (entities show as written there); bip says so.
CODE_CALL = '{{< figure src="a.png" >}}'
CODE_ENTRY = cited_post("code", f"Hugo's `{CODE_CALL}` in code")
# Text that is Markdown to both (a real paper's title, a file name, HTML, a table's pipe): a cited
# entry's title, in the training-run post's entry list and references. It must show as written.
MARKDOWN_TITLE = "A* Sampling of __init__.py, <b>bold</b> and a | pipe"
MARKDOWN_ENTRY = cited_post("markdown", MARKDOWN_TITLE)
DRAFTED = "2026-11-23T10:00:00+00:00"
PUBLISHED = "2026-11-25T09:30:00+00:00"  # two days later: the published post takes this date


def bip(*args: str) -> str:
    from toolkit.cli import run

    with CliRunner().isolation() as (out, err, _):
        code = run(list(args))
        said = out.getvalue().decode() + err.getvalue().decode()
    assert code == 0, f"bip {' '.join(args)} exited {code}\n{said}"
    return said


def wrote(said: str) -> Path:
    """The post `bip draft` says it wrote (its warnings may follow)."""
    [line] = [line for line in said.splitlines() if line.startswith("wrote ")]
    return Path(line.removeprefix("wrote "))


@dataclass
class Built:
    jekyll: Path
    hugo: Path
    jekyll_pages: dict[str, str]
    hugo_pages: dict[str, str]
    draft_path: dict[str, Path]  # generator -> where the draft bip wrote is
    published_from: dict[str, Path]  # generator -> the drafted path before publishing
    published_path: dict[str, Path]  # generator -> the post after publishing
    anywhere: Path  # a post drafted outside any site ("both"), then copied into the Hugo site
    seen: dict[str, Visit]
    # with `generator = "both"`, into each site's posts folder: step -> site -> path
    both: dict[str, dict[str, Path]]
    both_said: str  # what `bip draft` said writing the "both" post that cites shortcodes


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    tmp = tmp_path_factory.mktemp("sites")
    with pytest.MonkeyPatch.context() as env:
        for var in list(os.environ):
            if var.startswith("BIP_") or var in ("GH_TOKEN", "GITHUB_TOKEN"):
                env.delenv(var)
        (tmp / "home").mkdir()
        env.setenv("HOME", str(tmp / "home"))
        env.setenv("XDG_CONFIG_HOME", str(tmp / "home" / ".config"))
        env.setenv("BIP_TIMEZONE", "UTC")
        env.setenv("BIP_OFFLINE", "1")
        env.setenv("BIP_NOW", DRAFTED)
        env.chdir(tmp)
        ws = tmp / "ws"
        init_workspace(ws)
        with (ws / "reading_list.yaml").open("a") as listed:  # `entries:` is the last section
            listed.write(LIQUID_ENTRY + SHORTCODE_ENTRY + CODE_ENTRY + MARKDOWN_ENTRY)
        (tmp / "train.py").write_text(TRAIN)
        bip("-w", str(ws), "run", "--name", "gpt2-tiny", "--", sys.executable, "train.py")
        blog, site = jekyll.jekyll_site(tmp), hugo.hugo_site(tmp)
        folders = {"jekyll": blog / "_posts", "hugo": site / "content" / "posts"}
        drafts: dict[str, Path] = {}
        published: dict[str, Path] = {}
        for generator, folder in folders.items():
            # one post stays a draft (a plain post: one loss curve per site is enough)
            for kept, args in (
                (drafts, ["post"]),
                (published, ["training-run", "--run", "gpt2-tiny", "--cite", "liquid", "--cite", "markdown",
                             *(["--cite", "shortcodes"] if generator == "hugo" else [])]),
            ):  # fmt: skip
                said = bip("-w", str(ws), "draft", *args, "--out", str(folder),
                           "--title", "Still a draft" if kept is drafts else "Tiny GPT-2 on one GPU")  # fmt: skip
                kept[generator] = wrote(said)
        # "both": one draft kept, one published; Liquid-like text in the published one's text
        both: dict[str, dict[str, Path]] = {"draft": {}, "drafted": {}, "published": {}}
        env.setenv("BIP_GENERATOR", "both")
        for generator, folder in folders.items():
            for step, args in (("draft", ["--title", "Both: still a draft"]),
                               ("drafted", ["--title", "Both ways", "--cite", "liquid",
                                            "--cite", "shortcodes", "--cite", "code"])):  # fmt: skip
                said = bip("-w", str(ws), "draft", "post", "--out", str(folder), *args)
                both_said = said if step == "drafted" else ""
                both[step][generator] = wrote(said)
        env.delenv("BIP_GENERATOR")
        bip("-w", str(ws), "draft", "post", "--title", "Anywhere")
        [anywhere] = (ws / "posts").glob("*.md")
        shutil.copy(anywhere, folders["hugo"])
        env.setenv("BIP_NOW", PUBLISHED)
        after: dict[str, Path] = {}
        for generator, path in published.items():
            said = bip("-w", str(ws), "draft", "publish", str(path), "--json")
            after[generator] = Path(json.loads(said)["published"])
        env.setenv("BIP_GENERATOR", "both")
        for generator, path in both["drafted"].items():
            said = bip("-w", str(ws), "draft", "publish", str(path), "--json")
            both["published"][generator] = Path(json.loads(said)["published"])
        env.delenv("BIP_GENERATOR")
        jekyll_pages = jekyll.build(blog)
        hugo_pages = hugo.build(site)
        seen = {}
        with open_browser() as browser:
            jekyll_url = "/2026/11/25/tiny-gpt-2-on-one-gpu.html"
            with serve(blog / "_site") as base:
                seen["jekyll"] = browser.visit(base + jekyll_url, tmp / "jekyll.png")
            with serve(site / "public") as base:
                seen["hugo"] = browser.visit(
                    base + "/posts/2026-11-25-tiny-gpt-2-on-one-gpu/", tmp / "hugo.png"
                )
        yield Built(
            blog, site, jekyll_pages, hugo_pages, drafts, published, after, anywhere, seen, both,
            both_said,
        )  # fmt: skip


def test_jekyll_builds_the_published_run_and_keeps_the_draft_out(built: Built):
    draft, post = built.draft_path["jekyll"], built.published_path["jekyll"]
    assert front(draft.read_text())["published"] is False  # Jekyll's own switch
    assert "draft" not in front(draft.read_text())  # Hugo's, which Jekyll does not read
    # a post, not a bundle (Jekyll builds no bundle), renamed to the publish day
    assert post == built.jekyll / "_posts" / "2026-11-25-tiny-gpt-2-on-one-gpu.md"
    assert built.published_from["jekyll"].name == "2026-11-23-tiny-gpt-2-on-one-gpu.md"
    assert not built.published_from["jekyll"].exists()
    assert front(post.read_text())["published"] is True
    assert set(built.jekyll_pages) == {
        "2026/11/25/tiny-gpt-2-on-one-gpu.html",
        "2026/11/25/both-ways.html",  # published with "both": test_both_keeps_a_draft_...
    }
    page = built.jekyll_pages["2026/11/25/tiny-gpt-2-on-one-gpu.html"]
    image = "/assets/posts/2026-11-23-tiny-gpt-2-on-one-gpu/loss.svg"
    assert f'<img src="{image}" alt="Loss curve of gpt2-tiny' in page
    served = built.jekyll / "_site" / image.lstrip("/")
    assert served.read_bytes() == (built.jekyll / image.lstrip("/")).read_bytes()
    assert served.read_text().lstrip().startswith(("<?xml", "<svg"))


def test_liquid_in_a_posts_text_reaches_the_jekyll_page_as_written(built: Built):
    """The text is in a raw block, bip's relative_url image link outside it (evaluated: the
    page links the served image, as test_a_visitor_sees_the_loss_curve checks in Chromium),
    and the `{%- endraw %}` in the text did not end the block early."""
    source = built.published_path["jekyll"].read_text()
    assert source.count("{% raw %}") == source.count("{% endraw %}") >= 2
    assert (
        "](" + "{{ '/assets/posts/2026-11-23-tiny-gpt-2-on-one-gpu/loss.svg' | relative_url }})"
        in source
    )
    page = built.jekyll_pages["2026/11/25/tiny-gpt-2-on-one-gpu.html"]
    assert page.count(LIQUID_TITLE) >= 2, page  # under "Based on" and in the references
    assert "{{ '/assets" not in page and "raw %}" not in page.replace(LIQUID_TITLE, "")
    # Hugo reads the same text as text: no raw block in a Hugo post, the title as written
    assert "{% raw %}" not in built.published_path["hugo"].read_text()
    assert LIQUID_TITLE in built.hugo_pages["2026-11-25-tiny-gpt-2-on-one-gpu"]


def test_a_shortcode_in_a_posts_text_reaches_the_hugo_page_as_written(built: Built):
    """Hugo's own escape (`{{%/* note */%}}`) in the source; the page shows the call as
    written, and the build (which fails on a shortcode the site lacks) went through."""
    source = built.published_path["hugo"].read_text()
    assert "{{%/* note */%}}hi{{%/* /note */%}}" in source
    page = html.unescape(built.hugo_pages["2026-11-25-tiny-gpt-2-on-one-gpu"])
    assert page.count(SHORTCODE_TITLE) == 2, page  # under "Based on" and in the references


@pytest.mark.parametrize("generator", ["jekyll", "hugo"])
def test_a_title_that_is_markdown_reaches_the_page_as_written(built: Built, generator: str):
    pages = built.jekyll_pages if generator == "jekyll" else built.hugo_pages
    [page] = [p for name, p in pages.items() if "tiny-gpt-2-on-one-gpu" in name]
    assert html.unescape(page).count(MARKDOWN_TITLE) == 2, page  # the entries and references
    assert "<b>bold</b>" not in page and "<em>A</em>" not in page and "<strong>init" not in page


def test_hugo_builds_the_published_bundle_renamed_to_its_day_and_a_draft_from_anywhere(
    built: Built,
):
    draft, post = built.draft_path["hugo"], built.published_path["hugo"]
    assert front(draft.read_text())["draft"] is True
    assert "published" not in front(draft.read_text())  # a date to Hugo: it would stop the build
    assert built.published_from["hugo"].parent.name == "2026-11-23-tiny-gpt-2-on-one-gpu"
    # the bundle's folder carries the publish date, as a post file's name does
    assert post == built.hugo / "content/posts/2026-11-25-tiny-gpt-2-on-one-gpu/index.md"
    assert not built.published_from["hugo"].parent.exists()
    assert (post.parent / "loss.svg").is_file()
    assert front(post.read_text())["draft"] is False
    assert str(front(post.read_text())["date"]).startswith("2026-11-25")
    # drafted outside any site: Hugo's switch only, so the Hugo build above did not stop on it
    assert front(built.anywhere.read_text())["draft"] is True
    assert "published" not in front(built.anywhere.read_text())
    assert set(built.hugo_pages) == {"2026-11-25-tiny-gpt-2-on-one-gpu", "2026-11-25-both-ways"}
    page = built.hugo_pages["2026-11-25-tiny-gpt-2-on-one-gpu"]
    assert '<img src="loss.svg" alt="Loss curve of gpt2-tiny' in page
    assert 'class="date">2026-11-25<' in page


@pytest.mark.parametrize("generator", ["jekyll", "hugo"])
def test_a_visitor_sees_the_loss_curve(built: Built, generator: str):
    seen = built.seen[generator]
    assert seen.status == 200 and seen.title == "Tiny GPT-2 on one GPU"
    assert "<h1>Tiny GPT-2 on one GPU</h1>" in seen.dom
    assert "(steps 50\u2013190, 14 measurements)" in seen.dom  # read as UTF-8, as written
    [curve] = seen.images
    assert curve.src.endswith("/loss.svg") and curve.loaded, curve
    assert seen.console_errors == []


def draft_front(bip, ws: Path, *args: str) -> dict:
    return front(bip("-w", str(ws), "draft", "post", "--title", "t", "--stdout", *args).stdout)


@pytest.mark.parametrize(
    ("generator", "switches"),
    [("hugo", {"draft": True}), ("jekyll", {"published": False}), ("both", {"draft": True})],
)
def test_the_generator_in_bip_toml_decides_the_front_matter(
    bip, ws: Path, generator: str, switches: dict
):
    (ws / "bip.toml").write_text(f'[drafts]\ngenerator = "{generator}"\n')
    meta = draft_front(bip, ws)
    assert {k: meta[k] for k in ("draft", "published") if k in meta} == switches
    assert str(meta["date"]).startswith("2026-11-23")


def test_unset_the_posts_folder_decides_and_a_bare_config_toml_is_not_hugo(
    bip, ws: Path, tmp_path: Path
):
    hugo_site = tmp_path / "hugo-site"
    (hugo_site / "content" / "posts" / "2026").mkdir(parents=True)
    (hugo_site / "config.toml").write_text('title = "blog"\n')
    blog = tmp_path / "blog"
    (blog / "_posts").mkdir(parents=True)
    (blog / "_config.yml").write_text("title: blog\n")
    other = tmp_path / "tool"  # a config.toml of some other program, no content/ beside it
    (other / "posts").mkdir(parents=True)
    (other / "config.toml").write_text("[tool]\n")
    for folder, switches in [
        (hugo_site / "content" / "posts" / "2026", {"draft": True}),
        (blog / "_posts", {"published": False}),
        (other / "posts", {"draft": True}),  # both: no `published`, which stops Hugo
    ]:
        meta = draft_front(bip, ws, "--out", str(folder))
        assert {k: meta[k] for k in ("draft", "published") if k in meta} == switches, folder
    # the setting wins over what the folder shows; the variable over bip.toml
    (ws / "bip.toml").write_text('[drafts]\ngenerator = "jekyll"\n')
    assert "published" in draft_front(bip, ws, "--out", str(hugo_site / "content" / "posts"))


def test_a_generator_bip_does_not_know_is_refused_with_where_it_was_set(
    bip, ws: Path, monkeypatch: pytest.MonkeyPatch
):
    (ws / "bip.toml").write_text('[drafts]\nposts_dir = "posts"\ngenerator = "gatsby"\n')
    said = bip("-w", str(ws), "draft", "post", "--title", "t", "--stdout", code=2).stderr
    assert "bip.toml:3" in said and '"hugo" or "jekyll" or "both"' in said
    (ws / "bip.toml").write_text("")
    monkeypatch.setenv("BIP_GENERATOR", "Hexo")
    said = bip("-w", str(ws), "draft", "post", "--title", "t", "--stdout", code=2).stderr
    assert "'Hexo' (from BIP_GENERATOR)" in said


def test_publishing_a_bundle_renames_its_folder_and_never_over_another(
    bip, ws: Path, monkeypatch: pytest.MonkeyPatch
):
    bundle = ws / "posts" / "2026-11-23-tiny"
    bundle.mkdir(parents=True)
    (bundle / "index.md").write_text(
        "---\ntitle: Tiny\ndate: 2026-11-23T10:00:00+00:00\ndraft: true\n---\nbody\n"
    )
    (bundle / "loss.svg").write_text("<svg/>")
    monkeypatch.setenv("BIP_NOW", PUBLISHED)
    taken = ws / "posts" / "2026-11-25-tiny"
    taken.mkdir()
    (taken / "index.md").write_text("someone else's\n")
    said = bip("-w", str(ws), "draft", "publish", str(bundle / "index.md"), code=2).stderr
    assert "2026-11-25-tiny" in said and "already exists" in said
    assert front((bundle / "index.md").read_text())["draft"] is True  # nothing changed
    shutil.rmtree(taken)
    said = bip("-w", str(ws), "draft", "publish", str(bundle), "--json").stdout
    assert json.loads(said)["published"] == str(taken / "index.md")
    assert not bundle.exists() and (taken / "loss.svg").read_text() == "<svg/>"
    meta = front((taken / "index.md").read_text())
    assert meta["draft"] is False and str(meta["date"]).startswith("2026-11-25")
    # published again: the date and the folder stay
    monkeypatch.setenv("BIP_NOW", "2026-11-30T08:00:00+00:00")
    bip("-w", str(ws), "draft", "publish", str(taken / "index.md"))
    assert (taken / "index.md").is_file() and "lastmod: 2026-11-30" in (
        taken / "index.md"
    ).read_text()


def test_both_keeps_a_draft_out_of_jekyll_and_hugo_and_publish_makes_it_public(built: Built):
    """With `generator = "both"`, a draft bound for Jekyll's `_posts/` is written to `_drafts/`
    (Jekyll reads no `draft:`; `published: false` would stop Hugo), so neither real build has
    its page; `bip draft publish` moves it to `_posts/`, dated, and both builds have it."""
    blog, site = built.jekyll, built.hugo
    draft, drafted = built.both["draft"], built.both["drafted"]
    assert draft["jekyll"] == blog / "_drafts" / "2026-11-23-both-still-a-draft.md"
    assert not list((blog / "_posts").glob("*both*still*"))
    assert front(draft["jekyll"].read_text()) == {
        **front(draft["jekyll"].read_text()),
        "draft": True,
    }
    assert "published" not in front(draft["jekyll"].read_text())  # a date to Hugo
    assert draft["hugo"] == site / "content/posts/2026-11-23-both-still-a-draft.md"
    assert not [p for p in built.jekyll_pages if "still-a-draft" in p]
    assert not [p for p in built.hugo_pages if "still-a-draft" in p]
    # published: moved from _drafts/ to _posts/ under the publish day, the draft gone
    assert drafted["jekyll"].parent == blog / "_drafts" and not drafted["jekyll"].exists()
    assert built.both["published"]["jekyll"] == blog / "_posts" / "2026-11-25-both-ways.md"
    assert built.both["published"]["hugo"] == site / "content/posts/2026-11-25-both-ways.md"
    for page in (
        built.jekyll_pages["2026/11/25/both-ways.html"],
        built.hugo_pages["2026-11-25-both-ways"],
    ):
        # its text cites the Liquid-like title: the raw tags are HTML comments in "both", and
        # the `{` of the title's `{%- endraw %}` is `&#123;`, a `{` to a reader of the page
        shown = html.unescape(page)
        assert "<h1>Both ways</h1>" in page and shown.count(LIQUID_TITLE) == 2, page
        assert "raw %}" not in shown.replace(LIQUID_TITLE, "")


def test_both_shows_a_shortcode_in_the_text_as_typed_in_jekyll_and_hugo(built: Built):
    """With "both", a shortcode call in the text is written so both pages show it as typed
    (Hugo's own escape showed `{{%/* note */%}}` on the Jekyll page); the build of the Hugo
    site, which has no `note` shortcode, went through."""
    for page in (
        built.jekyll_pages["2026/11/25/both-ways.html"],
        built.hugo_pages["2026-11-25-both-ways"],
    ):
        shown = html.unescape(page)
        assert shown.count(SHORTCODE_TITLE) == 2, page  # in the text and in the references
        assert "/*" not in re.sub(r"<code[^>]*>.*?</code>", "", shown), page  # outside code


def test_both_says_a_shortcode_in_code_shows_hugos_escape_on_the_jekyll_page(built: Built):
    """In code, Hugo still runs the call and shows entities as written: its escape is the one
    form Hugo shows as typed, and the Jekyll page shows it as written. bip says so."""
    escaped = '{{</* figure src="a.png" */>}}'
    hugo_page = html.unescape(built.hugo_pages["2026-11-25-both-ways"])
    jekyll_page = html.unescape(built.jekyll_pages["2026/11/25/both-ways.html"])
    code = [re.findall(r"<code[^>]*>(.*?)</code>", page) for page in (hugo_page, jekyll_page)]
    assert code == [[CODE_CALL] * 2, [escaped] * 2], code
    said = " ".join(built.both_said.split())
    assert f"{CODE_CALL} is in code" in said and escaped in said, said
    assert "docs/drafts.md" in said
