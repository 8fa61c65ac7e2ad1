"""The KPI dashboard, driven as a lead drives it: ``d`` from the queue, then keys.

Two desks: the demo desk (``tui_desk``) where the periods hold different numbers of tickets, and a
small desk built here through the service functions with a fake clock, where every figure is
known (it is the scenario of tests/test_kpi.py, plus a fortnight of tickets for the chart and a
hostile organization and queue name).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from models import close_database, open_database
from models.directory import agents
from models.directory import lookup as directory
from models.reports import kpi
from models.sla import rules as sla
from models.tickets import changes as tickets
from models.tickets import csat
from support.tui import NOW, make_app, notifications, queue_ready, run, screen_strips, screen_text, until
from tui.app import SportelloApp
from tui.desk.desk import Desk
from tui.dialogs.period import PeriodPrompt
from tui.screens.kpi import KPIScreen
from tui.text.kpi import chart_series, parse_filter

MON = datetime(2026, 3, 2, 9, 0)  # a Monday, 09:00 UTC: the four tickets of tests/test_kpi.py
SMALL_NOW = datetime(2026, 3, 13, 12, 0)  # the small desk's "now": a Friday, eleven days later
WEEKDAYS = {day: "09:00-13:00, 14:00-18:00" for day in ("mon", "tue", "wed", "thu", "fri")}
HOSTILE_ORG = "[@click=app.quit]Evil[/] \x1b]0;pwned\x07 [link=file:///etc/passwd]y[/link] [bold]Corp"
HOSTILE_QUEUE = "[b]Ops[/b]\x07\x1b[31m"


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


@pytest.fixture
def small_desk(tmp_path, monkeypatch):
    """A desk whose every figure is known; the Desk the app talks to, as agent ada."""
    url = f"sqlite:///{tmp_path}/kpi.db"
    open_database(url, create=True)
    clock = Clock(MON)
    for module in ("models.tickets.pipeline", "models.tickets.csat"):
        monkeypatch.setattr(f"{module}.utcnow", clock)
    admin = agents.ensure_admin("ada", "Ada Admin")
    agents.add_agent(admin, "ann", "Ann Agent")
    sla.save_calendar(admin, "Office", timezone="UTC", hours=WEEKDAYS)
    sla.save_policy(admin, "Premium", tier="premium", calendar="Office", first_response=60, resolution=8 * 60)
    sla.save_policy(admin, "Standard", calendar="Office", first_response=240, resolution=40 * 60)
    directory.add_organization("Acme", tier="premium")
    directory.add_organization(HOSTILE_ORG, tier="standard")
    directory.add_queue("Billing", actor=admin)
    directory.add_queue(HOSTILE_QUEUE, actor=admin)

    def new(org, who=None, kind="question", queue=None):
        return tickets.create_ticket(admin, subject="Printer jam", body="It jams", customer="eva@example.com",
                                     organization=org, assignee=who, ticket_type=kind, queue=queue)  # fmt: skip

    # Monday 2 March, as in tests/test_kpi.py: 4 created, 3 resolved, 2 complaints, 1 reopened, 2 surveys answered.
    made = []
    for org, who, kind in (("Acme", "ann", "complaint"), ("Acme", "ann", "question"),
                           (HOSTILE_ORG, None, "complaint"), (HOSTILE_ORG, None, "incident")):  # fmt: skip
        made.append(new(org, who, kind))
        clock.at += timedelta(minutes=10)
    a1, a2, b1, _ = made
    clock.at = MON.replace(hour=10)
    tickets.add_reply(admin, a1.number, "On it")
    tickets.add_reply(admin, b1.number, "On it")
    clock.at = MON.replace(hour=11)
    tickets.set_status(admin, a1.number, "resolved")
    clock.at = MON.replace(hour=15)
    tickets.add_reply(admin, a2.number, "Sorry for the wait")
    tickets.set_status(admin, a2.number, "resolved")
    clock.at += timedelta(minutes=5)
    tickets.set_status(admin, b1.number, "resolved")
    tickets.add_reply(admin, b1.number, "Not fixed", from_customer=True)
    tickets.set_status(admin, b1.number, "resolved")
    csat.record(admin, a1.number, 5)
    csat.record(admin, a2.number, 2)

    # Then a ticket or three every working day until "now", for the chart and the queue filter.
    for day in range(1, 12):
        at = MON + timedelta(days=day)
        if at.weekday() >= 5:
            continue
        for n in range(day % 3 + 1):
            clock.at = at + timedelta(minutes=30 * n)
            queue = ("Billing", HOSTILE_QUEUE, None)[n % 3]
            t = new(("Acme", HOSTILE_ORG, None)[(day + n) % 3], ("ann", "ada", None)[n % 3], queue=queue)
            clock.at += timedelta(hours=1 + n)
            tickets.add_reply(admin, t.number, "Looking")
            if (day + n) % 2:
                clock.at += timedelta(hours=2)
                tickets.set_status(admin, t.number, "resolved")
    clock.at = SMALL_NOW
    yield Desk(url, agents.get_agent("ada"), where="kpi.db", user_host="ada@helpdesk")
    close_database()


def small_app(desk: Desk) -> SportelloApp:
    return SportelloApp(desk, now=lambda: SMALL_NOW, blink=False, poll=None)


async def kpi_ready(pilot) -> KPIScreen:
    """The dashboard, showing the report it last asked for."""
    app = pilot.app
    await until(pilot, lambda: isinstance(app.screen, KPIScreen) and app.screen.report is not None
                and app.screen.shown == app.screen.asked, "the KPIs")  # fmt: skip
    await pilot.pause()
    return app.screen


async def open_dashboard(pilot) -> KPIScreen:
    await queue_ready(pilot)
    await pilot.press("d")
    return await kpi_ready(pilot)


async def on_screen(pilot, *texts: str) -> None:
    """Wait until every one of ``texts`` is on screen (a no-break space read as a space)."""
    await until(
        pilot, lambda: all(t in screen_text(pilot.app).replace("\u00a0", " ") for t in texts), f"{texts!r} on screen"
    )


def report_for(first: date, last: date, *, by: str = "agent", **filters) -> kpi.KPIReport:
    return kpi.kpi_report(*kpi.period(first, last), filters=kpi.Filters(**filters), by=by)


def assert_inert(app) -> None:
    """No segment on screen carries a control character, a bidi override, a link or a click action."""
    for strip in screen_strips(app):
        for segment in strip:
            assert not any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in segment.text), repr(segment.text)
            style = segment.style
            if style is not None:
                assert not style.link, style.link
                assert not (style.meta or {}).get("@click"), style.meta


# --- the figures ---------------------------------------------------------------------------------


def test_d_opens_the_dashboard_on_the_last_30_days_with_the_reports_figures(tui_desk):
    today = NOW.date()
    expected = report_for(today - timedelta(days=29), today)
    assert expected.totals.created and expected.groups  # the demo desk has tickets in the period

    async def scenario():
        async with make_app(tui_desk).run_test(size=(100, 30)) as pilot:
            screen = await open_dashboard(pilot)
            assert (screen.report.start, screen.report.end) == (expected.start, expected.end)
            assert screen.report.totals == expected.totals and screen.report.backlog == expected.backlog
            assert screen.series == chart_series(expected.per_day)
            t = expected.totals
            await on_screen(pilot, f"Last 30 days: {today - timedelta(days=29)} → {today}", "all tickets", "by agent",
                            f"created {t.created:,} · resolved {t.resolved:,}", f"{sum(expected.backlog.values()):,} open",
                            f"✦ new {expected.backlog['new']}", "Complaints")  # fmt: skip
            if t.first_response.count == 0:  # the demo keeps no measures: no data shows as —, never as 0
                await on_screen(pilot, "First response — (no ticket in the period)")
            assert [key for key in screen.table.keys] == list(range(len(expected.groups)))
            assert screen.table.get_row_at(0)[0].plain.strip() == expected.groups[0][0]
            await pilot.press("escape")
            await queue_ready(pilot)

    run(scenario())


def test_every_headline_figure_matches_the_report_of_a_typed_period(small_desk):
    monday = MON.date()
    expected = report_for(monday, monday)
    t = expected.totals
    assert (t.created, t.resolved, t.complaints, t.sla_counted, t.sla_met, t.reopened) == (4, 3, 2, 3, 2, 1)

    async def scenario():
        async with small_app(small_desk).run_test(size=(80, 24)) as pilot:
            screen = await open_dashboard(pilot)
            await pilot.press("p")
            await until(pilot, lambda: isinstance(pilot.app.screen, PeriodPrompt), "the period prompt")
            prompt = pilot.app.screen
            await pilot.press("ctrl+u", *"2026-02-30", "tab", "ctrl+u", *"2026-03-02", "enter")
            await until(pilot, lambda: "not a date" in notifications(pilot.app), "the refusal")
            assert pilot.app.screen is prompt  # still asking, with what was typed
            assert (
                prompt.query_one("#kpi-from").value == "2026-02-30"
                and prompt.query_one("#kpi-to").value == "2026-03-02"
            )
            prompt.query_one("#kpi-from").focus()
            await pilot.press("ctrl+u", *"2026-03-02", "enter")
            screen = await kpi_ready(pilot)
            assert (screen.asked.first, screen.asked.last) == (monday, monday)
            assert screen.report.totals == t and screen.report.groups == expected.groups
            await on_screen(
                pilot, "2026-03-02 → 2026-03-02 (1 day)",
                "created 4 · resolved 3 · reopen rate 33.3%",
                "median 1.0 h · p90 4.8 h · of 3 tickets",  # 40 min, 60 min, 4 h 50 of business time
                "SLA met 66.7% of 3 · CSAT 3.50/5, 66.7% of 3 surveys answered",
                "Complaints     2 · by tier: premium 1 · standard 1",
            )  # fmt: skip
            assert t.resolution.median is not None
            await on_screen(pilot, f"median {t.resolution.median:.1f} h · p90 {t.resolution.p90:.1f} h · of 3 tickets")
            backlog = expected.backlog
            await on_screen(pilot, f"{sum(backlog.values())} open · ✦ new {backlog['new']} · ● open {backlog['open']}")

    run(scenario())


# --- periods and groupings -------------------------------------------------------------------------


def test_period_keys_and_grouping_change_what_is_shown(tui_desk):
    today = NOW.date()

    async def scenario():
        async with make_app(tui_desk).run_test(size=(120, 40)) as pilot:
            screen = await open_dashboard(pilot)
            for key, days in (("1", 7), ("3", 90), ("4", 365)):
                await pilot.press(key)
                screen = await kpi_ready(pilot)
                expected = report_for(today - timedelta(days=days - 1), today)
                assert screen.asked.days == days and screen.report.totals == expected.totals
                await on_screen(pilot, f"Last {days} days", f"created {expected.totals.created:,} ·")
            assert screen.series.unit == "week" and len(screen.series.starts) == 53  # a year is drawn by week

            await pilot.press("left_square_bracket")  # the year before
            screen = await kpi_ready(pilot)
            first = today - timedelta(days=2 * 365 - 1)
            assert (screen.asked.first, screen.asked.last) == (first, today - timedelta(days=365))
            assert screen.report.totals == report_for(first, today - timedelta(days=365)).totals
            assert screen.check_action("step", (1,)) is True
            await pilot.press("right_square_bracket")  # back up to today; no later period from there
            screen = await kpi_ready(pilot)
            assert screen.asked.last == today and screen.check_action("step", (1,)) is None
            await pilot.press("right_square_bracket")
            await pilot.pause()
            assert screen.asked.last == today

            await pilot.press("2")
            screen = await kpi_ready(pilot)
            start = today - timedelta(days=29)
            for by, heading in (("org", "Organization"), ("segment", "Tier"), ("queue", "Queue"), ("agent", "Agent")):
                await pilot.press("b")
                screen = await kpi_ready(pilot)
                expected = report_for(start, today, by=by)
                assert screen.report.by == by and screen.report.groups == expected.groups
                assert str(list(screen.table.columns.values())[0].label).strip() == heading
                names = [screen.table.get_row_at(i)[0].plain.strip() for i in range(screen.table.row_count)]
                assert names == [name for name, _ in expected.groups]
                await on_screen(pilot, f"by {'organization' if by == 'org' else 'tier' if by == 'segment' else by}")

    run(scenario())


def test_ctrl_r_reloads_and_q_goes_back(tui_desk, monkeypatch):
    today = NOW.date()
    monkeypatch.setattr("models.tickets.pipeline.utcnow", lambda: NOW - timedelta(hours=1))

    async def scenario():
        async with make_app(tui_desk).run_test(size=(80, 24)) as pilot:
            screen = await open_dashboard(pilot)
            before = screen.report.totals.created
            tickets.create_ticket(agents.get_agent("ada"), subject="One more", body="Hello", customer="new@example.com")
            await pilot.press("ctrl+r")
            await until(pilot, lambda: screen.report.totals.created == before + 1, "the reload")
            assert screen.report.totals == report_for(today - timedelta(days=29), today).totals
            titles = [title for title, _, _ in screen.palette_commands()]
            assert {"KPIs: last 7 days", "KPIs: filter", "KPIs: group the table", "Reload", "Back"} <= set(titles)
            assert "KPIs: the period after" not in titles  # up to today already
            await pilot.press("q")
            await queue_ready(pilot)

    run(scenario())


# --- filters ---------------------------------------------------------------------------------------


def test_filters_apply_and_a_bad_one_is_notified_and_kept_to_correct(small_desk):
    today = SMALL_NOW.date()
    start = today - timedelta(days=29)
    everything = report_for(start, today)
    billing = report_for(start, today, queue="Billing")
    assert 0 < billing.totals.created < everything.totals.created

    async def scenario():
        async with small_app(small_desk).run_test(size=(80, 24)) as pilot:
            screen = await open_dashboard(pilot)
            await pilot.press("slash", *"org:Nowhere", "enter")
            await until(pilot, lambda: "no organization 'Nowhere'" in notifications(pilot.app), "the refusal")
            assert pilot.app.is_running and pilot.app.screen is screen
            await until(pilot, lambda: screen.asked == screen.shown, "back to what is shown")
            assert screen.report.totals == everything.totals and screen.report.filters == kpi.Filters()
            assert screen.focused is screen.filter_input and screen.filter_input.value == "org:Nowhere"  # to correct

            await pilot.press("ctrl+u", *"tier", "enter")  # not KEY:VALUE: said at once, nothing asked
            await until(pilot, lambda: "is not KEY:VALUE" in notifications(pilot.app), "the syntax error")
            assert screen.filter_input.value == "tier" and screen.asked.filters == ()

            await pilot.press("ctrl+u", *"queue:Billing", "enter")
            screen = await kpi_ready(pilot)
            assert screen.report.filters == kpi.Filters(queue="Billing") and screen.report.totals == billing.totals
            await on_screen(pilot, "queue Billing", f"created {billing.totals.created} ·")
            assert not screen.query_one("#kpi-filter-bar").display

            await pilot.press("slash", "ctrl+u", *"tier:premium agent:ann", "enter")
            screen = await kpi_ready(pilot)
            assert screen.report.totals == report_for(start, today, agent="ann", segment=("tier", "premium")).totals
            await pilot.press("slash", "ctrl+u", "enter")  # empty: every ticket again
            screen = await kpi_ready(pilot)
            assert screen.report.totals == everything.totals

    run(scenario())


def test_the_filter_language():
    assert parse_filter('queue:Billing org:"Acme Motors" tier:premium agent:ann') == (
        ("queue", "Billing"), ("agent", "ann"), ("organization", "Acme Motors"), ("segment", ("tier", "premium")))  # fmt: skip
    assert parse_filter("industry:energy") == (("segment", ("industry", "energy")),)
    assert parse_filter("  ") == ()
    for bad, said in (("colour:red", "unknown filter"), ("org:", "has no value"), ('org:"Acme', "quote"),
                      ("tier:a region:b", "one segment"), ("queue:a queue:b", "twice"), ("Acme", "KEY:VALUE")):  # fmt: skip
        with pytest.raises(kpi.InvalidInput, match=said):
            parse_filter(bad)


# --- hostile names ---------------------------------------------------------------------------------


def test_hostile_organization_and_queue_names_render_literally_and_clicking_runs_nothing(small_desk, monkeypatch):
    opened: list[str] = []

    async def scenario():
        app = small_app(small_desk)
        monkeypatch.setattr(app, "open_url", lambda url, **kw: opened.append(url))
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await open_dashboard(pilot)
            await pilot.press("b")  # by organization
            screen = await kpi_ready(pilot)
            names = [name for name, _ in screen.report.groups]
            assert HOSTILE_ORG in names
            await on_screen(
                pilot, "[@click=app.quit]Evil[/] \ufffd]0;pwned\ufffd [li"
            )  # ESC and BEL replaced; cut to the column
            assert_inert(app)
            row = names.index(HOSTILE_ORG)
            for x in (2, 10, 30):
                await pilot.click("#kpi-groups", offset=(x, row + 1))  # the header is line 0
            await pilot.click("#kpi-figures", offset=(20, 1))
            await pilot.pause(0.2)
            assert app.is_running and app.screen is screen and opened == []

            for _ in range(2):
                await pilot.press("b")  # by queue
            screen = await kpi_ready(pilot)
            assert HOSTILE_QUEUE in [name for name, _ in screen.report.groups]
            await on_screen(pilot, "[b]Ops[/b]\ufffd\ufffd[31m")
            assert_inert(app)

            await pilot.press("slash", *"org:[bold]Evil", "enter")  # not the name: refused, said literally
            await until(pilot, lambda: "no organization '[bold]Evil'" in notifications(app), "the refusal")
            assert app.is_running and app.screen is screen

    run(scenario())


# --- 80×24 -------------------------------------------------------------------------------------------


def test_nothing_essential_is_cut_off_at_80x24(small_desk):
    async def scenario():
        async with small_app(small_desk).run_test(size=(80, 24)) as pilot:
            screen = await open_dashboard(pilot)
            text = screen_text(pilot.app)
            lines = text.split("\n")
            figures = [line for line in lines if line.startswith((" Backlog now", " Tickets", " First response",
                                                                  " Resolution", " SLA and CSAT", " Complaints"))]  # fmt: skip
            assert len(figures) == 6 and not any("…" in line for line in figures), figures
            t = screen.report.totals
            assert f"created {t.created} · resolved {t.resolved} · reopen rate" in text
            assert f"CSAT {t.csat_average:.2f}/5" in text and "SLA met" in text
            header = next(line for line in lines if "Created" in line)
            for heading in ("Agent", "Created", "Resolved", "FR med", "Res med", "SLA", "Reopen", "CSAT", "Compl"):
                assert heading in header
            assert screen.table.size.height >= 5  # the header and at least four groups
            assert screen.query_one("#kpi-chart").size.height >= 5
            footer = lines[-1]
            for key in ("Days", "Period", "Filter", "Group", "Back"):
                assert key in footer
            assert all(strip.cell_length <= 80 for strip in screen_strips(pilot.app))

    run(scenario())


# --- snapshots -----------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_kpi_snapshot(snap_compare, small_desk, size):
    async def ready(pilot):
        await open_dashboard(pilot)
        await pilot.pause(0.3)

    assert snap_compare(small_app(small_desk), terminal_size=size, run_before=ready)
