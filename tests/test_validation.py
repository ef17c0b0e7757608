"""Validation reports every problem at once, each with file:line:column and what to do."""

import textwrap
from pathlib import Path

import pytest

from toolkit.errors import InvalidFile
from toolkit.readinglist import load_reading_list

HEAD = "version: 1\nfigures:\n  - id: karpathy\n    name: Andrej Karpathy\nentries:\n"


def problems_of(tmp_path: Path, text: str) -> list:
    path = tmp_path / "reading_list.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InvalidFile) as info:
        load_reading_list(path)
    return info.value.problems


def entry(body: str) -> str:
    return HEAD + textwrap.indent(textwrap.dedent(body).strip("\n"), "  ") + "\n"


@pytest.mark.parametrize(
    ("body", "line", "message", "hint"),
    [
        (
            "- id: a\n  kind: repo\n  title: A\n  repo: o/a\n  stauts: done\n",
            10,
            "unknown key 'stauts'",
            "did you mean 'status'?",
        ),
        (
            "- id: a\n  kind: repo\n  title: A\n  repo: o/a\n  status: finished\n",
            10,
            "unknown status 'finished'",
            "one of: todo, reading, done, dropped",
        ),
        (
            "- id: a\n  kind: repo\n  title: A\n  repo: o/a\n  status: dnoe\n",
            10,
            "unknown status 'dnoe'",
            "did you mean 'done'?",
        ),
        (
            "- id: a\n  kind: repo\n  title: A\n  repo: o/a\n  figures: [karpaty]\n",
            10,
            "unknown figure 'karpaty'",
            "did you mean 'karpathy'?",
        ),
        (
            "- id: a\n  kind: paper\n  title: A\n  arxiv: 2205.14135\n",
            9,
            "not an arXiv id",
            "quote it",
        ),
        ("- id: a\n  kind: paper\n  title: A\n  arxiv: '2205.1'\n", 9, "not an arXiv id", None),
        (
            "- id: a\n  kind: repo\n  title: A\n  repo: https://github.com/o/a\n",
            9,
            "is not owner/name",
            "e.g. karpathy/nanoGPT",
        ),
        (
            "- id: a\n  kind: post\n  title: A\n  url: www.example.org\n",
            9,
            "not an http(s) URL",
            None,
        ),
        ("- id: a\n  kind: paper\n  title: A\n  doi: 11.1/x\n", 9, "is not a DOI", None),
        (
            "- id: a\n  kind: repo\n  title: A\n  repo: o/a\n  started: yesterday\n",
            10,
            "'yesterday' is not a date",
            "YYYY-MM-DD",
        ),
        (
            "- id: a\n  kind: repo\n  title: A\n  repo: o/a\n  started: 2026-13-45\n",
            10,
            "'2026-13-45' is not a real date",
            None,
        ),
        ("- id: a\n  kind: tweet\n  title: A\n", 7, "unknown kind 'tweet'", None),
        ("- id: a\n  kind: repo\n  title: A\n", 6, "a repo entry needs `repo`", None),
        (
            "- id: a\n  kind: paper\n  title: A\n",
            6,
            "a paper entry needs `arxiv` or `doi` or `url`",
            None,
        ),
        ("- id: A B\n  kind: book\n  title: A\n", 6, "'A B' is not a valid id", "e.g. 'a-b'"),
        ("- id: 注意力\n  kind: book\n  title: A\n", 6, "'注意力' is not a valid id", "ASCII"),
        (
            "- id: a\n  kind: book\n  title: 42\n",
            8,
            "must be non-empty text, not the number 42",
            "put quotes around it",
        ),
        ("- id: a\n  kind: book\n  title: A\n  tags: gpt\n", 9, "must be a list of text", None),
        ("- id: a\n  kind: book\n  title: A\n  year: 20\n", 9, "20 is not a year", None),
        (
            "- id: a\n  kind: book\n  title: A\n  goal: {merged_prs: 2}\n",
            9,
            "`goal` is only for repo entries",
            None,
        ),
        (
            "- id: a\n  kind: repo\n  title: A\n  repo: o/a\n  goal: {merged_pr: 2}\n",
            10,
            "unknown goal key 'merged_pr'",
            "did you mean 'merged_prs'?",
        ),
        (
            "- id: a\n  kind: repo\n  title: A\n  repo: o/a\n  commit: xyz\n",
            10,
            "not a commit hash",
            None,
        ),
        (
            "- id: a\n  kind: book\n  title: A\n  started: 2026-11-20\n  finished: 2026-11-01\n",
            10,
            "finished 2026-11-01 is before started 2026-11-20",
            None,
        ),
        ("- kind: book\n  title: A\n", 6, "has no `id`", None),
        ("- just a string\n", 6, "must be a mapping", None),
    ],
)
def test_each_problem_is_located_and_explained(tmp_path, body, line, message, hint):
    problems = problems_of(tmp_path, HEAD + textwrap.indent(body, "  "))
    matching = [p for p in problems if message in p.message]
    assert matching, [p.render() for p in problems]
    assert matching[0].line == line
    assert matching[0].path.endswith("reading_list.yaml")
    if hint:
        assert hint in (matching[0].hint or "")


def test_duplicate_ids_point_at_the_first_use(tmp_path):
    body = "- id: a\n  kind: book\n  title: A\n- id: a\n  kind: book\n  title: B\n"
    problems = problems_of(tmp_path, HEAD + textwrap.indent(body, "  "))
    assert [(p.line, p.message, p.hint) for p in problems] == [
        (9, "duplicate id 'a'", "first used on line 6; ids must be unique")
    ]


def test_a_third_use_of_a_citation_key_points_at_the_first(tmp_path):
    body = "".join(
        f"- id: {n}\n  kind: book\n  title: {n}\n  cite_key: same\n" for n in ("a", "b", "c")
    )
    problems = problems_of(tmp_path, HEAD + textwrap.indent(body, "  "))
    assert [(p.line, p.message, p.hint) for p in problems] == [
        (13, "duplicate cite_key 'same'", "first used on line 9"),
        (17, "duplicate cite_key 'same'", "first used on line 9"),
    ]


def test_every_problem_is_reported_at_once(tmp_path):
    body = (
        "- id: a\n  kind: repo\n  title: A\n  repo: bad\n  stauts: done\n"
        "- id: b\n  kind: paper\n  title: B\n  arxiv: nope\n  figures: [nobody]\n"
    )
    problems = problems_of(
        tmp_path, "versio: 1\n" + HEAD[len("version: 1\n") :] + textwrap.indent(body, "  ")
    )
    messages = " | ".join(p.message for p in problems)
    for expected in (
        "unknown top-level key 'versio'",
        "missing `version: 1`",
        "not owner/name",
        "unknown key 'stauts'",
        "not an arXiv id",
        "unknown figure 'nobody'",
    ):
        assert expected in messages
    assert [p.line for p in problems] == sorted(p.line for p in problems)


def test_yaml_syntax_errors_have_a_line_and_column(tmp_path):
    problems = problems_of(tmp_path, HEAD + "  - id: a\n    title: [unclosed\n    kind: book\n")
    assert len(problems) == 1
    assert problems[0].message.startswith("YAML syntax error")
    assert problems[0].line >= 7


def test_duplicate_yaml_keys_are_a_located_error(tmp_path):
    problems = problems_of(
        tmp_path, HEAD + "  - id: a\n    kind: book\n    title: A\n    title: B\n"
    )
    assert "duplicate key" in problems[0].message
    assert problems[0].line == 9


def test_unsupported_version_and_empty_file(tmp_path):
    assert "unsupported schema version 2" in problems_of(tmp_path, "version: 2\n")[0].message
    assert problems_of(tmp_path, "")[0].message == "the file is empty"
    assert "top level must be a mapping" in problems_of(tmp_path, "- a\n- b\n")[0].message


def test_the_frozen_reading_list_is_valid_and_large_enough():
    from tests.conftest import FROZEN_LIST

    model = load_reading_list(FROZEN_LIST).model
    assert len(model.figures) >= 10
    assert len(model.entries) >= 40
    names = {f.name for f in model.figures}
    for person in (
        "Andrej Karpathy",
        "Mu Li",
        "Yangqing Jia",
        "Song Han",
        "Lianmin Zheng",
        "Tri Dao",
        "Hao Zhang",
        "Wenfeng Liang",
    ):
        assert person in names
    arxiv = {e.arxiv for e in model.entries if e.arxiv}
    for ident in (
        "1706.03762",
        "1408.5093",
        "2205.14135",
        "2309.06180",
        "2501.12948",
        "2412.15115",
    ):
        assert ident in arxiv


def test_a_built_entry_is_what_the_dataclass_would_make(tmp_path):
    """build_entry fills an Entry without calling its __init__: every field must be there,
    with the same values, plain lists and dates, as Entry(...) gives."""
    import dataclasses
    from datetime import date

    from toolkit.readinglist.model import Entry, Goal

    path = tmp_path / "reading_list.yaml"
    path.write_text(
        entry(
            """
            - id: full
              kind: repo
              title: Full
              url: https://example.org/x
              repo: o/full
              arxiv: '2205.14135'
              doi: 10.1145/3600006.3613165
              authors: [A. Author, B. Author]
              year: 2022
              primary_class: cs.LG
              venue: V
              pages: 1-2
              publisher: P
              abstract: An abstract.
              figures: [karpathy]
              tags: [one, two]
              status: done
              added: 2026-01-02
              started: 2026-01-03
              finished: 2026-01-04
              notes: |
                two
                lines
              cite_key: full2022
              commit: abcdef1
              release: v1
              goal: {merged_prs: 2, by: 2027-03-31}
            - id: bare
              kind: book
              title: Bare
            """
        ),
        encoding="utf-8",
    )
    built = load_reading_list(path).model.entries
    for got in built:
        assert set(vars(got)) == {f.name for f in dataclasses.fields(Entry)}
        again = Entry(**{f.name: getattr(got, f.name) for f in dataclasses.fields(Entry)})
        assert got == again and repr(got) == repr(again)
        for name in ("authors", "figures", "tags"):
            assert type(getattr(got, name)) is list
    full = built[0]
    assert full.authors == ["A. Author", "B. Author"] and full.year == 2022
    assert full.goal == Goal(2, None, date(2027, 3, 31)) and full.notes == "two\nlines\n"
    assert built[1] == Entry(id="bare", kind="book", title="Bare", line=full.line + 27)
