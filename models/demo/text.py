"""The vocabulary of the demo desk: names, companies, FAQ titles and message templates.

Pure data, no logic beyond plain constants. ``models.demo.generator`` fills the templates' ``{slots}``
with words drawn Zipf-like (the first words of each list are the most frequent), so the
full-text index sees a realistic word distribution. Mostly English, with some Italian.
"""

from __future__ import annotations

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
    "SAVED_VIEWS",
    "SIZE_BANDS",
    "SLOTS",
    "SOLUTIONS",
    "SPAM_REASONS",
    "SUBJECTS",
    "SUBJECT_KINDS",
    "TOPIC_HOLD_REASONS",
    "TOPIC_NOTES",
    "TOPIC_PENDING_REASONS",
    "TOPIC_RESOLVE_REASONS",
    "TAGS",
    "TOPICS",
    "TOPIC_TAGS",
    "TOPIC_WEIGHTS",
    "TRIAGE_REASONS",
    "UNHOLD_REASONS",
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

# kind: (the customer's first message, the agent's answers and questions, the solutions, the customer's
# follow-ups). A message never names a slot its kind's subjects already name (the subject says which
# {item} or {courier}; the messages say "it", "the parcel"), so a ticket never contradicts itself.
QUESTIONS = {
    "error": (
        ("The message appears {when}. I restarted and reinstalled, but it comes back every time I open it.",
         "This happens {when}, for me and for two colleagues. We depend on it for daily work, please help.",
         "Il messaggio compare {when}; ho già riavviato il computer e reinstallato, senza risultato."),
        ("Thanks for the report. Could you send us a screenshot of the message and the exact time it appeared?",
         "Could you tell us which version you have installed? You find it under Settings, About.",
         "We know this message: engineering is working on a fix, and I will write here as soon as it ships."),
        ("The fix for this error is now live. Please update to the latest version and tell us if the message "
         "comes back.",
         "Clearing the cache and signing in again removed the error on our test machine, and on yours too, as "
         "you confirmed."),
        ("I attach the screenshot you asked for. The message came back this morning at 10:42.",
         "I updated as you suggested but I still get the same message {when}.",
         "Thanks, that fixed it for me, but a colleague still sees the message."),
    ),
    "crash": (
        ("It closes by itself a few seconds after opening, on {device}. Reinstalling did not help.",
         "It quits without any message when I open a report, on {device}. We cannot work like this."),
        ("Sorry about the crashes. Could you send us the crash report? On {device} it is in the system log.",
         "I reproduced the crash on {device} and passed it to engineering with all the details."),
        ("The latest version fixes the crash you reported. Please update and tell us if it still closes by itself.",
         "Engineering found the cause of the crash and fixed it on our servers; no update is needed on your side."),
        ("I sent the crash report. It crashed twice more this morning.",
         "Still crashing after the update, always when I open a report."),
    ),
    "slow": (
        ("Opening a report takes minutes instead of seconds, on {device}; my colleagues see the same.",
         "Every page takes ages to load, even on the office network. It was fast last week."),
        ("Could you tell us how many records the report holds, and whether it is slow on another network too?",
         "We see slow responses on part of our servers and are moving your account to a faster one tonight."),
        ("We added capacity to the servers behind your account; reports open in seconds again.",
         "Your account now runs on a faster server. Thank you for your patience."),
        ("It is a report with about 20,000 rows; on my phone it is just as slow.",
         "Still slow this morning, about two minutes per report."),
    ),
    "sync": (
        ("Changes I make on my laptop never reach my phone {when}; the status says {error}.",
         "Sync stopped {when}. Nothing changed on our side and the log says {error}."),
        ("Please sign out and in again on that device, then send us the sync log from Settings, Help.",
         "I can see the sync stopped on our side; engineering is on it and I will update you here."),
        ("We re-synchronised your account from our side; your changes appear on every device again.",
         "The sync service is fixed; everything you changed meanwhile has been synchronised."),
        ("I signed out and in again, here is the sync log. Still nothing arrives.",
         "Some changes arrived, others are still missing."),
    ),
    "logout": (
        ("I have to sign in again every few minutes {when}, on {device}.",
         "It signs me out whenever I switch tabs, {when}. Very annoying."),
        ("This usually comes from a blocked cookie. Which browser and version do you use?",
         "Could you check whether your browser deletes cookies on exit? That signs you out every time."),
        ("We fixed the session timeout on your account; you stay signed in for 30 days again.",
         "The cookie setting was the cause: with it changed, you stay signed in."),
        ("I use {device} with the default settings. It happened again just now.",),
    ),
    "data": (
        ("After the update {when}, some records from last month are gone. We see {error} when we reload them.",
         "Half of our customer records disappeared {when}. Nobody deleted them on our side."),
        ("Your data is safe: we keep daily backups. Which records are missing, and when did you last see them?",
         "I have asked engineering to compare your account with last night's backup."),
        ("We restored the missing records from last night's backup; please check that everything is back.",
         "All records are back: the update had hidden them, not deleted them."),
        ("The missing records are all from March. I last saw them on Friday.",
         "Thank you, most records are back, but three invoices are still missing."),
    ),
    "feature": (
        ("Would it be possible to add this? We would use it every day, and so would our clients.",
         "Is this on your roadmap? It is the one thing that keeps us from moving the whole team over."),
        ("Thanks for the suggestion! I have added your vote to the request on our roadmap.",
         "Not yet, but it is planned; I have added your vote and will write here when it ships."),
        ("Good news: it is available in the latest release; you find it under Settings.",
         "I passed your request to the product team; your vote stays on the roadmap."),
        ("Thanks! Any idea when it will be available?",),
    ),
    "double": (
        ("I was charged {money} twice by {payment} for the same month. Please refund the duplicate charge.",
         "My statement shows the same amount taken twice on the same day. Please check."),
        ("I checked your account: the charge was indeed taken twice. I have started the refund of the duplicate.",
         "Could you confirm the last four digits of the card, so that I can find both charges?"),
        ("The duplicate charge has been refunded; it may take 3-5 working days to appear on your statement.",),
        ("The card ends in 4417. Both charges are from the 3rd.",
         "I still see both charges on my statement today."),
    ),
    "refund": (
        ("I returned everything two weeks ago and I am still waiting for the refund of {money}.",
         "You promised a refund after my complaint, but nothing has arrived yet."),
        ("I can see your return; the refund was approved today and goes back to the payment method you used.",
         "Could you send us the date of the return, so that I can trace it in the warehouse?"),
        ("The refund has been issued; depending on your bank it appears within 3-5 working days.",),
        ("I sent the parcel back on the 12th with a tracked service.",
         "Still no refund on my account. Can you check again?"),
    ),
    "invoice": (
        ("The invoice shows the wrong VAT rate and our company name is misspelled. We need a corrected invoice.",
         "Potete inviarmi la fattura corretta? Manca la Partita IVA e il codice SDI.",
         "Our billing address changed; please update it and issue the last invoice again."),
        ("Could you send us the correct company details (name, address, VAT number) so that I can issue it again?",
         "I have forwarded your request to accounting; corrected invoices go out within two working days."),
        ("I have issued a corrected invoice; you find it in the invoice portal, and we e-mailed it to you too.",
         "Abbiamo emesso la fattura corretta con Partita IVA e codice SDI; la trova nel portale."),
        ("Here are our details: the VAT number is on the attached certificate.",
         "The new invoice still shows the old address."),
    ),
    "failed": (
        ("My payment of {money} failed, but the money left my account. What should I do?",
         "The payment was refused twice today, although the card works everywhere else."),
        ("Failed payments are released by the bank within five working days; nothing was charged on our side.",
         "Could you send us the date and amount shown on your bank statement?"),
        ("The payment went through on the second attempt and your subscription is active.",
         "The bank has released the failed payment; your account is paid and active."),
        ("The statement shows the amount as pending since Monday.",
         "I tried again with another card and it failed too."),
    ),
    "cancelled": (
        ("I cancelled the subscription last month, but I was charged again. Please check.",
         "We closed our account weeks ago and you are still charging us."),
        ("I see the cancellation came after the renewal date; I have asked billing to refund the renewal.",
         "Could you forward the cancellation confirmation you received? I cannot find it on the account."),
        ("The renewal has been refunded and the subscription is cancelled; you will not be charged again.",),
        ("Here is the confirmation e-mail from the 28th.",
         "Any news on the refund? I was charged again today."),
    ),
    "download": (
        ("The download button in the invoice portal gives {error}, on {device}.",
         "The PDF is empty when I download it; I need it for our accountant today."),
        ("I have attached the invoice to this reply; meanwhile our team is looking at the download button.",
         "Does the download work from another browser? That tells us where to look."),
        ("The invoice download works again; we fixed the portal this morning.",),
        ("Same result in another browser.",
         "Thanks for the PDF, but the next one will have the same problem."),
    ),
    "login": (
        ("The page shows {error} after I enter my password, on {device}.",
         "Non riesco ad accedere: la pagina resta bianca dopo la password, su {device}."),
        ("For security, please reply from the e-mail on the account; then I will check your login history.",
         "I see failed sign-ins from a new network; could you tell us whether you changed office or provider?"),
        ("You can sign in again: a security rule had blocked your network. Thanks for your patience.",
         "The sign-in problem is fixed on our side; please try again and tell us if it works."),
        ("I am writing from the e-mail on the account, as you asked.",
         "Still the same error this morning."),
    ),
    "reset": (
        ("I requested a password reset three times, but the e-mail never arrives, not even in spam.",
         "The reset link never comes. I checked spam and the company filter."),
        ("I have sent a new password reset link; it is valid for one hour. Please check the spam folder too.",
         "Your mail server rejects our messages; could your IT department allow our sender address?"),
        ("Your mail server was rejecting our messages; we fixed the sender settings and the reset e-mail arrives "
         "now.",),
        ("Nothing arrived this time either.", "IT says our filter does not block you."),
    ),
    "2fa": (
        ("I lost my phone with the authenticator app. Please disable two-factor authentication on my account.",
         "My new phone has no authenticator codes and I cannot sign in."),
        ("For security I need to verify your identity first. Please reply from the e-mail on the account.",
         "Do you still have the recovery codes we gave you when you set it up? One of them lets you in."),
        ("Two-factor authentication is now disabled. Please set it up again as soon as you sign in.",),
        ("I am writing from the e-mail on the account.", "I cannot find the recovery codes anywhere."),
    ),
    "locked": (
        ("I typed an old password a few times {when}, and now the account is locked.",
         "Our shared account is locked and the whole team is stuck."),
        ("The lock lifts by itself after 30 minutes; if you need access now, I can unlock it once you confirm "
         "your identity.",),
        ("Your account is unlocked and the new password works. I am closing this request.",),
        ("I waited an hour and it is still locked.",),
    ),
    "users": (
        ("Please add two new colleagues to our team account and remove a user who left the company.",
         "We hired three people this month; how do I give them access?"),
        ("Could you send the names and e-mail addresses of the new colleagues, and confirm who should be removed?",
         "As the account owner you can add users under Settings, Team; shall I do it for you this time?"),
        ("The users have been added and the former colleague has been removed from your team.",),
        ("Here are the names and addresses; please remove Marco's access as well.",),
    ),
    "sso": (
        ("Our single sign-on stopped working {when}; nobody in the office can sign in.",
         "Since we moved to the new identity provider, single sign-on gives an error for everyone."),
        ("Was your identity provider's certificate renewed recently? That is the usual cause.",
         "Could you send us the metadata file of your identity provider? We will compare the settings."),
        ("We updated the certificate on our side; single sign-on works again for your whole team.",),
        ("Yes, the certificate was renewed on Monday. Metadata attached.",),
    ),
    "gdpr": (
        ("Vorrei cancellare il mio account e tutti i miei dati personali, come previsto dal GDPR.",
         "Please delete my account and all my personal data, as the GDPR allows."),
        ("I can do that; please confirm from the e-mail on the account. Invoices must be kept for ten years by law.",),
        ("Your account and personal data have been deleted; only the invoices we must keep by law remain.",),
        ("I confirm: please delete everything.",),
    ),
    "email": (
        ("I have a new e-mail address at work; please move my account to it.",
         "Our company changed its domain; all our users need the new e-mail addresses."),
        ("Please confirm the change from your current address, so that we know the request comes from you.",),
        ("Your account now uses the new e-mail address; use it from your next sign-in.",),
        ("Confirmed from my old address.",),
    ),
    "where": (
        ("It should have arrived last week, but the tracking has not moved for five days.",
         "Il pacco è fermo da cinque giorni e il corriere non risponde.",
         "The tracking page still shows the parcel at the depot. When will it be delivered?"),
        ("I have opened an investigation with the courier; they usually answer within 48 hours.",
         "The parcel is at the courier's depot and is scheduled for delivery tomorrow.",
         "Ho aperto una verifica con il corriere: di solito risponde entro 48 ore."),
        ("The courier confirms the parcel was delivered this morning. Thank you for your patience.",
         "The parcel was lost in transit; we shipped a new one today with express delivery."),
        ("Any news? The tracking still shows the same depot.",
         "Ci sono novità? Il tracking non si è mosso."),
    ),
    "damaged": (
        ("The box was crushed and the device inside is damaged. Photos attached.",
         "It arrived with a cracked case and does not switch on."),
        ("Sorry about the damage. We will ship a replacement today; no need to return the damaged one.",
         "Could you send us a photo of the box and of the label, for the courier's claim?"),
        ("The replacement has been delivered. Thank you for the photos, they helped with the courier's claim.",),
        ("Here are the photos of the box and the label.", "The replacement has not arrived yet."),
    ),
    "wrong": (
        ("I ordered the black model and got a white one.",
         "The parcel holds something we never ordered; our order number is on the label."),
        ("Sorry for the mix-up. Here is a prepaid return label; we send the right model as soon as the courier "
         "scans it.",),
        ("The right model has been delivered and the return has arrived at our warehouse. Thank you!",),
        ("I dropped the parcel at the courier point this morning.",),
    ),
    "return": (
        ("I would like to return it: it does not work with {device}. How do I get a return label?",
         "It is not what we needed; can we return it within the 30 days?"),
        ("Here is your prepaid return label. Please drop the parcel at any {courier} point within 14 days.",),
        ("We received your return; the refund is on its way and reaches you in 3-5 working days.",),
        ("The label does not print correctly; could you send it as a PDF?",),
    ),
    "address": (
        ("Can I still change the delivery address? I am moving to {city} next week.",
         "I typed the wrong street number; please correct the delivery address."),
        ("The parcel has not left the warehouse yet, so I can change the address; please send the full new "
         "address.",),
        ("The delivery address is updated; the courier will deliver to the new address.",),
        ("The new address is Via Roma 12, third floor.",),
    ),
    "presales": (
        ("We are evaluating the {product} for a team of twenty people. Do you offer discounts for non-profits?",
         "Vorrei sapere i prezzi per un'azienda di {city} con cinquanta dipendenti."),
        ("Thank you for your interest! I have forwarded your request to our sales team; they call you within a day.",
         "Yes, non-profits get 30% off every plan; could you tell us how many users you need?"),
        ("Our sales team sent you an offer this morning; feel free to reply here with any question.",),
        ("About twenty users, maybe thirty next year.", "Thanks, we are reading the offer."),
    ),
    "feedback": (
        ("Just wanted to say the new version is great, but {feature} would make it perfect.",
         "Your last update made the reports much harder to read. Please bring back the old layout."),
        ("Thanks for the feedback! I have added your vote to that request on our roadmap.",
         "Thanks for telling us. I have passed your message to the product team, who read every one."),
        ("Thanks again for the feedback; the product team has it, and we will write when something changes.",),
        ("Great, thanks for listening!",),
    ),
    "demo": (
        ("Could someone call me to show a demo of the {product}? Mornings work best.",
         "We would like a demo for our managers next week, if possible in Italian."),
        ("Gladly! Which day next week suits you? A colleague from the sales team will call you.",),
        ("The demo is booked; you will receive a calendar invitation shortly.",),
        ("Tuesday morning works for us.",),
    ),
    "partner": (
        ("We are a reseller in {city} and would like to join your partner programme.",
         "We integrate software for small businesses and would like to offer yours to our clients."),
        ("Thank you! I have forwarded your proposal to our partner manager, who will contact you this week.",),
        ("Our partner manager has contacted you; I am closing this request here.",),
        ("Thanks, we are looking forward to the call.",),
    ),
    "complaint": (
        ("I waited four days for an answer to my last request. This is not acceptable for a paid plan.",
         "Nobody answers the phone and my e-mails go unanswered. We are paying for premium support."),
        ("I am sorry for the delay. We had an unusual number of requests this week; I am taking care of it now.",
         "You are right, and I apologise. I have asked the team lead to look at your open requests today."),
        ("Your earlier request is answered, and the team lead has reviewed why it took so long.",),
        ("Thank you, but it should not happen again.",),
    ),
    "thanks": (
        ("Just a quick note to thank your colleague for the help last week; everything works now.",
         "Grazie mille per l'aiuto, tutto risolto!"),
        ("Thank you for taking the time to write! I have passed your message to the team.",),
        ("Thanks again for the kind words. Have a nice day!",),
        ("Thanks!",),
    ),
}

# What follows a message too short on its own, per part (first message, agent, solution, follow-up,
# internal note), read in order, after the kind's other sentences.
FILLERS = (
    ("We have tried everything we could think of on our side.", "Thank you for looking into it."),
    ("If anything is unclear, just reply to this message.", "We are here until 18:00 today."),
    ("If anything is unclear, just reply to this message.", "We will keep an eye on it for a few days."),
    ("Please let me know if you need anything else from me.", "Thanks for your help so far."),
    ("Details in the timeline above.", "Will follow up tomorrow."),
)

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

# The first versions of the texts; still drawn so that every ticket's history stays as it was.
FIRST_MESSAGES = {
    "technical": (
        (
            "The {product} shows {error} {when}. I tried restarting and reinstalling but nothing changed. "
            "It happens on {device}."
        ),
        (
            "Since the last update the {product} is extremely slow on {device}; opening a report takes minutes. "
            "My colleagues on {device} see the same."
        ),
        "When I open the {product} on {device} I get {error}. We depend on it for daily work, please help.",
        "Our {product} stopped syncing {when}. The log says {error}. Nothing changed on our side.",
        "Il {product} dà {error} {when}. Ho già provato a riavviare il computer.",
        "Would it be possible to add {feature} to the {product}? We would use it every day.",
        "Some records disappeared from the {product} {when}. We see {error} when we try to reload them.",
    ),
    "billing": (
        "I was charged {money} twice by {payment} for the same month. Please refund the duplicate charge.",
        "The invoice shows the wrong VAT rate and our company name is misspelled. We need a corrected invoice.",
        "My {payment} payment of {money} failed but the money left my account. What should I do?",
        "I cancelled the subscription last month but I was charged {money} again. Please check.",
        "Potete inviarmi la fattura corretta? Manca la Partita IVA e il codice SDI.",
        "I cannot download the invoice from the portal: the button gives {error}.",
    ),
    "accounts": (
        "I cannot log in {when}. The page shows {error} after I enter my password.",
        "I requested a password reset three times but the e-mail never arrives, not even in spam.",
        "I lost my phone with the authenticator app. Please disable two-factor authentication on my account.",
        "Please add two new colleagues to our team account and remove a user who left the company.",
        "Our single sign-on stopped working {when}: users get {error} when they sign in.",
        "Vorrei cancellare il mio account e tutti i miei dati personali, come previsto dal GDPR.",
    ),
    "shipping": (
        "My {item} was supposed to arrive last week but the {courier} tracking has not moved since it left {city}.",
        "The {item} arrived today but the box was crushed and the device inside is damaged. Photos attached.",
        "I received the wrong {item}. I ordered the black model and got a white one.",
        "I would like to return the {item}: it does not work with {device}. How do I get a return label?",
        "Il pacco è fermo a {city} da cinque giorni e {courier} non risponde.",
        "Can I still change the delivery address? I am moving to {city} next week.",
    ),
    "general": (
        "We are evaluating the {product} for a team of twenty people. Do you offer discounts for non-profits?",
        "Just wanted to say the new {product} is great, but {feature} would make it perfect.",
        "Could someone call me to show a demo of the {product}? Mornings work best.",
        "I waited four days for an answer to my last request. This is not acceptable for a paid plan.",
        "Vorrei sapere i prezzi per un'azienda di {city} con cinquanta dipendenti.",
        "We are a reseller in {city} and would like to join your partner programme.",
    ),
}

FOLLOW_UPS = (
    "Any news on this? It is still not working {when}.",
    "I attach the screenshot you asked for. The message is still {error}.",
    "I tried what you suggested but I still see {error} on {device}.",
    "Thanks, that worked for me but my colleague on {device} still has the problem.",
    "Here are the details you asked for: the {item} was ordered from {city}.",
    "Ci sono novità? Il problema persiste.",
    "Sorry for the late answer, I was away. Yes, it happens on {device} too.",
    "It started again after the update. Same {error} as before.",
    "Great, thank you! One more question: does this also apply to the {product}?",
    "I checked with our accountant: we paid with {payment} on the 3rd.",
)

AGENT_REPLIES = {
    "technical": (
        "Thanks for the report. Could you send us the {product} log and tell us the exact time you saw {error}?",
        "We are aware of an issue with the {product} on {device} and our engineers are working on a fix.",
        "Please update the {product} to the latest version and clear the cache; this fixes {error} in most cases.",
        "I reproduced {error} on {device}. I have passed it to our engineering team with all the details.",
    ),
    "billing": (
        "I checked your account: the {payment} charge of {money} was taken twice. I have started the refund.",
        "I have issued a corrected invoice with the right VAT rate; you will find it in the invoice portal.",
        "Failed {payment} payments are usually released by the bank within five working days.",
        "Could you confirm the last four digits of the card used for the {money} payment?",
    ),
    "accounts": (
        "For security reasons I need to verify your identity first. Please reply from the e-mail on the account.",
        "I have sent a new password reset link; it is valid for one hour. Please check the spam folder as well.",
        "Two-factor authentication is now disabled. Please set it up again as soon as you log in.",
        "The users have been added and the former colleague has been removed from your team.",
    ),
    "shipping": (
        "I have opened an investigation with {courier}; they usually answer within 48 hours.",
        "Sorry about the damaged {item}. We will ship a replacement today; no need to return the damaged one.",
        "Here is your prepaid return label. Please drop the {item} at any {courier} point within 14 days.",
        "The parcel is in the {courier} depot in {city} and should be delivered tomorrow.",
    ),
    "general": (
        "Thank you for your interest! I have forwarded your request to our sales team in {city}.",
        "Thanks for the feedback. I have added your vote for {feature} to the request on our roadmap.",
        "I am sorry for the delay. We had an unusual number of requests this week; I am taking care of it now.",
        "Grazie per averci contattato. Un collega vi richiamerà entro domani.",
    ),
}

NOTES = (
    "Customer is on the premium plan, handle with care.",
    "Checked the logs: {error} from the {product} at 10:42, matches the known issue.",
    "Escalated to engineering, see the internal bug tracker.",
    "Called the customer, no answer. Will try again tomorrow.",
    "Refund of {money} approved by the team lead.",
    "{courier} confirmed the parcel was damaged in transit; claim opened.",
    "Same problem reported by two other customers this week.",
    "Nota: il cliente preferisce essere contattato in italiano.",
    "Possible duplicate of an older ticket from the same customer.",
    "Workaround: downgrade the {product} to the previous version.",
)

SOLUTIONS = (
    "The fix is now live. Please update the {product} and let us know if you still see {error}.",
    "The refund of {money} has been processed; it may take 3-5 working days to appear on your statement.",
    "Your account is unlocked and the new password works. I am closing this request.",
    "The replacement {item} has been delivered in {city}. Thank you for your patience.",
    "I have answered your questions above; feel free to reply if anything is unclear.",
    "Abbiamo risolto il problema. Grazie per la pazienza!",
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

# name, query — shared views (no owner).
SAVED_VIEWS = (
    ("Oldest unassigned", "is:unassigned is:open sort:created-asc"),
    ("Urgent and high", "prio:urgent,high is:open"),
    ("Waiting longest", "status:pending sort:updated-asc"),
    ("Billing backlog", "queue:Billing is:open sort:created-asc"),
)

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
