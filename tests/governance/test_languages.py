"""Languages (issue 16): Dutch stays Dutch, other languages get a fixed message in their own language."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from governance.languages import LanguageStep
from knowledge import load_municipality
from tests.governance.conftest import say, start

ROOT = Path(__file__).resolve().parents[2]
MUNICIPALITY = load_municipality(ROOT / "data" / "municipality.yml")
# Written for these tests, not taken from data/languages.yml.
OTHER_LANGUAGES = {
    "tr": "Merhaba, yeni bir kimlik kartına ihtiyacım var, ne yapmam gerekiyor?",
    "ar": "مرحبا، أريد تسجيل عنواني الجديد في البلدية",
    "pl": "Dzień dobry, chciałbym zameldować się pod nowym adresem, jak to zrobić?",
    "uk": "Доброго дня, я хочу зареєструватися за новою адресою",
    "de": "Guten Tag, ich möchte meinen neuen Wohnsitz anmelden, wie geht das?",
    "fr": "Bonjour, je voudrais déclarer mon changement d'adresse, comment faire ?",
    "es": "Hola, quiero registrar mi nueva dirección en el ayuntamiento, ¿cómo lo hago?",
}


@pytest.fixture(scope="module")
def step() -> LanguageStep:
    return LanguageStep.from_file(MUNICIPALITY)


def dutch_messages() -> list[str]:
    texts = []
    for name in ("heldout.yml", "heldout_blind.yml"):
        data = yaml.safe_load((ROOT / "tests" / "nlu" / name).read_text(encoding="utf-8"))
        texts += [line.strip()[2:] for b in data["nlu"] for line in b["examples"].splitlines() if line.strip().startswith("- ")]
    conversations = yaml.safe_load((ROOT / "tests" / "conversations" / "multi_turn.yml").read_text(encoding="utf-8"))
    texts += [turn["text"] for c in conversations["conversations"] for turn in c["turns"] if "text" in turn]
    return texts


@pytest.mark.parametrize(
    "text", ["hoi", "ok", "oke", "help", "hallo", "bedankt", "nee", "ja graag", "doei", "paspoort", "top", "prima", "sorry"]
)
def test_short_dutch_messages_are_never_taken_for_another_language(step, text):
    assert step.detect(text) == "nl"


def test_no_dutch_question_of_our_sets_gets_a_message_in_another_language(step):
    others = [(text, step.detect(text)) for text in dutch_messages() if step.notice(step.detect(text))]
    assert others == []


@pytest.mark.parametrize("language", sorted(OTHER_LANGUAGES))
def test_each_other_language_is_recognised_and_has_its_message(step, language):
    assert step.detect(OTHER_LANGUAGES[language]) == language
    notice = step.notice(language)
    assert notice is not None
    for fact in ("112", "113", "0800-0113", "0800-2000", MUNICIPALITY.phone, "+31 123 456 789", "Raadhuisplein 1"):
        assert fact in notice.text, (language, fact)
    assert "{" not in notice.text


def test_short_messages_in_arabic_or_cyrillic_script_are_recognised_by_their_letters(step):
    assert step.detect("مرحبا") == "ar"
    assert step.detect("привіт") == "uk"
    assert step.notice("ar").direction == "rtl"


def test_a_short_message_keeps_the_conversation_language(step):
    assert step.detect("ok", conversation_language="tr") == "tr"
    assert step.detect("ik wil een nieuw paspoort aanvragen", conversation_language="tr") == "nl"


def test_english_is_answered_by_the_assistant_itself_not_with_a_notice(step):
    assert step.detect("I need a new passport, how do I apply?") == "en"
    assert step.answers_in("en") and step.notice("en") is None


def test_no_dutch_question_of_our_sets_is_answered_in_english(step):
    english = [text for text in dutch_messages() if step.detect(text) == "en"]
    # the two English questions that were in the Dutch sets before English was answered (see their headers)
    assert sorted(english) == ["I want to talk in English", "where is the town hall"]


def test_an_unsure_message_keeps_an_english_conversation_english(step):
    assert step.detect("how much is it", conversation_language="en") == "en"
    assert step.detect("how much is it") == "nl"
    assert step.detect("wat kost een paspoort", conversation_language="en") == "nl"


def test_every_notice_says_the_assistant_speaks_dutch_and_english(step):
    english_words = {
        "tr": "İngilizce",
        "ar": "الإنجليزية",
        "pl": "angielsku",
        "uk": "англійською",
        "de": "Englisch",
        "fr": "anglais",
        "es": "inglés",
    }
    for language, word in english_words.items():
        assert word in step.notice(language).text, language


def test_an_english_question_goes_to_the_model_marked_english(client, bot, staff):
    conversation = start(client)
    reply = say(client, conversation, text="I need a new passport, how do I apply?")
    assert bot.sent[-1]["metadata"]["language"] == "en"
    assert reply["messages"][-1]["explanation"]["language"] == "en"
    # a short message afterwards stays English; a button too
    say(client, conversation, text="ok thanks")
    assert bot.sent[-1]["metadata"]["language"] == "en"
    say(client, conversation, payload="/reisdocument")
    assert bot.sent[-1]["metadata"]["language"] == "en"
    decisions = client.get(
        "/api/v1/decisions", params={"conversationId": conversation["conversation_id"]}, headers=staff["reviewer"]["headers"]
    ).json()["items"]
    assert {d["language"] for d in decisions} == {"en"}


def test_a_conversation_started_in_english_opens_with_the_english_disclosure(client):
    created = client.post("/api/v1/conversations", json={"locale": "en"})
    assert created.status_code == 201
    welcome = created.json()["messages"][0]["text"]
    assert "I am a computer program, not a person" in welcome and "14 0123" in welcome and "staff member" in welcome
    dutch = client.post("/api/v1/conversations", json={}).json()["messages"][0]["text"]
    assert "computerprogramma" in dutch
    assert client.post("/api/v1/conversations", json={"locale": "tr"}).status_code == 422


def test_the_handover_offer_and_queue_speak_the_conversation_language(client, bot):
    conversation = client.post("/api/v1/conversations", json={"locale": "en"}).json()
    reply = say(client, conversation, text="I would like to talk to a human please")
    offer = reply["messages"][-1]
    assert offer["role"] == "system" and offer["text"].startswith("Would you like me to connect you")
    assert [b["title"] for b in offer["buttons"]] == ["Yes, connect me", "No, thank you"]
    queued = say(client, conversation, text="yes please")["messages"][-1]
    assert queued["text"].startswith("You are now waiting for a member of staff")


def test_the_widget_texts_come_in_english_too(client):
    dutch = client.get("/api/v1/widget/texts").json()
    english = client.get("/api/v1/widget/texts", params={"lang": "en"}).json()
    assert set(dutch) == set(english)
    assert english["why"] == "Why this answer?" and dutch["why"] == "Waarom dit antwoord?"
    assert english["language_switch_lang"] == "nl" and dutch["language_switch_lang"] == "en"
    assert client.get("/api/v1/widget/texts", params={"lang": "xx"}).status_code == 422


def test_english_system_texts_have_the_same_keys_and_placeholders_as_the_dutch():
    import re

    dutch = yaml.safe_load((ROOT / "data" / "texts.yml").read_text(encoding="utf-8"))
    english = yaml.safe_load((ROOT / "data" / "texts.en.yml").read_text(encoding="utf-8"))
    assert set(dutch) == set(english)
    for key in dutch:
        assert set(re.findall(r"\{(\w+)\}", str(dutch[key]))) == set(re.findall(r"\{(\w+)\}", str(english[key]))), key


def test_a_turkish_question_gets_the_turkish_message_not_the_dutch_model(client, bot, staff):
    conversation = start(client)
    reply = say(client, conversation, text=OTHER_LANGUAGES["tr"])
    assert bot.sent == []  # not pushed through the Dutch model
    message = reply["messages"][0]
    assert message["role"] == "assistant" and message["text"].startswith("Merhaba. Bu asistan yalnızca Felemenkçe ve İngilizce")
    explanation = message["explanation"]
    assert explanation["language"] == "tr" and explanation["action"] == "gateway_language_notice"
    assert "Je schreef in het Turks" in explanation["summary_nl"]
    decisions = client.get(
        "/api/v1/decisions", params={"conversationId": conversation["conversation_id"]}, headers=staff["reviewer"]["headers"]
    ).json()["items"]
    assert [d["language"] for d in decisions] == ["tr"]
    # a short answer afterwards is still read as Turkish; a Dutch question goes to the assistant again
    assert say(client, conversation, text="tamam")["messages"][0]["explanation"]["language"] == "tr"
    dutch = say(client, conversation, text="wat kost een nieuw paspoort")
    assert dutch["messages"][-1]["explanation"]["language"] == "nl" and len(bot.sent) == 1


def test_a_dutch_crisis_word_in_a_foreign_message_still_goes_to_the_crisis_path(client, bot):
    conversation = start(client)
    reply = say(client, conversation, text="Hola, necesito ayuda, ik wil dood, no puedo más con mi vida")
    topics = [m["explanation"]["topic"] for m in reply["messages"] if m.get("explanation")]
    assert "crisis" in topics


def test_the_dashboard_counts_turns_per_language(client, staff):
    say(client, start(client), text=OTHER_LANGUAGES["pl"])
    say(client, start(client), text="wat kost een paspoort")
    statistics = client.get("/api/v1/statistics", headers=staff["reviewer"]["headers"]).json()
    assert statistics["turns_by_language"] == {"pl": 1, "nl": 1}
