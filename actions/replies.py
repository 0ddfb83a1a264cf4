"""The replies a turn can end in, each with its explanation: an answer, an honest "I don't have that
detail", a clarifying question, small talk, out of scope, and the offer of a person after misses.

Texts come from the knowledge base (answers) and data/dialogue.yml (the dialogue's own sentences).
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import explanation as explain
from actions.base import ExplainedAction
from actions.config import dialogue_text, get_knowledge_base
from actions.context import Context, Resolution
from knowledge import ANSWER_TOPICS, ESCALATING_TOPICS, SMALL_TALK_TOPICS, AnswerChoice
from knowledge.contract import EscalationReason

# Topics worth a button: real subjects and the two that bring in a person; never small talk.
OFFERABLE = frozenset(ANSWER_TOPICS + ESCALATING_TOPICS)


def _dialogue_fields(
    resolution: Resolution | None, context: Context, choice: AnswerChoice | None, several: bool
) -> dict[str, Any]:
    return {
        "context_topic": context.topic,
        "topic_from_context": bool(resolution and resolution.from_context),
        "aspect": choice.aspect if choice else None,
        "detail_missing": bool(choice and choice.missing_detail),
        "question": resolution.question.text if resolution and several else None,
    }


def _how_sentence(resolution: Resolution, context: Context, confidence: float) -> str:
    knowledge = get_knowledge_base()
    topic = knowledge.topic(resolution.topic)
    if resolution.how == "context" and context.topic:
        return dialogue_text("from_context", about=knowledge.topic(context.topic).about)
    if resolution.how == "correction":
        return dialogue_text("corrected", about=topic.about)
    if resolution.how == "button":
        return dialogue_text("topic_by_button", title=topic.title)
    if resolution.how == "named":
        return dialogue_text("topic_named", title=topic.title)
    if resolution.how == "same_message":
        return dialogue_text("topic_same_message", title=topic.title)
    return dialogue_text("topic_by_model", title=topic.title, confidence=explain.percent(confidence))


def answer_summary(resolution: Resolution, context: Context, confidence: float, choice: AnswerChoice, several: bool) -> str:
    """Why this answer, in B1 Dutch, for "Waarom dit antwoord?"."""
    dialogue = get_knowledge_base().dialogue
    parts = []
    if several:
        parts.append(dialogue_text("several_questions", part=resolution.question.text))
    parts.append(_how_sentence(resolution, context, confidence))
    if choice.aspect and dialogue.needs_own_answer(choice.aspect):
        parts.append(dialogue_text("aspect_chosen", aspect=dialogue.aspects[choice.aspect].phrase))
    elif choice.matched_keywords:
        parts.append(dialogue_text("answer_by_words", words=", ".join(f"'{m}'" for m in choice.matched_keywords)))
    else:
        parts.append(dialogue_text("answer_general"))
    answer = choice.answer
    assert answer is not None
    parts.append(dialogue_text("answer_owner", owner=answer.owner, reviewed=answer.last_reviewed.strftime("%d-%m-%Y")))
    return " ".join(parts)


def send_answer(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    *,
    action: str,
    resolution: Resolution,
    context: Context,
    choice: AnswerChoice,
    several: bool,
    offer_person: bool,
) -> None:
    """A curated sub-answer, or, when the knowledge base lacks the detail asked, an honest reply that says
    so with the topic's page and the phone number (that turn enters the review queue)."""
    knowledge = get_knowledge_base()
    topic = knowledge.topic(resolution.topic)
    confidence = explain.intent_confidence(tracker)
    fields = _dialogue_fields(resolution, context, choice, several)
    if choice.missing_detail:
        aspect = knowledge.dialogue.aspects[choice.aspect or ""]
        page = topic.page
        text = dialogue_text("no_detail", aspect=aspect.phrase, about=topic.about, url=page.url)
        summary = " ".join(
            [
                *([dialogue_text("several_questions", part=resolution.question.text)] if several else []),
                _how_sentence(resolution, context, confidence),
                dialogue_text("no_detail_summary", aspect=aspect.phrase, about=topic.about),
            ]
        )
        ExplainedAction.send(
            dispatcher,
            text=text,
            explanation=explain.build(
                tracker,
                topic=topic.id,
                action=action,
                summary_nl=summary,
                sources=[{"title": page.title, "url": page.url}],
                dialogue=fields,
            ),
        )
        return
    summary = answer_summary(resolution, context, confidence, choice, several)
    if offer_person:
        summary += " " + dialogue_text("sensitive_offer_summary", topic=topic.title.lower())
    ExplainedAction.send(
        dispatcher,
        text=choice.answer.text if choice.answer else "",
        explanation=explain.build(
            tracker,
            topic=topic.id,
            action=action,
            answer=choice.answer,
            matched_keywords=choice.matched_keywords,
            escalate=offer_person,
            escalation_reason=EscalationReason.SENSITIVE_TOPIC if offer_person else None,
            summary_nl=summary,
            dialogue=fields,
        ),
    )


def send_small_talk_or_out_of_scope(
    dispatcher: CollectingDispatcher, tracker: Tracker, *, action: str, topic_id: str, context: Context
) -> None:
    """A greeting, thanks, goodbye, or the polite out-of-scope answer (no source needed for small talk)."""
    knowledge = get_knowledge_base()
    topic = knowledge.topic(topic_id)
    confidence = explain.intent_confidence(tracker)
    if topic_id in SMALL_TALK_TOPICS:
        summary = dialogue_text("small_talk_summary", topic=topic.title.lower(), confidence=explain.percent(confidence))
    elif isinstance(tracker.latest_message.get("unknown_words"), dict):
        summary = dialogue_text("unknown_words_summary")
    else:
        summary = dialogue_text("out_of_scope_summary", confidence=explain.percent(confidence))
    send_main_answer(
        dispatcher,
        tracker,
        action=action,
        topic_id=topic_id,
        summary=summary,
        context=context,
        cite_sources=topic_id not in SMALL_TALK_TOPICS,
    )


def send_main_answer(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    *,
    action: str,
    topic_id: str,
    summary: str,
    context: Context,
    cite_sources: bool = True,
) -> None:
    """The topic's main answer with the given explanation: small talk, out of scope, a rule-routed question."""
    topic = get_knowledge_base().topic(topic_id)
    ExplainedAction.send(
        dispatcher,
        text=topic.default_answer.text,
        explanation=explain.build(
            tracker,
            topic=topic_id,
            action=action,
            answer=topic.default_answer,
            summary_nl=summary,
            cite_sources=cite_sources,
            dialogue=_dialogue_fields(None, context, None, False),
        ),
    )


def likely_topics(tracker: Tracker, *, limit: int, min_confidence: float, exclude: str | None = None) -> list[tuple[str, float]]:
    """The two most likely real topics always, and more (up to `limit`) only when they are not far-fetched."""
    ranking = tracker.latest_message.get("intent_ranking") or []
    offerable = [
        (r["name"], float(r.get("confidence") or 0.0)) for r in ranking if r.get("name") in OFFERABLE and r.get("name") != exclude
    ]
    return [(name, confidence) for i, (name, confidence) in enumerate(offerable[:limit]) if i < 2 or confidence >= min_confidence]


def aspect_buttons(topic_id: str, *, limit: int, first: tuple[str, ...] = ()) -> list[dict[str, str]]:
    """Buttons for the aspects this topic answers ("Wat kost het?"), the asked ones first."""
    knowledge = get_knowledge_base()
    dialogue = knowledge.dialogue
    answered = [a for answer in knowledge.topic(topic_id).answers for a in answer.aspects if dialogue.needs_own_answer(a)]
    order = list(dialogue.aspects)
    ranked = sorted(dict.fromkeys(answered), key=lambda a: (a not in first, order.index(a)))
    return [{"title": dialogue.aspects[a].label, "payload": f'/{topic_id}{{"aspect":"{a}"}}'} for a in ranked[:limit]]


def send_clarify(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    *,
    action: str,
    context: Context,
    max_options: int,
    min_confidence: float,
    aspects: tuple[str, ...] = (),
) -> None:
    """Ask instead of guessing. With a known topic the buttons offer that topic's sub-answers first; a
    bare aspect without a topic ("wat kost dat?" as a first message) asks which topic; otherwise the most
    likely topics."""
    knowledge = get_knowledge_base()
    fields = _dialogue_fields(None, context, None, False)
    fields["aspect"] = aspects[0] if aspects else None
    if context.topic:
        topic = knowledge.topic(context.topic)
        buttons = aspect_buttons(topic.id, limit=max_options, first=aspects)
        others = likely_topics(tracker, limit=1, min_confidence=min_confidence, exclude=topic.id)
        buttons += [{"title": knowledge.topic(name).title, "payload": f"/{name}"} for name, _ in others]
        text = dialogue_text("clarify_in_topic", about=topic.about)
        summary = dialogue_text("clarify_in_topic_summary", about=topic.about)
    else:
        options = likely_topics(tracker, limit=max_options, min_confidence=min_confidence)
        buttons = [{"title": knowledge.topic(name).title, "payload": f"/{name}"} for name, _ in options]
        if aspects:
            text = dialogue_text("clarify_which_topic")
            summary = dialogue_text("clarify_which_topic_summary", aspect=knowledge.dialogue.aspects[aspects[0]].phrase)
        else:
            text = dialogue_text("clarify")
            if options:
                best_name, best_confidence = options[0]
                best = dialogue_text(
                    "clarify_best_guess", title=knowledge.topic(best_name).title, confidence=explain.percent(best_confidence)
                )
            else:
                best = dialogue_text("clarify_no_guess")
            summary = dialogue_text("clarify_summary", best=best)
    buttons.append({"title": knowledge.dialogue.texts["other_topic_button"], "payload": "/decline_human"})
    ExplainedAction.send(
        dispatcher,
        text=text,
        buttons=buttons,
        explanation=explain.build(tracker, topic="out_of_scope", action=action, summary_nl=summary, dialogue=fields),
    )


def offer_human_after_misses(
    dispatcher: CollectingDispatcher, tracker: Tracker, *, action: str, misses: int, context: Context | None = None
) -> None:
    """After repeated misses the bot stops guessing and says a person is needed (escalation_reason
    repeated_fallback); the gateway then asks the citizen's consent, or offers a call-back after hours.
    While a topic is known it also gives that topic's page, so the citizen is not handed over blindly."""
    knowledge = get_knowledge_base()
    context = context or Context()
    if context.topic:
        topic = knowledge.topic(context.topic)
        text = dialogue_text("second_miss_in_topic", topic=topic.title.lower(), url=topic.page.url)
        summary = dialogue_text("second_miss_in_topic_summary", misses=misses, about=topic.about)
        sources = [{"title": topic.page.title, "url": topic.page.url}]
    else:
        text = dialogue_text("misses")
        summary = dialogue_text("misses_summary", misses=misses)
        sources = []
    ExplainedAction.send(
        dispatcher,
        text=text,
        explanation=explain.build(
            tracker,
            topic="out_of_scope",
            action=action,
            escalate=True,
            escalation_reason=EscalationReason.REPEATED_FALLBACK,
            summary_nl=summary,
            sources=sources,
            dialogue=_dialogue_fields(None, context, None, False),
        ),
    )
