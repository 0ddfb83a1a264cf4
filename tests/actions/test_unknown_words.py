"""The unknown-words classifier: typo-ridden Dutch is still understood, gibberish and English are not."""

from __future__ import annotations

from rasa.shared.nlu.training_data.message import Message

from bot.components.unknown_words import UnknownWordsClassifier, known_share

VOCABULARY = frozenset({"wanneer", "wordt", "afval", "opgehaald", "paspoort", "kwijt", "kost", "een", "het", "mijn"})


def test_typos_still_count_as_known_words():
    share, counted = known_share("wanneer worrdt het afval opgehaalt", VOCABULARY, 3)
    assert counted == 5 and share == 1.0


def test_gibberish_and_english_have_no_known_words():
    assert known_share("fjdksl wpqo qqq", VOCABULARY, 3)[0] == 0.0
    assert known_share("where can I renew my passport", VOCABULARY, 3)[0] < 0.34


def test_process_marks_only_messages_with_too_few_known_words():
    component = UnknownWordsClassifier(UnknownWordsClassifier.get_default_config(), None, None, VOCABULARY)  # type: ignore[arg-type]
    dutch = Message(data={"text": "paspoort kwyt", "intent": {"name": "reisdocument", "confidence": 0.9}})
    gibberish = Message(data={"text": "xkcd qqq zzz", "intent": {"name": "goodbye", "confidence": 0.56}})
    button = Message(data={"text": "/afval", "intent": {"name": "afval", "confidence": 1.0}})

    component.process([dutch, gibberish, button])

    assert dutch.get("intent")["name"] == "reisdocument" and dutch.get("unknown_words") is None
    assert gibberish.get("intent") == {"name": "out_of_scope", "confidence": 1.0}
    assert gibberish.get("unknown_words") == {"known_share": 0.0, "words": 3}
    assert button.get("intent")["name"] == "afval"
