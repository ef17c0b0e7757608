"""One client per paper service (arXiv, Crossref, Semantic Scholar) on bip's one HTTP client.

`toolkit.http.HttpClient` does the work: one session per service, the HTTP cache in
`.bip/http_cache.sqlite`, offline answers with their age, a deadline and a size cap per request,
Retry-After and 429s with bounded waits, counters, and a credential (Semantic Scholar's API key)
sent only to its own service and never stored. Only what differs is here: arXiv answers Atom, not
JSON; Crossref's 404 is plain text; none of the three sends ETags, so answers are believed for
`ttl` seconds (metadata barely changes; citation data is labelled with the date it was fetched).
"""

from __future__ import annotations

from typing import Any, ClassVar

from toolkit.http import Answer, HttpClient, Limits, ServiceError, Unreachable

DAY = 86400.0


class PaperServiceError(ServiceError):
    """arXiv, Crossref or Semantic Scholar answered, but not with what bip asked for."""


class ServiceUnreachable(Unreachable):
    """Unreachable (or --offline) with nothing cached: exit code 3."""


class ServiceClient(HttpClient):
    error_class = PaperServiceError
    unreachable_class = ServiceUnreachable
    raw: ClassVar[bool] = False  # the answer is text (Atom), not JSON
    setting: ClassVar[str] = "its [papers] URL setting"  # where the user set base_url

    def _where(self) -> str:
        return f"{self.setting}, now {self.base_url}"

    def __init__(self, base_url: str, *, ttl: float = 30 * DAY, **kwargs: Any) -> None:
        limits: Limits = kwargs.pop("limits", None) or Limits(secondary_wait=5.0)
        limits.unvalidated_ttl = ttl  # GET answers: these services send no ETags
        limits.post_ttl = ttl  # POST answers (Semantic Scholar's batch)
        super().__init__(base_url, limits=limits, **kwargs)

    def fresh_in_cache(self, path: str, params: dict[str, Any] | None = None) -> bool:
        """Whether a GET would be answered from the cache without asking (so needs no pacing)."""
        stored = self._stored("GET", self.url(path), params, None)
        return stored is not None and not stored.is_expired and stored.status_code == 200

    def _json(self, response: Any, shown: str) -> Any:
        if response.status_code >= 400:  # Crossref's 404 is "Resource not found." in plain text
            try:
                return super()._json(response, shown)
            except ServiceError:
                return response.text[:200]
        if self.raw:
            return (response.content or b"").decode("utf-8", "replace")
        return super()._json(response, shown)


class ArxivClient(ServiceClient):
    service = "arXiv"
    setting = "BIP_ARXIV_API_URL"
    raw = True


class CrossrefClient(ServiceClient):
    service = "Crossref"
    setting = "BIP_CROSSREF_API_URL"


class S2Client(ServiceClient):
    service = "Semantic Scholar"
    setting = "BIP_S2_API_URL"


__all__ = [
    "DAY",
    "Answer",
    "ArxivClient",
    "CrossrefClient",
    "S2Client",
    "ServiceClient",
    "PaperServiceError",
    "ServiceUnreachable",
]
