"""``sportello org …``: organizations — list, profile, segment and contract, and the tiers they may have."""

from __future__ import annotations

from datetime import date

import click

from models.directory import lookup as directory
from models.errors import InvalidInput
from models.reports import organizations
from models.sla import tiers as contract_tiers
from models.store.tables import utcnow
from tui.cli.common import echo_json, echo_line, json_option, pad, pass_state, when
from tui.text.safe import one_line

__all__ = ["org_group"]


@click.group("org")
def org_group() -> None:
    """Organizations: segment (tier, industry, region, size, revenue), support contract, profile."""


def _date(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _org_json(o, expired: bool) -> dict:
    return {"id": o.id, "name": o.name, "tier": o.tier, "industry": o.industry, "region": o.region,
            "size_band": o.size_band, "revenue_band": o.revenue_band,
            "contract_valid_from": _date(o.contract_valid_from), "contract_valid_until": _date(o.contract_valid_until),
            "contract_expired": expired}  # fmt: skip


@org_group.command("list")
@click.argument("search", required=False, default="")
@json_option
@pass_state
def org_list(state, search, as_json) -> None:
    """Organizations whose name, industry or region contains SEARCH (or of that tier)."""
    with state.desk():
        state.actor()
        rows = organizations.list_organizations(search)
    if as_json:
        echo_json([{"id": r.id, "name": r.name, "tier": r.tier, "industry": r.industry, "region": r.region,
                    "contract_valid_until": _date(r.contract_valid_until), "contract_expired": r.expired,
                    "open_tickets": r.open_tickets} for r in rows])  # fmt: skip
        return
    if not rows:
        echo_line("sportello: no organizations match" if search else "sportello: no organizations yet", err=True)
        return
    echo_line(f"{'ID':>5}  {'NAME':<32} {'TIER':<10} {'OPEN':>4}  CONTRACT UNTIL")
    for r in rows:
        contract = f"⚠ expired {r.contract_valid_until}" if r.expired else (_date(r.contract_valid_until) or "-")
        echo_line(
            f"{r.id:>5}  {pad(one_line(r.name, 32), 32)} {pad(one_line(r.tier, 10), 10)} {r.open_tickets:>4}  {contract}"
        )


@org_group.command("show")
@click.argument("name")
@json_option
@pass_state
def org_show(state, name, as_json) -> None:
    """An organization's profile: segment, contract, contacts, and its last 90 days."""
    with state.desk():
        state.actor()
        p = organizations.profile(name, now=utcnow(), limit=20)
    f = p.figures
    data = _org_json(p.organization, p.expired) | {
        "contacts": p.contact_count,
        "open_tickets": p.open_tickets,
        "last_days": organizations.PROFILE_DAYS,
        "figures": f.as_dict(),
        "tickets": [{"number": t.number, "subject": t.subject, "status": t.status, "priority": t.priority}
                    for t in p.tickets],
    }  # fmt: skip
    if as_json:
        echo_json(data)
        return
    o = p.organization
    flag = "  ⚠ CONTRACT EXPIRED" if p.expired else ""
    echo_line(f"{one_line(o.name, 60)} (#{o.id}){flag}")
    for label, value in (("tier", o.tier), ("industry", o.industry), ("region", o.region), ("size band", o.size_band),
                         ("revenue band", o.revenue_band),
                         ("contract", f"{_date(o.contract_valid_from) or '…'} to {_date(o.contract_valid_until) or '…'}"),
                         ("mail domains", o.mail_domains),
                         ("contacts", str(p.contact_count)), ("open tickets", str(p.open_tickets))):  # fmt: skip
        echo_line(f"  {label + ':':<16}{one_line(value or '-', 60)}")
    sla = "—" if f.sla_compliance is None else f"{f.sla_compliance:.1f}% of {f.sla_counted}"
    csat = "—" if f.csat_average is None else f"{f.csat_average:.2f}/5 ({f.answers} answers)"
    echo_line(f"  Last {organizations.PROFILE_DAYS} days: created {f.created}, resolved {f.resolved}, "
              f"SLA {sla}, CSAT {csat}, complaints {f.complaints}")  # fmt: skip
    for t in p.tickets:
        echo_line(f"  #{t.number:<7} {t.status:<9} {t.priority:<7} {when(t.updated_at)}  {one_line(t.subject, 40)}")


def _day(value: str | None, option: str) -> date | None | str:
    if value is None:
        return "keep"
    if value.strip().lower() in ("none", ""):
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(f"bad {option} {one_line(value, 20)!r} (use YYYY-MM-DD or none)") from None


@org_group.command("set")
@click.argument("name")
@click.option("--tier", help="One of the configured tiers (see `sportello org tiers`); SLA rules match on it.")
@click.option("--industry")
@click.option("--region")
@click.option("--size", "size_band", help="A size band such as 11-50.")
@click.option("--revenue", "revenue_band", help="A revenue band such as 1-10M.")
@click.option("--contract-from", metavar="YYYY-MM-DD", help="The support contract's first day ('none' to clear).")
@click.option("--contract-until", metavar="YYYY-MM-DD", help="The support contract's last day ('none' to clear).")
@click.option(
    "--domains",
    "mail_domains",
    metavar="DOMAINS",
    help="Mail domains it claims (acme.example,acme.it; '' clears): new senders there join it.",
)
@pass_state
def org_set(
    state, name, tier, industry, region, size_band, revenue_band, contract_from, contract_until, mail_domains
) -> None:
    """Change an organization (leads and admins); a tier change re-evaluates its tickets' SLA."""
    starts, ends = _day(contract_from, "--contract-from"), _day(contract_until, "--contract-until")
    with state.desk():
        o = directory.update_organization(state.actor(), name, tier=tier, industry=industry, region=region,
                                          size_band=size_band, revenue_band=revenue_band,
                                          contract_valid_from=starts, contract_valid_until=ends,
                                          mail_domains=mail_domains)  # fmt: skip
    echo_line(
        f"{one_line(o.name)}: {o.tier}"
        + (f", contract until {o.contract_valid_until}" if o.contract_valid_until else "")
    )


@org_group.command("tiers")
@click.option("--add", "add", metavar="NAME", help="Add a tier (admins), at the top or --after another.")
@click.option("--after", metavar="NAME", help="With --add: place it just after this tier.")
@click.option("--remove", "remove", metavar="NAME", help="Remove a tier no organization or SLA rule uses (admins).")
@json_option
@pass_state
def org_tiers(state, add, after, remove, as_json) -> None:
    """The tiers organizations may have, lowest first."""
    if add and remove:
        raise InvalidInput("use --add or --remove, not both")
    if after and not add:
        raise InvalidInput("--after goes with --add")
    with state.desk():
        if add:
            names = contract_tiers.add_tier(state.actor(), add, after=after)
        elif remove:
            names = contract_tiers.remove_tier(state.actor(), remove)
        else:
            state.actor()
            names = contract_tiers.tiers()
    if as_json:
        echo_json(names)
    else:
        for name in names:
            echo_line(one_line(name, 40))
