"""One way to do HTTP in bip: `HttpClient` (client.py) on a guarded transport (transport.py),
answering `Answer`s tuned by `Limits` (answers.py)."""

from __future__ import annotations

from toolkit.http.answers import (
    MAX_BYTES,
    USER_AGENT,
    Answer,
    Counters,
    Limits,
    NotFound,
    RateLimited,
    ServiceError,
    Unreachable,
)
from toolkit.http.client import HttpClient, reads
from toolkit.http.transport import Credential, fingerprint, origin
from toolkit.http.wire import number, retry_after

__all__ = [
    "MAX_BYTES",
    "USER_AGENT",
    "Answer",
    "Counters",
    "Credential",
    "HttpClient",
    "Limits",
    "NotFound",
    "RateLimited",
    "ServiceError",
    "Unreachable",
    "fingerprint",
    "number",
    "origin",
    "reads",
    "retry_after",
]
