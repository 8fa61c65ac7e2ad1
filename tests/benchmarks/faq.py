"""Benchmarks of the knowledge base (issue 4, "Speed") on a large desk.

    python -m tests.benchmarks.faq --db /tmp/bench1m.db --articles 10000

The desk must exist (build it with ``sportello --db /tmp/bench1m.db demo --tickets 1000000
--no-tui``); it is brought to the current schema, then topped up to ``--articles`` FAQ articles
through ``models.faq.articles.create_article`` (the service path, revisions and index included; words from
the demo's vocabulary, so searches and suggestions find realistic numbers of matches). Then:

1. *FAQ search*: 200 queries of 1–3 words drawn from the articles' vocabulary, a third of them
   with a ``category:`` or ``tag:`` filter, first page of 50 (``search_faq``); target < 30 ms.
2. *Suggestions*: ``suggest_for_ticket`` for 200 random tickets; target < 50 ms.
3. *Health*: the whole ``faq_health`` report (usage over 30/90 days, never used, drafts, gaps
   from up to 20,000 recently resolved tickets), 5 runs; target < 1 s.

Each figure is wall time of one call after one warm-up call (a desk in use has its hot pages
in memory); p95 over the runs is compared with the target.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path

from .core import machine, percentile

HERE = Path(__file__).parent
TARGETS = {"search": 30.0, "suggest": 50.0, "health": 1000.0}


def _vocabulary() -> list[str]:
    from models.demo import text
    from models.faq.search import folded_words

    words: set[str] = set()
    for group in (text.SUBJECTS, text.FIRST_MESSAGES, text.AGENT_REPLIES):
        for values in group.values():
            for value in values:
                words.update(folded_words(value))
    for _, title in text.FAQ_TITLES:
        words.update(folded_words(title))
    return sorted(w for w in words if len(w) > 2 and "{" not in w)


def top_up(articles: int, rng: random.Random) -> int:
    """Create articles until the desk holds ``articles``; returns how many were made."""
    from models.directory import agents
    from models.faq import articles as faq
    from models.store.tables import FAQArticle

    have = FAQArticle.select().count()
    if have >= articles:
        return 0
    actor = agents.ensure_admin(agents.os_login())
    names = [name for name, _ in faq.categories()]
    vocabulary = _vocabulary()
    tags = ["vpn", "login", "invoice", "refund", "shipping", "printer", "password", "export", "api", "mobile"]
    for i in range(have, articles):
        title = " ".join(rng.choices(vocabulary, k=rng.randint(4, 8))).capitalize()
        paragraphs = ["\n".join(" ".join(rng.choices(vocabulary, k=12)) for _ in range(rng.randint(2, 5)))
                      for _ in range(rng.randint(2, 4))]  # fmt: skip
        faq.create_article(
            actor, title=title, body="\n\n".join(paragraphs), category=rng.choice(names),
            tags=rng.sample(tags, k=rng.randint(0, 2)), status=rng.choices(["published", "draft", "archived"], [80, 15, 5])[0],
        )  # fmt: skip
        if (i + 1) % 1000 == 0:
            print(f"  {i + 1:,} articles", flush=True)
    return articles - have


def _timed(fn, args_list) -> list[float]:
    fn(*args_list[0])
    out = []
    for args in args_list:
        start = time.perf_counter()
        fn(*args)
        out.append((time.perf_counter() - start) * 1000)
    return out


def measure(rng: random.Random) -> dict[str, list[float]]:
    from models.faq import articles as faq
    from models.faq import health as faq_health
    from models.faq import search as faq_search
    from models.store.tables import Ticket

    vocabulary = _vocabulary()
    names = [name for name, _ in faq.categories()]
    queries = []
    for i in range(200):
        words = " ".join(rng.sample(vocabulary, k=rng.randint(1, 3)))
        extra = ["", f'category:"{rng.choice(names)}"', "tag:vpn,login"][i % 3]
        queries.append((f"{words} {extra}".strip(),))
    top = Ticket.select(Ticket.number).order_by(Ticket.number.desc()).limit(1).scalar()
    tickets = [(rng.randint(1, top),) for _ in range(200)]
    return {
        "search": _timed(lambda q: faq_search.search_faq(q, limit=50), queries),
        "suggest": _timed(lambda n: faq_search.suggest_for_ticket(n), tickets),
        "health": _timed(lambda: faq_health.faq_health(), [()] * 5),
    }


def report(url: str, articles: int, tickets: int, got: dict[str, list[float]], made: int) -> str:
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"## FAQ (issue 4) — {url.split(':', 1)[0]}, {articles:,} articles, {tickets:,} tickets — {stamp}",
        "",
        f"Machine: {machine()}",
        "",
        f"Command: `python -m tests.benchmarks.faq --db {url.removeprefix('sqlite:///')} --articles {articles}`"
        + (f" ({made:,} articles created for this run)" if made else ""),
        "",
        "| measure | runs | median | p95 | max | target (p95) | verdict |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    labels = {"search": "FAQ search, first 50", "suggest": "suggestions for a ticket", "health": "health report"}
    for key, samples in got.items():
        p95 = percentile(samples, 95)
        verdict = "ok" if p95 < TARGETS[key] else "**over**"
        lines.append(f"| {labels[key]} | {len(samples)} | {statistics.median(samples):.1f} ms | {p95:.1f} ms "
                     f"| {max(samples):.1f} ms | < {TARGETS[key]:.0f} ms | {verdict} |")  # fmt: skip
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="/tmp/bench1m.db", help="the desk: a file path or a database URL")
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--no-write", action="store_true", help="print, do not append to RESULTS.md")
    args = parser.parse_args()
    from models import open_database
    from models.store.bulk import analyze
    from models.store.tables import FAQArticle, Ticket

    url = args.db if "://" in args.db else "sqlite:///" + str(Path(args.db).resolve())
    open_database(url)
    rng = random.Random("sportello-bench-faq")
    made = top_up(args.articles, rng)
    if made:
        analyze()
    got = measure(rng)
    text = report(url, FAQArticle.select().count(), Ticket.select().count(), got, made)
    print(text)
    if not args.no_write:
        with (HERE / "RESULTS.md").open("a") as out:
            out.write("\n" + text)


if __name__ == "__main__":
    main()
