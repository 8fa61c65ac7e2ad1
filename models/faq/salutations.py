"""Taking the greeting and the signature off a message, so that an FAQ article can reuse what it says."""

from __future__ import annotations

import re

__all__ = ["without_salutations"]

# A line that only greets, perhaps naming someone: "Hi Anna,", "Dear support team,", "Ciao!", "Buongiorno Sig. Rossi,".
_GREETING = re.compile(
    r"(?i:hi|hello|hey|dear|greetings|good\s+(?:morning|afternoon|evening)|ciao|salve|buongiorno|buonasera|"
    r"gentile|gentili|egregi[oa]|spett\.?(?:abile|\.le)?|car[oa]|hallo|bonjour|"
    r"thanks?(?:\s+you)?\s+for\s+(?:getting\s+in\s+touch|contacting\s+us|your\s+(?:message|patience)))"
    r"(?:\s+[^\s,!:;?]+){0,4}\s*[,!:.]?"
)
# A line that closes a message, perhaps with a name: "Best regards", "Kind regards, Ada", "Cordiali saluti".
_CLOSING = re.compile(
    r"(?i:(?:best|kind|warm|warmest)\s+(?:regards|wishes)|regards|best|cheers|sincerely|yours(?:\s+\w+)?|"
    r"many\s+thanks|thanks?(?:\s+you)?(?:\s+(?:again|so\s+much|in\s+advance))?|have\s+a\s+(?:nice|good|great)\s+\w+|"
    r"(?:cordiali|distinti|cari|un)\s+salut[io]|saluti|grazie(?:\s+mille|\s+ancora|\s+in\s+anticipo)?|"
    r"buona\s+(?:giornata|serata)|a\s+presto)"
    r"[,.!]*(?:\s+[A-ZÀ-Ý][^\s,!:;?]*){0,3}\s*[.!]?"
)
_SIGNATURE_LINES = 5  # at most this many short lines (name, role, company, phone) after the closing


def without_salutations(body: str) -> str:
    """``body`` without its greeting line and its signature: what an FAQ article can reuse.

    The signature starts at a ``--`` line, or at a closing line ("Best regards", "Cordiali
    saluti") after the text and followed only by a few short lines. A greeting alone gives "".
    """
    lines = body.strip().splitlines()
    if lines and _GREETING.fullmatch(lines[0].strip()):
        lines = lines[1:]
    for index, line in enumerate(lines):
        if line.rstrip() == "--":
            lines = lines[:index]
            break
    for index in range(len(lines) - 1, 0, -1):  # a closing after some text, not the first line
        rest = [line for line in lines[index + 1 :] if line.strip()]
        if len(rest) > _SIGNATURE_LINES or any(len(line.strip()) > 80 for line in rest):
            break
        if _CLOSING.fullmatch(lines[index].strip()):
            lines = lines[:index]
            break
    return "\n".join(lines).strip()
