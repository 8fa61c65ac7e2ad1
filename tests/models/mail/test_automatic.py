"""Automatic mail (issue 17): auto-replies, out-of-office notes, bounces, list mail and loops are told apart
from mail people write — and mail people write is never taken for automatic.

The corpus in ``corpus_automatic/`` holds one message per shape, written after what the servers and clients
send: ``human_*.eml`` are people's messages that must stay unclassified.
"""

from __future__ import annotations

import email
import email.policy
import logging
import unicodedata
from email.message import EmailMessage
from pathlib import Path

import pytest
from flufl.bounce import all_failures
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models.mail import automatic
from models.mail.automatic import KINDS, Automatic, classify

CORPUS = Path(__file__).parent / "corpus_automatic"
DESK = ("support@desk.example", "Billing@Desk.example")
LOOP = "d3sk-l00p-7f2a"

# file -> (kind, failed, permanent), or None for a person's mail
EXPECTED: dict[str, tuple[str, tuple[str, ...], bool] | None] = {
    "postfix_dsn_user_unknown.eml": ("bounce", ("mario.rossi@cliente.example",), True),
    "postfix_dsn_delayed.eml": ("bounce", ("anna.bianchi@lento.example",), False),
    "exim_bounce.eml": ("bounce", ("ghost@departed.example",), True),
    "qmail_bounce.eml": ("bounce", ("luigi.verdi@oldisp.example",), True),
    "exchange_ndr.eml": ("bounce", ("paolo.neri@contoso.example",), True),
    "exchange_ndr_legacy.eml": ("bounce", ("jdoe@legacycorp.example",), True),
    "gmail_dsn_failure.eml": ("bounce", ("nessuno.qui@gmail.com",), True),
    "outlook_automatic_reply.eml": ("out-of-office", (), False),
    "exchange_out_of_office_legacy.eml": ("out-of-office", (), False),
    "italian_risposta_automatica.eml": ("out-of-office", (), False),
    "zimbra_vacation.eml": ("out-of-office", (), False),
    "vacation_precedence_bulk.eml": ("out-of-office", (), False),
    "autoresponder_ack.eml": ("auto-reply", (), False),
    "mailing_list_post.eml": ("list", (), False),
    "read_receipt.eml": ("auto-reply", (), False),
    "looped_own_mail.eml": ("loop", (), False),
    "human_outlook_reply.eml": None,
    "human_gmail_reply.eml": None,
    "human_subject_mentions_ooo.eml": None,
    "human_italian_subject_mentions_ooo.eml": None,
    "human_forwarded_bounce.eml": None,
    "human_via_desk_google_group.eml": None,
    "human_postmaster_writes.eml": None,
    "human_procmail_forwarded.eml": None,
}


def load(name: str) -> EmailMessage:
    return email.message_from_bytes((CORPUS / name).read_bytes(), policy=email.policy.default)


def run(message, *, desk=DESK, loop_id=LOOP) -> Automatic | None:
    return classify(message, desk_addresses=desk, loop_id=loop_id)


def mail(*headers: str, body: str = "Hello.\n", raw: bytes = b"") -> EmailMessage:
    """A parsed message with these header lines (and ordinary From/To/Subject unless given)."""
    names = {line.split(":", 1)[0].lower() for line in headers}
    names |= {line.split(b":", 1)[0].decode("ascii", "replace").lower() for line in raw.split(b"\r\n") if line}
    lines = list(headers)
    for name, value in (
        ("from", "Anna <anna@cliente.example>"),
        ("to", "support@desk.example"),
        ("subject", "Una domanda"),
    ):
        if name not in names:
            lines.append(f"{name.title()}: {value}")
    data = ("\r\n".join(lines) + "\r\n").encode("utf-8") + raw + b"\r\n" + body.encode("utf-8")
    return email.message_from_bytes(data, policy=email.policy.default)


# --- the corpus ---------------------------------------------------------------------------------------


def test_the_corpus_and_the_table_agree():
    assert sorted(p.name for p in CORPUS.glob("*.eml")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus(name):
    found = run(load(name))
    expected = EXPECTED[name]
    if expected is None:
        assert found is None, f"{name}: a person's mail taken for automatic: {found}"
        return
    assert found is not None, f"{name}: not recognised"
    assert (found.kind, found.failed, found.permanent) == expected, found.why


@pytest.mark.parametrize("name", sorted(n for n, e in EXPECTED.items() if e))
def test_why_is_one_clean_line(name):
    why = run(load(name)).why
    assert why and why == " ".join(why.split())
    assert not any(unicodedata.category(ch) in {"Cc", "Cf", "Cs"} for ch in why)


def test_bounce_why_names_the_failed_address_and_the_shape():
    assert run(load("postfix_dsn_user_unknown.eml")).why == (
        "a permanent delivery failure (DSN) for mario.rossi@cliente.example"
    )
    assert "plain-text bounce" in run(load("qmail_bounce.eml")).why
    assert "still being retried" in run(load("postfix_dsn_delayed.eml")).why


def test_flufl_alone_would_take_a_forwarded_bounce_for_one():
    """Why flufl.bounce is asked only about mail that looks like a delivery report: it walks into attached
    messages, so a customer forwarding a bounce to us would mark our own address undeliverable."""
    temporary, permanent = all_failures(load("human_forwarded_bounce.eml"))
    assert b"sales@desk.example" in permanent
    assert run(load("human_forwarded_bounce.eml")) is None


def test_nested_loop_header_in_a_bounce_is_not_a_loop():
    """A bounce carries our mail (and its X-Sportello-Loop) inside: it is a bounce, not a loop."""
    assert run(load("gmail_dsn_failure.eml")).kind == "bounce"
    assert run(load("exchange_ndr.eml")).kind == "bounce"


def test_compat32_messages_work_too():
    data = (CORPUS / "exim_bounce.eml").read_bytes()
    message = email.message_from_bytes(data)  # policy compat32
    assert run(message) == run(load("exim_bounce.eml"))


# --- X-Auto-Response-Suppress and out-of-office subjects: weak signs ---------------------------------


@pytest.mark.parametrize("value", ["All", "DR, RN, NRN, OOF, AutoReply", "OOF", "AutoReply"])
def test_x_auto_response_suppress_alone_is_a_person(value):
    """Outlook and Exchange put it on mail people write (osTicket #726, Redmine #19558, Discourse #21367)."""
    assert run(mail(f"X-Auto-Response-Suppress: {value}", "Subject: RE: [#42] Printer")) is None


@pytest.mark.parametrize(
    "subject",
    [
        "Automatic reply: [#42] Printer",
        "Out of Office: invoice",
        "Risposta automatica: ordine",
        "Abwesend",
        "Fuori sede",
    ],
)
def test_out_of_office_subject_alone_is_a_person(subject):
    assert run(mail(f"Subject: {subject}")) is None


@pytest.mark.parametrize(
    "subject",
    [
        "Automatic reply: [#42] Printer",
        "Out of Office AutoReply: invoice",
        "Risposta automatica: ordine",
        "Réponse automatique : commande",
        "Automatische Antwort: Bestellung",
        "Abwesend",
        "Fuori sede",
    ],
)
def test_out_of_office_subject_with_a_microsoft_header_is_out_of_office(subject):
    found = run(mail(f"Subject: {subject}", "X-Auto-Response-Suppress: All"))
    assert found is not None and found.kind == "out-of-office"
    assert "X-Auto-Response-Suppress: All" in found.why


def test_out_of_office_subject_with_inbox_rules_loop_is_out_of_office():
    found = run(mail("Subject: Automatic reply: x", "X-MS-Exchange-Inbox-Rules-Loop: anna@cliente.example"))
    assert found is not None and found.kind == "out-of-office"


@pytest.mark.parametrize(
    "subject",
    [
        "RE: Automatic reply: [#42] Printer",  # a person answering an auto-reply
        "Out of office replies keep reaching our customers",
        "Automatic replies are broken",
        "Fwd: Risposta automatica: ordine",
    ],
)
def test_a_person_writing_about_auto_replies_is_a_person(subject):
    assert run(mail(f"Subject: {subject}", "X-Auto-Response-Suppress: All")) is None


def test_x_auto_response_suppress_none_does_not_count():
    assert run(mail("Subject: Automatic reply: x", "X-Auto-Response-Suppress: None")) is None


# --- strong signs ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "kind"),
    [
        ("Auto-Submitted: auto-replied", "auto-reply"),
        ("Auto-Submitted: auto-generated", "auto-reply"),
        ("Auto-Submitted: auto-notified", "auto-reply"),
        ("Auto-Submitted: auto-replied (vacation)", "out-of-office"),
        ("X-Autoreply: yes", "auto-reply"),
        ("X-Autorespond: Thanks for your mail", "auto-reply"),
        ("X-Autoresponse: yes", "auto-reply"),
        ("X-AutoReply-From: anna@cliente.example", "auto-reply"),
        ("X-Mail-Autoreply: yes", "auto-reply"),
        ("X-Autogenerated: Reply", "auto-reply"),
        ("Precedence: auto_reply", "auto-reply"),
        ("X-Loop: yes", "auto-reply"),
        ("Delivered-To: Autoresponder", "auto-reply"),
        ("Precedence: bulk", "list"),
        ("Precedence: junk", "list"),
        ("Precedence: list", "list"),
        ("List-Id: <news.shop.example>", "list"),
        ("List-Unsubscribe: <https://shop.example/u/1>", "list"),
        ("List-Post: <mailto:users@lists.example>", "list"),
        ("Return-Path: <>", "auto-reply"),
        ("Return-Path: <MAILER-DAEMON>", "auto-reply"),
    ],
)
def test_strong_signs(header, kind):
    found = run(mail(header))
    assert found is not None and found.kind == kind
    assert found.failed == () and found.permanent is False


@pytest.mark.parametrize(
    "header",
    [
        "Auto-Submitted: no",
        "Auto-Submitted: No",
        "X-Autoreply: no",
        "X-Autogenerated: Forward",  # a rule forwarding a person's mail
        "X-Loop: support@desk.example",  # procmail's forward that feeds the desk's mailbox
        "X-Loop: anna@cliente.example",
        "Return-Path: <anna@cliente.example>",
        "Precedence: first-class",
    ],
)
def test_not_signs(header):
    assert run(mail(header)) is None


def test_out_of_office_words_make_an_auto_reply_out_of_office():
    assert run(mail("Auto-Submitted: auto-replied", "Subject: Sono in ferie")).kind == "out-of-office"
    assert run(mail("Auto-Submitted: auto-replied", "Subject: Ich bin im Urlaub")).kind == "out-of-office"
    assert run(mail("Auto-Submitted: auto-replied", "Subject: We got your mail")).kind == "auto-reply"


def test_list_digest_generated_by_the_list_is_list_mail():
    found = run(mail("Auto-Submitted: auto-generated", "List-Id: <users.lists.example>"))
    assert found.kind == "list"


def test_vacation_reply_through_a_list_stays_an_auto_reply():
    found = run(mail("Auto-Submitted: auto-replied", "List-Id: <users.lists.example>"))
    assert found.kind == "auto-reply"


def test_null_sender_out_of_office():
    assert run(mail("Return-Path: <>", "Subject: Out of office")).kind == "out-of-office"


# --- loops -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [LOOP, f"<{LOOP}>", f"  {LOOP.upper()}  "])
def test_our_loop_header(value):
    found = run(mail(f"X-Sportello-Loop: {value}"))
    assert found == Automatic("loop", "our own mail came back (X-Sportello-Loop is this desk's)")


def test_loop_header_wins_over_everything():
    found = run(load("looped_own_mail.eml"))
    assert found.kind == "loop" and "X-Sportello-Loop" in found.why
    assert run(mail(f"X-Sportello-Loop: {LOOP}", "List-Id: <x.example>", "Return-Path: <>")).kind == "loop"


def test_another_desks_loop_id_is_not_ours():
    """Another Sportello's replies carry its own loop id; a person may have written them."""
    assert run(mail("X-Sportello-Loop: someone-elses-id")) is None


def test_an_empty_loop_id_never_matches():
    assert run(mail("X-Sportello-Loop: "), loop_id="") is None
    assert run(mail("X-Sportello-Loop: <>"), loop_id="<>") is None


@pytest.mark.parametrize("sender", ["support@desk.example", "Sportello <SUPPORT@Desk.Example>", "billing@desk.example"])
def test_from_a_desk_address_is_a_loop(sender):
    found = run(mail(f"From: {sender}"))
    assert found.kind == "loop" and "desk's own address" in found.why


def test_from_a_desk_address_via_the_desks_own_list_without_the_real_sender_is_a_loop():
    found = run(mail("From: support@desk.example", "List-Id: <support.desk.example>"))
    assert found.kind == "loop"


def test_no_desk_addresses():
    assert run(mail("From: support@desk.example"), desk=()) is None
    assert run(mail("From: support@desk.example"), desk=iter(["", "  "])) is None


def test_the_desks_own_list_is_not_list_mail():
    """A Google Group as the shared inbox: a customer's mail arrives with the group's list headers."""
    found = run(
        mail(
            "List-Id: <support.desk.example>",
            "List-Post: <mailto:support@desk.example>",
            "Precedence: list",
            "List-Unsubscribe: <mailto:googlegroups-manage+1+unsubscribe@googlegroups.com>",
        )
    )
    assert found is None
    assert run(mail("List-Id: Supporto <billing.desk.example>", "Precedence: bulk")) is None
    assert run(mail("Mailing-list: list support@desk.example; contact x@desk.example", "Precedence: list")) is None


# --- bounces -----------------------------------------------------------------------------------------

DSN_TEMPLATE = """\
Return-Path: <>
From: MAILER-DAEMON@mx.desk.example (Mail Delivery System)
To: support@desk.example
Subject: Delivery Status Notification
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="b"

--b
Content-Type: text/plain

Report.

--b
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.desk.example

{blocks}
--b--
"""


def dsn(*blocks: tuple[str, str, str]) -> EmailMessage:
    text = "\n".join(
        f"Final-Recipient: rfc822; {who}\nAction: {action}\nStatus: {status}\n" for who, action, status in blocks
    )
    return email.message_from_string(DSN_TEMPLATE.format(blocks=text), policy=email.policy.default)


def test_dsn_with_failed_and_delayed_recipients():
    found = run(dsn(("Gone@A.example", "failed", "5.1.1"), ("slow@b.example", "delayed", "4.4.1")))
    assert found.kind == "bounce" and found.permanent is True
    assert found.failed == ("gone@a.example",)  # only what may be marked undeliverable
    assert "slow@b.example" in found.why


def test_dsn_with_several_permanent_failures():
    found = run(dsn(("b@x.example", "failed", "5.1.1"), ("a@x.example", "failed", "5.2.2")))
    assert found.failed == ("a@x.example", "b@x.example") and found.permanent


def test_a_success_dsn_is_not_a_bounce():
    found = run(dsn(("a@x.example", "delivered", "2.0.0"), ("b@x.example", "relayed", "2.0.0")))
    assert found.kind == "auto-reply" and "delivered, relayed" in found.why and found.failed == ()


def test_a_dsn_naming_no_failed_address_is_still_a_bounce():
    found = run(dsn(("", "failed", "5.0.0")))
    assert found.kind == "bounce" and found.failed == () and found.permanent is False


def test_a_mailer_daemon_notice_without_an_address_is_a_bounce():
    found = run(mail("From: Mail Delivery System <MAILER-DAEMON@mx.example>", "Subject: Mail delivery failed"))
    assert found.kind == "bounce" and found.failed == () and not found.permanent


def test_a_null_sender_failure_notice_without_an_address_is_a_bounce():
    found = run(mail("Return-Path: <>", "Subject: Undeliverable: your order"))
    assert found.kind == "bounce"


def test_failure_subject_from_a_person_is_a_person():
    assert run(mail("Subject: Undeliverable invoices: who do I call?")) is None


def test_a_detector_that_fails_leaves_a_bounce_without_addresses(monkeypatch):
    def broken(message):
        raise ValueError("detector choked")

    monkeypatch.setattr(automatic, "all_failures", broken)
    found = run(load("exim_bounce.eml"))
    assert found.kind == "bounce" and found.failed == ()


def test_implausible_addresses_from_detectors_are_dropped(monkeypatch):
    monkeypatch.setattr(
        automatic,
        "all_failures",
        lambda message: (
            frozenset(),
            frozenset({b"<Real@Ok.Example>", b"no-at-sign", b"a@b", b"x" * 300 + b"@y.example"}),
        ),
    )
    assert run(load("exim_bounce.eml")).failed == ("real@ok.example",)


# --- hostile input -----------------------------------------------------------------------------------


def test_hostile_header_values_make_a_clean_why():
    found = run(mail("Auto-Submitted: auto-replied \x1b[31mred\u202e" + "x" * 500))
    assert found.kind == "auto-reply"
    assert "\x1b" not in found.why and "\u202e" not in found.why
    assert len(found.why) < 100


def test_non_ascii_bytes_in_headers():
    message = mail(
        "Return-Path: <anna@cliente.example>",
        raw=b"From: \xff\xfe Anna <anna@cliente.example>\r\nSubject: Risposta automatica: assenza \xe8\r\n"
        b"Auto-Submitted: auto-replied \xc3\xa9\r\n",
    )
    assert run(message).kind == "out-of-office"


def test_eight_bit_utf8_subject():
    """RFC 6532 mail puts UTF-8 in headers as is."""
    message = mail(raw="Subject: Réponse automatique : commande\r\nX-Auto-Response-Suppress: All\r\n".encode())
    found = run(message)
    assert found.kind == "out-of-office" and "Réponse automatique" in found.why


def test_a_message_built_in_code():
    message = EmailMessage()
    message["From"] = "Anna <anna@cliente.example>"
    message["Subject"] = "Risposta automatica: ordine"
    message["Auto-Submitted"] = "auto-replied"
    message.set_content("Sono fuori sede.")
    assert run(message).kind == "out-of-office"
    assert run(EmailMessage()) is None


def test_a_failing_classifier_is_logged_and_taken_for_a_person(monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("bug")

    monkeypatch.setattr(automatic, "_classify", broken)
    with caplog.at_level(logging.WARNING, logger="models.mail.automatic"):
        assert run(mail("Auto-Submitted: auto-replied")) is None
    assert "could not tell" in caplog.text


HEADER_NAMES = [
    "From",
    "Subject",
    "Return-Path",
    "Auto-Submitted",
    "Precedence",
    "X-Autoreply",
    "X-Autogenerated",
    "X-Auto-Response-Suppress",
    "X-Loop",
    "X-Sportello-Loop",
    "List-Id",
    "List-Post",
    "Mailing-list",
    "Reply-To",
    "X-Failed-Recipients",
    "Content-Type",
    "Content-Transfer-Encoding",
    "MIME-Version",
    "Delivered-To",
]
CONTENT_TYPES = [
    b"multipart/report; report-type=delivery-status; boundary=b",
    b"multipart/report; report-type*=utf-8''disposition-notification; boundary=b",
    b"multipart/report; boundary=b",
    b"multipart/mixed; boundary=b",
    b"message/delivery-status",
    b"text/plain; charset=\xff",
]
BODY_PARTS = [
    b"--b\r\nContent-Type: message/delivery-status\r\n\r\nAction: failed\r\nFinal-Recipient: rfc822; \xff@x\r\n",
    b"--b\r\nContent-Type: message/rfc822\r\n\r\nFrom: a\r\n",
    b"Hi. This is the qmail-send program\r\n\r\n<a@\xffb.example>:\r\n",
    b"did not reach the following recipient(s):\r\n\xe8@x on y\r\n",
    b"--b--\r\n",
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    headers=st.lists(
        st.tuples(
            st.one_of(st.sampled_from(HEADER_NAMES), st.from_regex(r"[A-Za-z][A-Za-z0-9-]{0,15}", fullmatch=True)),
            st.one_of(st.binary(max_size=120), st.sampled_from(CONTENT_TYPES)),
        ),
        max_size=12,
    ),
    body=st.lists(st.one_of(st.sampled_from(BODY_PARTS), st.binary(max_size=80)), max_size=6),
    desk=st.lists(st.one_of(st.text(max_size=30), st.just("support@desk.example")), max_size=3),
    loop_id=st.text(max_size=20),
)
def test_never_raises_on_random_headers(headers, body, desk, loop_id):
    data = b"".join(name.encode() + b": " + value + b"\r\n" for name, value in headers) + b"\r\n" + b"".join(body)
    for policy in (email.policy.default, email.policy.compat32):
        message = email.message_from_bytes(data, policy=policy)
        # the inner function: the outer guard would hide a bug as "a person's mail"
        found = automatic._classify(message, desk_addresses=desk, loop_id=loop_id)
        assert found is None or found.kind in KINDS
        if found is not None:
            assert found.why == " ".join(found.why.split())
            assert all(address == address.lower() and "@" in address for address in found.failed)
            assert found.permanent is False or found.failed
