"""``sportello mail …`` and ``sportello attachment …``: mail in — piped from the mail server, fetched
from IMAP or a Maildir, imported from an mbox — the mail log, quarantine, and moving a message.

``mail ingest`` is what a mail server pipes each message to (as ``rt-mailgate``): it exits 0 once the
message is on the desk (in quarantine counts: it is kept and shown), and 75 (EX_TEMPFAIL) when it
could not even be stored, so that the mail server keeps it and tries again.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import click

from models.errors import InvalidInput, SportelloError
from tui.cli.common import TICKET_ID, echo_json, echo_line, iso, json_option, pass_state, when
from tui.text.safe import one_line

__all__ = ["mail_group", "attachment_group"]

EX_TEMPFAIL = 75
MAIL_ID = click.IntRange(1, 2**31 - 1)


def _settings(state):
    from models.mail.settings import mail_settings

    settings = mail_settings(state.config())
    if settings is None:
        raise InvalidInput('mail is not configured: add a [mail] table with from = "…" to config.toml (see the README)')
    return settings


def _outcome_json(outcome) -> dict:
    return {"mail": outcome.message.id, "new": outcome.new, "state": outcome.state, "ticket": outcome.ticket,
            "why": outcome.why}  # fmt: skip


def _outcome_line(outcome) -> str:
    where = f"ticket #{outcome.ticket}" if outcome.ticket else outcome.state
    return f"mail #{outcome.message.id} → {where}: {one_line(outcome.why, 160)}"


@click.group("mail")
def mail_group() -> None:
    """Mail in: ingest, fetch, import; the mail log, quarantine, moving a message to another ticket."""


@mail_group.command("ingest")
@click.option(
    "--queue", metavar="NAME", help="The queue a new ticket lands in (default: by address, then [mail] queue)."
)
@json_option
@pass_state
def mail_ingest(state, queue, as_json) -> None:
    """Take one message on standard input (from the mail server). Exit 75: try again later."""
    stream = click.get_binary_stream("stdin")
    with contextlib.suppress(AttributeError, ValueError):
        if stream.isatty():
            raise InvalidInput("mail ingest reads a message on standard input; pipe one in")
    try:
        settings = _settings(state)
        data = stream.read(settings.max_message_bytes * 4 + 1)
        if not data.strip():
            raise InvalidInput("standard input is empty: no message to take")
        from models.mail.ingest import ingest_bytes

        with state.desk():
            outcome = ingest_bytes(data, source="stdin", settings=settings, queue=queue)
    except InvalidInput as err:
        if isinstance(err, SportelloError) and "is empty" in err.message:
            raise
        _tempfail(err.message)
    except SportelloError as err:
        _tempfail(err.message)
    except Exception as exc:  # noqa: BLE001 - the mail server must keep the message, whatever went wrong
        _tempfail(f"internal error: {type(exc).__name__}: {exc}")
    if as_json:
        echo_json(_outcome_json(outcome))
    else:
        echo_line(_outcome_line(outcome))


def _tempfail(message: str) -> None:
    echo_line(f"sportello: {one_line(message)} (the mail server keeps the message and tries again)", err=True)
    raise click.exceptions.Exit(EX_TEMPFAIL)


@mail_group.command("fetch")
@click.option("--limit", type=click.IntRange(1, 1_000_000), help="Take at most this many messages per source.")
@json_option
@pass_state
def mail_fetch(state, limit, as_json) -> None:
    """Read the configured IMAP mailboxes and Maildir once; each message is moved at the source
    only after it is on the desk. Exit 75 when a source cannot be reached."""
    from sync.mail.fetch import fetch_configured

    settings = _settings(state)
    with state.desk():
        summaries, failures = fetch_configured(settings, limit=limit)
    _print_summaries(summaries, failures, as_json)
    if failures:
        raise click.exceptions.Exit(EX_TEMPFAIL if all(f.temporary for f in failures) else 1)


def _print_summaries(summaries, failures, as_json) -> None:
    if as_json:
        echo_json({"sources": [s.as_dict() for s in summaries],
                   "failed": [{"source": f.source, "problem": f.message, "temporary": f.temporary} for f in failures]})  # fmt: skip
        return
    for s in summaries:
        echo_line(one_line(s.line()))
    for f in failures:
        echo_line(f"sportello: {one_line(f.message)}", err=True)


@mail_group.command("import")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--queue", metavar="NAME", help="The queue new tickets land in.")
@json_option
@pass_state
def mail_import(state, path, queue, as_json) -> None:
    """Take every message of an mbox file once (run it again: nothing is taken twice)."""
    from sync.mail.fetch import import_mbox

    settings = _settings(state)
    with state.desk():
        summary = import_mbox(path, settings, queue=queue)
    _print_summaries([summary], [], as_json)
    if summary.error is not None:
        echo_line(f"sportello: {one_line(summary.error.message)}", err=True)
        raise click.exceptions.Exit(summary.exit_code)


@mail_group.command("check")
@json_option
@pass_state
def mail_check(state, as_json) -> None:
    """Connect to each configured mailbox and say what is there; secrets are never printed."""
    from sync.mail.fetch import check_configured

    settings = _settings(state)
    results = check_configured(settings)
    if as_json:
        echo_json([r.as_dict() for r in results])
    else:
        echo_line(
            f"desk address: {settings.address}"
            + (f" ({one_line(settings.display_name)})" if settings.display_name else "")
        )
        for r in results:
            echo_line(one_line(r.line()))
    if any(not r.ok for r in results):
        raise click.exceptions.Exit(EX_TEMPFAIL if all(r.temporary for r in results if not r.ok) else 1)


def _rows_out(rows, as_json) -> None:
    if as_json:
        echo_json([{"mail": r.id, "received_at": iso(r.received_at), "state": r.state, "from": r.sender,
                    "subject": r.subject, "ticket": r.ticket, "why": r.reason, "automatic": r.automatic,
                    "source": r.source, "size": r.size, "attempts": r.attempts} for r in rows])  # fmt: skip
        return
    if not rows:
        echo_line("no mail")
    for r in rows:
        where = f"#{r.ticket}" if r.ticket else "-"
        echo_line(f"{r.id:>6}  {when(r.received_at)}  {r.state:<11} {where:<7} {one_line(r.sender, 28):<28}  "
                  f"{one_line(r.subject, 40)}")  # fmt: skip


@mail_group.command("send")
@click.option("--limit", type=click.IntRange(1, 1_000_000), help="Send at most this many messages.")
@json_option
@pass_state
def mail_send(state, limit, as_json) -> None:
    """Deliver what the outbox holds: replies, acknowledgements, status changes, surveys. Exit 75 when
    the relay cannot be reached (nothing is lost: it is sent on the next run)."""
    from sync.mail.send import send_waiting

    settings = _settings(state)
    with state.desk():
        summary = send_waiting(settings, actor=_sender(state))
    if as_json:
        echo_json(summary.as_dict())
    else:
        echo_line(one_line(summary.line()))
    if summary.error is not None:
        echo_line(f"sportello: {one_line(summary.error.message)}", err=True)
        raise click.exceptions.Exit(summary.exit_code)


def _sender(state):
    """Who the delivery records are by: the acting agent when there is one (the app, a shell), else the
    system (a mail server's user running ``mail send`` or ``mail run``)."""
    try:
        return state.actor()
    except SportelloError:
        return None


@mail_group.command("run")
@click.option("--interval", type=click.IntRange(5, 86_400), default=60, show_default=True, metavar="SECONDS",
              help="Seconds between rounds.")  # fmt: skip
@click.option("--once", is_flag=True, help="One round, then stop (for a timer or cron).")
@pass_state
def mail_run(state, interval, once) -> None:
    """Fetch and send on an interval, for a server without the app open (see the README's systemd unit).
    A round that fails says so in one line and the next round tries again; SIGTERM stops it cleanly."""
    import signal
    import threading

    from sync.mail.fetch import fetch_configured
    from sync.mail.send import send_waiting

    settings = _settings(state)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    while not stop.is_set():
        try:
            with state.desk():
                summaries, failures = fetch_configured(settings)
                sent = send_waiting(settings, actor=_sender(state), should_stop=stop.is_set)
            for s in summaries:
                if s.taken or s.error:
                    echo_line(one_line(s.line()))
            for f in failures:
                echo_line(f"sportello: {one_line(f.message)}", err=True)
            if sent.sent or sent.failed or sent.retrying or sent.error:
                echo_line(one_line(sent.line()))
            if sent.error is not None:
                echo_line(f"sportello: {one_line(sent.error.message)}", err=True)
        except SportelloError as err:  # the desk locked or away: say it, try again next round
            echo_line(f"sportello: {one_line(err.message)} (trying again in {interval} s)", err=True)
        if once:
            break
        stop.wait(interval)


@mail_group.command("outbox")
@click.option("--all", "everything", is_flag=True, help="Sent mail too (the last --limit).")
@click.option(
    "--resend", "resend_id", type=MAIL_ID, metavar="MAIL", help="Send a failed, held or unknown message again."
)
@click.option("--limit", type=click.IntRange(1, 10_000), default=50, show_default=True)
@json_option
@pass_state
def mail_outbox(state, everything, resend_id, limit, as_json) -> None:
    """What waits to be sent, what failed and why, what may have been sent (unknown)."""
    from models.mail import outbox
    from models.mail.tables import OutState

    with state.desk():
        outbox.outbox_start()  # from the first look on, what happens on the desk is owed by mail
        if resend_id is not None:
            row = outbox.resend(resend_id, actor=_sender(state))
            echo_line(f"mail #{row.id} will be sent again (to {one_line(row.recipients, 80)})")
            return
        shown = None if everything else (*OutState.WAITING, OutState.SENDING, OutState.FAILED, OutState.UNKNOWN,
                                         OutState.HELD)  # fmt: skip
        rows = outbox.outbox_rows(states=shown, limit=limit)
        counts = outbox.outbox_counts()
    if as_json:
        echo_json({"counts": counts, "mail": [
            {"mail": r.id, "ticket": r.ticket, "purpose": r.purpose, "state": r.state, "to": r.recipients.split(),
             "subject": r.subject, "attempts": r.attempts, "next_attempt_at": iso(r.next_attempt_at),
             "answer": r.answer, "why": r.reason, "made_at": iso(r.at)} for r in rows]})  # fmt: skip
        return
    waiting = sum(counts.get(s, 0) for s in OutState.WAITING)
    echo_line(f"{waiting} waiting · {counts.get(OutState.FAILED, 0)} failed · {counts.get(OutState.UNKNOWN, 0)} unknown"
              f" · {counts.get(OutState.HELD, 0)} held · {counts.get(OutState.SENT, 0)} sent")  # fmt: skip
    for r in rows:
        then = f" next {when(r.next_attempt_at)}" if r.state == OutState.RETRYING and r.next_attempt_at else ""
        said = r.answer or r.reason
        echo_line(f"{r.id:>6}  #{r.ticket or '-':<6} {r.purpose:<13} {r.state:<8}{then}  {one_line(r.recipients, 30):<30}"
                  f"  {one_line(said, 60)}")  # fmt: skip


@mail_group.command("list")
@click.option("--state", "state_name", type=click.Choice(["stored", "ticket", "automatic", "quarantined", "ignored",
                                                          "duplicate"]), help="Only mail in this state.")  # fmt: skip
@click.option("--ticket", type=TICKET_ID, help="Only mail on this ticket.")
@click.option("--limit", type=click.IntRange(1, 10_000), default=50, show_default=True)
@json_option
@pass_state
def mail_list(state, state_name, ticket, limit, as_json) -> None:
    """Incoming mail, newest first: where each message went."""
    from models.mail.quarantine import mail_rows

    with state.desk():
        rows = mail_rows(state=state_name, ticket=ticket, limit=limit)
    _rows_out(rows, as_json)


@mail_group.command("show")
@click.argument("mail_id", type=MAIL_ID, metavar="MAIL")
@click.option("--raw", is_flag=True, help="Print the message as received (escapes made visible).")
@json_option
@pass_state
def mail_show(state, mail_id, raw, as_json) -> None:
    """One message: where it went and why, its attachments."""
    from models.mail.quarantine import attachments_of, get_mail

    with state.desk():
        row = get_mail(mail_id)
        files = attachments_of(mail_id)
        data = bytes(row.raw) if raw else b""
    if as_json:
        echo_json({"mail": row.id, "state": row.state, "from": row.sender, "subject": row.subject,
                   "message_id": row.message_id, "ticket": row.ticket_id, "why": row.reason,
                   "automatic": row.automatic, "source": row.source, "received_at": iso(row.received_at),
                   "size": row.size, "sha256": row.sha256,
                   "attachments": [{"position": a.position, "filename": a.filename, "content_type": a.content_type,
                                    "size": a.size, "kept": a.kept} for a, _ in files]})  # fmt: skip
        return
    if raw:
        from tui.text.safe import safe_text

        click.echo(safe_text(data.decode("utf-8", "replace")))
        return
    for label, value in (("mail", f"#{row.id} ({row.state})"), ("from", row.sender), ("subject", row.subject),
                         ("message-id", row.message_id or "-"), ("received", when(row.received_at)),
                         ("source", row.source), ("size", f"{row.size:,} bytes"),
                         ("ticket", f"#{row.ticket_id}" if row.ticket_id else "-"), ("why", row.reason or "-")):  # fmt: skip
        echo_line(f"{label:<11} {one_line(value)}")
    for a, _ in files:
        note = "" if a.kept else "  (over the size limit: not kept)"
        echo_line(f"attachment {a.position}: {one_line(a.filename, 60)}  {a.content_type}  {a.size:,} bytes{note}")


@mail_group.group("quarantine")
def quarantine_group() -> None:
    """Mail that could not be processed: look at it, run it again."""


@quarantine_group.command("list")
@json_option
@pass_state
def quarantine_list(state, as_json) -> None:
    """The quarantine, newest first, with why each message is there."""
    from models.mail.quarantine import quarantined

    with state.desk():
        rows = quarantined()
    if as_json or not rows:
        _rows_out(rows, as_json)
        return
    for r in rows:
        echo_line(f"{r.id:>6}  {when(r.received_at)}  {one_line(r.sender or '(no sender)', 28):<28}  "
                  f"{one_line(r.subject, 30):<30}  {one_line(r.reason, 70)}")  # fmt: skip


@quarantine_group.command("retry")
@click.argument("mail_ids", type=MAIL_ID, nargs=-1, metavar="[MAIL]...")
@click.option("--all", "everything", is_flag=True, help="Every message in quarantine.")
@json_option
@pass_state
def quarantine_retry(state, mail_ids, everything, as_json) -> None:
    """Process quarantined mail again (after a fix, or a queue made)."""
    from models.mail.quarantine import retry

    if not mail_ids and not everything:
        raise click.UsageError("name the mail to retry, or --all")
    settings = _settings(state)
    with state.desk():
        outcomes = retry(settings, None if everything else list(mail_ids))
    if as_json:
        echo_json([_outcome_json(o) for o in outcomes])
        return
    for o in outcomes:
        echo_line(_outcome_line(o))
    if not outcomes:
        echo_line("the quarantine is empty")


@mail_group.command("move")
@click.argument("mail_id", type=MAIL_ID, metavar="MAIL")
@click.option("--to", "to_ticket", type=TICKET_ID, required=True, metavar="TICKET", help="Where it belongs.")
@click.option("--reason", required=True, help="Why (on both timelines).")
@pass_state
def mail_move(state, mail_id, to_ticket, reason) -> None:
    """Move a message that landed on the wrong ticket; both timelines say so."""
    from models.mail.moves import move_mail

    with state.desk():
        number = move_mail(state.actor(), mail_id, to_ticket, reason)
    echo_line(f"mail #{mail_id} is now on #{number}")


@mail_group.command("split")
@click.argument("mail_id", type=MAIL_ID, metavar="MAIL")
@click.option("--reason", required=True, help="Why (on both timelines).")
@click.option("--subject", help="The new ticket's subject (default: the message's).")
@pass_state
def mail_split(state, mail_id, reason, subject) -> None:
    """Make a new ticket of a message; the ticket it was on says where it went."""
    from models.mail.moves import split_mail

    with state.desk():
        number = split_mail(state.actor(), mail_id, reason, subject=subject)
    echo_line(f"mail #{mail_id} is now ticket #{number}")


@click.group("attachment")
def attachment_group() -> None:
    """Files that came with mail: list them, save one."""


@attachment_group.command("list")
@click.argument("number", type=TICKET_ID, metavar="TICKET")
@json_option
@pass_state
def attachment_list(state, number, as_json) -> None:
    """A ticket's attachments: MAIL POSITION name, type and size."""
    from models.mail.quarantine import attachments_of, mail_rows

    with state.desk():
        state.actor()
        found = [(r, a) for r in mail_rows(ticket=number, limit=10_000) for a, _ in attachments_of(r.id)]
    if as_json:
        echo_json([{"mail": r.id, "position": a.position, "filename": a.filename, "content_type": a.content_type,
                    "size": a.size, "kept": a.kept, "received_at": iso(r.received_at)} for r, a in found])  # fmt: skip
        return
    if not found:
        echo_line(f"ticket #{number} has no attachments")
    for r, a in found:
        echo_line(f"{r.id:>6} {a.position:>3}  {one_line(a.filename, 50):<50}  {a.size:>10,}  {a.content_type}")


@attachment_group.command("save")
@click.argument("mail_id", type=MAIL_ID, metavar="MAIL")
@click.argument("position", type=click.IntRange(0, 100_000), metavar="POSITION")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Where to save it (default: its own name here).")
@pass_state
def attachment_save(state, mail_id, position, output) -> None:
    """Save an attachment (see `attachment list`); an existing file is never overwritten."""
    from models.mail.quarantine import attachment_data
    from models.store.safe_files import write_new_bytes

    with state.desk():
        state.actor()
        row, data = attachment_data(mail_id, position)
    target = output or Path(row.filename)
    if target.is_dir():
        target = target / row.filename
    try:
        write_new_bytes(target, data)
    except FileExistsError:
        raise InvalidInput(f"{one_line(str(target))} exists; give another name with -o") from None
    except OSError as exc:
        raise InvalidInput(f"cannot write {one_line(str(target))}: {exc.strerror or exc}") from None
    echo_line(f"saved {one_line(str(target))} ({len(data):,} bytes)")
