"""The first versions of the demo's message texts, by topic.

They are no longer shown: ``models.demo.wording`` still draws them, so that the random stream
after them, and with it every generated ticket's history, stays as it was for each seed.
"""

from __future__ import annotations

__all__ = [
    "AGENT_REPLIES",
    "FIRST_MESSAGES",
    "FOLLOW_UPS",
    "NOTES",
    "SOLUTIONS",
]

# fmt: off
# Compact data: the formatter leaves this module's literals as written.

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
# fmt: on
