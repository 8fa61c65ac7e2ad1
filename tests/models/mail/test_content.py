"""models.mail.content: raw bytes to what Sportello reads from a message.

The golden tests run over a corpus of messages written by hand in the shapes real clients send
(tests/models/mail/corpus/*.eml); every expectation below was read off the message and checked by
hand, not generated. The other tests pin the fallbacks: charsets that lie or do not exist, headers
that do not parse, hostile text, HTML, file names, and bytes that are not mail at all.
"""

from __future__ import annotations

import socket
import time
from datetime import datetime
from email import message_from_bytes
from email import policy as email_policy
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models.errors import InvalidInput, NotFound
from models.mail import content
from models.mail.content import Address, Unparseable, attachment_bytes, html_to_text, parse, safe_filename

CORPUS = Path(__file__).parent / "corpus"

DESK = Address("Sportello Support", "support@desk.example")
PDF_SIZE = 1095  # the invoice and order PDFs of the corpus
PNG_SIZE = 93  # the inline pictures of the corpus

# --- the golden corpus ---------------------------------------------------------------------------
#
# For each message: the headers as read, the first lines of the reply (the new part) and, when the
# reply is cut, ``quoted``: a line of the history that the reply must not hold but the text must;
# ``text_has``: lines of the whole text; the attachments as (file name, content type, size).

GOLDEN: dict[str, dict] = {
    "gmail_alternative.eml": {
        "subject": "Re: [#42] Printer on fire",
        "sender": Address("Mario Rossi", "mario.rossi@gmail.com"),
        "message_id": "CAKx9q=Yh3+PQ_xw5zQ@mail.gmail.com",
        "in_reply_to": ("sportello.42.1001.a1b2c3d4@desk.example",),
        "references": ("sportello.42.1001.a1b2c3d4@desk.example",),
        "to": (DESK,),
        "cc": (Address("", "anna.verdi@rossi-figli.example"),),
        "delivered_to": ("support@desk.example",),
        "date": datetime(2025, 3, 3, 10, 31, 5),
        "reply": "Ciao,\n\nthe printer still jams on page two. I tried the tray reset you suggested.",
        "quoted": "> please reset the paper tray and try again.",
        "text_has": ["--\nMario Rossi\nRossi & Figli"],
        "attachments": [],
    },
    "gmail_italian.eml": {
        "subject": "Re: [#42] Stampante bloccata",
        "sender": Address("Nicolò Ferrà", "nicolo.ferra@gmail.com"),
        "message_id": "CAHq7r0a+Zx9Lw@mail.gmail.com",
        "in_reply_to": ("sportello.42.1002.e5f6a7b8@desk.example",),
        "references": ("sportello.42.1001.a1b2c3d4@desk.example", "sportello.42.1002.e5f6a7b8@desk.example"),
        "to": (Address("Supporto Sportello", "assistenza@desk.example"),),
        "delivered_to": ("assistenza@desk.example",),
        "date": datetime(2025, 3, 3, 11, 2, 44),
        # Gmail wrapped "… ha scritto:" over two lines; the cut still finds it
        "reply": "Buongiorno,\n\nho provato di nuovo ma la stampante è ancora bloccata. Può mandare un tecnico?\n\nGrazie",
        "quoted": "> provi a spegnere e riaccendere la stampante.",
        "attachments": [],
    },
    "outlook_alternative.eml": {
        "subject": "RE: [#57] Wrong invoice",
        "sender": Address("Laura Bianchi", "l.bianchi@bianchi-srl.example"),
        "message_id": "AM9PR07MB71230A1B2C3D4E5F6A7B8C9D0E1F2A3B4C5D6@AM9PR07MB7123.eurprd07.prod.outlook.com",
        "in_reply_to": ("sportello.57.2001.0badc0de@desk.example",),
        "references": ("sportello.57.2001.0badc0de@desk.example",),
        "to": (DESK,),
        "date": datetime(2025, 3, 3, 9, 40, 11),
        # "Best regards" starts the signature; "From: … Sent: …" the history
        "reply": "Hello,\n\nthe invoice for March is attached. Could you check line 3?",
        "quoted": "we need the invoice number.",
        "text_has": ["Best regards\nLaura Bianchi", "Sent: Monday, March 3, 2025 10:15 AM"],
        # the name is an RFC 2047 word inside a quoted parameter, as Outlook writes it
        "attachments": [("Fattura marzo – 2025.pdf", "application/pdf", PDF_SIZE)],
    },
    "outlook_web_html.eml": {
        "subject": "Re: [#61] VPN down",
        "sender": Address("Paolo Ferri", "paolo@ferri.example"),
        "message_id": "DB9PR02MB7345D5F1C0A1F2B3C4D5E6F7A8B9@DB9PR02MB7345.eurprd02.prod.outlook.com",
        "in_reply_to": ("sportello.61.3001.cafef00d@desk.example",),
        "references": ("sportello.61.3001.cafef00d@desk.example",),
        "to": (Address("support@desk.example", "support@desk.example"),),
        "date": datetime(2025, 3, 3, 8, 5, 17),
        # HTML only (ISO-8859-1, quoted-printable): the logo is named, not fetched; the rule before
        # "-----Original Message-----" is not left dangling at the end of the reply
        "reply": "The VPN works again since this morning, thank you!\nYou can close the ticket.\n\n[image: Ferri logo]",
        "quoted": "We restarted the gateway. Does it work now?",
        "text_has": ["-----Original Message-----\nFrom: Sportello Support <support@desk.example>"],
        "attachments": [("image001.png", "image/png", PNG_SIZE)],
    },
    "apple_mail.eml": {
        "subject": "Re: [#63] Error on boot",
        "sender": Address("Giulia Conti", "giulia.conti@icloud.com"),
        "message_id": "8D7C6B5A-4F3E-2D1C-0B9A-887766554433@icloud.com",
        "in_reply_to": ("sportello.63.4001.deadbeef@desk.example",),
        "references": ("sportello.63.4001.deadbeef@desk.example",),
        "date": datetime(2025, 3, 3, 9, 48, 2),
        "reply": "Here is a photo of the error on the screen.\n\n[image: IMG_0042.png]\n\nGiulia",
        "quoted": "> Could you send us a screenshot?",
        # the photo sits inline in multipart/related and still counts as an attachment
        "attachments": [("IMG_0042.png", "image/png", PNG_SIZE)],
    },
    "thunderbird_flowed.eml": {
        "subject": "Re: [#70] Backup failed",
        "sender": Address("Luca Neri", "luca@studio-neri.example"),
        "message_id": "3f5c2a1e-9b8d-4c7e-a6f5-1d2e3c4b5a69@studio-neri.example",
        "in_reply_to": ("sportello.70.5001.feedface@desk.example",),
        "references": ("sportello.70.5001.feedface@desk.example",),
        "date": datetime(2025, 3, 3, 13, 20, 33),
        # format=flowed: the three soft-wrapped lines are one paragraph again
        "reply": (
            "Hi,\n\nthe nightly backup failed again with the same error, this time at 02:14. I attach nothing"
            " because the log is empty; the disk has 40 GB free, so space is not the problem."
        ),
        "quoted": "> Does the backup still fail? Please check the free space on the backup disk.",
        "text_has": ["-- \nLuca Neri\nStudio Neri", ">\n> > It failed last night."],
        "attachments": [],
    },
    "italian_latin1_qp.eml": {
        "subject": "Re: [#58] Perché la fattura è sbagliata?",
        "sender": Address("Elena Galli (Ufficio Acquisti)", "elena@galli.example"),
        "message_id": "b7e1c2d3-4a5b-6c7d-8e9f-0a1b2c3d4e5f@galli.example",
        "in_reply_to": ("sportello.58.6001.abad1dea@desk.example",),
        "references": ("sportello.58.6001.abad1dea@desk.example",),
        "to": (Address("Supporto Sportello", "assistenza@desk.example"),),
        "date": datetime(2025, 3, 3, 14, 2, 10),
        # "Cordiali saluti" starts the signature, "Il … ha scritto:" the history
        "reply": (
            "Buongiorno,\n\nperché la fattura è intestata alla sede di Milano? La nostra città è Torino.\n"
            "Può correggerla entro venerdì?"
        ),
        "quoted": "> la fattura è stata emessa.",
        "text_has": ["Cordiali saluti\nElena Galli"],
        "attachments": [],
    },
    "latin1_8bit_cp1252.eml": {
        "subject": "Question about prices",
        "sender": Address("Karl Huber", "karl.huber@huber.example"),
        "message_id": "20250303160000.GA1234@huber.example",
        "to": (Address("", "sales@desk.example"),),
        "date": datetime(2025, 3, 3, 21, 0),  # 16:00 -0500
        # labelled ISO-8859-1, written in Windows-1252: the quotes, the euro and the dash survive
        "reply": "The “premium” plan costs 49 € per month – is VAT included?\n\nThanks\nKarl Huber",
        "attachments": [],
    },
    "base64_utf8.eml": {
        # two encoded words that split the emoji between them
        "subject": "Problème résolu 🎉 — grazie",
        "sender": Address("Ольга Петрова", "olga.petrova@mail.example"),
        "message_id": "1741068000.123456@mail.example",
        "date": datetime(2025, 3, 4, 6, 0),
        "reply": "Привет! Ελληνικά, 日本語 and emoji 🎉 all arrive intact.\n\nOlga",
        "attachments": [],
    },
    "html_only.eml": {
        "subject": "New contact request",
        "sender": Address("Website", "noreply@bar.example"),
        "reply_to": Address("Tonino Esposito", "tonino@bar.example"),
        "message_id": "form-20250304081200-77@bar.example",
        "date": datetime(2025, 3, 4, 8, 12),
        "reply": 'New request from the website\n\nCafé & Bar «Da Tonino» writes: the card reader shows "E-102" and'
        " costs us 20€ a day.\n\nSee the help page [1] and again [1], or write to tonino@bar.example. Click me\n\n"
        "- Model: T-800\n- Serial: 42-17",
        "text_has": ["[1] https://shop.example/help/e102?ref=mail&x=1", "Day Errors\nMon 3", "[image]"],
        "text_lacks": ["document.cookie", "font-family", "Contact form", "javascript", "tracker.example", "[2]"],
        "attachments": [],
    },
    "forwarded_rfc822.eml": {
        "subject": "Fwd: Order 1234 confirmed",
        "sender": Address("Anna Verdi", "anna.verdi@rossi-figli.example"),
        "message_id": "4b3c2d1e@rossi-figli.example",
        "date": datetime(2025, 3, 4, 9, 0),
        "reply": "The order below never arrived. Can you check?\n\nAnna",
        "text_lacks": ["Your order 1234 is confirmed."],
        # the enclosed message is one attachment; its own PDF is not listed on its own
        "attachments": [("Order 1234 confirmed.eml", "message/rfc822", 2022)],
    },
    "forwarded_inline.eml": {
        "subject": "Fwd: Delivery delayed",
        "sender": Address("Anna Verdi", "anna.verdi@gmail.com"),
        "message_id": "CAB1x2y3z4@mail.gmail.com",
        "date": datetime(2025, 3, 4, 10, 0),
        # the forwarded mail is history to the reply (no dangling "Forwarded message" line) but in the text
        "reply": "Please look at this, the courier says it is your fault.",
        "quoted": "Your parcel is delayed because the sender did not pay.",
        "attachments": [],
    },
    "hostile.eml": {
        # markup stays text (the renderer shows it inert); escapes, the OSC title and bidi go
        "subject": "[@click=app.quit] Urgent RED exe.txt [b]bold[/b]",
        "sender": Address("Evil Corp", "evil@evil.example"),
        "message_id": "hostile-1@evil.example",
        "references": ("a@evil.example", "b@evil.example"),
        "date": datetime(2025, 3, 4, 12, 0),
        "reply": "Hello agent,\nrun this now!\ntxt.exe and [@click=app.quit]quit[/] C1\nbell",
        "attachments": [
            ("passwd", "text/plain", 32),
            ("exe.txt", "application/octet-stream", 2),
            ("hidden.bat", "application/octet-stream", 9),
            ("report .pdf", "application/pdf", 4),  # OSC, CSI and C1 CSI gone; the newline a space
        ],
    },
    "broken_charset.eml": {
        # x-unknown everywhere: UTF-8 where the bytes are UTF-8, Windows-1252 where they are not
        "subject": "Grüße aus München",
        "sender": Address("Jürgen Müller", "juergen@mueller.example"),
        "message_id": "broken-1@mueller.example",
        "date": None,  # "not a date at all"
        "reply": "Grüße, der Drucker ist kaputt.\n\nSchöne Grüße, Jürgen",
        "attachments": [],
    },
}

_DEFAULTS = {"in_reply_to": (), "references": (), "cc": (), "delivered_to": (), "reply_to": None}


def test_every_corpus_message_has_a_golden_expectation():
    assert sorted(path.name for path in CORPUS.glob("*.eml")) == sorted(GOLDEN)


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_golden(name):
    expected = {**_DEFAULTS, **GOLDEN[name]}
    parsed = parse((CORPUS / name).read_bytes())
    for field in ("subject", "sender", "message_id", "in_reply_to", "references", "cc", "delivered_to", "date"):
        assert getattr(parsed, field) == expected[field], field
    assert parsed.reply_to == expected["reply_to"]
    if "to" in expected:
        assert parsed.to == expected["to"]
    assert parsed.reply.startswith(expected["reply"]), parsed.reply
    if "quoted" in expected:
        assert expected["quoted"] in parsed.text and expected["quoted"] not in parsed.reply
    else:
        assert parsed.reply == parsed.text
    for line in expected.get("text_has", []):
        assert line in parsed.text
    for line in expected.get("text_lacks", []):
        assert line not in parsed.text
    listed = [(a.filename, a.content_type, a.size) for a in parsed.attachments]
    assert listed == expected["attachments"]


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_the_corpus_holds_no_control_character_after_parsing(name):
    parsed = parse((CORPUS / name).read_bytes())
    one_line = [parsed.subject, *(a.name for a in (parsed.sender, *parsed.to, *parsed.cc) if a)]
    one_line += [a.filename for a in parsed.attachments]
    for value in one_line:
        assert not any(
            ord(ch) < 32 or 0x7F <= ord(ch) <= 0x9F or ch in "\u202a\u202b\u202c\u202d\u202e" for ch in value
        )
    for value in (parsed.text, parsed.reply):
        assert not any((ord(ch) < 32 and ch not in "\n\t") or 0x7F <= ord(ch) <= 0x9F for ch in value)
        assert "\u202e" not in value and "\r" not in value


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_attachment_positions_are_indexes_in_message_walk(name):
    data = (CORPUS / name).read_bytes()
    parsed = parse(data)
    parts = list(parsed.message.walk())
    assert list(content._walk(parsed.message)) == parts
    for info in parsed.attachments:
        payload = attachment_bytes(data, info.position)
        assert len(payload) == info.size
        assert parts[info.position].get_content_type() == info.content_type


def test_attachment_bytes_are_the_decoded_file():
    data = (CORPUS / "outlook_alternative.eml").read_bytes()
    (pdf,) = parse(data).attachments
    payload = attachment_bytes(data, pdf.position)
    assert payload.startswith(b"%PDF-1.4\n") and payload.endswith(b"%%EOF\n")


def test_an_enclosed_message_is_saved_byte_for_byte_and_reads_again():
    data = (CORPUS / "forwarded_rfc822.eml").read_bytes()
    (enclosed,) = parse(data).attachments
    payload = attachment_bytes(data, enclosed.position)
    assert payload in data  # the very bytes that were sent
    inner = parse(payload)
    assert inner.subject == "Order 1234 confirmed"
    assert [(a.filename, a.size) for a in inner.attachments] == [("order-1234.pdf", PDF_SIZE)]


def test_attachment_bytes_refuses_a_position_that_is_no_file():
    data = (CORPUS / "outlook_alternative.eml").read_bytes()
    with pytest.raises(NotFound, match="not a file"):
        attachment_bytes(data, 0)  # the multipart/mixed itself
    with pytest.raises(NotFound, match="no part 99"):
        attachment_bytes(data, 99)


# --- bytes that are not mail ---------------------------------------------------------------------


@pytest.mark.parametrize("data", [b"", b"  \r\n\r\n", b"just some words, no header\n", b"\x00\x01\x02garbage"])
def test_what_is_not_mail_is_unparseable_with_one_line(data):
    with pytest.raises(Unparseable) as caught:
        parse(data)
    assert isinstance(caught.value, InvalidInput)
    assert "\n" not in str(caught.value) and str(caught.value)


def test_parts_nested_beyond_the_parser_are_unparseable_not_a_crash():
    head = b"".join(b'Content-Type: multipart/mixed; boundary="b%d"\n\n--b%d\n' % (i, i) for i in range(3000))
    with pytest.raises(Unparseable, match="nests"):
        parse(b"From: a@b.example\n" + head + b"Content-Type: text/plain\n\nhi\n")


def test_deep_but_readable_nesting_parses():
    head = b"".join(b'Content-Type: multipart/mixed; boundary="b%d"\n\n--b%d\n' % (i, i) for i in range(300))
    parsed = parse(b"From: a@b.example\nSubject: deep\n" + head + b"Content-Type: text/plain\n\nhi\n")
    assert parsed.subject == "deep" and parsed.text == ""  # too deep to be looked into, but read


def test_headers_without_a_body_parse():
    parsed = parse(b"From: Mario <mario@x.example>\nSubject: only headers\n")
    assert (parsed.subject, parsed.text, parsed.reply, parsed.attachments) == ("only headers", "", "", ())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_random_bytes_parse_or_are_unparseable(data):
    try:
        parse(b"From: a@b.example\n" + data)
        parse(data)
    except Unparseable:
        pass


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(GOLDEN)), st.integers(0, 10_000), st.integers(0, 10_000), st.binary(max_size=8))
def test_damaged_corpus_messages_parse_or_are_unparseable(name, start, length, junk):
    data = (CORPUS / name).read_bytes()
    start %= len(data)
    damaged = data[:start] + junk + data[start + length % 200 :]
    try:
        parsed = parse(damaged)
    except Unparseable:
        return
    for info in parsed.attachments:
        assert len(attachment_bytes(damaged, info.position)) == info.size


# --- headers -------------------------------------------------------------------------------------


def mail(headers: str, body: str = "Hello.\n", *, raw: bytes | None = None) -> bytes:
    return raw if raw is not None else (headers.strip("\n") + "\n\n" + body).encode("utf-8")


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Message-ID: <abc@x.example>", "abc@x.example"),
        ("Message-ID:   < abc@x.example >  ", "abc@x.example"),
        ("Message-ID: abc@x.example", "abc@x.example"),
        ("Message-ID: <no-at-sign>", "no-at-sign"),
        ("Message-ID: <>", None),
        ("Message-ID:", None),
        ("X-Other: 1", None),
        ("Message-ID: <" + "a" * 1000 + "@x>", None),
    ],
)
def test_message_ids(header, expected):
    assert parse(mail(f"From: a@b.example\n{header}")).message_id == expected


def test_references_are_split_in_order_once_each_and_in_reply_to_drops_its_comment():
    parsed = parse(
        mail(
            "From: a@b.example\n"
            "References: <one@x>\n <two@x><three@x>   <one@x>\n"
            " <four@\n x>\n"
            'In-Reply-To: <three@x> (Mario\'s message of "Mon, 3 Mar 2025")'
        )
    )
    assert parsed.references == ("one@x", "two@x", "three@x", "four@x")
    assert parsed.in_reply_to == ("three@x",)
    assert parse(mail("From: a@b.example\nReferences: one@x  two@x")).references == ("one@x", "two@x")


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Date: Mon, 3 Mar 2025 10:00:00 +0100", datetime(2025, 3, 3, 9, 0)),
        ("Date: Mon, 3 Mar 2025 10:00:00 +0100 (CET)", datetime(2025, 3, 3, 9, 0)),
        ("Date: 3 Mar 2025 10:00:00 -0000", datetime(2025, 3, 3, 10, 0)),
        ("Date: yesterday", None),
        ("Date: Mon, 99 Foo 2025 99:99:99 +9999", None),
        ("X-No-Date: 1", None),
    ],
)
def test_dates_are_naive_utc_or_none(header, expected):
    assert parse(mail(f"From: a@b.example\n{header}")).date == expected


def test_the_sender_falls_back_to_sender_then_return_path():
    assert parse(mail("Sender: Desk Bot <bot@x.example>\nReturn-Path: <r@x.example>")).sender == Address(
        "Desk Bot", "bot@x.example"
    )
    assert parse(mail("From: undisclosed\nReturn-Path: <R@X.example>")).sender == Address("", "r@x.example")
    assert parse(mail("From: nobody\nReturn-Path: <>")).sender is None
    assert parse(mail("Subject: no sender at all")).sender is None


def test_addresses_are_lower_case_once_each_and_garbage_is_dropped():
    parsed = parse(
        mail(
            "From: A <a@b.example>\n"
            'To: "Rossi, Mario" <Mario@X.example>, mario@x.example, not an address,, <>, Bob <BOB@y.example>\n'
            "Cc: undisclosed-recipients:;\n"
            "Delivered-To: Support@Desk.example\nX-Original-To: support@desk.example, sales@desk.example\n"
            "Envelope-To: <billing@desk.example>"
        )
    )
    assert parsed.to == (Address("Rossi, Mario", "mario@x.example"), Address("Bob", "bob@y.example"))
    assert parsed.cc == ()
    assert parsed.delivered_to == ("support@desk.example", "sales@desk.example", "billing@desk.example")


def test_names_and_subjects_are_decoded_and_made_one_line():
    raw = (
        b"From: =?utf-8?Q?Jos=C3=A9?=\t=?utf-8?Q?_Garc=C3=ADa?= <jose@x.example>\n"
        b"To: =?iso-8859-1?q?Fran=E7ois?= <f@x.example>, \xc3\x89lodie <e@x.example>\n"
        b"Subject: Re: caf\xc3\xa9\n\t=?utf-8?B?IOKAlCBvaw==?=\x07 and \x1b[31mred\n"
    )
    parsed = parse(raw + b"\nbody\n")
    assert parsed.sender == Address("José García", "jose@x.example")
    assert parsed.to == (Address("François", "f@x.example"), Address("Élodie", "e@x.example"))
    assert parsed.subject == "Re: café — ok and red"


def test_bad_encoded_words_are_kept_as_text():
    parsed = parse(mail("From: a@b.example\nSubject: =?utf-8?B?!!!?= ok =?utf-8?Q?fine?= =?bogus?Z?x?="))
    assert parsed.subject == "=?utf-8?B?!!!?= ok fine =?bogus?Z?x?="


def test_raw_latin1_bytes_in_a_header_are_read_as_windows_1252():
    parsed = parse(b"From: Andr\xe9 <andre@x.example>\nSubject: Caf\xe9 \x80 10\n\nbody\n")
    assert parsed.sender == Address("André", "andre@x.example")
    assert parsed.subject == "Café € 10"


# --- bodies and charsets -------------------------------------------------------------------------


def text_mail(body: bytes, content_type: str = "text/plain", cte: str = "8bit") -> bytes:
    head = f"From: a@b.example\nContent-Type: {content_type}\nContent-Transfer-Encoding: {cte}\n\n"
    return head.encode() + body


@pytest.mark.parametrize(
    ("charset", "body", "expected"),
    [
        ("utf-8", "perché è".encode(), "perché è"),
        ("iso-8859-1", "perché è".encode("latin-1"), "perché è"),
        ("iso-8859-15", "€uro".encode("iso-8859-15"), "€uro"),
        ("windows-1252", "“ok”".encode("cp1252"), "“ok”"),
        ("koi8-r", "Привет".encode("koi8-r"), "Привет"),
        ("gb2312", "你好".encode("gb2312"), "你好"),
        ("x-unknown", "perché".encode(), "perché"),  # unknown: UTF-8 first
        ("x-unknown", "perché".encode("latin-1"), "perché"),  # … then Windows-1252
        ("us-ascii", "perché".encode(), "perché"),  # claimed ASCII, sent UTF-8
        ("utf-8", "perché".encode("latin-1"), "perché"),  # claimed UTF-8, sent Latin-1
        ("utf-8", "perché".encode() + b"\xff ok", "perché\ufffd ok"),  # UTF-8 with one bad byte stays UTF-8
        ("base64", b"plain", "plain"),  # not a text codec
    ],
)
def test_charsets_fall_back_and_never_fail(charset, body, expected):
    assert parse(text_mail(body, f'text/plain; charset="{charset}"')).text == expected


def test_html_without_a_charset_parameter_honours_its_meta_tag():
    html = '<html><head><meta charset="iso-8859-1"></head><body>perch\xe9</body></html>'.encode("latin-1")
    assert parse(text_mail(html, "text/html")).text == "perché"


def test_body_controls_and_escapes_are_removed_newlines_kept():
    body = b"one\r\ntwo\rthree\x00\tfour\x1b[1mbold\x1b[0m\x1b]0;title\x07\x1bc\x7f\xc2\x9b5m\n"
    assert parse(text_mail(body, "text/plain; charset=utf-8")).text == "one\ntwo\nthree\tfourbold"


def test_quoted_printable_and_base64_bodies_are_decoded():
    assert parse(text_mail(b"caf=C3=A9 =\nok\n", "text/plain; charset=utf-8", "quoted-printable")).text == "café ok"
    assert parse(text_mail(b"Y2Fmw6k=\n", "text/plain; charset=utf-8", "base64")).text == "café"


def test_format_flowed_with_delsp():
    body = b"a long line that was   \nwrapped here\n> quoted and \n> wrapped\n-- \nsig\n"
    flowed = parse(text_mail(body, "text/plain; charset=utf-8; format=flowed; delsp=yes")).text
    assert flowed == "a long line that was  wrapped here\n> quoted andwrapped\n-- \nsig"


def test_an_alternative_prefers_plain_text_unless_it_is_empty():
    def alternative(plain: str) -> bytes:
        return (
            'From: a@b.example\nContent-Type: multipart/alternative; boundary="b"\n\n'
            f"--b\nContent-Type: text/plain\n\n{plain}\n"
            "--b\nContent-Type: text/html\n\n<p>the <b>html</b> one</p>\n--b--\n"
        ).encode()

    assert parse(alternative("the plain one")).text == "the plain one"
    assert parse(alternative("  ")).text == "the html one"


def test_inline_text_parts_are_joined_and_files_listed():
    data = (
        b'From: a@b.example\nContent-Type: multipart/mixed; boundary="b"\n\n'
        b"--b\nContent-Type: text/plain\n\nfirst\n"
        b"--b\nContent-Type: image/jpeg\nContent-Disposition: inline; filename=photo.jpg\n"
        b"Content-Transfer-Encoding: base64\n\n/9j/\n"
        b"--b\nContent-Type: text/plain; name=notes.txt\nContent-Disposition: inline; filename=notes.txt\n\nsecond\n"
        b"--b\nContent-Type: text/csv\nContent-Disposition: inline; filename=data.csv\n\na,b\n"
        b"--b\nContent-Type: text/plain\nContent-Disposition: attachment\n\nnot text\n"
        b"--b\nContent-Type: application/pdf\n\n%PDF\n"
        b"--b\nContent-Type: message/delivery-status\n\nAction: failed\n"
        b"--b--\n"
    )
    parsed = parse(data)
    assert parsed.text == "first\n\nsecond"
    names = [(a.position, a.filename, a.content_type, a.size) for a in parsed.attachments]
    assert names == [
        (2, "photo.jpg", "image/jpeg", 3),
        (4, "data.csv", "text/csv", 3),
        (5, "attachment.txt", "text/plain", 8),
        (6, "attachment.pdf", "application/pdf", 4),
    ]


def test_unnamed_pictures_of_an_html_body_are_not_attachments():
    data = (
        b'From: a@b.example\nContent-Type: multipart/related; boundary="b"\n\n'
        b'--b\nContent-Type: text/html\n\n<p>logo: <img src="cid:x" alt="Acme"></p>\n'
        b"--b\nContent-Type: image/png\nContent-ID: <x>\n\nPNG\n--b--\n"
    )
    parsed = parse(data)
    assert parsed.text == "logo: [image: Acme]" and parsed.attachments == ()


def test_encrypted_mail_shows_no_text_and_lists_its_parts():
    data = (
        b'From: a@b.example\nContent-Type: multipart/encrypted; protocol="application/pgp-encrypted"; boundary="b"\n\n'
        b"--b\nContent-Type: application/pgp-encrypted\n\nVersion: 1\n"
        b"--b\nContent-Type: application/octet-stream; name=encrypted.asc\n\n-----BEGIN PGP MESSAGE-----\n--b--\n"
    )
    parsed = parse(data)
    assert parsed.text == ""
    assert [a.filename for a in parsed.attachments] == ["attachment.pgp", "encrypted.asc"]


# --- HTML ----------------------------------------------------------------------------------------


def test_html_links_become_numbered_footnotes_once_each():
    notes: list[str] = []
    text = html_to_text(
        '<p><a href="https://a.example/x">docs</a>, <a href="https://a.example/x">docs again</a>, '
        '<a href="https://b.example/">https://b.example</a>, <a href="#top">top</a>, '
        '<a href="cid:1">inline</a>, <a href="mailto:m@x.example">write</a></p>',
        notes,
    )
    assert text == "docs [1], docs again [1], https://b.example, top, inline, write [2]"
    assert notes == ["https://a.example/x", "mailto:m@x.example"]


def test_html_blockquotes_nest_as_quote_lines():
    html = "<div>reply</div><blockquote>one<br>two<blockquote><p>deep</p></blockquote>back</blockquote>after"
    assert html_to_text(html) == "reply\n> one\n> two\n>\n> > deep\n>\n> back\nafter"


def test_html_drops_scripts_styles_and_heads_and_decodes_entities():
    html = (
        "<html><head><title>T</title><style>p{color:red}</style><script>alert('x')</script></head>"
        "<body><noscript>enable js</noscript><p>&lt;b&gt; &amp; &eacute; &#x20AC; &#8212; &nbsp;x</p>"
        "<script>evil()</script></body></html>"
    )
    assert html_to_text(html) == "<b> & é € — x"


def test_html_keeps_preformatted_text_and_numbers_ordered_lists():
    html = "<pre>  a  b\n    c</pre><ol><li>first</li><li>second<ul><li>inner</li></ul></li></ol><hr>end"
    assert html_to_text(html) == "  a  b\n    c\n\n1. first\n2. second\n\n  - inner\n\n----\n\nend"


def test_html_images_are_named_and_tracking_pixels_dropped():
    html = '<img src="https://t.example/p.gif" width="1" height="1"><img src="https://x/y.png" alt="Chart">'
    assert html_to_text(html) == "[image: Chart]"


def test_outlook_paragraphs_are_lines_and_its_nbsp_paragraphs_blank_lines():
    html = '<p class="MsoNormal">one</p><p class="MsoNormal">two</p><p class=MsoNormal>&nbsp;</p><p>three</p>'
    assert html_to_text(html) == "one\ntwo\n\nthree"


def test_broken_html_still_reads():
    assert html_to_text("<p>unclosed <b>bold <i>and <a href='https://x.example/'>link") == "unclosed bold and link [1]"
    assert html_to_text("<div><<<>>> &bogus; <!-- comment --> ok</div></span></p>") == "<<<>>> &bogus; ok"


def test_parsing_html_mail_opens_no_connection(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a connection was attempted")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    parsed = parse((CORPUS / "html_only.eml").read_bytes())
    assert "[image]" in parsed.text


def test_a_reply_keeps_the_footnotes_it_cites_only():
    html = (
        '<div>See <a href="https://new.example/">this page</a>.</div>'
        '<div class="gmail_quote">On Mon, 3 Mar 2025 at 10:15, Desk &lt;d@x.example&gt; wrote:<br>'
        '<blockquote>old <a href="https://old.example/">link</a></blockquote></div>'
    )
    parsed = parse(text_mail(html.encode(), "text/html; charset=utf-8"))
    assert parsed.reply == "See this page [1].\n\n[1] https://new.example/"
    assert parsed.text.endswith("[1] https://new.example/\n[2] https://old.example/")


# --- the reply -----------------------------------------------------------------------------------


def test_the_reply_is_the_text_when_the_reply_parser_fails(monkeypatch):
    import mailparser_reply

    def broken(self):
        raise RuntimeError("boom")

    monkeypatch.setattr(mailparser_reply.EmailMessage, "read", broken)
    parsed = parse((CORPUS / "gmail_alternative.eml").read_bytes())
    assert parsed.reply == parsed.text


def test_hyphen_lists_are_not_taken_for_a_signature():
    body = b"Steps:\n- unplug it\n- wait\n- plug it in\n\nOn Mon, 3 Mar 2025, Desk wrote:\n> try this\n"
    assert parse(text_mail(body, "text/plain")).reply == "Steps:\n- unplug it\n- wait\n- plug it in"


def test_long_lines_survive_the_bounded_reply_parser_whole():
    long_line = "word " * 400
    body = f"{long_line}\n\nOn Mon, 3 Mar 2025, Desk wrote:\n> old\n".encode()
    assert parse(text_mail(body, "text/plain")).reply == long_line.strip()


def test_the_reply_parser_is_bounded_against_quadratic_lines():
    body = ("On " * 20_000 + "\n") * 5
    started = time.monotonic()
    parsed = parse(text_mail(body.encode(), "text/plain"))
    assert time.monotonic() - started < 5
    assert parsed.reply == parsed.text


def test_a_bottom_post_keeps_its_answer():
    body = b"On Mon, 3 Mar 2025, Desk wrote:\n> question?\n\nanswer!\n"
    assert "answer!" in parse(text_mail(body, "text/plain")).reply


# --- file names ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("report.pdf", "report.pdf"),
        ("../../etc/passwd", "passwd"),
        ("..\\..\\Windows\\system.ini", "system.ini"),
        ("C:\\Users\\x\\file.txt", "file.txt"),
        ("dir/", "dir"),
        ("\u202eexe.txt", "exe.txt"),
        ("in\u2066voice\u2069\u200e\u200f.pdf", "invoice.pdf"),
        ("bell\x07\x00nul\x9b31m\x85.txt", "bellnul.txt"),
        ("\x1b[31mred\x1b[0m.txt", "red.txt"),
        ("\x1b]0;title\x07name.txt", "name.txt"),
        ("two\nlines\t.txt", "two lines .txt"),
        (".bashrc", "bashrc"),
        ("...", "attachment"),
        ("", "attachment"),
        ("  ", "attachment"),
        ("../", "attachment"),
        ("[@click=app.quit].txt", "[@click=app.quit].txt"),
    ],
)
def test_safe_filename(name, expected):
    assert safe_filename(name) == expected


def test_safe_filename_caps_at_255_bytes_keeping_the_extension():
    name = safe_filename("è" * 300 + ".pdf")
    assert name.endswith(".pdf") and len(name.encode()) <= 255 and set(name[:-4]) == {"è"}
    assert len(safe_filename("x" * 1000).encode()) == 255
    long_extension = safe_filename("a." + "b" * 400)
    assert len(long_extension.encode()) <= 255 and long_extension.startswith("a.")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=600))
def test_safe_filename_is_always_inert(name):
    cleaned = safe_filename(name)
    assert cleaned and len(cleaned.encode("utf-8")) <= 255
    assert "/" not in cleaned and "\\" not in cleaned and not cleaned.startswith(".")
    assert not any(ord(ch) < 32 or 0x7F <= ord(ch) <= 0x9F for ch in cleaned)
    assert not any(ch in cleaned for ch in "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
    assert safe_filename(cleaned) == cleaned


def test_a_cited_number_too_long_for_int_is_not_a_footnote():
    html = '<p>see <a href="https://x.example/">this</a> [' + "9" * 5000 + "]</p><p>On Mon, 3 Mar 2025, D wrote:</p>"
    parsed = parse(text_mail(html.encode() + b"<blockquote>old</blockquote>", "text/html"))
    assert parsed.reply.endswith("[1] https://x.example/")


def test_an_address_with_two_at_signs_is_not_usable():
    assert parse(mail('From: "x" <a@b@c.example>\nSender: s@x.example')).sender == Address("", "s@x.example")


def test_the_parsed_message_is_the_email_package_one():
    data = (CORPUS / "gmail_alternative.eml").read_bytes()
    parsed = parse(data)
    again = message_from_bytes(data, policy=email_policy.default)
    assert parsed.message["Message-ID"] == again["Message-ID"]
    assert parsed.message.get_content_type() == "multipart/alternative"
