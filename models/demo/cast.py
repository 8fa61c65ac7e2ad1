"""The demo desk's cast and furniture: its agents, queues and topics, the people and companies
who write in, the tags, the FAQ's titles and the shared saved views.

Pure data, read by ``models.demo.reference`` when it makes the desk's reference rows. Names and
words come first most often (drawn Zipf-like), and every address is a reserved domain.
"""

from __future__ import annotations

__all__ = [
    "AGENTS",
    "FAQ_BODY",
    "FAQ_TITLES",
    "FIRST_NAMES",
    "INDUSTRIES",
    "LAST_NAMES",
    "MAIL_DOMAINS",
    "ORG_FORMS",
    "ORG_STEMS",
    "ORG_SUFFIXES",
    "QUEUES",
    "REGIONS",
    "SAVED_VIEWS",
    "SIZE_BANDS",
    "TAGS",
    "TOPICS",
    "TOPIC_TAGS",
    "TOPIC_WEIGHTS",
]

# fmt: off
# Compact data: the formatter leaves this module's literals as written.

# login, name, role, active — the admin_login given to build_demo is added as the admin.
AGENTS = (
    ("giulia.rossi", "Giulia Rossi", "lead", True),
    ("tom.baker", "Tom Baker", "lead", True),
    ("marco.bianchi", "Marco Bianchi", "agent", True),
    ("sara.conti", "Sara Conti", "agent", True),
    ("emma.wilson", "Emma Wilson", "agent", True),
    ("luca.ferrari", "Luca Ferrari", "agent", True),
    ("priya.shah", "Priya Shah", "agent", True),
    ("pietro.galli", "Pietro Galli", "agent", False),  # left the company in the spring
)

# name, description; the topics below use the same order.
QUEUES = (
    ("Technical", "Bugs, errors, outages and how-to questions about the product"),
    ("Billing", "Invoices, payments, refunds and VAT"),
    ("Accounts", "Logins, passwords, two-factor authentication and user management"),
    ("Shipping", "Deliveries, tracking, damaged parcels and returns"),
    ("General", "Everything else: feedback, partnerships, questions before buying"),
)
TOPICS = ("technical", "billing", "accounts", "shipping", "general")
TOPIC_WEIGHTS = (35, 25, 15, 15, 10)

FIRST_NAMES = (
    "Marco", "Giulia", "Luca", "Francesca", "Alessandro", "Chiara", "Matteo", "Sara", "Andrea", "Elena", "Davide",
    "Martina", "Paolo", "Anna", "Stefano", "Valentina", "Roberto", "Federica", "Simone", "Laura", "James", "Emily",
    "Oliver", "Sophie", "Daniel", "Hannah", "Thomas", "Grace", "Michael", "Olivia", "David", "Charlotte", "Peter",
    "Lucy", "Richard", "Amelia", "Noah", "Isabella", "Ahmed", "Fatima", "Wei", "Mei", "Jonas", "Lena", "Pierre",
    "Camille", "Diego", "Lucia", "Ivan", "Olga",
)  # fmt: skip
LAST_NAMES = (
    "Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco", "Bruno",
    "Gallo", "Conti", "De Luca", "Mancini", "Costa", "Giordano", "Rizzo", "Lombardi", "Moretti", "Smith", "Jones",
    "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Evans", "Walker", "Wright", "Thompson", "White",
    "Hughes", "Edwards", "Green", "Hall", "Wood", "Harris", "Clarke", "Müller", "Schmidt", "Dubois", "Martin",
    "Garcia", "Fernández", "Novak", "Kowalski", "Nguyen", "Khan",
)  # fmt: skip
# Reserved names only (RFC 2606): demo addresses can never reach a real mailbox.
MAIL_DOMAINS = ("example.com", "example.org", "example.net", "posta.example", "mail.example", "casella.example")

ORG_STEMS = (
    "Acme", "Alpina", "Aurora", "Borealis", "Castello", "Delta", "Dolomiti", "Etna", "Fenice", "Galileo", "Helios",
    "Iris", "Laguna", "Lario", "Meridiana", "Nettuno", "Olimpo", "Orione", "Pegaso", "Quadrante", "Riviera",
    "Sirio", "Tirreno", "Umbra", "Vesuvio", "Zenit", "Northwind", "Bluefield", "Ironbridge", "Redwood",
    "Silverline", "Brightwater", "Oakridge", "Stonegate", "Greenway", "Harbor", "Summit", "Pioneer", "Keystone",
    "Lighthouse",
)  # fmt: skip
ORG_SUFFIXES = (
    "Logistica", "Tecnologie", "Servizi", "Trasporti", "Software", "Foods", "Systems", "Retail", "Energy",
    "Consulting", "Labs", "Digital", "Textiles", "Motors", "Pharma", "Media",
)  # fmt: skip
ORG_FORMS = ("Srl", "SpA", "Ltd", "GmbH", "S.r.l.s.", "Inc.", "Snc", "LLP")
INDUSTRIES = (
    "retail", "manufacturing", "logistics", "healthcare", "software", "hospitality", "finance", "education",
    "public sector", "food",
)  # fmt: skip
REGIONS = (
    "Lombardia", "Lazio", "Veneto", "Piemonte", "Emilia-Romagna", "Toscana", "Campania", "Sicilia", "UK", "DACH",
    "France", "Iberia",
)  # fmt: skip
SIZE_BANDS = ("1-10", "11-50", "51-200", "201-1000", "1000+")

TAGS = (
    "refund", "invoice", "vat", "payment-failed", "login", "2fa", "password", "sso", "outage", "bug", "crash",
    "performance", "api", "mobile", "feature-request", "shipping-delay", "damaged", "returns", "tracking",
    "vip", "escalated", "duplicate", "gdpr", "italiano",
)  # fmt: skip
TOPIC_TAGS = {
    "technical": ("bug", "crash", "performance", "api", "mobile", "outage", "feature-request"),
    "billing": ("invoice", "refund", "vat", "payment-failed"),
    "accounts": ("login", "password", "2fa", "sso", "gdpr"),
    "shipping": ("shipping-delay", "tracking", "damaged", "returns"),
    "general": ("feature-request", "gdpr", "vip"),
}

# category, title — the demo gives each a status (mostly published) and one revision.
FAQ_TITLES = (
    ("Billing", "How do I download an invoice?"),
    ("Billing", "Why was I charged twice?"),
    ("Billing", "How long does a refund take?"),
    ("Billing", "Adding your VAT number (Partita IVA) to invoices"),
    ("Billing", "Changing the payment method on file"),
    ("Billing", "What happens when a payment fails?"),
    ("Billing", "Upgrading or downgrading your plan"),
    ("Billing", "Fatturazione elettronica e codice SDI"),
    ("Accounts", "Resetting a forgotten password"),
    ("Accounts", "Setting up two-factor authentication"),
    ("Accounts", "Lost your 2FA device? Recovery codes explained"),
    ("Accounts", "Adding and removing users from your team"),
    ("Accounts", "Single sign-on with Google Workspace and Azure AD"),
    ("Accounts", "Why is my account locked?"),
    ("Accounts", "Deleting your account and your data (GDPR)"),
    ("Accounts", "Changing the e-mail address of an account"),
    ("Technical", "The app crashes on start-up after an update"),
    ("Technical", "Sync is stuck at 99%"),
    ("Technical", "Error 502 when uploading large files"),
    ("Technical", "Exporting your data to CSV"),
    ("Technical", "API rate limits and error 429"),
    ("Technical", "Generating an API key"),
    ("Technical", "Supported browsers and operating systems"),
    ("Technical", "Clearing the cache on the mobile app"),
    ("Technical", "Webhooks are not delivered"),
    ("Technical", "Importing contacts from a spreadsheet"),
    ("Technical", "Known issue: slow dashboard on Safari"),
    ("Technical", "Connecting the printer driver"),
    ("Shipping", "Tracking your parcel"),
    ("Shipping", "My parcel arrived damaged"),
    ("Shipping", "Returning an item within 30 days"),
    ("Shipping", "Shipping times to the islands (Sicilia, Sardegna)"),
    ("Shipping", "Changing the delivery address after ordering"),
    ("Shipping", "Customs fees for deliveries outside the EU"),
    ("Shipping", "Spedizione gratuita: quando si applica"),
    ("General", "Our support hours"),
    ("General", "How to reach a human quickly"),
    ("General", "Requesting a product demo"),
    ("General", "Partner and reseller programme"),
    ("General", "Accessibility statement"),
    ("General", "Sending feedback about the product"),
)
FAQ_BODY = (
    "{title}\n\nThis article explains the steps for the most common case. Open Settings, choose the section "
    "named in the title and follow the instructions on screen. If the {product} shows an error such as "
    "{error}, note the time and the exact message and contact support: we will reply within one working day."
)

# name, query — shared views (no owner).
SAVED_VIEWS = (
    ("Oldest unassigned", "is:unassigned is:open sort:created-asc"),
    ("Urgent and high", "prio:urgent,high is:open"),
    ("Waiting longest", "status:pending sort:updated-asc"),
    ("Billing backlog", "queue:Billing is:open sort:created-asc"),
)
# fmt: on
