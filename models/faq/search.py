"""Finding FAQ articles: the FAQ query language, full-text search, and suggestions for a ticket.

The language is the tickets' (see :mod:`models.search.query`): words and "phrases" match the title
and body (the title weighs more), a leading ``-`` excludes, and the filters are
``category:`` ``status:`` ``tag:`` ``id:`` (or ``#12``) and ``sort:``. Archived articles are
left out unless a ``status:`` filter asks for them.
"""

from __future__ import annotations

import math
import operator
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from functools import reduce

import peewee as pw

from models.enums import EventKind, FAQStatus
from models.errors import QueryError
from models.search.query import MAX_QUERY_ITEMS, MAX_QUERY_LENGTH, Term, _show, _tokens, drop_bad_characters
from models.store import fulltext
from models.store.db import is_postgres
from models.store.tables import FAQArticle, FAQTag, Tag, TicketEvent, TicketFAQ
from models.tickets.changes import get_ticket

__all__ = [
    "FAQ_FILTERS",
    "FAQ_QUERY_HELP",
    "FAQQuery",
    "FAQHit",
    "parse_faq_query",
    "search_faq",
    "count_faq",
    "suggest_for_ticket",
    "folded_words",
    "STOP_WORDS",
]

FAQ_FILTERS = ("category", "status", "tag", "id", "sort")
_FIELDS = {name: name for name in FAQ_FILTERS} | {"cat": "category"}
_SORTS = ("title", "updated", "created", "relevance")

FAQ_QUERY_HELP = """\
Words match the title and body (the title weighs more); "quoted words" match a phrase.
Filters: category:NAME (category:none for uncategorised)  status:draft|published|archived|any
  tag:NAME  #12 or id:12,14  sort:title|updated|created|relevance
A comma means OR (tag:vpn,login); a leading - excludes (-tag:old -"legacy portal").
Archived articles show only when status: asks for them."""

# Words that say nothing about a topic, left out of suggestions and gaps: the Snowball stop-word
# lists for English and Italian (the demo and many desks mix both), then the small talk of support
# mail ("very", "wrong", "please", "non riesco"). Folded as the index folds (no accents), at import.
_ENGLISH = """
    i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her hers
    herself it its itself they them their theirs themselves what which who whom this that these those am is
    are was were be been being have has had having do does did doing a an the and but if or because as
    until while of at by for with about against between into through during before after above below to
    from up down in out on off over under again further then once here there when where why how all any
    both each few more most other some such no nor not only own same so than too very can will just don
    should now ll re ve ain aren couldn didn doesn hadn hasn haven isn ma mightn mustn needn shan shouldn
    wasn weren won wouldn
"""
_ITALIAN = """
    ad al allo ai agli all agl alla alle con col coi da dal dallo dai dagli dall dagl dalla dalle di del dello
    dei degli dell degl della delle in nel nello nei negli nell negl nella nelle su sul sullo sui sugli sull
    sugl sulla sulle per tra contro io tu lui lei noi voi loro mio mia miei mie tuo tua tuoi tue suo sua suoi
    sue nostro nostra nostri nostre vostro vostra vostri vostre mi ti ci vi lo la li le gli ne il un uno una
    ma ed se perché anche come dov dove che chi cui non più quale quanto quanti quanta quante quello quelli
    quella quelle questo questi questa queste si tutto tutti ho hai ha abbiamo avete hanno abbia abbiate
    abbiano avrò avrai avrà avremo avrete avranno avrei avresti avrebbe avremmo avreste avrebbero avevo avevi
    aveva avevamo avevate avevano ebbi avesti ebbe avemmo aveste ebbero avessi avesse avessimo avessero
    avendo avuto avuta avuti avute sono sei è siamo siete sia siate siano sarò sarai sarà saremo sarete
    saranno sarei saresti sarebbe saremmo sareste sarebbero ero eri era eravamo eravate erano fui fosti fu
    fummo foste furono fossi fosse fossimo fossero essendo faccio fai facciamo fanno faccia facciate facciano
    farò farai farà faremo farete faranno farei faresti farebbe faremmo fareste farebbero facevo facevi
    faceva facevamo facevate facevano feci facesti fece facemmo faceste fecero facessi facesse facessimo
    facessero facendo sto stai sta stiamo stanno stia stiate stiano starò starai starà staremo starete
    staranno starei staresti starebbe staremmo stareste starebbero stavo stavi stava stavamo stavate stavano
    stetti stesti stette stemmo steste stettero stessi stesse stessimo stessero stando
"""
_SUPPORT_TALK = """
    hi hello hey dear regards best kind cheers sincerely thanks thank please sorry ok okay yes asap urgent
    also still already always never ever even really quite much many lot lots since yet ago anymore
    would could might must shall cannot get gets got getting make makes made need needs want wanted
    try tried trying know let like see seen seems seem able unable keep keeps show shows showing
    happen happens happened work works working worked wrong right good bad fine new old different another
    something anything nothing everything someone anyone thing things way one two three time times today
    yesterday tomorrow morning week day days im dont wont cant doesnt didnt isnt etc done us
    problem problems issue issues question questions help request ticket support re fw fwd
    ciao salve buongiorno buonasera gentile gentili egregio spettabile cordiali distinti saluti saluto
    grazie mille prego cortesemente favore ancora già molto poco sempre mai oggi ieri domani ora adesso
    però quindi infatti invece solo soltanto proprio tanto troppo sì cosa cose qualcosa niente nulla
    dopo prima riesco riesce posso può potete potreste vorrei volevo vorremmo errato errata errati errate
    sbagliato sbagliata sbagliati sbagliate problema richiesta domanda aiuto urgente nuovo nuova
    stesso stessa altro altra altri altre fare fatto bene male ecc fra quando
"""


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


STOP_WORDS = frozenset(_fold(_ENGLISH + _ITALIAN + _SUPPORT_TALK).split())

_WORD = re.compile(r"[^\W_]+")
_MAX_SUGGEST_WORDS = 24


@dataclass(frozen=True)
class FAQQuery:
    """A parsed FAQ query; every part is ANDed with the others."""

    terms: tuple[Term, ...] = ()
    categories: tuple[tuple[tuple[str, ...], bool], ...] = ()  # (values, negated)
    statuses: tuple[tuple[tuple[str, ...], bool], ...] = ()
    tags: tuple[tuple[tuple[str, ...], bool], ...] = ()
    ids: tuple[tuple[tuple[int, ...], bool], ...] = ()
    sort: str | None = None
    text: str = ""


@dataclass(frozen=True)
class FAQHit:
    """One article in a list of results."""

    id: int
    title: str
    category: str
    status: str
    tags: tuple[str, ...]
    updated_at: datetime
    version: int
    score: float | None = None  # higher is more relevant; None without words
    linked: bool = False  # (suggestions) already linked to the ticket


def parse_faq_query(text: str) -> FAQQuery:
    """Parse ``text``; raises only QueryError, whose message names the offending token. NUL and
    lone surrogates are dropped first, as in :func:`models.search.query.parse_query`."""
    if not isinstance(text, str):
        raise QueryError("a query must be text")
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryError(f"query is too long ({len(text)} characters; at most {MAX_QUERY_LENGTH})")
    tokens = _tokens(drop_bad_characters(text), _FIELDS, FAQ_FILTERS)
    if len(tokens) > MAX_QUERY_ITEMS:
        raise QueryError(f"too many words and filters ({len(tokens)}; at most {MAX_QUERY_ITEMS})")
    terms, parts, sort = [], {"category": [], "status": [], "tag": [], "id": []}, None
    for token in tokens:
        if token.field is None:
            terms.append(Term(token.values[0], token.phrase, token.negated))
            continue
        if not all(v.strip() for v in token.values):
            raise QueryError(f"empty value in {_show(token.raw)} (e.g. category:Billing or tag:vpn,login)")
        if token.field == "sort":
            if sort is not None or token.negated or len(token.values) > 1:
                raise QueryError(f"one sort, not negated, with one value: {_show(token.raw)}")
            sort = token.values[0].lower()
            if sort not in _SORTS:
                raise QueryError(f"unknown sort {_show(sort)} (one of: {', '.join(_SORTS)})")
            continue
        values = tuple(_value(token.field, v) for v in token.values)
        parts[token.field].append((tuple(dict.fromkeys(values)), token.negated))
    return FAQQuery(
        tuple(terms),
        tuple(parts["category"]),
        tuple(parts["status"]),
        tuple(parts["tag"]),
        tuple(parts["id"]),
        sort,
        text,
    )


def _value(field: str, value: str):
    value = value.strip()
    if field == "status":
        low = value.lower()
        if low != "any" and low not in {s.value for s in FAQStatus}:
            raise QueryError(f"unknown FAQ status {_show(value)} (one of: draft, published, archived, any)")
        return low
    if field == "id":
        digits = value.removeprefix("#")
        if not digits.isascii() or not digits.isdigit() or not 0 < int(digits) < 2**31:
            raise QueryError(f"id: takes article numbers, not {_show(value)}")
        return int(digits)
    if field == "tag":
        return value.lower()
    return value


# --- conditions --------------------------------------------------------------------------


def _either(node: pw.Node, negated: bool) -> pw.Node:
    return ~node if negated else node


def _conditions(query: FAQQuery) -> list[pw.Node]:
    out: list[pw.Node] = []
    for values, negated in query.categories:
        names = [v.casefold() for v in values if v.casefold() != "none"]
        parts = ([pw.fn.LOWER(FAQArticle.category).in_(names)] if names else []) + (
            [FAQArticle.category == ""] if len(names) < len(values) else []
        )
        out.append(_either(_any(parts), negated))
    statuses = [(v, n) for v, n in query.statuses]
    if not any("any" in values or not negated for values, negated in statuses):
        out.append(FAQArticle.status != FAQStatus.ARCHIVED.value)  # archived only when asked for
    for values, negated in statuses:
        if "any" not in values:
            out.append(_either(FAQArticle.status.in_(list(values)), negated))
    for values, negated in query.tags:
        tagged = FAQTag.select(FAQTag.article).join(Tag, on=(FAQTag.tag == Tag.id)).where(Tag.name.in_(list(values)))
        out.append(_either(FAQArticle.id.in_(tagged), negated))
    for values, negated in query.ids:
        out.append(_either(FAQArticle.id.in_(list(values)), negated))
    return out


def _any(parts: list[pw.Node]) -> pw.Node:
    node = parts[0]
    for part in parts[1:]:
        node = node | part
    return node


def _phrases(query: FAQQuery, negated: bool) -> list[str]:
    return [t.text.replace("\x00", " ") for t in query.terms if t.negated == negated and fulltext.searchable(t.text)]


def _text_match(phrases: list[str], joiner: str) -> tuple[pw.Node, pw.Node, pw.Node, pw.Table]:
    """(article id column, match condition, score: higher is better, index table) for ``phrases``."""
    if is_postgres():
        table = pw.Table("faq_search", ("article_id", "document"))
        tsquery = fulltext.pg_tsquery(phrases, "&&" if joiner == "AND" else "||")
        score = pw.Cast(pw.fn.ts_rank(table.document, tsquery), "float8")
        return table.article_id, pw.Expression(table.document, "@@", tsquery), score, table
    table = pw.Table("faq_fts", ("rowid", "faq_fts", "title", "body"))
    match = pw.Expression(table.faq_fts, "MATCH", fulltext.fts5_expression(phrases, joiner))
    score = 0 - pw.fn.bm25(pw.SQL("faq_fts"), 5.0, 1.0)  # bm25: lower is better; the title weighs 5×
    return table.rowid, match, score, table


def _select(query: FAQQuery, *, any_word: list[str] | None = None) -> tuple[pw.ModelSelect, bool]:
    """The articles matching ``query`` (or, with ``any_word``, any of those words), with a score column."""
    columns = [FAQArticle.id, FAQArticle.title, FAQArticle.category, FAQArticle.status, FAQArticle.updated_at,
               FAQArticle.version]  # fmt: skip
    words, joiner = (any_word, "OR") if any_word else (_phrases(query, False), "AND")
    excluded = _phrases(query, True)
    where = _conditions(query)
    if excluded:
        column, match, _, table = _text_match(excluded, "OR")
        where.append(FAQArticle.id.not_in(table.select(column).where(match)))
    if not words:
        select = FAQArticle.select(*columns, pw.Value(None).alias("score"))
    else:
        column, match, score, table = _text_match(words, joiner)
        hits = table.select(column.alias("id"), score.alias("score")).where(match).alias("hits")
        select = FAQArticle.select(*columns, hits.c.score.alias("score")).join(hits, on=(hits.c.id == FAQArticle.id))
    if where:
        select = select.where(*where)
    return select, bool(words)


def _ordered(select: pw.ModelSelect, sort: str | None, has_words: bool) -> pw.ModelSelect:
    sort = sort or ("relevance" if has_words else "title")
    if sort == "relevance" and has_words:
        return select.order_by(pw.SQL("score").desc(), FAQArticle.id)
    if sort == "updated":
        return select.order_by(FAQArticle.updated_at.desc(), FAQArticle.id.desc())
    if sort == "created":
        return select.order_by(FAQArticle.created_at.desc(), FAQArticle.id.desc())
    return select.order_by(pw.fn.LOWER(FAQArticle.title), FAQArticle.id)


def _hits(select: pw.ModelSelect) -> list[FAQHit]:
    rows = list(select.tuples())
    tags = _tags_of([row[0] for row in rows])
    return [
        FAQHit(id=i, title=t, category=c, status=s, tags=tags.get(i, ()), updated_at=u, version=v,
               score=(float(score) if score is not None else None))
        for i, t, c, s, u, v, score in rows
    ]  # fmt: skip


def _tags_of(ids: list[int]) -> dict[int, tuple[str, ...]]:
    if not ids:
        return {}
    found: dict[int, list[str]] = {}
    rows = FAQTag.select(FAQTag.article, Tag.name).join(Tag, on=(FAQTag.tag == Tag.id)).where(FAQTag.article.in_(ids))
    for article, name in rows.tuples():
        found.setdefault(article, []).append(name)
    return {article: tuple(sorted(names)) for article, names in found.items()}


def _parsed(query: str | FAQQuery) -> FAQQuery:
    return query if isinstance(query, FAQQuery) else parse_faq_query(query)


def search_faq(query: str | FAQQuery = "", *, limit: int = 100, offset: int = 0) -> list[FAQHit]:
    """The articles matching ``query``: by relevance when it has words, else by title."""
    if type(limit) is not int or not 0 < limit <= 1000:
        raise QueryError("the limit must be a whole number from 1 to 1000")
    if type(offset) is not int or offset < 0:
        raise QueryError("the offset must be a whole number from 0 up")
    parsed = _parsed(query)
    select, has_words = _select(parsed)
    with _word_errors():
        return _hits(_ordered(select, parsed.sort, has_words).limit(limit).offset(offset or None))


def count_faq(query: str | FAQQuery = "") -> int:
    select, _ = _select(_parsed(query))
    with _word_errors():
        return select.count()


class _word_errors:
    """A driver error while matching words becomes a plain QueryError."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind, exc, tb) -> bool:
        if kind is not None and issubclass(kind, pw.DatabaseError):
            raise QueryError("these words cannot be searched for; try other words") from None
        return False


# --- suggestions ---------------------------------------------------------------------------


def folded_words(text: str, *, numbers: bool = False) -> list[str]:
    """The words of ``text`` as the index sees them: lower case, accents removed, split on anything
    but letters and digits; stop words and one-letter words left out, and bare numbers too unless
    ``numbers`` (then those of three digits or more stay: error codes like 502 say a lot)."""
    return [
        w for w in _WORD.findall(_fold(text))
        if len(w) > 1 and w not in STOP_WORDS and (not w.isdigit() or (numbers and len(w) >= 3))
    ]  # fmt: skip


def suggest_for_ticket(number: int, *, limit: int = 5) -> list[FAQHit]:
    """Published articles ranked by how well they match ticket ``number``'s subject and messages.

    Each word weighs by where the ticket says it (the subject most, then the customer's own
    messages, the agents' replies least: the customer's words name the problem) and by how rare it
    is among the articles; an article scores the weights of the words it holds, five times over
    for a word in its title. Words of four letters or more also find their longer forms (``reset``
    finds "Resetting"). Articles already linked to the ticket are included and marked ``linked``.
    """
    ticket = get_ticket(number)
    words = _ticket_words(number, ticket.subject)
    if not words:
        return []
    with _word_errors():
        weights = _with_rarity(words)
        hits = _hits(_weighted_select(weights).limit(limit)) if weights else []
    linked = {a for (a,) in TicketFAQ.select(TicketFAQ.article).where(TicketFAQ.ticket == number).tuples()}
    return [FAQHit(**{**h.__dict__, "linked": h.id in linked}) for h in hits]


_SUBJECT_WEIGHT, _CUSTOMER_WEIGHT, _AGENT_WEIGHT = 3.0, 1.0, 0.3
_PREFIX_MIN = 4  # shorter stems would find too much (ran* finds "random")
_SUFFIX = re.compile(r"(?:ing|ed|es|s)$")
_TITLE_WEIGHT = 5.0  # a word in the title counts this many times one in the body (as in search)


def _ticket_words(number: int, subject: str) -> dict[str, float]:
    """The ticket's words (as searched: see :func:`_stem`) and their weights, the heaviest ``_MAX_SUGGEST_WORDS``."""
    weights: dict[str, float] = {}

    def add(text: str, weight: float) -> None:
        for word in dict.fromkeys(_stem(w) for w in folded_words(text[:5_000], numbers=True)):
            if word in STOP_WORDS:
                continue  # a stem can be one: requested → request
            weights[word] = weights.get(word, 0.0) + weight

    add(subject, _SUBJECT_WEIGHT)
    messages = (
        TicketEvent.select(TicketEvent.kind, TicketEvent.customer, TicketEvent.body)
        .where((TicketEvent.ticket == number) & TicketEvent.body.is_null(False)
               & (TicketEvent.kind.in_([EventKind.CREATED.value, EventKind.REPLY.value])))
        .order_by(TicketEvent.id)
        .limit(20)
        .tuples()
    )  # fmt: skip
    for kind, customer, body in messages:
        by_customer = kind == EventKind.CREATED.value or customer is not None
        add(body, _CUSTOMER_WEIGHT if by_customer else _AGENT_WEIGHT)
    heaviest = sorted(weights.items(), key=lambda item: -item[1])[:_MAX_SUGGEST_WORDS]  # stable: first said first
    return dict(heaviest)


def _stem(word: str) -> str:
    """``word`` without a plain English ending, so that its prefix finds the other forms:
    resetting → reset, charged → charg, passwords → password; numbers and short words stay."""
    if not word.isalpha() or len(word) < _PREFIX_MIN + 2:
        return word
    stem = _SUFFIX.sub("", word)
    if len(stem) > _PREFIX_MIN and stem[-1] == stem[-2] and stem[-1] not in "aeiouls":
        stem = stem[:-1]  # resett → reset, but "install" and "access" keep theirs
    return stem if len(stem) >= _PREFIX_MIN else word


def _word_match(word: str, *, title: bool = False) -> tuple[pw.Node, pw.Node, pw.Table]:
    """(article id column, match condition, index table) for one word, in the title only when ``title``,
    by prefix when it is long enough. A folded word is letters and digits: quoted, it is one term."""
    prefix = len(word) >= _PREFIX_MIN and not word.isdigit()
    if is_postgres():
        table = pw.Table("faq_search", ("article_id", "document"))
        term = "'" + word.replace("'", "''") + "':" + ("*" if prefix else "") + ("A" if title else "")  # A: the title
        tsquery = pw.fn.to_tsquery(pw.SQL("'simple'"), term.rstrip(":"))  # a parameter, never SQL
        return table.article_id, pw.Expression(table.document, "@@", tsquery), table
    table = pw.Table("faq_fts", ("rowid", "faq_fts", "title", "body"))
    expression = ("title : " if title else "") + fulltext.fts5_expression([word]) + (" *" if prefix else "")
    return table.rowid, pw.Expression(table.faq_fts, "MATCH", expression), table


def _with_rarity(words: dict[str, float]) -> dict[str, tuple[float, bool]]:
    """Each word's weight times its rarity among the articles (its inverse document frequency, as
    bm25 counts it), and whether it is common (in over a quarter of them); words no article holds
    are left out."""
    counts = []
    for word in words:
        column, match, table = _word_match(word)
        counts.append(table.select(pw.fn.COUNT(column)).where(match))
    total = FAQArticle.select(pw.fn.COUNT(FAQArticle.id))
    row = FAQArticle.select(*[query.alias(f"n{i}") for i, query in enumerate([total, *counts])]).limit(1).tuples()
    found = next(iter(row), None)
    if found is None:
        return {}
    articles, *frequencies = (int(n or 0) for n in found)
    return {
        word: (weight * math.log(1 + (articles - df + 0.5) / (df + 0.5)), df * 4 > articles)
        for (word, weight), df in zip(words.items(), frequencies) if df
    }  # fmt: skip


def _weighted_select(weights: dict[str, tuple[float, bool]]) -> pw.ModelSelect:
    """Published articles by the sum of the weights of the words they hold (the title's count ``_TITLE_WEIGHT``×).

    One UNION ALL of plain matches summed in SQL, then joined to the articles: no per-row ranking
    function, which on a large FAQ costs more than the matching. A common word counts in titles
    only: in bodies it says little and would bring most of the FAQ into the sum.
    """
    parts = []
    for word, (weight, common) in weights.items():
        # Any match (title or body) scores the weight, a title match the rest of _TITLE_WEIGHT on top.
        scored = [(True, weight * _TITLE_WEIGHT)] if common else [(False, weight), (True, weight * (_TITLE_WEIGHT - 1))]
        for title, points in scored:
            column, match, table = _word_match(word, title=title)
            parts.append(table.select(column.alias("id"), pw.SQL(f"{points:.6f}").alias("score")).where(match))
    union = reduce(operator.add, parts).alias("matches")  # UNION ALL
    score = pw.fn.SUM(union.c.score)
    hits = pw.Select([union], [union.c.id, score.alias("score")]).group_by(union.c.id).alias("hits")
    columns = [FAQArticle.id, FAQArticle.title, FAQArticle.category, FAQArticle.status, FAQArticle.updated_at,
               FAQArticle.version]  # fmt: skip
    return (
        FAQArticle.select(*columns, hits.c.score.alias("score"))
        .join(hits, on=(hits.c.id == FAQArticle.id))
        .where(FAQArticle.status == FAQStatus.PUBLISHED.value)
        .order_by(pw.SQL("score").desc(), FAQArticle.id)
    )
