"""One way to do HTTP in bip: `HttpClient` (client.py) on a guarded transport (transport.py)."""

from __future__ import annotations

from toolkit.http.client import (
    MAX_BYTES,
    USER_AGENT,
    Answer,
    Counters,
    HttpClient,
    Limits,
    NotFound,
    RateLimited,
    ServiceError,
    Unreachable,
    number,
    reads,
    retry_after,
)
from toolkit.http.transport import Credential, fingerprint, origin

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
