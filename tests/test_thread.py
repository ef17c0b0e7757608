"""The X thread splitter: every post valid by X's own counter (twitter-text), nothing lost."""

from __future__ import annotations

import re
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.drafts.thread import split_thread, twitter_text, weighted_length


def x_accepts(post: str) -> bool:
    """The oracle: twitter-text-parser, the port of X's own library, not bip's splitter."""
    return bool(twitter_text().parse_tweet(post).valid)


WORDS = st.sampled_from(
    [
        "MI300X",
        "bf16",
        "loss",
        "3.28",
        "tokens/s",
        "nanoGPT",
        "FlashAttention",
        "supercalifragilisticexpialidocious" * 3,
        "注意力机制",
        "复现",
        "训练",
        "。",
        "https://github.com/karpathy/nanoGPT/blob/master/train.py?plain=1#L100-L200",
        "https://x.co/a",
        "🚀",
        "done.",
        "really?",
        "Yes!",
        # what X counts differently from a naive counter
        "d2l.ai",  # a bare domain: X makes it a link of 23
        "github.com/karpathy/nanoGPT.",
        "(see https://arxiv.org/abs/2205.14135).",  # the URL ends before ")."
        "https://x.co/a?b=c,",
        "vllm.ai/blog!",
        "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466",  # a ZWJ family: 2
        "\U0001f44d\U0001f3fd",  # a skin tone
        "\U0001f1e8\U0001f1f3",  # a flag
        "Cafe\u0301",  # a combining accent: NFC makes it one character
        "Z\u0351\u0352\u0353\u0354",  # a letter with several marks
        "日本語のテキスト",
        "한국어",
        "@karpathy",
        "#buildinpublic",
        "x" * 300,  # one word longer than a post
    ]
)
FREE = st.lists(
    st.sampled_from(
        [
            *"abc .,!?()/:-",
            "注",
            "。",
            "\u0301",
            "\u200d",
            "\U0001f680",
            "\U0001f3fd",
            ".ai",
            "x.com/",
        ]
    ),
    max_size=40,
).map("".join)
TEXT = st.lists(st.one_of(WORDS, WORDS, FREE), min_size=1, max_size=300).map(" ".join)


def _squash(text: str) -> str:
    return "".join(unicodedata.normalize("NFC", text).split())


def test_x_counting_rules():
    assert weighted_length("a" * 280) == 280
    assert weighted_length("注" * 140) == 280
    assert weighted_length("see https://example.org/" + "x" * 200) == 4 + 23
    assert weighted_length("see d2l.ai") == 4 + 23
    assert weighted_length("(https://x.co/a).") == 1 + 23 + 2
    assert weighted_length("\U0001f468\u200d\U0001f469\u200d\U0001f467") == 2
    assert weighted_length("e\u0301") == 1


def test_posts_bip_used_to_get_wrong_are_valid_for_x():
    # Each of these was a post bip counted as fitting and X rejected (bare domains, trailing
    # punctuation after a URL).
    text = " ".join(["Read d2l.ai and vllm.ai, then pytorch.org."] * 12)
    posts = split_thread(text)
    assert len(posts) > 1 and all(x_accepts(p) for p in posts)
    text = " ".join(["(https://github.com/karpathy/nanoGPT)."] * 40)
    assert all(x_accepts(p) for p in split_thread(text))


@settings(max_examples=150, deadline=None)
@given(TEXT)
def test_every_post_is_valid_for_x_and_no_word_is_lost(text):
    if not text.strip():
        return
    posts = split_thread(text)
    assert posts
    assert all(x_accepts(p) for p in posts), [twitter_text().parse_tweet(p) for p in posts]
    bodies = [re.sub(r" \d+/\d+$", "", p) for p in posts] if len(posts) > 1 else posts
    # Each post squashed on its own: joined first, a post opening with a combining mark
    # (`a \u0301` split at the space) would compose with the previous post's last letter.
    assert "".join(_squash(b) for b in bodies) == _squash(text)
    if len(posts) > 1:
        assert [p.rsplit(" ", 1)[1] for p in posts] == [
            f"{n}/{len(posts)}" for n in range(1, len(posts) + 1)
        ]


def test_short_text_is_one_unnumbered_post():
    assert split_thread("Trained GPT-2 124M on one MI300X.") == [
        "Trained GPT-2 124M on one MI300X."
    ]


def test_sentences_stay_whole_when_they_fit():
    text = " ".join(f"Sentence number {n} says something about the run." for n in range(12))
    posts = split_thread(text)
    for post in posts:
        body = re.sub(r" \d+/\d+$", "", post)
        assert body.endswith(".")


def test_draft_thread_json_prints_the_posts_x_accepts(bip, ws):
    text = "I reproduced GPT-2 124M on d2l.ai's recipe (https://github.com/karpathy/nanoGPT). " * 8
    result = bip(
        "-w", str(ws), "draft", "thread", "--title", "GPT-2", "--var", f"text={text}", "--json"
    )
    data = __import__("json").loads(result.stdout)
    assert len(data["posts"]) > 1 and all(x_accepts(p) for p in data["posts"])
    assert data["posts"][0].endswith(f" 1/{len(data['posts'])}")
    assert (ws / data["path"]).is_file() if data["path"] else False
    written = (ws / data["path"]).read_text(encoding="utf-8")
    assert all(f"> {p}" in written for p in data["posts"])


def test_the_chinese_post_uses_the_users_chinese_text(bip, ws):
    zh = "我在一张 MI300X 上复现了 GPT-2 124M，验证集损失 3.28。下一步：FlashAttention。"
    out = bip(
        "-w", str(ws), "draft", "thread", "--title", "复现", "--var", f"text={zh}", "--stdout"
    ).stdout
    chinese = out.split("## 中文短帖（B站 / 知乎）", 1)[1]
    assert zh in chinese and "<!--" not in chinese
    mixed = "I trained GPT-2 on one MI300X. 注意力机制真的很有意思。"
    out = bip(
        "-w", str(ws), "draft", "thread", "--title", "T", "--var", f"text={mixed}", "--stdout"
    ).stdout
    chinese = out.split("## 中文短帖（B站 / 知乎）", 1)[1]
    assert "注意力机制真的很有意思。" in chinese and "MI300X" not in chinese
    english = "I trained GPT-2 on one MI300X."
    out = bip(
        "-w", str(ws), "draft", "thread", "--title", "T", "--var", f"text={english}", "--stdout"
    ).stdout
    assert "<!-- 用两三句话说清楚" in out.split("## 中文短帖", 1)[1]
