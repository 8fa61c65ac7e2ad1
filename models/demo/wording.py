"""The demo's messages as the story draws them: templates filled with words drawn Zipf-like, pools of
pre-filled texts per kind of question, and a message composed of an opener, a core and a closer."""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass

from models.demo import text

__all__ = ["POOL", "Texts", "fill", "compose"]

POOL = 400  # pre-filled subjects per topic
_KIND_POOL = 48  # pre-filled messages per kind of question and part


_SLOT = re.compile(r"\{(\w+)\}")


def _zipf(rng: random.Random, words: tuple[str, ...]) -> str:
    return words[int(len(words) * rng.random() ** 2.2)]


def fill(rng: random.Random, template: str, keep: tuple[str, ...] = ()) -> str:
    def slot(match: re.Match) -> str:
        name = match.group(1)
        return match.group(0) if name in keep else _zipf(rng, text.SLOTS[name])

    return _SLOT.sub(slot, template)


def _pool(rng: random.Random, templates: tuple[str, ...], low: int = 80, high: int = 300, size: int = POOL,
          filler: tuple[str, ...] = ()) -> list[str]:  # fmt: skip
    """``size`` filled texts of ``low``–``high`` characters: one sentence, or more when one is too short.

    With ``filler``, a short text goes on with another of ``templates`` and then with ``filler``,
    never repeating a sentence; without, with any of ``templates`` (as the first pools were drawn).
    """
    pool = []
    while len(pool) < size:
        first = templates[int(len(templates) * rng.random() ** 1.5)]
        body = fill(rng, first)
        rest = [t for t in templates if t != first] + list(filler)
        while len(body) < low:
            if not filler:
                body += " " + fill(rng, rng.choice(templates))
            elif rest:
                body += " " + fill(rng, rest.pop(int(len(rest) * rng.random()) if len(rest) > len(filler) else 0))
            else:
                break
        if low <= len(body) <= high:
            pool.append(body)
    return pool


@dataclass
class Texts:
    """Pre-filled message parts; a body is opener + core + closer, chosen per event.

    Subjects are drawn per topic with the kind of question each asks; every message of a ticket
    comes from its kind's pools (``text.QUESTIONS``), so that a reply answers what was asked.
    """

    subjects: dict[str, list[tuple[str, str]]]  # topic -> (subject, kind)
    first: dict[str, list[str]]  # kind -> the customer's first messages
    agent: dict[str, list[str]]  # kind -> the agent's answers and questions
    solutions: dict[str, list[str]]
    follow_ups: dict[str, list[str]]  # kind -> the customer's later messages
    chasers: list[str]
    notes: dict[str, list[str]]  # topic -> internal notes

    @classmethod
    def build(cls, rng: random.Random, seed: int) -> Texts:
        subjects = {}
        for topic in text.TOPICS:
            kinds = dict(zip(text.SUBJECTS[topic], text.SUBJECT_KINDS[topic]))
            pool = subjects[topic] = []
            for _ in range(POOL):
                template = rng.choice(text.SUBJECTS[topic])
                pool.append((fill(rng, template, keep=("ref",)), kinds[template]))
        # The first texts drew from ``rng`` here, and the delays the generator draws next must stay what
        # they were (each seed's desk keeps its histories): draw them still, then leave them.
        for templates in (*(text.FIRST_MESSAGES[t] for t in text.TOPICS), *(text.AGENT_REPLIES[t] for t in text.TOPICS),
                          text.FOLLOW_UPS, text.NOTES, text.SOLUTIONS):  # fmt: skip
            _pool(rng, templates)
        own = random.Random(f"sportello-demo-wording:{seed}")
        part = lambda n: {  # noqa: E731
            k: _pool(own, parts[n], size=_KIND_POOL, filler=text.FILLERS[n]) for k, parts in text.QUESTIONS.items()
        }
        return cls(
            subjects=subjects,
            first=part(0),
            agent=part(1),
            solutions=part(2),
            follow_ups=part(3),
            chasers=_pool(own, text.AGENT_CHASERS, size=_KIND_POOL, filler=text.FILLERS[1]),
            notes={t: _pool(own, text.TOPIC_NOTES[t], size=_KIND_POOL, filler=text.FILLERS[4]) for t in text.TOPICS},
        )


def compose(rnd: Callable[[], float], openers: tuple[str, ...], pool: list[str], closers: tuple[str, ...]) -> str:
    """A message: an opener, a pre-filled core and a closer, drawn in that order."""
    return openers[int(len(openers) * rnd())] + pool[int(len(pool) * rnd())] + closers[int(len(closers) * rnd())]
