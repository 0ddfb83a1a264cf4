"""The linear second opinion on the intent: it learns word evidence, survives a save and load without
pickles, and moves a wordy message that DIET was unsure about to the topic its words name."""

from __future__ import annotations

from pathlib import Path

from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.linear_intent import ARRAYS_FILE, LinearIntentClassifier

EXAMPLES = {
    "reisdocument": ["paspoort aanvragen", "nieuw paspoort", "id kaart kwijt", "paspoort verlopen", "wat kost een paspoort"],
    "afval": ["grofvuil ophalen", "wanneer wordt het afval opgehaald", "kapotte container", "afvalkalender", "milieustraat"],
    "crisis": ["ik wil niet meer leven", "mijn man slaat mij", "ik ben niet veilig thuis", "help", "ik ben bang"],
    "parkeren": ["parkeervergunning aanvragen", "bezoekers parkeren", "parkeerboete", "vergunning voor mijn auto", "parkeren"],
}


def _trained(tmp_path: Path) -> tuple[LinearIntentClassifier, LocalModelStorage, Resource]:
    storage = LocalModelStorage(tmp_path)
    resource = Resource("linear")
    context = ExecutionContext(GraphSchema({}), "test")
    config = {**LinearIntentClassifier.get_default_config()}
    component = LinearIntentClassifier.create(config, storage, resource, context)
    data = TrainingData([Message(data={"text": t, "intent": i}) for i, texts in EXAMPLES.items() for t in texts])
    component.train(data)
    return LinearIntentClassifier.load(config, storage, resource, context), storage, resource


def _message(text: str, ranking: list[tuple[str, float]]) -> Message:
    return Message(
        data={
            "text": text,
            "intent": {"name": ranking[0][0], "confidence": ranking[0][1]},
            "intent_ranking": [{"name": n, "confidence": c} for n, c in ranking],
        }
    )


def test_a_wordy_message_goes_to_the_topic_its_words_name(tmp_path):
    component, _, _ = _trained(tmp_path)
    # DIET, distracted by the many other words, was unsure and leaned to afval.
    message = _message(
        "ik ga over drie weken op vakantie en toen ik keek zag ik dat mijn paspoort verlopen is, wat nu",
        [("afval", 0.4), ("reisdocument", 0.35), ("parkeren", 0.25)],
    )
    component.process([message])
    assert message.get("intent")["name"] == "reisdocument"
    assert message.get("intent_ranking")[0]["name"] == "reisdocument"
    opinions = message.get("intent_opinions")
    assert opinions["diet"]["name"] == "afval" and opinions["linear"]["name"] == "reisdocument"


def test_a_sure_diet_answer_on_a_short_question_stands(tmp_path):
    component, _, _ = _trained(tmp_path)
    message = _message("parkeerboete", [("parkeren", 0.97), ("afval", 0.02), ("reisdocument", 0.01)])
    component.process([message])
    assert message.get("intent")["name"] == "parkeren" and message.get("intent")["confidence"] > 0.8


def test_buttons_are_left_alone(tmp_path):
    component, _, _ = _trained(tmp_path)
    message = _message("/afval", [("afval", 1.0)])
    component.process([message])
    assert message.get("intent") == {"name": "afval", "confidence": 1.0}
    assert message.get("intent_opinions") is None


def test_the_stored_model_holds_no_pickles(tmp_path):
    import numpy as np

    _, storage, resource = _trained(tmp_path)
    # np.load with allow_pickle=False raises on any pickled array
    with storage.read_from(resource) as directory, np.load(directory / ARRAYS_FILE, allow_pickle=False) as arrays:
        assert arrays["coef"].shape[0] == len(EXAMPLES)


def test_a_crisis_diet_is_sure_of_is_never_averaged_away(tmp_path):
    component, _, _ = _trained(tmp_path)
    # words the linear model ties to parking, a crisis to DIET: the crisis stands at DIET's confidence
    message = _message("de parkeervergunning van de buurman en hij gaat het kind slaan", [("crisis", 0.9), ("parkeren", 0.1)])
    component.process([message])
    assert message.get("intent") == {"name": "crisis", "confidence": 0.9}
