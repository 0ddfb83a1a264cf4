"""Marks a message as out_of_scope when it holds almost no word the assistant was trained on.

DIET always spreads its confidence over the known intents, so gibberish or English can still score 0.6 for
"goodbye". Whether the citizen's words are words we know at all is a separate, explainable question:
this component learns the vocabulary of the training data and, when too few words of a message are known
(with the same typo tolerance as the knowledge base), sets the intent to out_of_scope. The model's own
ranking stays in the parse data, and `unknown_words` tells the explanation why.
"""

from __future__ import annotations

import json
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from knowledge.text import word_matches, words

VOCABULARY_FILE = "vocabulary.json"


def known_share(text: str, vocabulary: frozenset[str], min_length: int) -> tuple[float, int]:
    """Share of the message's words (of at least min_length letters) that the vocabulary knows."""
    tokens = [t for t in words(text) if len(t) >= min_length]
    if not tokens:
        return 0.0, 0
    known = 0
    for token in tokens:
        if token in vocabulary or any(word_matches(token, v) for v in vocabulary if abs(len(v) - len(token)) <= 4):
            known += 1
    return known / len(tokens), len(tokens)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class UnknownWordsClassifier(GraphComponent):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            # Below this share of known words the message is not understood.
            "min_known_share": 0.34,
            # Shorter words ("ik", "de") carry no topic and are ignored.
            "min_word_length": 3,
            "intent": "out_of_scope",
        }

    def __init__(
        self, config: dict[str, Any], model_storage: ModelStorage, resource: Resource, vocabulary: frozenset[str]
    ) -> None:
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        self._vocabulary = vocabulary

    @classmethod
    def create(
        cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource, execution_context: ExecutionContext
    ) -> UnknownWordsClassifier:
        return cls(config, model_storage, resource, frozenset())

    def train(self, training_data: TrainingData) -> Resource:
        vocabulary: set[str] = set()
        for example in training_data.intent_examples:
            if example.get(INTENT) == self._config["intent"]:
                continue  # words of out-of-scope examples must not make other text look understood
            vocabulary.update(words(example.get(TEXT) or ""))
        for table in training_data.lookup_tables:
            for element in table.get("elements", []):
                vocabulary.update(words(element))
        vocabulary = {w for w in vocabulary if len(w) >= self._config["min_word_length"]}
        with self._model_storage.write_to(self._resource) as directory:
            (directory / VOCABULARY_FILE).write_text(json.dumps(sorted(vocabulary), ensure_ascii=False), encoding="utf-8")
        self._vocabulary = frozenset(vocabulary)
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> UnknownWordsClassifier:
        with model_storage.read_from(resource) as directory:
            vocabulary = json.loads((directory / VOCABULARY_FILE).read_text(encoding="utf-8"))
        return cls(config, model_storage, resource, frozenset(vocabulary))

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if text.startswith("/"):
                continue
            share, counted = known_share(text, self._vocabulary, self._config["min_word_length"])
            if counted and share < self._config["min_known_share"]:
                message.set(INTENT, {"name": self._config["intent"], "confidence": round(1.0 - share, 4)}, add_to_output=True)
                message.set("unknown_words", {"known_share": round(share, 3), "words": counted}, add_to_output=True)
        return messages
