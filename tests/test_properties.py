"""Invariants, checked on generated reading lists (hypothesis)."""

import difflib
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit import readinglist as rl
from toolkit import yamledit
from toolkit.yamledit import edits

TEXT = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufeff\x85\u2028\u2029"
    ),
    min_size=1,
    max_size=40,
).filter(lambda s: s.strip() == s and s != "")
IDS = st.from_regex(r"[a-z][a-z0-9-]{0,12}", fullmatch=True)
NOTES = st.lists(TEXT, min_size=1, max_size=4).map("\n".join)


@st.composite
def reading_lists(draw):
    ids = draw(st.lists(IDS, min_size=1, max_size=6, unique=True))
    blank = draw(st.booleans())
    lines = ["# generated", "version: 1", "entries:"]
    for entry_id in ids:
        item = {
            "id": entry_id,
            "kind": "book",
            "title": draw(TEXT),
            "status": draw(st.sampled_from(rl.STATUSES)),
        }
        if draw(st.booleans()):
            item["notes"] = draw(NOTES)
        if draw(st.booleans()):
            item["tags"] = draw(st.lists(IDS, max_size=3))
        rendered = yamledit.render_block(item)
        lines.append("  - " + rendered[0])
        lines.extend("    " + r for r in rendered[1:])
        if draw(st.booleans()):
            lines.append("    # a comment the user wrote")
        if blank:
            lines.append("")
    return "\n".join(lines) + "\n", ids


QUOTED_TITLES = st.sampled_from(
    ['"C# tips # not a comment"', "'it''s # fine'", '"a: b"', "plain title", '"yes"']
)


@st.composite
def user_layouts(draw):
    """Reading lists laid out the ways people write YAML by hand, not the way bip writes it:
    `- id:` at column 0 or indented by 2 or 4, comments between keys, block lists at the key's
    column, flow lists, `#` inside quotes, CRLF line endings."""
    ids = draw(st.lists(IDS, min_size=1, max_size=5, unique=True))
    dash = draw(st.sampled_from([0, 2, 4]))
    step = draw(st.sampled_from([2, 4]))  # keys sit `step` columns right of the dash
    pad, key_pad = " " * dash, " " * (dash + step)
    lines = ["# my list", "version: 1", "entries:"]
    for entry_id in ids:
        lines.append(f"{pad}-{' ' * (step - 1)}id: {entry_id}")
        if draw(st.booleans()):
            lines.append(f"{key_pad}# why I want to read this")
        lines.append(f"{key_pad}kind: book")
        lines.append(f"{key_pad}title: {draw(QUOTED_TITLES)}")
        lines.append(f"{key_pad}status: {draw(st.sampled_from(rl.STATUSES))}")
        tags = draw(st.lists(IDS, min_size=1, max_size=3))
        style = draw(st.sampled_from(["flow", "indented", "at-key-column"]))
        if style == "flow":
            lines.append(f"{key_pad}tags: [{', '.join(tags)}]")
        else:
            lines.append(f"{key_pad}tags:")
            item_pad = key_pad + ("  " if style == "indented" else "")
            lines.extend(f"{item_pad}- {tag}" for tag in tags)
        if draw(st.booleans()):
            lines.append(f"{key_pad}notes: 'a # inside quotes'  # and a real comment")
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    return newline.join(lines) + newline, ids


FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(
    st.dictionaries(
        st.sampled_from(["title", "notes", "release"]), st.one_of(TEXT, NOTES), min_size=1
    )
)
def test_rendered_values_read_back_identically(values):
    text = "version: 1\nentries:\n  - id: x\n    kind: book\n" + "".join(
        f"    {line}\n" for line in yamledit.render_block({"title": "t", **values})
    )
    doc = yamledit.parse(text, "t.yaml")
    assert yamledit.to_plain(doc["entries"][0]) == {
        "id": "x",
        "kind": "book",
        "title": "t",
        **values,
    }


@FAST
@given(reading_lists(), st.data())
def test_status_edit_then_revert_restores_the_bytes(tmp_path_factory, generated, data):
    text, ids = generated
    path = tmp_path_factory.mktemp("prop") / "reading_list.yaml"
    path.write_text(text)
    loaded = rl.load_reading_list(path)
    target = data.draw(st.sampled_from(ids))
    old = loaded.model.entry(target).status
    new = data.draw(st.sampled_from([s for s in rl.STATUSES if s != old]))
    index = loaded.model.entry_index(target)
    edited, doc = yamledit.apply_edits(
        text, loaded.doc, [yamledit.SetItemKey("entries", index, "status", new)], "p"
    )
    changed = [d for d in difflib.ndiff(text.splitlines(), edited.splitlines()) if d[:1] in "+-"]
    assert changed == [f"-     status: {old}", f"+     status: {new}"]
    back, _ = yamledit.apply_edits(
        edited, doc, [yamledit.SetItemKey("entries", index, "status", old)], "p"
    )
    assert back == text


@FAST
@given(reading_lists(), st.data(), NOTES)
def test_any_edit_keeps_every_other_entry_and_every_comment(
    tmp_path_factory, generated, data, note
):
    text, ids = generated
    path = tmp_path_factory.mktemp("prop") / "reading_list.yaml"
    path.write_text(text)
    before = rl.load_reading_list(path).model
    target = data.draw(st.sampled_from(ids))
    action = data.draw(st.sampled_from(["done", "note", "rm", "add"]))
    plans = {
        "done": lambda: rl.plan_status(target, "done", date(2026, 11, 23)),
        "note": lambda: rl.plan_note(target, note),
        "rm": lambda: rl.plan_remove(target),
        "add": lambda: rl.plan_add(
            "https://example.org/some/post", date(2026, 11, 23), entry_id="zz-new"
        ),
    }
    rl.edit_reading_list(path, plans[action]())
    after_text = path.read_text()
    after = rl.load_reading_list(path).model
    assert after_text.count("# a comment the user wrote") == text.count(
        "# a comment the user wrote"
    ) or (action == "rm")
    untouched = [e for e in before.entries if e.id != target]
    for entry in untouched:
        kept = after.entry(entry.id)
        assert (kept.title, kept.status, kept.notes, kept.tags) == (
            entry.title,
            entry.status,
            entry.notes,
            entry.tags,
        )
    if action == "note":
        assert after.entry(target).notes.rstrip("\n").endswith(note)
    if action == "rm":
        assert target not in {e.id for e in after.entries}


@FAST
@given(reading_lists())
def test_the_round_trip_fallback_is_the_identity_on_an_unchanged_file(generated):
    text, _ = generated
    assert edits.roundtrip(text, [], "p") == text


@FAST
@given(user_layouts(), st.data())
def test_edits_of_hand_written_layouts_touch_only_their_line(tmp_path_factory, generated, data):
    text, ids = generated
    path = tmp_path_factory.mktemp("layout") / "reading_list.yaml"
    path.write_bytes(text.encode())
    target = data.draw(st.sampled_from(ids))
    before = rl.load_reading_list(path).model
    old = before.entry(target).status
    new = data.draw(st.sampled_from([s for s in rl.STATUSES if s != old]))
    rl.edit_reading_list(path, rl.plan_set(target, "status", new))
    edited = path.read_bytes().decode()
    changed = [d for d in difflib.ndiff(text.splitlines(), edited.splitlines()) if d[:1] in "+-"]
    assert [c[2:].strip() for c in changed] == [f"status: {old}", f"status: {new}"]
    newline = "\r\n" if "\r\n" in text else "\n"
    assert edited.count(newline) == text.count(newline)  # line endings kept
    after = rl.load_reading_list(path).model
    for entry in before.entries:
        kept = after.entry(entry.id)
        assert (kept.title, kept.tags, kept.notes) == (entry.title, entry.tags, entry.notes)
    rl.edit_reading_list(path, rl.plan_set(target, "status", old))
    assert path.read_bytes() == text.encode()  # and back to the user's very bytes
