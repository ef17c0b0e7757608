"""What comes over the wire, read defensively: Retry-After, Link headers, numbers, messages.

Pure functions, no I/O: the client (client.py) uses them on every answer.
"""

from __future__ import annotations

import hashlib
import json
import math
from datetime import datetime, timezone
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from toolkit.http.transport import TooSlow, origin


def retry_after(value: str, now: float) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date); None if malformed.
    A negative or past value means no wait; an absurd one stays huge (and is refused)."""
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        seconds = None
    if seconds is not None:
        return None if math.isnan(seconds) else max(seconds, 0.0)
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when is None:
        return None
    return max(aware(when).timestamp() - now, 0.0)


def number(value: Any) -> float | None:
    """A header's number, or None when absent, malformed or not finite."""
    try:
        result = float(value)
    except (TypeError, ValueError):
        return None
    return result if math.isfinite(result) else None


def wait_text(seconds: float) -> str:
    if not math.isfinite(seconds) or seconds > 86400 * 365:
        return "more than a year"
    if seconds < 3600:
        return f"{seconds:.0f} s"
    if seconds < 172800:
        return f"{seconds / 3600:.0f} h"
    return f"{seconds / 86400:.0f} days"


def is_transient(exc: BaseException) -> bool:
    """A dropped connection may work on a second try; a refused one or an unknown host won't."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        name = type(current).__name__
        if isinstance(current, (ConnectionRefusedError, TooSlow)) or name in (
            "NameResolutionError",
            "NewConnectionError",
            "ConnectTimeoutError",
            "ConnectTimeout",
            "ReadTimeout",
            "ReadTimeoutError",
        ):
            return False
        nested = (
            current.args[0] if current.args and isinstance(current.args[0], Exception) else None
        )
        current = nested or getattr(current, "reason", None) or current.__cause__
    return True


def failure_reason(exc: BaseException) -> str:
    text = str(exc)
    if "refused" in text.lower():
        return "connection refused"
    if "NameResolution" in text or "getaddrinfo" in text or "Name or service" in text:
        return "unknown host"
    return type(exc).__name__


def api_message(data: Any) -> str:
    message = data.get("message") if isinstance(data, dict) else None
    return clip(message) if isinstance(message, str) else ""


def describe_failure(exc: BaseException) -> str:
    if isinstance(exc, KeyError):
        return f"missing {clip(str(exc.args[0]) if exc.args else '?')!r}"
    return f"{type(exc).__name__}: {clip(str(exc))}"


def clip(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def parse_links(header: str | None) -> dict[str, str]:
    """`Link: <url>; rel="next", ...` as {rel: url}; anything odd is skipped."""
    import requests.utils

    if not header:
        return {}
    out: dict[str, str] = {}
    try:
        parsed = requests.utils.parse_header_links(header)
    except (ValueError, IndexError):
        return {}
    for link in parsed:
        rel, url = link.get("rel"), link.get("url")
        if rel and url:
            for name in rel.split():
                out.setdefault(name, url)
    return out


def normal_url(url: str) -> str:
    parts = urlsplit(url)
    query = urlencode(sorted(parse_qsl(parts.query, keep_blank_values=True)))
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}{parts.path}?{query}"


def body_digest(data: Any) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def server_of(url: str) -> str:
    scheme, host, port = origin(url)
    return f"{scheme}://{host}:{port}" if port else f"{scheme}://{host}"


def shown_url(url: str, params: dict[str, Any] | None) -> str:
    path = urlsplit(url).path or "/"
    query = " ".join(f"{k}={v}" for k, v in (params or {}).items() if k != "per_page")
    return f"{path} ({query})" if query else path


def aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
