"""HTTP client for the e-Stat API 3.0 JSON endpoints (getMetaInfo, getStatsData with NEXT_KEY paging)."""

from __future__ import annotations

import json
import re
import tempfile
import time
from collections.abc import Iterator
from typing import Any

import httpx

from sousei import config
from sousei.estat.errors import EstatError
from sousei.estat.shape import CHECKS

DEFAULT_BASE_URL = config.DEFAULT_ESTAT_BASE_URL
# A statsDataId is 10 digits for ordinary tables; 社会・人口統計体系 tables look like "C0020050213000".
STATS_DATA_ID = re.compile(r"^[A-Za-z0-9]{1,32}$")

# RESULT.STATUS (API仕様 3.0, 4. 出力データ): 0 = 正常終了, 1 = 正常終了・該当データなし, 2 = 正常終了・一部のパラメータ
# を無視; 100 and above are errors (100 = 認証失敗, i.e. a bad or missing appId; 1xx parameter errors, such as an
# unknown statsDataId or too many cells; 2xx/3xx server-side errors). ERROR_MSG says which in Japanese.
STATUS_OK = 0
STATUS_NO_DATA = 1
STATUS_PARTIAL = 2
STATUS_ERROR_MIN = 100


def _redact(url: httpx.URL | str) -> str:
    """The request URL without the app ID (it is a credential: never in messages or logs)."""
    return re.sub(r"appId=[^&]*", "appId=***", str(url))


def _classify(status: int, message: str) -> tuple[str, str]:
    if status == 100:
        return (
            "auth",
            "the application ID was refused: check SOUSEI_ESTAT_APP_ID (e-Stat マイページ → アプリケーションID)",
        )
    if "統計表ID" in message or "statsDataId" in message or "存在しません" in message:
        return "not-found", "no such statistical table: check the statsDataId (e.g. on the table's e-Stat page)"
    if "上限" in message or "件数" in message:
        return "limit", "the request exceeds an e-Stat limit: narrow it (fewer cells) or lower the page size"
    return "api", "e-Stat refused the request"


class EstatClient:
    """Thin, synchronous client; one instance reuses one HTTP connection pool (use it as a context manager)."""

    def __init__(
        self,
        app_id: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float | None = None,
        deadline: float | None = None,
        max_response_bytes: int | None = None,
        lang: str = "J",
    ):
        """Settings not given come from the environment (`sousei.config`): SOUSEI_ESTAT_APP_ID, _BASE_URL,
        _TIMEOUT_S (connect, and each wait for more bytes), _DEADLINE_S (a whole request, body included) and
        _MAX_RESPONSE_MB (a larger response is refused while it streams, before it fills memory or disk)."""
        app_id = app_id or config.estat_app_id()
        if not app_id:
            raise EstatError("auth", "no e-Stat application ID: set SOUSEI_ESTAT_APP_ID (free, from e-Stat マイページ)")
        self.app_id = app_id
        base = base_url or config.estat_base_url()
        self.base_url = base if base.endswith("/") else base + "/"
        self.lang = lang
        self.deadline_s = deadline if deadline is not None else config.estat_deadline_s()
        self.max_response_bytes = (
            max_response_bytes if max_response_bytes is not None else config.estat_max_response_bytes()
        )
        wait = min(timeout if timeout is not None else config.estat_timeout_s(), self.deadline_s)
        self._http = httpx.Client(timeout=wait, headers={"Accept": "application/json"})

    def __enter__(self) -> EstatClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # --- endpoints -------------------------------------------------------------------------------------------------

    def get_meta_info(self, stats_data_id: str) -> dict[str, Any]:
        """The whole getMetaInfo response (GET_META_INFO: RESULT, PARAMETER, METADATA_INF with TABLE_INF, CLASS_INF)."""
        return self._get("getMetaInfo", "GET_META_INFO", {"statsDataId": _check_id(stats_data_id)})

    def get_stats_data(
        self, stats_data_id: str, *, start_position: int | None = None, limit: int | None = None, meta: bool = False
    ) -> dict[str, Any]:
        """One getStatsData response (GET_STATS_DATA: RESULT, PARAMETER, STATISTICAL_DATA with RESULT_INF, DATA_INF)."""
        params: dict[str, Any] = {"statsDataId": _check_id(stats_data_id), "metaGetFlg": "Y" if meta else "N"}
        if start_position is not None:
            params["startPosition"] = start_position
        if limit is not None:
            params["limit"] = limit
        return self._get("getStatsData", "GET_STATS_DATA", params)

    def iter_stats_data_pages(
        self, stats_data_id: str, *, limit: int | None = None, max_pages: int = 10_000
    ) -> Iterator[dict[str, Any]]:
        """Every page of a table, following RESULT_INF.NEXT_KEY (the startPosition of the next page) until absent."""
        start: int | None = None
        for _ in range(max_pages):
            page = self.get_stats_data(stats_data_id, start_position=start, limit=limit)
            yield page
            # The structure was checked in _get (estat.shape): these are objects where present.
            info = (page["GET_STATS_DATA"].get("STATISTICAL_DATA") or {}).get("RESULT_INF") or {}
            next_key = info.get("NEXT_KEY")
            if next_key in (None, ""):
                return
            try:
                nxt = int(next_key)
            except (TypeError, ValueError) as exc:
                raise EstatError("format", f"RESULT_INF.NEXT_KEY is {next_key!r}, not a position") from exc
            if start is not None and nxt <= start:
                raise EstatError("format", f"NEXT_KEY {nxt} does not advance past startPosition {start}")
            start = nxt
        raise EstatError("limit", f"more than {max_pages} pages for {stats_data_id}: stopped")

    # --- transport -------------------------------------------------------------------------------------------------

    def _get(self, endpoint: str, root: str, params: dict[str, Any]) -> dict[str, Any]:
        query = {"appId": self.app_id, "lang": self.lang, **params}
        url = self.base_url + endpoint
        started = time.monotonic()
        try:
            with self._http.stream("GET", url, params=query) as resp, tempfile.TemporaryFile() as spool:
                where = _redact(resp.request.url)
                if resp.status_code != 200:
                    head = _head(resp, 2000)
                    snippet = " ".join(head.decode(errors="replace").split())[:200]
                    raise EstatError("http", f"HTTP {resp.status_code} from {where}: {snippet}", url=where)
                self._spool(resp, spool, started, endpoint, where)
                spool.seek(0)
                try:
                    body = json.load(spool)
                except ValueError as exc:
                    spool.seek(0)
                    snippet = " ".join(spool.read(2000).decode(errors="replace").split())[:200]
                    raise EstatError("format", f"not JSON from {where}: {snippet}", url=where) from exc
        except httpx.TimeoutException as exc:
            raise EstatError(
                "timeout", f"e-Stat did not answer in time ({endpoint}): {type(exc).__name__}", url=_redact(url)
            ) from exc
        except httpx.HTTPError as exc:
            raise EstatError("network", f"could not reach e-Stat at {self.base_url}: {exc}", url=_redact(url)) from exc
        try:
            status = CHECKS[root](body)
        except EstatError as exc:
            raise EstatError("format", f"{exc} [{where}]", url=where, path=exc.path) from None
        if status >= STATUS_ERROR_MIN:
            result = body[root]["RESULT"]
            msg = str(result.get("ERROR_MSG") or "")
            kind, hint = _classify(status, msg)
            raise EstatError(kind, f"{hint} (STATUS {status}: {msg}) [{where}]", status=status, url=where)
        return body

    def _spool(self, resp: httpx.Response, spool: Any, started: float, endpoint: str, where: str) -> None:
        """Stream the body to disk, stopping at the deadline or at the size limit (a slow drip or a huge body must
        neither hold the client forever nor fill its memory)."""
        declared = resp.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > self.max_response_bytes:
            raise self._too_large(int(declared), where)
        size = 0
        for chunk in resp.iter_bytes():
            size += len(chunk)
            if size > self.max_response_bytes:
                raise self._too_large(size, where)
            if time.monotonic() - started > self.deadline_s:
                raise EstatError(
                    "timeout",
                    f"e-Stat's answer to {endpoint} took longer than {self.deadline_s:g} s (SOUSEI_ESTAT_DEADLINE_S); "
                    f"{size:,} bytes had arrived",
                    url=where,
                )
            spool.write(chunk)

    def _too_large(self, size: int, where: str) -> EstatError:
        return EstatError(
            "too-large",
            f"the response is larger than {self.max_response_bytes:,} bytes ({size:,} so far; "
            f"SOUSEI_ESTAT_MAX_RESPONSE_MB): lower the page size with --limit [{where}]",
            url=where,
        )


def _head(resp: httpx.Response, limit: int) -> bytes:
    """The first bytes of an error body (never all of it: it may be huge)."""
    out = b""
    for chunk in resp.iter_bytes():
        out += chunk
        if len(out) >= limit:
            break
    return out[:limit]


def _check_id(stats_data_id: str) -> str:
    if not STATS_DATA_ID.match(stats_data_id or ""):
        raise EstatError("not-found", f"{stats_data_id!r} is not a statsDataId (letters and digits, e.g. 0003448233)")
    return stats_data_id
