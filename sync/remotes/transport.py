"""One httpx client per remote: explicit timeouts, retries with backoff, a rate limit.

Connection errors, timeouts, 5xx and 429 are retried with exponential backoff and jitter
(stamina); a 429's ``Retry-After`` is honoured. POST and PATCH are retried only when the request
surely did nothing (no connection, or 429), so that a retry never writes twice. A 4xx other than 429 is not retried: it raises
``RemoteRefused`` (412 raises ``StaleWrite``). Errors name the method and path, never a secret:
the credentials a transport sends are remembered by the redaction its host installs
(:func:`use_redaction`; the ``sync`` package installs the desk's), and an error body quoted in a
message is redacted before it is cut short.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlparse

import httpx
import stamina

from sync.remotes.base import RemoteRefused, RemoteUnavailable, StaleWrite

__all__ = ["Transport", "RetryableStatus", "DEFAULT_TIMEOUT"]

DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
_RETRY_AFTER_CAP = 60.0
_IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})


_remember: Callable[[str], None] = lambda secret: None  # noqa: E731 - replaced by use_redaction
_redact: Callable[[str], str] = lambda text: text  # noqa: E731 - replaced by use_redaction


def use_redaction(*, remember: Callable[[str], None], redact: Callable[[str], str]) -> None:
    """How credentials are remembered and answers redacted: the adapters import nothing of the desk,
    so the package that hosts them hands them the desk's redaction."""
    global _remember, _redact
    _remember, _redact = remember, redact


class RetryableStatus(Exception):
    """A 5xx or 429 answer, raised inside the retry loop so that stamina tries again."""

    def __init__(self, response: httpx.Response):
        super().__init__(f"HTTP {response.status_code}")
        self.response = response


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return min(max(float(value), 0.0), _RETRY_AFTER_CAP)
    except ValueError:
        pass
    try:
        return min(max(parsedate_to_datetime(value).timestamp() - time.time(), 0.0), _RETRY_AFTER_CAP)
    except (TypeError, ValueError):
        return None


_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


def _backoff_unsafe(exc: Exception) -> bool | float:
    """For POST and PATCH, which would act twice if repeated: retry only what surely did nothing
    (no connection, or 429). Anything else is left to the engine, which looks before it resends."""
    if isinstance(exc, RetryableStatus) and exc.response.status_code == 429:
        return _backoff(exc)
    if isinstance(exc, RetryableStatus | json.JSONDecodeError):
        return False
    return isinstance(exc, _NOT_SENT)


def _backoff(exc: Exception) -> bool | float:
    """stamina's hook: retry transport errors and 5xx/429; wait what a 429 asks for."""
    if isinstance(exc, RetryableStatus):
        if exc.response.status_code == 429:
            return _retry_after(exc.response) or True
        return True
    if isinstance(exc, json.JSONDecodeError):  # a truncated body: the next read is usually whole
        return True
    return isinstance(exc, httpx.TransportError)


class Transport:
    """Sends requests to one remote; ``min_interval`` seconds at least between two requests."""

    def __init__(
        self,
        base_url: str,
        *,
        auth: httpx.Auth | tuple[str, str] | None = None,
        headers: dict[str, str] | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        attempts: int = 6,
        retry_timeout: float = 60.0,
        min_interval: float = 0.0,
        transport: httpx.BaseTransport | None = None,
    ):
        for secret in _credentials(base_url, auth, headers):
            _remember(secret)
        self._client = httpx.Client(
            base_url=base_url,
            auth=auth,
            headers=headers,
            timeout=timeout,
            transport=transport,
            follow_redirects=False,
        )
        self.attempts, self.retry_timeout, self.min_interval = attempts, retry_timeout, min_interval
        self._last = 0.0
        self._lock = threading.Lock()
        self.requests = 0  # sent, retries included (for the run's report and the benchmarks)

    def _pace(self) -> None:
        if self.min_interval <= 0:
            return
        with self._lock:
            wait = self._last + self.min_interval - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            self._last = time.monotonic()

    def request(self, method: str, path: str, *, json_body: Any = None, parse: bool = True, reads_only: bool = False,
                **kwargs) -> httpx.Response:  # fmt: skip
        """Send with retries; return the response (2xx, 304), its JSON read into ``response.data`` when ``parse``.

        ``reads_only`` marks a POST that changes nothing (a search), so it is retried like a GET."""
        idempotent = reads_only or method.upper() in _IDEMPOTENT
        where = f"{method} {path.split('?')[0]}"
        try:
            for attempt in stamina.retry_context(
                on=_backoff if idempotent else _backoff_unsafe,
                attempts=self.attempts,
                timeout=self.retry_timeout,
                wait_initial=0.2,
                wait_max=8.0,
            ):
                with attempt:
                    self._pace()
                    self.requests += 1
                    response = self._client.request(method, path, json=json_body, **kwargs)
                    if response.status_code >= 500 or response.status_code == 429:
                        raise RetryableStatus(response)
                    response.data = None
                    if parse and response.status_code < 300 and response.content:
                        response.data = response.json()
        except RetryableStatus as exc:
            raise RemoteUnavailable(f"{where}: the server answered {exc.response.status_code} after retries") from None
        except httpx.TransportError as exc:
            raise RemoteUnavailable(f"{where}: {type(exc).__name__} after retries") from None
        except json.JSONDecodeError:
            raise RemoteUnavailable(f"{where}: the answer was not valid JSON after retries") from None
        if response.status_code == 412:
            raise StaleWrite(f"{where}: changed remotely since it was read (412)")
        if response.status_code >= 400:
            raise RemoteRefused(f"{where}: refused with {response.status_code} {_short_reason(response)}")
        return response

    def close(self) -> None:
        self._client.close()


def _credentials(base_url: str, auth: httpx.Auth | tuple[str, str] | None, headers: dict[str, str] | None) -> list[str]:
    """Every form in which this transport sends a secret: a password, the Basic credentials made
    of it, an Authorization header's value and its credentials, a password in the URL."""
    found = []
    if isinstance(auth, tuple):
        user, password = auth
        found += [password, base64.b64encode(f"{user}:{password}".encode()).decode()]
    for name, value in (headers or {}).items():
        if name.lower() in ("authorization", "proxy-authorization"):
            found += [value, value.partition(" ")[2]]
    found.append(urlparse(base_url).password or "")
    return [secret for secret in found if secret]


def _short_reason(response: httpx.Response) -> str:
    """The start of the answer's body, redacted before it is cut (a cut secret would be half kept)."""
    text = _redact(response.text[:4_000]).replace("\n", " ").strip()[:200]
    return f"({text})" if text else ""
