"""The vocabulary of the demo's tickets: the slots' words, subjects and what they ask, notes, reasons,
greetings and sign-offs, and the hostile texts every screen must show inertly.

Pure data, no logic beyond plain constants. ``models.demo.wording`` fills the templates' ``{slots}``
with words drawn Zipf-like (the first words of each list are the most frequent), so the
full-text index sees a realistic word distribution. Mostly English, with some Italian. The rest
of the demo's words are named here too, so that one import reaches them all: the desk's cast
(``models.demo.cast``), the conversations (``models.demo.questions``) and the first texts
(``models.demo.first_texts``).
"""

from __future__ import annotations

from models.demo.cast import (
    AGENTS,
    FAQ_BODY,
    FAQ_TITLES,
    FIRST_NAMES,
    INDUSTRIES,
    LAST_NAMES,
    MAIL_DOMAINS,
    ORG_FORMS,
    ORG_STEMS,
    ORG_SUFFIXES,
    QUEUES,
    REGIONS,
    SAVED_VIEWS,
    SIZE_BANDS,
    TAGS,
    TOPIC_TAGS,
    TOPIC_WEIGHTS,
    TOPICS,
)
from models.demo.first_texts import (
    AGENT_REPLIES,
    FIRST_MESSAGES,
    FOLLOW_UPS,
    NOTES,
    SOLUTIONS,
)
from models.demo.questions import (
    FILLERS,
    QUESTIONS,
)

__all__ = [
    "AGENTS",
    "AGENT_CHASERS",
    "AGENT_CLOSERS",
    "AGENT_OPENERS",
    "AGENT_REPLIES",
    "CLOSE_REASONS",
    "CUSTOMER_CLOSERS",
    "CUSTOMER_OPENERS",
    "DEADLINE_REASONS",
    "FAQ_BODY",
    "FAQ_TITLES",
    "FILLERS",
    "FIRST_MESSAGES",
    "FIRST_NAMES",
    "FOLLOW_UPS",
    "HOSTILE",
    "INDUSTRIES",
    "LAST_NAMES",
    "MAIL_DOMAINS",
    "NOTES",
    "ORG_FORMS",
    "ORG_STEMS",
    "ORG_SUFFIXES",
    "PRIORITY_REASONS",
    "QUESTIONS",
    "QUEUES",
    "REGIONS",
    "REQUESTERS",
    "SAVED_VIEWS",
    "SIZE_BANDS",
    "SLOTS",
    "SOLUTIONS",
    "SPAM_REASONS",
    "SUBJECTS",
    "SUBJECT_KINDS",
    "TAGS",
    "TOPICS",
    "TOPIC_HOLD_REASONS",
    "TOPIC_NOTES",
    "TOPIC_PENDING_REASONS",
    "TOPIC_RESOLVE_REASONS",
    "TOPIC_TAGS",
    "TOPIC_WEIGHTS",
    "TRIAGE_REASONS",
    "UNHOLD_REASONS",
]

# fmt: off
# Compact data: the formatter leaves this module's literals as written.

# Slot vocabularies, most frequent first (drawn with a Zipf-like skew).
SLOTS = {
    "product": (
        "mobile app", "web dashboard", "desktop client", "sync service", "API", "invoice portal", "printer driver",
        "Android app", "iPhone app", "reporting module", "calendar integration", "browser extension",
        "Outlook add-in", "backup agent", "barcode scanner", "point-of-sale terminal", "CSV importer",
    ),
    "error": (
        "error 500", "a blank screen", "error 502 Bad Gateway", "a timeout", "error 403 Forbidden",
        "'session expired'", "error 429 Too Many Requests", "a spinning wheel", "'unknown error'", "error E1042",
        "'sync conflict'", "an SSL certificate warning", "error 404", "'quota exceeded'", "error E2007",
        "a crash to desktop", "'invalid token'",
    ),
    "when": (
        "since this morning", "since yesterday", "after the last update", "since Monday", "every time",
        "from time to time", "since we upgraded the plan", "after I changed my password", "da ieri sera",
        "only on Wi-Fi", "only on the office network", "since last week",
    ),
    "device": (
        "Windows 11", "an iPhone 14", "macOS", "a Samsung Galaxy", "Chrome", "Firefox", "Safari", "an iPad",
        "Windows 10", "Ubuntu", "a Pixel 7", "Edge",
    ),
    "money": ("€49.00", "€19.90", "€120.00", "€9.99", "€240.00", "€35.50", "€1,200.00", "€79.00", "€5.00"),
    "payment": (
        "credit card", "PayPal", "bank transfer", "SEPA direct debit", "Satispay", "American Express", "bonifico",
    ),
    "courier": ("BRT", "GLS", "DHL", "Poste Italiane", "UPS", "SDA", "FedEx", "TNT"),
    "item": (
        "order", "parcel", "replacement unit", "spare battery", "charging cable", "starter kit", "label printer",
        "card reader", "docking station", "return label",
    ),
    "city": (
        "Milano", "Roma", "Torino", "Napoli", "Bologna", "Firenze", "Palermo", "Bari", "Verona", "Genova",
        "London", "Munich", "Lyon",
    ),
    "feature": (
        "dark mode", "bulk export", "custom fields", "shared calendars", "an Italian translation",
        "recurring invoices", "offline mode", "audit logs", "a public API for reports", "keyboard shortcuts",
    ),
}

# Subjects per topic; {ref} is a per-ticket reference (order, invoice or error number).
SUBJECTS = {
    "technical": (
        "{product} shows {error}",
        "{product} crashes {when}",
        "Cannot open the {product} on {device}",
        "{product} very slow {when}",
        "Sync not working on {device}",
        "Getting {error} from the {product}",
        "{product} keeps logging me out",
        "Data missing after update ({ref})",
        "Problema con {product}: {error}",
        "Feature request: {feature}",
    ),
    "billing": (
        "Invoice {ref} charged twice",
        "Refund for invoice {ref}",
        "Wrong VAT on invoice {ref}",
        "{payment} payment failed",
        "Question about my invoice {ref}",
        "Charged {money} after cancelling",
        "Need to change the billing address",
        "Fattura {ref} errata",
        "Cannot download invoice {ref}",
    ),
    "accounts": (
        "Cannot log in {when}",
        "Password reset e-mail never arrives",
        "Lost my phone, need to disable 2FA",
        "Account locked after too many attempts",
        "Please add a new user to our team",
        "SSO login fails with {error}",
        "Delete my account and data (GDPR)",
        "Non riesco ad accedere al mio account",
        "Change the e-mail address on my account",
    ),
    "shipping": (
        "Where is my {item}? ({ref})",
        "{item} arrived damaged ({ref})",
        "{courier} tracking not updating for {ref}",
        "Wrong {item} delivered ({ref})",
        "Return request for {ref}",
        "Change delivery address for {ref}",
        "Spedizione in ritardo ({ref})",
        "{item} stuck in {city}",
    ),
    "general": (
        "Question before buying",
        "Feedback about the {product}",
        "Request for a demo",
        "Partnership proposal",
        "Do you support {feature}?",
        "Informazioni sui prezzi",
        "Complaint about response times",
        "Thank you!",
    ),
}

# What each subject above asks, in the same order: a ticket's messages come from its kind in QUESTIONS.
SUBJECT_KINDS = {
    "technical": ("error", "crash", "error", "slow", "sync", "error", "logout", "data", "error", "feature"),
    "billing": ("double", "refund", "invoice", "failed", "invoice", "cancelled", "invoice", "invoice", "download"),
    "accounts": ("login", "reset", "2fa", "locked", "users", "sso", "gdpr", "login", "email"),
    "shipping": ("where", "damaged", "where", "wrong", "return", "address", "where", "where"),
    "general": ("presales", "feedback", "demo", "partner", "feature", "presales", "complaint", "thanks"),
}

# Internal notes, by topic.
TOPIC_NOTES = {
    "technical": (
        "Checked the logs: same error as the known issue, engineering has the details.",
        "Escalated to engineering, see the internal bug tracker.",
        "Workaround: downgrade to the previous version until the fix ships.",
        "Same problem reported by two other customers this week.",
    ),
    "billing": (
        "Refund approved by the team lead.",
        "Checked with accounting: the payment arrived on the 3rd.",
        "Customer is on the premium plan, handle with care.",
        "Possible duplicate of an older ticket from the same customer.",
    ),
    "accounts": (
        "Identity verified by phone.",
        "Called the customer, no answer. Will try again tomorrow.",
        "Checked the sign-in log: several failed attempts from a new network.",
    ),
    "shipping": (
        "The courier confirmed the parcel was damaged in transit; claim opened.",
        "Warehouse says the parcel left yesterday evening.",
        "Nota: il cliente preferisce essere contattato in italiano.",
    ),
    "general": (
        "Forwarded to sales, they will call back.",
        "Customer is on the premium plan, handle with care.",
        "Nota: il cliente preferisce essere contattato in italiano.",
    ),
}

# Why a ticket waits, and how it ended, by topic (None: no reason given).
TOPIC_PENDING_REASONS = {
    "technical": (None, "waiting for the customer's logs", "asked for a screenshot", "asked which version runs"),
    "billing": (None, "waiting for payment details", "asked for the bank statement",
                "in attesa dei dati di fatturazione"),
    "accounts": (None, "waiting for identity confirmation", "asked for the user list",
                 "in attesa di conferma dal cliente"),
    "shipping": (None, "asked for photos of the parcel", "waiting for the new address", "asked for the order number"),
    "general": (None, "asked for a good time to call", "in attesa di conferma dal cliente", "asked for the team size"),
}
TOPIC_HOLD_REASONS = {
    "technical": ("engineering is working on a fix", "waiting for the next release",
                  "waiting for the hosting provider"),
    "billing": ("waiting for the payment provider", "waiting for the bank's confirmation", "accounting is checking"),
    "accounts": ("waiting for the identity provider", "security team is reviewing", "in attesa del fornitore SSO"),
    "shipping": ("waiting for the courier's investigation", "waiting for a replacement from the warehouse",
                 "in attesa del corriere"),
    "general": ("waiting for the sales team", "waiting for the partner manager", "in attesa del fornitore"),
}  # fmt: skip
TOPIC_RESOLVE_REASONS = {
    "technical": (None, None, "fixed", "workaround given", "answered", "fix released", "no answer from the customer"),
    "billing": (None, None, "refund issued", "invoice corrected", "answered", "payment confirmed",
                "no answer from the customer"),
    "accounts": (None, None, "access restored", "answered", "users updated", "fixed", "no answer from the customer"),
    "shipping": (None, None, "delivered", "replacement delivered", "return received", "answered",
                 "no answer from the customer"),
    "general": (None, None, "answered", "forwarded to sales", "answered", "thanked", "no answer from the customer"),
}  # fmt: skip

# What an agent writes when the customer has not answered yet.
AGENT_CHASERS = (
    "Just checking in: did you have a chance to look at my last message? We need your answer to go on.",
    "We have not heard from you for a few days. Is the problem still there, or can we close this request?",
    "Le ricordiamo che attendiamo la sua risposta per procedere con la richiesta.",
)

# Why a lead set a deadline by hand on one of today's tickets.
DEADLINE_REASONS = (
    "the customer presents to their board this afternoon",
    "promised a call back before the end of the morning",
    "go-live today, the customer needs an answer first",
    "payroll run today",
    "il cliente ha una scadenza oggi",
)

CUSTOMER_OPENERS = (
    "Hello,\n", "Hi,\n", "Good morning,\n", "Dear support,\n", "Buongiorno,\n", "Salve,\n", "", "Hi team,\n",
)
CUSTOMER_CLOSERS = (
    "\nThanks", "\nThank you in advance.", "\nBest regards", "\nGrazie mille", "\nCordiali saluti", "", "\nCheers",
)
AGENT_OPENERS = ("Hello,\n", "Hi,\n", "Dear customer,\n", "Buongiorno,\n", "Thanks for getting in touch.\n")
AGENT_CLOSERS = ("\nKind regards", "\nBest regards", "\nCordiali saluti", "\nHave a nice day!", "\nBest")

UNHOLD_REASONS = (None, "the third party answered", "fix released", "il fornitore ha risposto")
CLOSE_REASONS = (None, "closed automatically after resolution", "confirmed by the customer")
TRIAGE_REASONS = (
    "production outage confirmed",
    "customer on the premium plan",
    "affects the whole team",
    "not blocking, workaround available",
    "payment deadline tomorrow",
    "cliente bloccato, non può lavorare",
)
PRIORITY_REASONS = (
    "customer escalated by phone",
    "workaround provided",
    "more users affected than reported",
    "fix scheduled for next release",
    "contract renewal at risk",
    "downgraded after clarification",
)
SPAM_REASONS = ("spam", "duplicate request", "sent by mistake")
# Who asked for a favour (a priority change, a deadline set by hand): mostly nobody, the agent's own call.
REQUESTERS = ("own call",) * 6 + ("sales: Rossi", "account manager: Bianchi", "customer's manager", "lead: triage")

# Hostile text: a tool that shows tickets must render all of this inertly. (subject, body)
HOSTILE = (
    (
        "[bold]x[/bold] invoice looks wrong",
        "The PDF says [bold]x[/bold] and [red]TOTAL[/red] where the amount should be.",
    ),
    (
        "Please click [@click=app.quit]here[/]",
        "Your support form inserted [@click=app.quit]this[/] into my message, why?",
    ),
    (
        "Link broken: [link=file:///etc/passwd]x[/link]",
        "The e-mail had [link=file:///etc/passwd]x[/link] instead of a real link.",
    ),
    (
        "Colours \x1b[31mRED\x1b[0m in my export",
        "The CSV export contains \x1b[31mred\x1b[0m escape codes and \x1b[2J clears my screen.",
    ),
    (
        "Window title \x1b]0;pwned\x07 changed",
        "Opening the report sets the terminal title: \x1b]0;pwned\x07 and rings the bell \x07\x07.",
    ),
    (
        "Order \u202eredro\u202c reversed text",
        "The name on the label shows \u202etxt.exe\u202c and looks reversed (RTL override).",
    ),
    ("Very long token in the log", "Log line follows: {long_word}"),
    (
        "Mixed: [b]\x1b[1m\u202e\x07[/b] everything at once",
        "Markup [i]x[/i], ESC \x1b[5mblink\x1b[0m, OSC \x1b]8;;http://evil\x07link\x1b]8;;\x07, BEL \x07.",
    ),
)
# fmt: on
