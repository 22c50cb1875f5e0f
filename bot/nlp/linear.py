"""Linear NLU classifiers (scikit-learn, no TensorFlow): intents and the programme topic.

Both read the message text through their own TF-IDF features: lower-cased word 1-2 grams and
character 1-4 grams inside word boundaries (sublinear term frequency), so typos and Dutch compounds
share features without pretrained vectors. A logistic regression (C=30, balanced classes) gives a
probability per label, so the ranking can offer the likeliest meanings when the top one is unsure.

`LinearIntentClassifier` sets `intent` and `intent_ranking`, like Rasa's classifiers.
`LinearResponseSelector` picks the `faq/<topic>` label of a retrieval intent and fills
`response_selector` in the shape of Rasa's `ResponseSelector` (read by `action_programme_answer`).
Why this instead of DIET + ResponseSelector: docs/nlu-pipeline.md.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Dict, List, Optional, Sequence, Text, Tuple

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    INTENT_RESPONSE_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from bot.names import FAQ, RESPONSE_SELECTOR_KEY

logger = logging.getLogger(__name__)

_WORDS = re.compile(r"\w+")
# Set on a message none of whose words occurs in the training data ("asdfjkl", "qwerty uiop"):
# the probabilities then come from character n-grams alone and mean little.
UNKNOWN_WORDS_KEY = "unknown_words"

SAFE_MODULES = ("sklearn.", "numpy.", "scipy.", "builtins.")


class FastScorer:
    """The same probabilities as `predict_proba` of a fitted TF-IDF + logistic regression, faster.

    scikit-learn validates arrays and builds several sparse matrices per call: about 4 ms for one
    short message here, most of a parse. A chat message has a few dozen n-grams, so this looks up
    their columns in the vocabularies and sums those columns of the weight matrix with numpy
    (sublinear tf, idf and l2 norm per vectorizer, as `TfidfVectorizer` computes them; softmax or
    one-vs-rest as `LogisticRegression.predict_proba`). `tests/rasa/test_linear_nlu.py` checks it
    against scikit-learn on every training sentence.
    """

    def __init__(self, vectorizers: Sequence[TfidfVectorizer], clf: LogisticRegression) -> None:
        self._analyzers = [v.build_analyzer() for v in vectorizers]
        self._vocabularies = [v.vocabulary_ for v in vectorizers]
        self._idf = [np.asarray(v.idf_, dtype=np.float64) for v in vectorizers]
        self._sublinear = [bool(v.sublinear_tf) for v in vectorizers]
        for v in vectorizers:
            if v.norm != "l2" or not v.use_idf or v.binary:
                raise ValueError("FastScorer supports l2-normalised tf-idf only")
        self._offsets = np.cumsum([0] + [len(v) for v in self._vocabularies])[:-1]
        # Columns are features: one contiguous row of class weights per feature.
        self._weights = np.ascontiguousarray(np.asarray(clf.coef_, dtype=np.float64).T)
        self._intercept = np.asarray(clf.intercept_, dtype=np.float64)
        self._n_classes = len(clf.classes_)
        multi_class = getattr(clf, "multi_class", "auto")
        self._ovr = multi_class == "ovr" or (
            multi_class == "auto" and (self._n_classes <= 2 or clf.solver == "liblinear")
        )

    def _scores(self, text: str) -> np.ndarray:
        scores = self._intercept.copy()
        for analyzer, vocabulary, idf, sublinear, offset in zip(
            self._analyzers,
            self._vocabularies,
            self._idf,
            self._sublinear,
            self._offsets,
            strict=True,
        ):
            counts: Dict[int, int] = {}
            for gram in analyzer(text):
                column = vocabulary.get(gram)
                if column is not None:
                    counts[column] = counts.get(column, 0) + 1
            if not counts:
                continue
            columns = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
            tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
            if sublinear:
                tf = np.log(tf) + 1.0
            values = tf * idf[columns]
            norm = np.sqrt(np.dot(values, values))
            if norm > 0:
                values /= norm
            scores += values @ self._weights[columns + offset]
        return scores

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        scores = np.vstack([self._scores(t.lower()) for t in texts])
        if self._n_classes == 2:
            positive = 1.0 / (1.0 + np.exp(-scores[:, 0]))
            return np.column_stack([1.0 - positive, positive])
        if self._ovr:
            p = 1.0 / (1.0 + np.exp(-scores))
            return p / p.sum(axis=1, keepdims=True)
        scores -= scores.max(axis=1, keepdims=True)
        p = np.exp(scores)
        return p / p.sum(axis=1, keepdims=True)


class TextModel:
    """TF-IDF word + char_wb features and a logistic regression; pure scikit-learn."""

    def __init__(self, c: float = 30.0, max_iter: int = 1000, random_state: int = 1) -> None:
        self.vectorizers = [
            TfidfVectorizer(
                analyzer="word", ngram_range=(1, 2), sublinear_tf=True, token_pattern=r"(?u)\b\w+\b"
            ),
            TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 4), sublinear_tf=True),
        ]
        self.clf = LogisticRegression(
            C=c, max_iter=max_iter, class_weight="balanced", random_state=random_state
        )
        self._scorer: Optional[FastScorer] = None

    def _features(self, texts: Sequence[str], fit: bool = False):
        texts = [t.lower() for t in texts]
        if fit:
            return hstack([v.fit_transform(texts) for v in self.vectorizers]).tocsr()
        return hstack([v.transform(texts) for v in self.vectorizers]).tocsr()

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> TextModel:
        self.clf.fit(self._features(texts, fit=True), list(labels))
        self._scorer = None
        return self

    @property
    def labels(self) -> List[str]:
        return [str(c) for c in self.clf.classes_]

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """scikit-learn's own `predict_proba` (the reference for `FastScorer`)."""
        return self.clf.predict_proba(self._features(texts))

    def rank(self, texts: Sequence[str]) -> List[List[Tuple[str, float]]]:
        """For each text: (label, probability), most likely first."""
        if not texts:
            return []
        if self._scorer is None:
            self._scorer = FastScorer(self.vectorizers, self.clf)
        probabilities = self._scorer.probabilities(texts)
        labels = self.labels
        ranked = []
        for row in probabilities:
            order = np.argsort(-row)
            ranked.append([(labels[i], float(row[i])) for i in order])
        return ranked

    def known_words(self, text: str) -> Tuple[int, int]:
        """(words of `text` seen in training, words of `text`); letters-only words."""
        vocabulary = self.vectorizers[0].vocabulary_
        words = [w for w in _WORDS.findall(text.lower()) if not w.isdigit()]
        return sum(1 for w in words if w in vocabulary), len(words)

    def state(self) -> Dict[str, Any]:
        return {"vectorizers": self.vectorizers, "clf": self.clf}

    @classmethod
    def from_state(cls, state: Dict[str, Any]) -> TextModel:
        model = cls()
        model.vectorizers, model.clf = state["vectorizers"], state["clf"]
        model._scorer = None
        return model


class _LinearComponent(GraphComponent):
    """Training, persistence (skops, only scikit-learn/numpy types trusted) and loading."""

    FILE = "model.skops"

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"C": 30.0, "max_iter": 1000, "ranking_length": 10, "random_seed": 1}

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: Optional[TextModel] = None,
    ) -> None:
        self.config = {**self.get_default_config(), **config}
        self._storage = model_storage
        self._resource = resource
        self.model = model

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> _LinearComponent:
        return cls(config, model_storage, resource)

    @classmethod
    def required_packages(cls) -> List[Text]:
        return ["sklearn", "skops"]

    def _new_model(self) -> TextModel:
        return TextModel(
            c=float(self.config["C"]),
            max_iter=int(self.config["max_iter"]),
            random_state=int(self.config["random_seed"]),
        )

    def _fit(self, texts: List[str], labels: List[str]) -> Resource:
        if len(set(labels)) < 2:
            logger.debug("%s: fewer than two labels, not trained", type(self).__name__)
            return self._resource
        self.model = self._new_model().fit(texts, labels)
        import skops.io as sio

        with self._storage.write_to(self._resource) as directory:
            sio.dump(self.model.state(), directory / self.FILE)
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> _LinearComponent:
        import skops.io as sio

        try:
            with model_storage.read_from(resource) as directory:
                path = directory / cls.FILE
                untrusted = sio.get_untrusted_types(file=path)
                unsafe = [t for t in untrusted if not t.startswith(SAFE_MODULES)]
                if unsafe:
                    raise ValueError(f"unexpected types in {path}: {unsafe}")
                state = sio.load(path, trusted=untrusted)
        except ValueError as error:
            logger.debug("%s not loaded: %s", cls.__name__, error)
            return cls(config, model_storage, resource)
        return cls(config, model_storage, resource, TextModel.from_state(state))

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Training examples keep their labels: later components train on them."""
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        raise NotImplementedError


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearIntentClassifier(_LinearComponent, IntentClassifier):
    """Intent and intent ranking from a logistic regression on TF-IDF features."""

    def train(self, training_data: TrainingData) -> Resource:
        examples = [m for m in training_data.intent_examples if m.get(INTENT) and m.get(TEXT)]
        return self._fit([m.get(TEXT) for m in examples], [m.get(INTENT) for m in examples])

    def process(self, messages: List[Message]) -> List[Message]:
        if self.model is None:
            return messages
        # Every message gets a prediction (an empty text too): later components expect one.
        todo = list(messages)
        rankings = self.model.rank([m.get(TEXT) or "" for m in todo])
        for message, ranking in zip(todo, rankings, strict=True):
            known, total = self.model.known_words(message.get(TEXT) or "")
            if total and not known:
                message.set(UNKNOWN_WORDS_KEY, True, add_to_output=True)
            top = ranking[: int(self.config["ranking_length"])]
            message.set(
                INTENT,
                {INTENT_NAME_KEY: top[0][0], PREDICTED_CONFIDENCE_KEY: top[0][1]},
                add_to_output=True,
            )
            message.set(
                INTENT_RANKING_KEY,
                [{INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: p} for name, p in top],
                add_to_output=True,
            )
        return messages


def selector_output(retrieval_intent: str, ranking: List[Tuple[str, float]]) -> Dict[str, Any]:
    """`response_selector` in the shape Rasa's ResponseSelector gives it."""
    key, confidence = ranking[0]
    return {
        "all_retrieval_intents": [retrieval_intent],
        retrieval_intent: {
            "response": {
                "id": None,
                "responses": [],
                "response_templates": [],
                PREDICTED_CONFIDENCE_KEY: confidence,
                INTENT_RESPONSE_KEY: key,
                "utter_action": f"utter_{key}",
                "template_name": f"utter_{key}",
            },
            "ranking": [
                {"id": None, PREDICTED_CONFIDENCE_KEY: p, INTENT_RESPONSE_KEY: k}
                for k, p in ranking
            ],
        },
    }


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearResponseSelector(_LinearComponent):
    """The `<retrieval_intent>/<key>` label (e.g. faq/lol) of a message, with a ranking."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {**_LinearComponent.get_default_config(), "retrieval_intent": FAQ}

    def train(self, training_data: TrainingData) -> Resource:
        intent = self.config["retrieval_intent"]
        examples = [
            m
            for m in training_data.intent_examples
            if m.get(INTENT) == intent and m.get(INTENT_RESPONSE_KEY) and m.get(TEXT)
        ]
        return self._fit(
            [m.get(TEXT) for m in examples], [m.get(INTENT_RESPONSE_KEY) for m in examples]
        )

    def process(self, messages: List[Message]) -> List[Message]:
        if self.model is None:
            return messages
        todo = [m for m in messages if m.get(TEXT)]
        intent = self.config["retrieval_intent"]
        rankings = self.model.rank([m.get(TEXT) for m in todo])
        for message, ranking in zip(todo, rankings, strict=True):
            top = ranking[: int(self.config["ranking_length"])]
            message.set(RESPONSE_SELECTOR_KEY, selector_output(intent, top), add_to_output=True)
        return messages
