"""Dutch texts the channels send themselves, without asking the assistant (B1, "je")."""

TOO_MANY_MESSAGES = (
    "Je stuurt veel berichten snel achter elkaar. Wacht een minuut en stuur je vraag dan opnieuw."
)
MESSAGE_TOO_LONG = "Je bericht is te lang. Stel je vraag in een paar zinnen."
SOMETHING_WENT_WRONG = (
    "Sorry, er ging iets mis. Probeer het over een paar minuten opnieuw. "
    "Lukt het dan nog niet? Typ 'contact' en je leest hoe je de gemeente "
    "bereikt."
)
