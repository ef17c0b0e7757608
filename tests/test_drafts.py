"""`bip draft`: every template renders, cites, and fails loudly; nothing is written on failure."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import git
import pytest

from tests.conftest import REPO_ROOT
from tests.fakegithub import FakeGitHub
from tests.gitrepos import commit_file, make_repo
from toolkit.drafts import slugify

RUN = {
    "model": "GPT-2",
    "params": "124M",
    "hardware": "AMD MI300X",
    "gpus": 1,
    "dataset": "FineWeb-Edu",
    "tokens": 10_000_000_000,
    "throughput": 180000,
    "mfu": 0.38,
    "train_loss": 3.05,
    "val_loss": 3.28,
    "wall_time_hours": 15.4,
    "cost_usd": 30.8,
    "precision": "bf16",
}


def front(text: str) -> dict:
    """The front matter as Jekyll reads it (PyYAML, a YAML 1.1 reader like Jekyll's Psych),
    not by bip's own YAML parser: what bip writes is checked by a reader it did not write."""
    import yaml

    head = text.split("---\n")[1]
    return yaml.safe_load(head)


def posts(ws: Path) -> list[Path]:
    return sorted((ws / "posts").glob("*.md")) if (ws / "posts").exists() else []


def test_training_run_reads_like_a_finished_skeleton(bip, real_list: Path, tmp_path: Path):
    metrics = tmp_path / "run.json"
    metrics.write_text(json.dumps(RUN))
    result = bip(
        "-w",
        str(real_list),
        "draft",
        "training-run",
        "--title",
        "GPT-2 124M on one MI300X",
        "--metrics",
        str(metrics),
        "--based-on",
        "nanogpt",
        "--cite",
        "flash-attention-paper",
    )
    assert result.exit_code == 0, result.stderr
    [post] = posts(real_list)
    assert post.name == "2026-11-23-gpt-2-124m-on-one-mi300x.md"
    text = post.read_text()
    meta = front(text)
    assert meta["title"] == "GPT-2 124M on one MI300X" and meta["draft"] is True
    assert meta["date"] == datetime(2026, 11, 23, 10, tzinfo=timezone.utc)
    assert meta["citations"] == ["karpathynanogpt", "dao2022flashattention"]
    assert (
        "**TL;DR**: GPT-2 (124M) on 1x AMD MI300X: val loss 3.280, 180,000 tokens/s, MFU 38.0%, 15.4 h, $30.80."
        in text
    )
    assert "| Final val loss | 3.2800 |" in text and "| Tokens | 10B |" in text
    assert "I built this on nanoGPT [1]." in text
    assert "2. Tri Dao et al. (2022). [*FlashAttention" in text
    assert "None" not in text


def test_missing_optional_numbers_are_left_out(bip, ws: Path, tmp_path: Path):
    metrics = tmp_path / "run.yaml"
    metrics.write_text("model: tiny\nval_loss: 4.1\n")
    text = bip(
        "-w",
        str(ws),
        "draft",
        "training-run",
        "--title",
        "t",
        "--metrics",
        str(metrics),
        "--stdout",
    ).stdout
    assert "| Final val loss | 4.1000 |" in text
    assert (
        "None" not in text
        and "MFU" not in text
        and "Hardware" not in text
        and "tokens/s" not in text
    )


def test_csv_series_metrics_give_final_values_and_a_table(bip, ws: Path, tmp_path: Path):
    rows = ["step,train_loss,val_loss,tokens_per_second"] + [
        f"{s},{5 - s / 1000:.2f},{5.1 - s / 1000:.2f},{170000 + s}" for s in range(0, 2001, 100)
    ]
    metrics = tmp_path / "run.csv"
    metrics.write_text("\n".join(rows) + "\n")
    text = bip(
        "-w",
        str(ws),
        "draft",
        "training-run",
        "--title",
        "t",
        "--metrics",
        str(metrics),
        "--stdout",
    ).stdout
    assert "| Final train loss | 3.0000 |" in text and "| Final val loss | 3.1000 |" in text
    assert "| step | train_loss | val_loss | tokens_per_second |" in text
    assert "| 2000 | 3.00 | 3.10 | 172000 |" in text
    assert text.count("\n| ") - text.count("\n| Final") < 30  # a sample, not all 21 rows + setup


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        ('{"val_loss": "low"}', "bad.json", "'val_loss' must be a number"),
        ('{"val_loss": 3.2,', "broken.json", "broken.json:1:"),
        ("step,loss\n1,2,3\n", "ragged.csv", "ragged.csv:2: 3 columns"),
        ("val_loss: 3.2\n", "run.txt", "unknown metrics format"),
        ('{"mfu": 380}', "mfu.json", "give a fraction"),
    ],
)
def test_bad_metrics_files_name_the_file_and_write_nothing(
    bip, ws: Path, tmp_path: Path, content, name, expected
):
    path = tmp_path / name
    path.write_text(content)
    result = bip(
        "-w", str(ws), "draft", "training-run", "--title", "t", "--metrics", str(path), code=2
    )
    assert result.exit_code == 2 and expected in result.stderr and name in result.stderr
    assert posts(ws) == []


def test_paper_notes_relates_entries_by_the_same_figures(bip, real_list: Path):
    text = bip(
        "-w",
        str(real_list),
        "draft",
        "paper-notes",
        "--title",
        "Reading FlashAttention",
        "--cite",
        "flash-attention-paper",
        "--stdout",
    ).stdout
    assert (
        "**Paper**: FlashAttention: Fast and Memory-Efficient Exact Attention with IO-Awareness [1]"
        in text
    )
    assert "\n1. Tri Dao et al. (2022). [*FlashAttention" in text
    assert "by Tri Dao, Daniel Y. Fu, Stefano Ermon, Atri Rudra and Christopher Ré (2022)" in text
    assert (
        "## Related work by the same people" in text
        and "FlashAttention-2: Faster Attention" in text
    )
    result = bip("-w", str(real_list), "draft", "paper-notes", "--title", "x", code=2)
    assert result.exit_code == 2 and "needs --cite PAPER_ID" in result.stderr


def build_repos(tmp_path: Path) -> tuple[Path, str]:
    now = datetime(2026, 11, 1, tzinfo=timezone.utc)
    upstream = make_repo(
        tmp_path / "upstream",
        [
            ("karpathy@x.org", "initial", now - timedelta(days=30), 10),
            ("karpathy@x.org", "model tweaks", now - timedelta(days=20), 5),
        ],
    )
    base = upstream.head.commit.hexsha
    clone = git.Repo.clone_from(str(tmp_path / "upstream"), str(tmp_path / "mine"))
    clone.remotes.origin.set_url("https://github.com/karpathy/nanoGPT.git")
    for n, (subject, lines) in enumerate([("rocm: bf16 autocast", 7), ("bench script", 12)]):
        content = "".join(f"x{i}\n" for i in range(lines))
        commit_file(clone, f"new{n}.py", content, "me@x.org", now + timedelta(days=n), subject)
    upstream_more = tmp_path / "upstream" / "later.txt"  # upstream moves on; the base must not
    upstream_more.write_text("later\n")
    upstream.index.add(["later.txt"])
    upstream.index.commit("later upstream work")
    return tmp_path / "mine", base


def test_build_log_reports_the_upstream_commit_and_diffstat(bip, real_list: Path, tmp_path: Path):
    mine, base = build_repos(tmp_path)
    result = bip(
        "-w",
        str(real_list),
        "draft",
        "build-log",
        "--title",
        "nanoGPT on ROCm",
        "--based-on",
        "nanogpt",
        "--repo",
        str(mine),
        "--stdout",
    )
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    assert f"[`{base[:7]}`](https://github.com/karpathy/nanoGPT/tree/{base})" in text
    assert f"git checkout {base[:7]}" in text
    assert "2 commits, 2 files, +19/-0 lines." in text
    assert (
        "- `" in text
        and "rocm: bf16 autocast (2026-11-01)" in text
        and "bench script (2026-11-02)" in text
    )
    assert "| `new1.py` | 12 | 0 |" in text
    assert "origin/" in text


def test_build_log_without_a_matching_remote_says_what_to_do(bip, real_list: Path, tmp_path: Path):
    make_repo(
        tmp_path / "lonely", [("me@x.org", "x", datetime(2026, 1, 1, tzinfo=timezone.utc), 1)]
    )
    result = bip(
        "-w",
        str(real_list),
        "draft",
        "build-log",
        "--title",
        "t",
        "--based-on",
        "nanogpt",
        "--repo",
        str(tmp_path / "lonely"),
        code=2,
    )
    assert (
        result.exit_code == 2 and "no remote of" in result.stderr and "--upstream" in result.stderr
    )
    ok = bip(
        "-w",
        str(real_list),
        "draft",
        "build-log",
        "--title",
        "t",
        "--based-on",
        "nanogpt",
        "--repo",
        str(tmp_path / "lonely"),
        "--upstream",
        "HEAD",
        "--stdout",
    )
    assert ok.exit_code == 0 and "0 commits" in ok.stdout
    assert (
        bip(
            "-w",
            str(real_list),
            "draft",
            "build-log",
            "--title",
            "t",
            "--based-on",
            "vllm-paper",
            "--repo",
            str(tmp_path / "lonely"),
            code=2,
        ).exit_code
        == 2
    )


def test_build_log_repo_that_is_no_clone_or_has_no_commit_says_so_once(
    bip, real_list: Path, tmp_path: Path
):
    make_repo(tmp_path / "empty", [])
    (tmp_path / "plain").mkdir()
    args = ("-w", str(real_list), "draft", "build-log", "--title", "t", "--based-on", "nanogpt")
    plain = bip(*args, "--repo", str(tmp_path / "plain"), code=2).stderr
    assert plain.count("is not a git repository") == 1 and "hint: give the folder" in plain
    empty = bip(*args, "--repo", str(tmp_path / "empty"), code=2).stderr
    assert "has no commit to write about" in empty and "hint: commit your work in" in empty
    assert not (real_list / "posts").exists()


def test_contribution_from_github_thanks_reviewers_by_name(
    bip, real_list: Path, httpserver, monkeypatch
):
    gh = FakeGitHub(httpserver)
    monkeypatch.setenv("GITHUB_API_URL", gh.url)
    monkeypatch.delenv("BIP_OFFLINE")
    gh.on(
        "/repos/Dao-AILab/flash-attention/pulls/1234",
        {
            "title": "Support ROCm in the backward pass",
            "html_url": "https://github.com/Dao-AILab/flash-attention/pull/1234",
            "state": "closed",
            "merged_at": "2026-11-20T08:00:00Z",
            "user": {"login": "me"},
            "merged_by": {"login": "tridao"},
        },
    )
    gh.on(
        "/repos/Dao-AILab/flash-attention/pulls/1234/reviews",
        [
            {"user": {"login": "some-reviewer"}, "state": "COMMENTED"},
            {"user": {"login": "tridao"}, "state": "APPROVED"},
        ],
    )
    gh.on("/users/some-reviewer", {"login": "some-reviewer", "name": "Sam Reviewer"})
    gh.on("/users/tridao", {"login": "tridao", "name": None})
    result = bip(
        "-w",
        str(real_list),
        "draft",
        "contribution",
        "--title",
        "My first FlashAttention PR",
        "--pr",
        "Dao-AILab/flash-attention#1234",
        "--stdout",
    )
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    assert (
        "My pull request [Dao-AILab/flash-attention#1234](https://github.com/Dao-AILab/flash-attention/pull/1234), "
        '"Support ROCm in the backward pass", was merged on 2026-11-20.'
    ) in text
    assert "Thanks to Sam Reviewer (@some-reviewer) and Tri Dao (@tridao) for reviewing it." in text
    assert "It is my contribution to flash-attention [1]." in text


def test_contribution_offline_from_flags(bip, real_list: Path):
    result = bip(
        "-w",
        str(real_list),
        "draft",
        "contribution",
        "--title",
        "t",
        "--pr",
        "vllm-project/vllm#99",
        "--var",
        "pr_title=Fix docs",
        "--var",
        "reviewers=WoosukKwon,someone",
        "--stdout",
    )
    assert result.exit_code == 0, result.stderr
    assert (  # bip does not know the PR's state offline, so the post does not claim one
        '[vllm-project/vllm#99](https://github.com/vllm-project/vllm/pull/99), "Fix docs".\n'
        in result.stdout
    )
    assert " open" not in result.stdout and "merged" not in result.stdout
    assert "Thanks to Woosuk Kwon (@WoosukKwon) and @someone for reviewing it." in result.stdout
    assert (
        bip(
            "-w", str(real_list), "draft", "contribution", "--title", "t", "--pr", "vllm#1", code=2
        ).exit_code
        == 2
    )


def test_thread_template_splits_and_has_a_chinese_post(bip, ws: Path):
    text = "I trained GPT-2 on an MI300X. " * 20 + "注意力机制真的很有意思。" * 10
    result = bip(
        "-w",
        str(ws),
        "draft",
        "thread",
        "--title",
        "复现 GPT-2",
        "--var",
        f"text={text}",
        "--cite",
        "nanogpt",
        "--stdout",
    )
    assert result.exit_code == 0, result.stderr
    quoted = [line[2:] for line in result.stdout.splitlines() if line.startswith("> ")]
    assert len(quoted) >= 3 and quoted[0].endswith(f"1/{len(quoted)}")
    assert "## 中文短帖（B站 / 知乎）" in result.stdout and "**复现 GPT-2**" in result.stdout
    assert "参考：nanoGPT。" in result.stdout


def test_post_template_and_pinned_keys(bip, ws: Path):
    result = bip(
        "-w",
        str(ws),
        "draft",
        "post",
        "--title",
        "Why I rebuild things",
        "--cite",
        "nanogpt",
        "--cite",
        "flash-attention-paper",
    )
    assert result.exit_code == 0, result.stderr
    assert "pinned citation keys: karpathynanogpt, dao2022flashattention" in result.stdout
    listing = (ws / "reading_list.yaml").read_text()
    assert (
        "    cite_key: karpathynanogpt" in listing
        and "    cite_key: dao2022flashattention" in listing
    )
    again = bip("-w", str(ws), "draft", "post", "--title", "Second post", "--cite", "nanogpt")
    assert (
        "pinned citation keys" not in again.stdout
    )  # already pinned: the list is not touched again


def test_existing_posts_are_never_overwritten_without_force(bip, ws: Path):
    assert bip("-w", str(ws), "draft", "post", "--title", "Same").exit_code == 0
    [post] = posts(ws)
    post.write_text(post.read_text() + "\nmy own words\n")
    result = bip("-w", str(ws), "draft", "post", "--title", "Same", code=2)
    assert (
        result.exit_code == 2 and "already exists" in result.stderr and "--force" in result.stderr
    )
    assert "my own words" in post.read_text()
    assert bip("-w", str(ws), "draft", "post", "--title", "Same", "--force").exit_code == 0
    assert "my own words" not in post.read_text()


def test_undefined_variable_names_template_line_and_variable(bip, ws: Path):
    (ws / "templates").mkdir()
    (ws / "templates" / "post.md.j2").write_text(
        "line one\n\nHello {{ vars.name }} and {{ nope }}\n"
    )
    result = bip("-w", str(ws), "draft", "post", "--title", "t", code=2)
    assert result.exit_code == 2
    assert (
        "templates/post.md.j2:3" in result.stderr
        and "'dict object' has no attribute 'name'" in result.stderr
    )
    assert posts(ws) == []
    ok = bip(
        "-w", str(ws), "draft", "post", "--title", "t", "--var", "name=Ada", "--stdout", code=2
    )
    assert ok.exit_code == 2 and "'nope' is undefined" in ok.stderr


def test_workspace_templates_override_and_are_listed(bip, ws: Path):
    (ws / "templates").mkdir()
    (ws / "templates" / "post.md.j2").write_text("{# My own post. #}\nMine: {{ title }}\n")
    (ws / "templates" / "weekly.md.j2").write_text(
        "{# A weekly digest. #}\nWeek of {{ date.date() }}\n"
    )
    assert (
        "Mine: hello" in bip("-w", str(ws), "draft", "post", "--title", "hello", "--stdout").stdout
    )
    listed = {
        t["name"]: t for t in json.loads(bip("-w", str(ws), "draft", "templates", "--json").stdout)
    }
    assert (
        listed["post"]["source"] == "workspace"
        and listed["weekly"]["description"] == "A weekly digest."
    )
    assert (
        listed["training-run"]["source"] == "built-in"
        and "metrics" in listed["training-run"]["variables"]
    )
    assert len(listed) == 7
    result = bip("-w", str(ws), "draft", "trainig-run", "--title", "t", code=2)
    assert result.exit_code == 2 and "did you mean 'training-run'?" in result.stderr


def test_slugs():
    assert slugify("GPT-2.5 on MI300X") == "gpt-2.5-on-mi300x"
    assert slugify("GPT-25 on MI300X") != slugify("GPT-2.5 on MI300X")
    assert slugify("注意力机制：复现笔记") == "注意力机制-复现笔记"
    assert slugify("../../etc/passwd") == "etc-passwd"
    assert slugify("...") == "post"


def test_titles_cannot_escape_the_posts_folder(bip, ws: Path):
    assert bip("-w", str(ws), "draft", "post", "--title", "../../../outside").exit_code == 0
    [post] = posts(ws)
    assert post.parent == ws / "posts" and not (ws.parent / "outside.md").exists()


def test_publish_flips_the_draft_switch_and_renames_to_the_publish_day(bip, ws: Path, monkeypatch):
    bip("-w", str(ws), "draft", "post", "--title", "Going public", "--cite", "nanogpt")
    [draft] = posts(ws)
    before = draft.read_text().splitlines()
    assert front(draft.read_text())["draft"] is True
    assert "published" not in front(draft.read_text())  # no site: "both", Hugo's switch only
    monkeypatch.setenv("BIP_NOW", "2026-11-25T08:30:00+00:00")
    result = bip("-w", str(ws), "draft", "publish", str(draft))
    [post] = posts(ws)
    assert post.name == "2026-11-25-going-public.md" and not draft.exists()
    assert "renamed from 2026-11-23-going-public.md" in result.stdout
    after = post.read_text().splitlines()
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert changed == [
        ("date: 2026-11-23T10:00:00+00:00", "date: 2026-11-25T08:30:00+00:00"),
        ("draft: true", "draft: false"),
    ]
    assert "unfilled placeholders in 2026-11-25-going-public.md: line" in result.stderr
    monkeypatch.setenv("BIP_NOW", "2026-12-01T09:00:00+00:00")
    again = bip("-w", str(ws), "draft", "publish", str(post))
    assert "again" in again.stdout and posts(ws) == [post]
    meta = front(post.read_text())
    assert meta["date"] == datetime(2026, 11, 25, 8, 30, tzinfo=timezone.utc)
    assert meta["lastmod"] == datetime(2026, 12, 1, 9, tzinfo=timezone.utc)


def test_publish_never_replaces_another_post(bip, ws: Path, monkeypatch):
    bip("-w", str(ws), "draft", "post", "--title", "Twice")
    monkeypatch.setenv("BIP_NOW", "2026-11-25T08:30:00+00:00")
    bip("-w", str(ws), "draft", "post", "--title", "Twice")
    first, second = posts(ws)
    kept = second.read_bytes()
    result = bip("-w", str(ws), "draft", "publish", str(first), code=2)
    assert "already exists" in result.stderr and second.read_bytes() == kept
    assert first.exists() and front(first.read_text())["draft"] is True


def test_every_builtin_template_renders(bip, real_list: Path, tmp_path: Path):
    metrics = tmp_path / "m.json"
    metrics.write_text(json.dumps(RUN))
    mine, _ = build_repos(tmp_path)
    runs = {
        "post": ["--cite", "vllm-paper"],
        "training-run": ["--metrics", str(metrics)],
        "paper-notes": ["--cite", "vllm-paper"],
        "build-log": ["--based-on", "nanogpt", "--repo", str(mine)],
        "contribution": ["--pr", "vllm-project/vllm#1"],
        "thread": ["--var", "text=hello world"],
    }
    assert set(runs) == {p.name[:-6] for p in (REPO_ROOT / "templates").glob("*.md.j2")}
    for name, args in runs.items():
        result = bip("-w", str(real_list), "draft", name, "--title", f"A {name}", *args, "--stdout")
        assert result.exit_code == 0, (name, result.stderr)
        assert front(result.stdout)["title"] == f"A {name}"
        assert "None" not in result.stdout and "{{" not in result.stdout
