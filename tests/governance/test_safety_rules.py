"""The explicit rule layer: crisis and requests for a person are caught whatever the model says,
and ordinary municipal questions are not escalated by it."""

from __future__ import annotations

from pathlib import Path

import pytest

from governance.safety.rules import SafetyRules

RULES = SafetyRules.from_file(Path(__file__).resolve().parents[2] / "data" / "safety_rules.yml")

CRISIS = [
    "mijn partner slaat me",
    "Mijn partner slaat me.",
    "mijn vriend slaat mij elke avond",
    "mijn man mishandelt mij",
    "ik word thuis geslagen",
    "ik ben geslagen door mijn vader",
    "mijn buurvrouw wordt mishandeld",
    "huiselijk geweld",
    "HUISELIJK GEWELD wat moet ik doen",
    "ik denk aan zelfmoord",
    "zelfmoordgedachten",
    "ik wil dood",
    "ik wil niet meer leven",
    "ik wil er niet meer zijn",
    "ik wil een einde aan mijn leven maken",
    "het leven heeft geen zin meer",
    "ik wil mezelf iets aandoen",
    "ik snij mezelf",
    "ik voel me niet veilig thuis",
    "ik ben niet veilig",
    "mijn ex dreigt me te vermoorden",
    "ik ben in gevaar",
    "kindermishandeling melden",
    "suïcide",
    "ik denk aan suicide",
    "ik zie het echt niet meer zitten",
    "ik wil slapen en nooit meer wakker worden",
    "ik heb pillen geslikt om er een eind aan te maken",
    "ik durf niet meer naar huis",
    "mijn stiefvader misbruikt me",
    "mijn buurman bedreigt me met een mes",
    "er is brand in mijn flat",
    "iemand is bewusteloos op straat",
    # told about someone else (issue 14)
    "de buurvrouw schreeuwt om hulp en er wordt gegooid met spullen",
    "ik hoor mijn buren vechten en iemand gilt om hulp",
    "mijn vriendin zegt dat ze er een eind aan wil maken",
    "mijn broer wil er een einde aan maken",
    "mijn zoon zegt dat hij zichzelf iets aan wil doen",
    "mijn stiefvader slaat mijn moeder",
    # English (issue 16), written before the English rules
    "i am going to kill myself tonight",
    "I dont want to be alive anymore",
    "my boyfriend beats me",
    "my dad hits my mom",
    "I'm not safe at home",
    "I'm afraid to go home",
    "someone threatened me with a knife",
    "my neighbour is screaming for help",
    "my friend wants to end her life",
    "he says he wants to kill himself",
    "domestic violence",
    "I want to hurt myself",
    "thinking about suicide",
    # armed persons and children being hit (2026-12-03), not the sentences of the held-out sets
    "er loopt een man met een mes door onze galerij",
    "iemand met een pistool staat voor de deur van mijn moeder",
    "de buurman schopt zijn kind elke avond, ik hoor het door de muur",
    "ze dreigt het kind te slaan als het niet stil is",
    "a guy with a gun is standing in front of our house",
    "there's a knife at my door and someone keeps knocking",
    "I think the child next door is being beaten",
    "he said he is going to hit the baby",
    # a wish to be gone told as a thought (2026-12-04), not the sentence of the held-out set
    "soms denk ik dat het voor iedereen makkelijker is als ik er niet meer ben",
    "mijn familie is beter af zonder mij",
    "het zou rustiger zijn wanneer ik er niet meer zou zijn",
    # gaps found by this day's training examples, tested with other sentences
    "mijn zus wordt al jaren door haar man geslagen",
    "mijn collega zei dat hij van het dak wil springen",
    "hij dreigt zichzelf iets aan te doen",
    "he told me i dont want live like this",
    "a man is attacking us in the street",
]

HUMAN = [
    "ik wil een medewerker spreken",
    # the verb before the person (2026-12-04)
    "kan ik even bellen met een medewerker over mijn aanvraag",
    "ik wil liever praten met een echte mens",
    "medewerker",
    "Medewerker!",
    "een mens",
    "mag ik een mens spreken",
    "kan ik iemand spreken",
    "ik wil met een echt persoon praten",
    "verbind me door",
    "kunt u mij doorverbinden",
    "ik wil niet met een robot praten",
    "ik wil geen chatbot",
    "kan iemand mij bellen",
    "graag een medewerker",
    "kunt u mij terugbellen",
    "ik wil teruggebeld worden",
    "ik wil contact met een medewerker",
    "kan iemand van de gemeente me vandaag nog bellen",
    "zet me door naar een collega",
    "kunt u mij doorsturen naar iemand van vergunningen",
    "kan er iemand contact met me opnemen",
    # English (issue 16)
    "I want to talk to a person",
    "can I speak with an employee",
    "connect me to someone",
    "transfer me to a colleague please",
    "human",
    "can someone call me back",
    "i need a real person",
    "let me chat with a staff member",
    "could somebody take over this conversation please",
    "i would like a live agent",
    "please hand me over to a colleague",
]

ORDINARY = [
    "mijn vader is overleden wat moet ik regelen",
    "mijn moeder is dood wat nu",
    "aangifte overlijden",
    "wat kost een paspoort",
    "de stoep is niet veilig, er ligt een tegel los",
    "is het veilig om mijn paspoort op te sturen",
    "mag ik een persoon meenemen naar mijn afspraak",
    "hoeveel kost een paspoort per persoon",
    "mijn afspraak met een medewerker wil ik verzetten",
    "ik heb een klacht over een medewerker",
    "wanneer wordt het afval opgehaald",
    "de lantaarnpaal is kapot",
    "ik heb schulden",
    "krijg ik bijstand",
    "mijn kind is geboren",
    "hoe lang duurt het voordat iemand reageert op mijn aanvraag",
    "the weather is nice",
    "ik zie het niet zitten om weer te verhuizen",
    "ik kan niet meer zelf koken",
    "brandweer",
    "ik wil een brandmelder ophangen",
    "wie moet ik bellen over mijn paspoort",
    "hoe neem ik contact op met de gemeente",
    # follow-ups about costs are never a crisis (issue 14)
    "kost dat iets",
    "wat kost dat?",
    "moet ik daarvoor betalen",
    "de buurvrouw vraagt om hulp bij haar aanvraag",
    "er wordt afval gegooid in de sloot",
    "kan ik de aanvraag doorsturen naar mijn werkgever",
    "",
    # English (issue 16)
    "how much does a passport cost",
    "my father died what do I need to arrange",
    "the road is not safe, there is a hole in it",
    "is it safe to send my passport by post",
    "can I bring a person to my appointment",
    "I have a complaint about an employee",
    "who do I call about my passport",
    "my car was hit by the garbage truck",
    "how do I register my baby",
    "mijn kind wil graag op slaan leren (drummen), waar kan dat",
    "ik wil een mes laten slijpen",
    "how do I register my son at school",
    "can my daughter get her own ID card",
    "is a knife allowed in the town hall",
    # near the rules of 2026-12-04 but no crisis and no request for a person
    "is het beter als ik er niet ben bij de afspraak of moet ik mee",
    "het is makkelijker als ik er zelf bij ben",
    "mag ik bellen met mijn eigen telefoon",
    "mijn aanvraag werd niet goed behandeld",
    "the attack on my tax assessment, can i object",
    "where do i want to live after my studies, can i register at two addresses",
    "my brother wants to take over the lease of my flat",
    "the travel agent lost my passport, what now",
    "can my estate agent hand the keys to the new owner",
]


@pytest.mark.parametrize("text", CRISIS)
def test_crisis_messages_are_caught(text):
    match = RULES.match(text)
    assert match is not None and match.category == "crisis" and match.intent == "crisis", text


@pytest.mark.parametrize("text", HUMAN)
def test_requests_for_a_person_are_caught(text):
    match = RULES.match(text)
    assert match is not None and match.category == "human" and match.intent == "medewerker", text


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_questions_are_left_to_the_model(text):
    assert RULES.match(text) is None, text


# Questions about the assistant itself: bot_vraag must answer them honestly, nobody is escalated.
ASKS_WHETHER_HUMAN = [
    "praat ik met een mens",
    "Spreek ik nu met een medewerker of met een robot?",
    "ben jij een echt persoon",
    "is dit een mens of een computer",
    "chat ik met een bot",
    "ben ik met een persoon aan het chatten",
]


@pytest.mark.parametrize("text", [*ASKS_WHETHER_HUMAN, "Ben je een robot?", "ben jij ai", "are you a bot"])
def test_asking_whether_it_is_a_person_gets_the_honest_answer_not_a_handover(text):
    match = RULES.match(text)
    assert match is not None and match.category == "bot_question" and match.intent == "bot_vraag", text


def test_a_request_phrased_after_such_a_question_is_still_caught():
    match = RULES.match("ben je een robot? ik wil een medewerker spreken")
    assert match is not None and match.category == "human"


def test_unknown_rule_category_is_refused(tmp_path):
    rules_file = tmp_path / "rules.yml"
    rules_file.write_text("crisis: []\nhuman: []\nhuman_exceptions: []\n")
    with pytest.raises(ValueError, match="unknown rule categories"):
        SafetyRules.from_file(rules_file)


def test_crisis_wins_over_a_question_about_the_assistant():
    match = RULES.match("ben je een robot? mijn partner slaat me")
    assert match is not None and match.category == "crisis"


def test_crisis_wins_over_a_request_for_a_person():
    match = RULES.match("mijn man slaat me, ik wil een medewerker spreken")
    assert match is not None and match.category == "crisis"


def test_every_rule_has_an_id_that_is_reported():
    match = RULES.match("ik denk aan zelfmoord")
    assert match is not None
    assert match.as_metadata() == {"category": "crisis", "id": "suicide_words"}


def test_every_category_in_the_rules_file_has_rules():
    import yaml

    raw = yaml.safe_load((Path(__file__).resolve().parents[2] / "data" / "safety_rules.yml").read_text())
    assert set(raw) == {"crisis", "bot_question", "human"}
    assert all(raw[category] for category in raw)
