"""What a raw mail message says: bytes in, a :class:`Parsed` out. No database, no network.

Mail is hostile text from any client on earth, so every step has a fallback instead of an error:

* bodies are decoded with the declared charset, else as UTF-8, else as Windows-1252 with
  replacement characters; an unknown or lying charset never stops the message;
* headers are decoded here (RFC 2047 words, raw 8-bit UTF-8 or Latin-1 bytes), not trusted to the
  ``email`` package's strict path, which turns an unknown charset into U+FFFD;
* text/plain is preferred; an HTML-only message becomes readable text (links as numbered
  footnotes, blockquotes as ``> `` lines, scripts and styles dropped, images named, never fetched);
* terminal escapes (ESC and C1 sequences), other control characters and the bidi controls are
  removed from subjects, names, file names and bodies; markup such as ``[@click=…]`` is kept as
  text, the renderer shows it inert;
* ``reply`` is the new part of the message, cut by ``mail-parser-reply`` (English and Italian)
  with its input bounded, since its patterns are quadratic in the length of a line.

Only a message with no header at all (empty bytes, or something that is not mail) raises
:class:`Unparseable`; the caller keeps such a message in quarantine.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import mimetypes
import quopri
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy as email_policy
from email import utils as email_utils
from email.generator import BytesGenerator
from email.message import EmailMessage, Message
from email.parser import BytesParser
from html.parser import HTMLParser
from io import BytesIO
from weakref import WeakKeyDictionary

from models.errors import InvalidInput, NotFound

__all__ = [
    "Address",
    "AttachmentInfo",
    "Parsed",
    "Unparseable",
    "parse",
    "attachment_bytes",
    "safe_filename",
]

#: A Message-ID longer than this is garbage (RFC 5322 lines are at most 998 characters).
MAX_ID = 998
#: The longest address a mail server accepts (RFC 5321).
MAX_EMAIL = 254
#: Parts nested deeper than this are not looked into for text or attachments.
MAX_DEPTH = 60
#: How much of the body the reply parser reads, and how much of each line (see ``_reply_part``).
REPLY_SCAN_CHARS = 64_000
REPLY_SCAN_LINE = 300


class Unparseable(InvalidInput):
    """The bytes are not a mail message that can be read; the message says why, in one line."""


@dataclass(frozen=True)
class Address:
    name: str  # decoded (RFC 2047), one line, control characters removed; may be ""
    email: str  # lower case, stripped


@dataclass(frozen=True)
class AttachmentInfo:
    position: int  # the part's index in ``message.walk()``
    filename: str  # inert (see ``safe_filename``)
    content_type: str
    size: int  # bytes of the decoded payload


@dataclass(frozen=True)
class Parsed:
    message_id: str | None
    in_reply_to: tuple[str, ...]
    references: tuple[str, ...]
    subject: str
    sender: Address | None
    reply_to: Address | None
    to: tuple[Address, ...]
    cc: tuple[Address, ...]
    delivered_to: tuple[str, ...]
    date: datetime | None
    text: str
    reply: str
    attachments: tuple[AttachmentInfo, ...]
    message: EmailMessage


# --- cleaning hostile text -----------------------------------------------------------------------

#: Terminal escape sequences, 7-bit (ESC …) and 8-bit (C1 CSI/OSC/DCS …): CSI with its parameters,
#: string commands (OSC, DCS, SOS, PM, APC) up to their terminator (BEL or ST) or the end of the
#: line, and two-character escapes. What is left of a broken one goes with the control characters.
_ESCAPES = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c\n]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[ -/]*[0-~]?"
)
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
#: Removed from bodies: C0 controls except tab and newline, DEL, C1, bidi controls, lone surrogates.
_BODY_UNSAFE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}\ud800-\udfff]")
#: Removed from one-line text (after whitespace became spaces).
_LINE_UNSAFE = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI}\ud800-\udfff]")
_LINE_SPACES = re.compile(r"[\t\n\r\f\v\u2028\u2029 ]+")


def _clean_body(value: str) -> str:
    """Multi-line text: CR LF and lone CR become LF; escapes and other controls are removed."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = _ESCAPES.sub("", value)
    return _BODY_UNSAFE.sub("", value)


def _clean_line(value: str) -> str:
    """One line: escapes removed, runs of whitespace (newlines, tabs) one space, controls removed."""
    value = _ESCAPES.sub("", value)
    value = _LINE_SPACES.sub(" ", value)
    return _LINE_UNSAFE.sub("", value).strip()


def safe_filename(name: str) -> str:
    """``name`` made inert for listing and saving: the last path segment only (``/`` and ``\\``
    both separate), no escape, control or bidi character, no leading dot or space, at most 255
    bytes of UTF-8 with the extension kept; "attachment" when nothing is left."""
    value = _ESCAPES.sub("", str(name))
    value = _LINE_SPACES.sub(" ", _LINE_UNSAFE.sub("", _LINE_SPACES.sub(" ", value)))  # idempotent: spaces last
    segments = [part.strip() for part in value.replace("\\", "/").split("/")]
    segments = [part for part in segments if part.strip(". ")]
    value = segments[-1] if segments else ""
    value = value.lstrip(". ").rstrip()
    if not value:
        return "attachment"
    if len(value.encode("utf-8")) <= 255:
        return value
    stem, dot, extension = value.rpartition(".")
    if not dot or not stem or len(extension.encode("utf-8")) > 32 or " " in extension:
        stem, extension = value, ""
    else:
        extension = "." + extension
    room = 255 - len(extension.encode("utf-8"))
    stem = stem.encode("utf-8")[:room].decode("utf-8", "ignore").rstrip()
    return (stem + extension) if stem else value.encode("utf-8")[:255].decode("utf-8", "ignore")


# --- charsets ------------------------------------------------------------------------------------

#: Labels that mail clients use for a codec Python names otherwise (or for a superset of it).
_CHARSET_ALIASES = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "ks_c_5601-1987": "cp949",
    "iso-8859-8-i": "iso-8859-8",
    "tis-620": "cp874",
    "windows-874": "cp874",
    "x-sjis": "shift_jis",
    "unicode-1-1-utf-7": "utf-7",
    # What senders label Latin-1 is almost always Windows-1252 (curly quotes, the euro sign).
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
}
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]+")


def _codec(label: str | None) -> str | None:
    """A Python codec name for a declared charset label, or None when it is unknown."""
    if not label or not isinstance(label, str):
        return None
    label = label.strip().strip("\"'").lower()
    label = _CHARSET_ALIASES.get(label, label)
    try:
        return codecs.lookup(label).name
    except (LookupError, ValueError):
        return None


def _decode(data: bytes, label: str | None) -> str:
    """Bytes to text: the declared charset if it decodes them, else UTF-8; failing both, the
    declared charset with replacement characters, or for an unknown (or "us-ascii", which
    8-bit mail often wrongly claims) one UTF-8 with replacements when the bytes hold UTF-8
    sequences, else Windows-1252 with replacements."""
    declared = _codec(label)
    for codec in (declared, "utf-8") if declared != "utf-8" else ("utf-8",):
        if codec is None:
            continue
        try:
            return data.decode(codec)
        except (UnicodeDecodeError, LookupError, ValueError):
            continue
    if declared is not None and declared not in ("utf-8", "ascii"):
        try:
            return data.decode(declared, "replace")
        except (LookupError, ValueError):
            pass
    if _UTF8_SEQUENCE.search(data):
        return data.decode("utf-8", "replace")
    return data.decode("cp1252", "replace")


def _unescape_8bit(value: str) -> str:
    """A header as the parser keeps it (8-bit bytes as surrogates) to text: UTF-8, else 1252."""
    if not any("\udc80" <= ch <= "\udcff" for ch in value):
        return value
    return _decode(value.encode("utf-8", "surrogateescape"), None)


_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=")


def _word_bytes(encoding: str, payload: str) -> bytes | None:
    try:
        if encoding in "bB":
            cleaned = payload.rstrip("=")
            return base64.b64decode(cleaned + "=" * (-len(cleaned) % 4), validate=True)
        return quopri.decodestring(payload.replace("_", " ").encode("ascii", "replace"), header=True)
    except (binascii.Error, ValueError):
        return None


def _decode_header(raw: str) -> str:
    """A raw header value to text: RFC 2047 words decoded (adjacent words of one charset joined
    as bytes first, so a character split between two words survives), raw 8-bit bytes decoded."""
    value = re.sub(r"\r?\n(?=[ \t])", "", raw)
    value = _unescape_8bit(value)
    pieces: list[str] = []
    pending: tuple[str | None, bytearray] | None = None
    position = 0
    for match in _ENCODED_WORD.finditer(value):
        between = value[position : match.start()]
        decoded = _word_bytes(match.group(2), match.group(3))
        if decoded is None:
            continue  # left as it is, with the text around it
        charset = match.group(1).split("*", 1)[0]
        if pending is not None and between.strip() == "" and pending[0] == charset:
            pending[1].extend(decoded)
        else:
            if pending is not None:
                pieces.append(_decode(bytes(pending[1]), pending[0]))
                if between.strip() != "":
                    pieces.append(between)
            else:
                pieces.append(between)
            pending = (charset, bytearray(decoded))
        position = match.end()
    if pending is not None:
        pieces.append(_decode(bytes(pending[1]), pending[0]))
    pieces.append(value[position:])
    return "".join(pieces)


# --- headers -------------------------------------------------------------------------------------


def _raw_headers(message: Message, name: str) -> list[str]:
    """Every raw value of header ``name``, in order, as the parser read it."""
    wanted = name.lower()
    return [str(value) for key, value in message.raw_items() if str(key).lower() == wanted]


def _first_raw(message: Message, name: str) -> str | None:
    values = _raw_headers(message, name)
    return values[0] if values else None


def _ids(raw: str | None) -> tuple[str, ...]:
    """Message-IDs in a header, without <>, in order, each once. Bracketed ids when there are any
    (a comment after them is ignored), else the whitespace-separated words."""
    if not raw:
        return ()
    value = _unescape_8bit(raw)
    if "<" in value:
        found = [re.sub(r"\s+", "", token) for token in re.findall(r"<([^<>]*)>", value)]
    else:
        found = value.split()
    ids: list[str] = []
    for token in found:
        token = token.strip("<>")
        if not token or len(token) > MAX_ID or _LINE_UNSAFE.search(token) or token in ids:
            continue
        ids.append(token)
    return tuple(ids)


def _usable_email(value: str) -> str | None:
    value = _unescape_8bit(str(value or "")).strip().strip("<>").strip().lower()
    local, at, domain = value.partition("@")
    if not at or not local or not domain or "@" in domain or len(value) > MAX_EMAIL:
        return None
    if any(ch.isspace() for ch in value) or _LINE_UNSAFE.search(value) or "<" in value or ">" in value:
        return None
    return value


def _addresses(message: Message, name: str) -> tuple[Address, ...]:
    """The usable addresses of every ``name`` header, in order, each address once."""
    found: list[Address] = []
    for raw in _raw_headers(message, name):
        pairs: list[tuple[str, str]] = []
        try:
            header = message.policy.header_factory(name, re.sub(r"\r?\n(?=[ \t])", "", raw))
            for address in header.addresses:
                display = _unescape_8bit(address.display_name or "")
                if "=?" in display:
                    display = _decode_header(display)
                pairs.append((display, address.addr_spec))
        except Exception:  # the strict parser refused it: the lenient one reads what it can
            pairs = [
                (_decode_header(display), spec) for display, spec in email_utils.getaddresses([_unescape_8bit(raw)])
            ]
        for display, spec in pairs:
            email = _usable_email(spec)
            if email and all(known.email != email for known in found):
                found.append(Address(name=_clean_line(display), email=email))
    return tuple(found)


def _date(raw: str | None) -> datetime | None:
    if not raw:
        return None
    try:
        when = email_utils.parsedate_to_datetime(_unescape_8bit(raw).strip())
    except Exception:  # (TypeError, ValueError, OverflowError, IndexError) on garbage
        return None
    if when is None:
        return None
    if when.tzinfo is not None:
        try:
            when = when.astimezone(UTC).replace(tzinfo=None)
        except (OverflowError, ValueError):
            return None
    return when


# --- the parts of a message ----------------------------------------------------------------------


def _walk(message: Message) -> Iterator[Message]:
    """``message.walk()`` without recursion (a hostile nesting cannot exhaust the stack)."""
    stack = [message]
    while stack:
        part = stack.pop()
        yield part
        if part.is_multipart():
            stack.extend(reversed(part.get_payload()))


_HEADS: WeakKeyDictionary[Message, Message] = WeakKeyDictionary()


def _head(part: Message) -> Message:
    """The part's MIME headers in a compat32 ``Message``, for reading its type and parameters:
    ``email.policy.default`` builds a header object (a full parse) on every call of
    ``get_content_type``, ``get_param`` or ``get_filename``, and that was most of the time spent
    reading a message. compat32 reads the same raw text with the same rules, lazily."""
    head = _HEADS.get(part)
    if head is None:
        head = Message(policy=email_policy.compat32)
        for name, value in part.raw_items():
            if str(name).lower().startswith("content-"):
                head[name] = value
        _HEADS[part] = head
    return head


def _ctype(part: Message) -> str:
    """``part.get_content_type()``; in a multipart/digest a part without one is message/rfc822."""
    head = _head(part)
    if "content-type" not in head:
        return part.get_default_type()
    return head.get_content_type()


def _param(part: Message, name: str) -> str:
    try:
        value = _head(part).get_param(name)
    except Exception:
        return ""
    if isinstance(value, tuple):
        value = email_utils.collapse_rfc2231_value(value)
    return str(value or "")


def _filename(part: Message) -> str | None:
    try:
        name = _head(part).get_filename()
    except Exception:
        return None
    if not name:
        return None
    name = _unescape_8bit(str(name))
    return _decode_header(name) if "=?" in name else name


def _disposition(part: Message) -> str | None:
    try:
        return _head(part).get_content_disposition()
    except Exception:
        return None


def _is_attachment(part: Message, *, in_related: bool) -> bool:
    """A file rather than the text: a part marked attachment, a whole message, a named part that
    is not plain text or HTML, an unnamed non-text part outside multipart/related (where unnamed
    parts are the pictures of the HTML)."""
    ctype = _ctype(part)
    if ctype in ("message/rfc822", "message/global"):
        return True
    if part.is_multipart():
        return False
    if _disposition(part) == "attachment":
        return True
    maintype = _ctype(part).partition("/")[0]
    if maintype == "text":
        return ctype not in ("text/plain", "text/html") and _filename(part) is not None
    if maintype == "message":  # delivery-status, disposition-notification: read by automatic.py
        return False
    return _filename(part) is not None or not in_related


def _message_bytes(message: Message) -> bytes:
    """An enclosed message as bytes: as it was sent, through the ``email`` generator, which
    writes parsed headers and bodies back unchanged; if the generator refuses a damaged one
    (it cannot write 8-bit bytes in a multipart whose boundary is missing), rebuilt here."""
    buffer = BytesIO()
    generator_policy = email_policy.default.clone(refold_source="none", max_line_length=0)
    try:
        BytesGenerator(buffer, mangle_from_=False, policy=generator_policy).flatten(message)
        return buffer.getvalue()
    except Exception:
        return _rebuilt(message, 0)


def _rebuilt(message: Message, depth: int) -> bytes:
    head = b"".join(f"{name}: {value}\n".encode("utf-8", "surrogateescape") for name, value in message.raw_items())
    if depth > MAX_DEPTH:
        return head + b"\n"
    if not message.is_multipart():
        encoding = str(message.get("content-transfer-encoding", "")).strip().lower()
        if encoding in ("", "7bit", "8bit", "binary"):
            body = message.get_payload(decode=True)
            if isinstance(body, bytes):
                return head + b"\n" + body
        return head + b"\n" + str(message.get_payload()).encode("utf-8", "surrogateescape")
    parts = message.get_payload()
    if _ctype(message).partition("/")[0] == "message":
        return head + b"\n" + b"".join(_rebuilt(part, depth + 1) for part in parts)
    boundary = (message.get_boundary() or "").encode("utf-8", "surrogateescape")
    body = [(message.preamble or "").encode("utf-8", "surrogateescape")]
    for part in parts:
        body.append(b"\n--" + boundary + b"\n" + _rebuilt(part, depth + 1))
    body.append(b"\n--" + boundary + b"--\n" + (message.epilogue or "").encode("utf-8", "surrogateescape"))
    return head + b"\n" + b"".join(body)


def _payload(part: Message) -> bytes:
    """The decoded bytes of a leaf part; a whole enclosed message as its bytes."""
    if _ctype(part) in ("message/rfc822", "message/global") and part.is_multipart():
        inner = part.get_payload()
        return _message_bytes(inner[0]) if inner else b""
    if part.is_multipart():
        return b""
    data = part.get_payload(decode=True)
    if isinstance(data, bytes):
        return data
    payload = part.get_payload()
    return payload.encode("utf-8", "surrogateescape") if isinstance(payload, str) else b""


def _attachment_name(part: Message) -> str:
    name = _filename(part)
    if name:
        return safe_filename(name)
    if _ctype(part) in ("message/rfc822", "message/global"):
        inner = part.get_payload()
        subject = ""
        if isinstance(inner, list) and inner:
            subject = _clean_line(_decode_header(_first_raw(inner[0], "subject") or ""))
        return safe_filename(f"{subject[:200]}.eml") if subject else "message.eml"
    extension = mimetypes.guess_extension(_ctype(part)) or ""
    return "attachment" + extension


def _attachments(message: Message) -> tuple[AttachmentInfo, ...]:
    positions = {id(part): index for index, part in enumerate(_walk(message))}
    found: list[AttachmentInfo] = []

    def visit(part: Message, depth: int, in_related: bool) -> None:
        if depth > MAX_DEPTH:
            return
        if _is_attachment(part, in_related=in_related):
            found.append(
                AttachmentInfo(
                    position=positions[id(part)],
                    filename=_attachment_name(part),
                    content_type=_clean_line(_ctype(part))[:255],
                    size=len(_payload(part)),
                )
            )
            return  # an enclosed message's own parts are its business
        if part.is_multipart():
            related = _ctype(part) == "multipart/related"
            for child in part.get_payload():
                visit(child, depth + 1, related)

    visit(message, 0, False)
    return tuple(found)


# --- text ----------------------------------------------------------------------------------------

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def _part_text(part: Message) -> str:
    data = _payload(part)
    try:
        label = _head(part).get_content_charset()
    except Exception:
        label = None
    if label is None and _ctype(part).partition("/")[2] == "html":
        sniffed = _META_CHARSET.search(data[:4096])
        label = sniffed.group(1).decode("ascii") if sniffed else None
    text = _decode(data, label).replace("\r\n", "\n")
    if _ctype(part).partition("/")[2] == "plain" and _param(part, "format").lower() == "flowed":
        text = _unflow(text, delsp=_param(part, "delsp").lower() == "yes")
    return text


def _unflow(text: str, *, delsp: bool) -> str:
    """RFC 3676 format=flowed to plain lines: soft breaks joined, quote depth as ``> `` prefixes."""
    lines: list[str] = []
    current: tuple[int, str] | None = None
    for line in text.split("\n"):
        depth = len(line) - len(line.lstrip(">"))
        content = line[depth:]
        if content.startswith(" "):
            content = content[1:]
        flowed = content.endswith(" ") and content != "-- "
        if flowed and delsp:
            content = content[:-1]
        if current is not None and current[0] == depth:
            current = (depth, current[1] + content)
        else:
            if current is not None:
                lines.append(_quoted(*current))
            current = (depth, content)
        if not flowed:
            lines.append(_quoted(*current))
            current = None
    if current is not None:
        lines.append(_quoted(*current))
    return "\n".join(lines)


def _quoted(depth: int, content: str) -> str:
    return ("> " * depth + content) if content else (">" * depth)


class _Chunks:
    """The readable text of a message: pieces of body text and the footnotes of their links."""

    def __init__(self) -> None:
        self.pieces: list[str] = []
        self.notes: list[str] = []

    def add(self, text: str) -> None:
        text = _clean_body(text).strip("\n")
        if text.strip():
            self.pieces.append(text)


def _has_text(part: Message, depth: int = 0) -> tuple[bool, bool]:
    """(has text/plain with words, has any text) below ``part``, as ``_collect`` would take it."""
    if depth > MAX_DEPTH or _is_attachment(part, in_related=False):
        return False, False
    if part.is_multipart():
        children = [_has_text(child, depth + 1) for child in part.get_payload()]
        return any(plain for plain, _ in children), any(some for _, some in children)
    if _ctype(part) == "text/plain":
        words = bool(_part_text(part).strip())
        return words, words
    if _ctype(part) == "text/html":
        return False, True
    return False, False


def _collect(part: Message, chunks: _Chunks, depth: int = 0, in_related: bool = False) -> None:
    """Add the readable text of ``part``: from an alternative the last text/plain one (else the
    last one with text), from related its root, from anything else every inline text part."""
    if depth > MAX_DEPTH or _is_attachment(part, in_related=in_related):
        return
    ctype = _ctype(part)
    if part.is_multipart():
        children = part.get_payload()
        if not children:
            return
        if ctype == "multipart/alternative":
            scored = [_has_text(child, depth + 1) for child in children]
            plain = [child for child, (has_plain, _) in zip(children, scored) if has_plain]
            some = [child for child, (_, has_any) in zip(children, scored) if has_any]
            chosen = plain[-1] if plain else (some[-1] if some else None)
            if chosen is not None:
                _collect(chosen, chunks, depth + 1)
        elif ctype == "multipart/related":
            root = children[0]
            start = _param(part, "start")
            if start:
                for child in children:
                    if str(_head(child).get("content-id", "")).strip() == start.strip():
                        root = child
            _collect(root, chunks, depth + 1, in_related=True)
        elif ctype == "multipart/signed":
            _collect(children[0], chunks, depth + 1)
        elif ctype != "multipart/encrypted":
            for child in children:
                _collect(child, chunks, depth + 1)
        return
    if ctype == "text/plain":
        chunks.add(_part_text(part))
    elif ctype == "text/html":
        chunks.add(html_to_text(_part_text(part), chunks.notes))


# --- HTML to text --------------------------------------------------------------------------------

_SKIP = {"script", "style", "title", "template", "svg", "math", "object", "noscript", "iframe", "head"}
_BREAK = {"div", "li", "tr", "dt", "dd", "blockquote", "section", "article", "header", "footer", "nav", "aside"}
_BREAK |= {"address", "figure", "figcaption", "form", "fieldset", "main", "center", "caption", "body", "html"}
_PARAGRAPH = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "dl", "table", "pre", "hr"}
_HTML_SPACES = re.compile(r"[ \t\n\r\f\v\xa0]+")
_LINK_SCHEMES = ("http://", "https://", "ftp://", "mailto:")


class _HtmlText(HTMLParser):
    """HTML to plain lines. Text, line and paragraph breaks go into a list of tokens; ``text()``
    lays them out with ``> `` for each blockquote level and collapses blank lines."""

    def __init__(self, notes: list[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.notes = notes
        self.tokens: list[tuple] = []
        self.skipping: list[str] = []
        self.depth = 0
        self.pre = 0
        self.lists: list[list] = []  # per open list: [ordered, counter]
        self.paragraphs: list[int] = []  # per open <p>: the newlines that end it
        self.links: list[tuple[str | None, int]] = []  # (href, index of the first token inside)

    # tokens: ("t", text, depth, raw) text; ("b", n) a break of n newlines; ("br", depth) a line end
    def _text(self, text: str, raw: bool = False) -> None:
        self.tokens.append(("t", text, self.depth, raw or self.pre > 0))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skipping:
            if tag in _SKIP:
                self.skipping.append(tag)
            return
        if tag == "body":  # a head that was never closed ends here
            self.skipping.clear()
        if tag in _SKIP:
            self.skipping.append(tag)
            return
        values = {key: (value or "") for key, value in attrs}
        if tag == "br":
            self.tokens.append(("br", self.depth))
        elif tag == "p":
            # Outlook's paragraphs have no margin: one line each; others are set apart
            self.paragraphs.append(1 if "msonormal" in values.get("class", "").lower() else 2)
            self.tokens.append(("b", self.paragraphs[-1]))
        elif tag in _PARAGRAPH:
            self.tokens.append(("b", 2))
            if tag == "hr":
                self._text("----", raw=True)
                self.tokens.append(("b", 2))
            elif tag == "pre":
                self.pre += 1
            elif tag in ("ul", "ol"):
                self.lists.append([tag == "ol", 0])
        elif tag in _BREAK:
            self.tokens.append(("b", 1))
            if tag == "blockquote":
                self.depth += 1
            elif tag == "li":
                bullet = "- "
                if self.lists:
                    self.lists[-1][1] += 1
                    bullet = f"{self.lists[-1][1]}. " if self.lists[-1][0] else "- "
                self._text("  " * max(len(self.lists) - 1, 0) + bullet, raw=True)
        elif tag in ("td", "th"):
            self._text(" ")
        elif tag == "img":
            alt = _HTML_SPACES.sub(" ", values.get("alt", "")).strip()
            tiny = values.get("width", "").strip() in ("0", "1") or values.get("height", "").strip() in ("0", "1")
            if alt:
                self._text(f" [image: {alt}] ")
            elif not tiny:  # a tracking pixel says nothing
                self._text(" [image] ")
        elif tag == "a":
            self.links.append((values.get("href"), len(self.tokens)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in ("br", "img", "hr"):
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.skipping:
            if tag in self.skipping:
                while self.skipping and self.skipping.pop() != tag:
                    pass
            return
        if tag == "p":
            self.tokens.append(("b", self.paragraphs.pop() if self.paragraphs else 2))
        elif tag in _PARAGRAPH:
            self.tokens.append(("b", 2))
            if tag == "pre":
                self.pre = max(self.pre - 1, 0)
            elif tag in ("ul", "ol") and self.lists:
                self.lists.pop()
        elif tag in _BREAK:
            self.tokens.append(("b", 1))
            if tag == "blockquote":
                self.depth = max(self.depth - 1, 0)
        elif tag == "a" and self.links:
            href, start = self.links.pop()
            self._footnote(href, start)

    def _footnote(self, href: str | None, start: int) -> None:
        target = _clean_line(href or "")
        if not target.lower().startswith(_LINK_SCHEMES):
            return  # javascript:, cid:, #anchors and relative links say nothing outside the mail
        shown = " ".join("".join(token[1] for token in self.tokens[start:] if token[0] == "t").split())
        bare = target[7:] if target.lower().startswith("mailto:") else target
        if shown.rstrip("/") in (target.rstrip("/"), bare.rstrip("/")):
            return  # the link shows its own address
        if target not in self.notes:
            self.notes.append(target)
        self._text(f" [{self.notes.index(target) + 1}]")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self._text(data)

    def text(self) -> str:
        lines: list[tuple[int, str]] = []
        current: list | None = None  # [depth, text]
        blank = 0  # blank lines owed before the next line of text

        def finish() -> None:
            nonlocal current
            if current is not None:
                lines.append((current[0], current[1].rstrip()))
                current = None

        def start(depth: int) -> None:
            nonlocal current, blank
            if lines and blank:
                lines.append((min(depth, lines[-1][0]), ""))
            blank = 0
            current = [depth, ""]

        for token in self.tokens:
            if token[0] == "b":
                finish()
                blank = max(blank, token[1] - 1)
            elif token[0] == "br":
                if current is None:
                    start(token[1])
                finish()
            else:
                _, data, depth, raw = token
                if raw and "\n" in data:  # preformatted text keeps its lines
                    for index, piece in enumerate(data.split("\n")):
                        if index:
                            if current is None:
                                start(depth)
                            finish()
                        if piece:
                            if current is None:
                                start(depth)
                            current[1] += piece
                    continue
                if not raw:
                    only_space = not data.strip(" \t\n\r\f\v\xa0")
                    data = _HTML_SPACES.sub(" ", data)
                    if current is None:
                        if only_space and "\xa0" in token[1]:
                            start(depth)  # Outlook's "&nbsp;" paragraph is a blank line
                            finish()
                            continue
                        data = data.lstrip()
                        if not data:
                            continue
                    elif current[1].endswith(" ") and data.startswith(" "):
                        data = data[1:]
                if current is None:
                    start(depth)
                current[1] += data
        finish()
        out: list[str] = []
        for depth, content in lines:
            line = ("> " * depth + content) if content else ">" * depth
            if not line.strip() and out and not out[-1].strip():
                continue
            if line.startswith(">") and not content and out and out[-1] == line:
                continue
            out.append(line)
        return "\n".join(out).strip("\n")


def html_to_text(html: str, notes: list[str] | None = None) -> str:
    """Readable text of an HTML body. Links become ``text [n]`` and their addresses are appended
    to ``notes`` (numbered from 1, each address once); nothing is fetched."""
    converter = _HtmlText(notes if notes is not None else [])
    try:
        converter.feed(html)
        converter.close()
    except Exception:  # html.parser is lenient; whatever it still refuses, we keep what it read
        pass
    while converter.links:  # a link left open at the end still gets its footnote
        href, start = converter.links.pop()
        converter._footnote(href, start)
    return converter.text()


# --- the reply -----------------------------------------------------------------------------------


def _notes_block(notes: list[str], numbers: list[int] | None = None) -> str:
    chosen = numbers if numbers is not None else list(range(1, len(notes) + 1))
    return "\n".join(f"[{number}] {_clean_line(notes[number - 1])}" for number in chosen)


#: What a cut can leave at the end of the new part: a rule, "-- ", the line that opens a forward.
_TRAILING_MARKS = re.compile(
    r"(?:\n[ \t>]*(?:[-_=*~]{2,}|-+ ?(?:forwarded message|original message|messaggio (?:inoltrato|originale)) ?-+"
    r"|begin forwarded message:|inizio messaggio inoltrato:)[ \t]*)+\Z",
    re.IGNORECASE,
)


def _reply_part(body: str) -> str | None:
    """The new part of ``body`` (quoted history, headers and signature cut away) by
    mail-parser-reply, or None when it finds nothing to cut or fails. Its patterns take time
    quadratic in a line's length, so it reads at most ``REPLY_SCAN_CHARS`` characters, and lines
    longer than ``REPLY_SCAN_LINE`` (never a quote header) are shortened and restored after."""
    from mailparser_reply import EmailMessage as ReplyMessage

    scanned = body[:REPLY_SCAN_CHARS]
    long_lines: dict[int, str] = {}
    shortened: list[str] = []
    for number, line in enumerate(scanned.split("\n")):
        if len(line) > REPLY_SCAN_LINE:
            long_lines[number] = line.strip()
            line = f"{line[:REPLY_SCAN_LINE]}\x00{number}\x00"
        shortened.append(line)
    try:
        replies = ReplyMessage(text="\n".join(shortened), languages=["it", "en"], keep_hyphen_lists=True).read()
        reply = replies.replies[0].body if replies.replies else ""
    except Exception:
        return None
    if not reply.strip():
        return None
    if len(replies.replies) < 2 and len(body) > REPLY_SCAN_CHARS:
        return None  # no quote in what was read: the whole text is new
    if long_lines:
        marker = re.compile(r"^.*\x00(\d+)\x00.*$", re.MULTILINE)
        reply = marker.sub(lambda m: long_lines.get(int(m.group(1)), ""), reply)
    reply = reply.replace("\x00", "")
    normalized = "\n".join(line.strip() for line in body.split("\n")).strip()
    if reply.strip() == normalized:
        return None
    return _TRAILING_MARKS.sub("", reply.rstrip()).strip("\n") or None


# --- parsing -------------------------------------------------------------------------------------


def _message(data: bytes) -> EmailMessage:
    if not isinstance(data, bytes | bytearray | memoryview):
        raise Unparseable("the message is not bytes")
    data = bytes(data)
    if not data.strip():
        raise Unparseable("the message is empty")
    try:
        message = BytesParser(policy=email_policy.default).parsebytes(data)
    except RecursionError:
        raise Unparseable("the message nests its parts too deeply to be read") from None
    except Exception as error:
        raise Unparseable(f"the message could not be read ({type(error).__name__})") from None
    if not list(message.raw_items()):
        raise Unparseable("not a mail message: it has no header lines")
    return message  # type: ignore[return-value]


def parse(data: bytes) -> Parsed:
    """Everything Sportello reads from a raw message. Raises :class:`Unparseable` only for bytes
    that are not a mail message at all (empty, no header); anything else reads with fallbacks."""
    message = _message(data)
    try:
        return _parsed(message)
    except Unparseable:
        raise
    except RecursionError:
        raise Unparseable("the message nests its parts too deeply to be read") from None
    except Exception as error:  # a defect no fallback foresaw: quarantined, not a crash
        raise Unparseable(
            _clean_line(f"the message could not be read ({type(error).__name__}: {error})")[:200]
        ) from None


def _parsed(message: EmailMessage) -> Parsed:
    sender = next(iter(_addresses(message, "from")), None)
    if sender is None:
        sender = next(iter(_addresses(message, "sender")), None)
    if sender is None:
        sender = next(iter(_addresses(message, "return-path")), None)
    delivered: list[str] = []
    for header in ("delivered-to", "x-original-to", "envelope-to"):
        for raw in _raw_headers(message, header):
            for piece in re.split(r"[,\s]+", raw):
                email = _usable_email(piece)
                if email and email not in delivered:
                    delivered.append(email)
    message_ids = _ids(_first_raw(message, "message-id"))
    in_reply_to: list[str] = []
    for raw in _raw_headers(message, "in-reply-to"):
        in_reply_to.extend(token for token in _ids(raw) if token not in in_reply_to)
    references: list[str] = []
    for raw in _raw_headers(message, "references"):
        references.extend(token for token in _ids(raw) if token not in references)

    chunks = _Chunks()
    _collect(message, chunks)
    body = "\n\n".join(chunks.pieces)
    notes = [_clean_line(note) for note in chunks.notes]
    text = body + ("\n\n" + _notes_block(notes) if notes else "")
    reply = _reply_part(body) if body.strip() else None
    if reply is None:
        reply = text
    elif notes:
        cited = sorted({int(n) for n in re.findall(r"\[(\d{1,6})\]", reply) if 1 <= int(n) <= len(notes)})
        if cited:
            reply += "\n\n" + _notes_block(notes, cited)

    return Parsed(
        message_id=message_ids[0] if message_ids else None,
        in_reply_to=tuple(in_reply_to),
        references=tuple(references),
        subject=_clean_line(_decode_header(_first_raw(message, "subject") or "")),
        sender=sender,
        reply_to=next(iter(_addresses(message, "reply-to")), None),
        to=_addresses(message, "to"),
        cc=_addresses(message, "cc"),
        delivered_to=tuple(delivered),
        date=_date(_first_raw(message, "date")),
        text=text,
        reply=reply,
        attachments=_attachments(message),
        message=message,
    )


def attachment_bytes(data: bytes, position: int) -> bytes:
    """The decoded payload of the part at ``position`` in ``message.walk()`` (as listed in
    ``Parsed.attachments``): the file's bytes, or an enclosed message's bytes."""
    message = _message(data)
    for index, part in enumerate(_walk(message)):
        if index == position:
            if part.is_multipart() and _ctype(part) not in ("message/rfc822", "message/global"):
                raise NotFound(f"part {position} of the message is not a file")
            return _payload(part)
    raise NotFound(f"the message has no part {position}")
