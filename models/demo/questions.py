"""What each kind of question says, part by part: the demo's conversations.

One table, kept whole on purpose (it is most of this module's length): each kind of question a
subject asks has its four parts — the customer's first message, the agent's answers and
questions, the solutions, the customer's follow-ups — and every message of a ticket comes from
its kind's row, so that a reply answers what was asked. ``FILLERS`` lengthens a message too
short on its own. ``models.demo.wording`` fills the ``{slots}`` (``models.demo.text.SLOTS``).
"""

from __future__ import annotations

__all__ = [
    "FILLERS",
    "QUESTIONS",
]

# fmt: off
# Compact data: the formatter leaves this module's literals as written.

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
# fmt: on
