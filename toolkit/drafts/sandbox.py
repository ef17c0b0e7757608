"""The sandbox templates run in: Jinja's, which keeps them from Python's internals."""

from __future__ import annotations

from typing import Any

from jinja2.sandbox import SandboxedEnvironment


class BoundedEnvironment(SandboxedEnvironment):
    """Jinja's sandbox."""

    def render_bounded(self, template: Any, values: dict[str, Any]) -> str:
        return str(template.render(**values))
