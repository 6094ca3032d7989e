"""The one error of the e-Stat client and store."""

from __future__ import annotations


class EstatError(RuntimeError):
    """An e-Stat request failed; `kind` says how: auth, not-found, limit, api, http, timeout, network, format,
    too-large, invalid (the fetched table fails the build's checks). `path` names the unexpected element of a
    response whose structure is wrong (e.g. GET_STATS_DATA.STATISTICAL_DATA.DATA_INF.VALUE[0])."""

    def __init__(
        self, kind: str, message: str, *, status: int | None = None, url: str | None = None, path: str | None = None
    ):
        super().__init__(message)
        self.kind = kind
        self.status = status
        self.url = url
        self.path = path
