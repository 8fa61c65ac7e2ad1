"""The words of a text as the FAQ's index sees them, without the words that say nothing about a topic."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["STOP_WORDS", "folded_words"]

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


def folded_words(text: str, *, numbers: bool = False) -> list[str]:
    """The words of ``text`` as the index sees them: lower case, accents removed, split on anything
    but letters and digits; stop words and one-letter words left out, and bare numbers too unless
    ``numbers`` (then those of three digits or more stay: error codes like 502 say a lot)."""
    return [
        w for w in _WORD.findall(_fold(text))
        if len(w) > 1 and w not in STOP_WORDS and (not w.isdigit() or (numbers and len(w) >= 3))
    ]  # fmt: skip
