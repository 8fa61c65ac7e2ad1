"""Secrets kept out of what the desk stores and prints about a sync.

A remote's answer can echo what it was sent: an error body quoting the request's
``Authorization`` header, a refused field holding the token. The sync transport remembers each
credential it sends (:func:`remember_secret`); :func:`redact` replaces those (and the forms a
remote may echo them in: URL-encoded in upper or lower case, form-encoded, JSON-escaped with or
without ``\\u`` escapes such as ``\\u00e9``, HTML-escaped), URL passwords and ``Authorization`` values by ``***``. The
sync log is stored redacted, and redacted again when printed (rows an older version stored).

The secrets live in this process's memory only, where the transport holds them anyway.
"""

from __future__ import annotations

import html
import json
import re
import threading
from urllib.parse import quote, quote_plus

__all__ = ["remember_secret", "redact", "MIN_SECRET", "MASK"]

MASK = "***"
MIN_SECRET = 4  # a shorter one would blot out ordinary words; it is no secret worth the name either

_lock = threading.Lock()
_secrets: tuple[str, ...] = ()  # longest first, so that no part of a longer one is left behind

# Each starts at a literal ("://", "authorization", a scheme word) and its runs stop at what ends
# the value: linear in the text, however hostile.
_URL_PASSWORD = re.compile(r"://([^\s/@:]*):[^\s/@]*@")
_AUTH_HEADER = re.compile(r"""(authorization["']?\s*[:=]\s*["']?)[^"'\r\n,;}]+""", re.IGNORECASE)
_AUTH_SCHEME = re.compile(r"\b(bearer|basic|token|digest)\s+[A-Za-z0-9._~+/\-]{12,}=*", re.IGNORECASE)
_LOWER_HEX = re.compile(r"%[0-9A-F]{2}")  # to write the lower-case form of a percent-encoded secret
_UNICODE_ESCAPE = re.compile(r"\\u[0-9a-f]{4}")


def remember_secret(value: str | None) -> None:
    """Redact ``value`` (and its escaped forms) from now on; shorter than ``MIN_SECRET``: ignored."""
    if not value or len(value.strip()) < MIN_SECRET:
        return
    forms = {form for plain in {value, value.strip()} for form in _escaped_forms(plain)}
    global _secrets
    with _lock:
        _secrets = tuple(sorted(set(_secrets) | {f for f in forms if len(f) >= MIN_SECRET}, key=len, reverse=True))


def _escaped_forms(value: str) -> set[str]:
    """``value`` as a remote may echo it: in a URL, a form, JSON or HTML."""
    percent = quote(value, safe="")
    json_ascii = json.dumps(value)[1:-1]
    forms = {
        value,
        percent,
        _LOWER_HEX.sub(lambda m: m.group().lower(), percent),
        quote_plus(value),
        json_ascii,
        _UNICODE_ESCAPE.sub(lambda m: m.group()[:2] + m.group()[2:].upper(), json_ascii),
        json.dumps(value, ensure_ascii=False)[1:-1],
        html.escape(value, quote=False),
        html.escape(value),
        html.escape(value).replace("&#x27;", "&#39;"),
    }
    return forms | {form.replace("/", "\\/") for form in forms if "/" in form}  # PHP's json_encode


def redact(text: str) -> str:
    """``text`` without the remembered secrets, URL passwords and Authorization values.

    A secret cut short at the very end (a message truncated through it) goes too."""
    secrets = _secrets
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    text = _URL_PASSWORD.sub(rf"://\1:{MASK}@", text)
    text = _AUTH_HEADER.sub(rf"\g<1>{MASK}", text)
    text = _AUTH_SCHEME.sub(rf"\1 {MASK}", text)
    return _without_cut_secret(text, secrets)


def _without_cut_secret(text: str, secrets: tuple[str, ...]) -> str:
    for secret in secrets:
        cut = _overlap(text, secret)
        if cut >= MIN_SECRET:
            return text[:-cut] + MASK
    return text


def _overlap(text: str, secret: str) -> int:
    """How long the longest end of ``text`` that begins ``secret`` is (KMP: linear, however long)."""
    pattern, tail = secret[:-1], text[-(len(secret) - 1) :] if len(secret) > 1 else ""
    if not pattern or not tail:
        return 0
    border = [0] * len(pattern)  # border[i]: the longest proper prefix of pattern[:i + 1] that ends it
    for i in range(1, len(pattern)):
        k = border[i - 1]
        while k and pattern[i] != pattern[k]:
            k = border[k - 1]
        border[i] = k + (pattern[i] == pattern[k])
    matched = 0
    for ch in tail:
        while matched and (matched == len(pattern) or ch != pattern[matched]):
            matched = border[matched - 1]
        if ch == pattern[matched]:
            matched += 1
    return matched
