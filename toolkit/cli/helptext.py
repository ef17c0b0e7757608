"""Help that reads like a manual: `--figure ID`, `--since DATE`, whole summaries.

Typer shows a parameter's Python type (`<str>`, `<list[str]>`) where people expect a word
saying what to type, and click cuts command summaries at about 45 characters. One pass over the
command tree, run before parsing, names every value and gives every command its whole first
sentence as its summary.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, get_args, get_origin

# What a value is, by parameter name; anything else is named after its type.
METAVARS = {
    "entry_id": "ID",
    "entry_ids": "ID",
    "ids": "ID",
    "figure": "ID",
    "figure_id": "ID",
    "read": "ID",
    "cite": "ID",
    "based_on": "ID",
    "tag": "TAG",
    "text": "TEXT",
    "note": "TEXT",
    "next_": "TEXT",
    "title": "TEXT",
    "reference": "URL|ID",
    "template": "TEMPLATE",
    "since": "DATE",
    "minutes": "MINUTES",
    "max_wait": "SECONDS",
    "user": "LOGIN",
    "repo": "OWNER/NAME",
    "pr": "OWNER/NAME#N",
    "var": "NAME=VALUE",
    "api_url": "URL",
    "workspace": "DIR",
    "out": "DIR",
    "file": "FILE",
    "metrics": "FILE",
    "svg": "FILE",
    "status": "STATUS",
    "kind": "KIND",
    "upstream": "REF",
}
BY_TYPE = {"text": "TEXT", "integer": "N", "float": "NUMBER", "path": "PATH", "boolean": "BOOL"}


def readable(command: Any) -> Any:
    """Name every parameter's value and give every command its whole summary, recursively."""
    if command.help and not command.short_help:
        command.short_help = _summary(command.help)
    if command.help and "Example: " in command.help:
        command.help = examples_apart(command.help)
    for param in command.params:
        if getattr(param, "is_flag", False):
            continue
        if param.metavar is None:  # a metavar the command chose itself is kept
            param.metavar = _metavar(param)
        if param.param_type_name == "argument":
            # the name says it all: no `<str>` beside it, no braces around it in the usage line
            param.display_type_rich = lambda ctx: None
            param.get_usage_pieces = _usage(param)
    for sub in getattr(command, "commands", {}).values():
        readable(sub)
    return command


def _metavar(param: Any) -> str | None:
    choices = _choices(param)
    if choices:
        return "[" + "|".join(choices) + "]"
    if param.name == "repo" and _type_name(param) == "path":
        return "PATH"  # a local clone, not owner/name
    if param.name in METAVARS:
        return METAVARS[param.name]
    if param.param_type_name == "argument":
        return str(param.name).upper()
    return BY_TYPE.get(_type_name(param), str(param.name).upper())


def _choices(param: Any) -> list[str]:
    desc = getattr(param, "type_descriptor", None)  # typer >= 0.20 keeps its own types
    found = desc.choices if desc is not None else getattr(param.type, "choices", None)
    return [str(getattr(c, "value", c)) for c in found or ()]


def _type_name(param: Any) -> str:
    desc = getattr(param, "type_descriptor", None)
    if desc is None:
        return str(getattr(param.type, "name", ""))
    annotation = desc.annotation
    while get_args(annotation) and get_origin(annotation) is not None:
        annotation = next(a for a in get_args(annotation) if a is not type(None))
    return {str: "text", int: "integer", float: "float", Path: "path", bool: "boolean"}.get(
        annotation, ""
    )


def _usage(param: Any) -> Any:
    """The argument in the usage line (click's public get_usage_pieces): its name, no braces."""

    def pieces(ctx: Any) -> list[str]:
        name = str(param.metavar) + ("..." if param.nargs != 1 else "")
        return [name if param.required else f"[{name}]"]

    return pieces


def _summary(help_text: str) -> str:
    """The first paragraph, as one line (click would cut it at ~45 characters)."""
    first = re.split(r"\n\s*\n", help_text.strip(), maxsplit=1)[0]
    return " ".join(first.split())


def usage_error(exc: Any) -> tuple[str, str | None]:
    """A click usage error (unknown command or option, bad value) as bip says errors: the
    command it happened in, the message without pydantic's `Value error, ` prefix, and a hint:
    the closest command or option when the user mistyped one, else where the help is."""
    from toolkit.text import closest

    ctx = getattr(exc, "ctx", None)
    where = ctx.command_path if ctx is not None else "bip"
    message = re.sub(r"(?:Value error|Assertion failed), ", "", exc.format_message())
    message = re.sub(r" \(Possible options?: [^)]*\)", "", message)
    message = message[:1].lower() + message[1:] if message[:2] != message[:2].upper() else message
    hint = f"`{where} --help` shows what it takes"
    typed = re.match(r"no such (command|option):? '?(-*[\w-]+)'?", message, re.IGNORECASE)
    if ctx is not None and typed:
        kind, name = typed.group(1).lower(), typed.group(2)
        failed = ctx.command  # the command the error happened in
        if kind == "command":
            lister = getattr(failed, "list_commands", None)
            known = list(lister(ctx)) if lister is not None else []
        else:
            known = [o for p in failed.params for o in getattr(p, "opts", [])]
        close = closest(name, known)
        if close:
            hint = (
                f"did you mean `{where} {close}`?"
                if kind == "command"
                else f"did you mean `{close}`?"
            )
    return f"{where}: {message.rstrip('.')}", hint


EXAMPLE = re.compile(r"\bExample: (bip\b.*?)(?:\n\s*\n|\Z)", re.DOTALL)
EXAMPLE_START = re.compile(r"(?:(?<=\s)|^)Example: (?=bip\b)")


def examples_apart(text: str) -> str:
    """Each `Example: bip ...` of a help text on a line of its own, whole: click rewraps a
    paragraph, which glued examples to the sentence before them and to each other and cut a
    command in the middle. `\b` is click's mark for a paragraph it must not rewrap."""
    paragraphs: list[str] = []
    for paragraph in re.split(r"\n\s*\n", text.strip()):
        if paragraph.startswith("\b"):
            paragraphs.append(paragraph)
            continue
        pieces = EXAMPLE_START.split(paragraph)
        if pieces[0].strip():
            paragraphs.append(pieces[0].rstrip())
        paragraphs += [f"\b\nExample: {' '.join(p.split())}" for p in pieces[1:]]
    return "\n\n".join(paragraphs)


def examples(group: Any, ctx: Any, limit: int = 4) -> list[str]:
    """The first `limit` of a group's commands' `Example:` lines, one line each."""
    found: list[str] = []
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        match = EXAMPLE.search(getattr(command, "help", None) or "")
        if match:
            found.append(" ".join(match.group(1).split()))
        if len(found) == limit:
            break
    return found
