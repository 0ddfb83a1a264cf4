"""One citizen turn inside Rasa: read the context, split the message into its questions, resolve each
question's topic, pick topic x aspect sub-answers, reply, and keep the new context in the slots.

Every path ends in replies that carry an explanation; the slot events returned are the new context.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import explanation as explain
from actions import replies
from actions.config import dialogue_text, get_knowledge_base, get_settings
from actions.context import (
    FOLLOW_UP_INTENT,
    Context,
    Resolution,
    current_context,
    forget,
    remember,
    resolve_message,
)
from actions.conversation import about_own_situation, citizen_text, consecutive_misses, safety_rule
from knowledge import ANSWER_TOPICS, SMALL_TALK_TOPICS, AnswerChoice, Question


def _button_aspect(tracker: Tracker) -> str | None:
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") == "aspect":
            return str(entity.get("value"))
    return None


def respond_to_turn(
    dispatcher: CollectingDispatcher, tracker: Tracker, *, action: str, as_follow_up: bool = False
) -> list[dict[str, Any]]:
    """`as_follow_up`: answer the message as a follow-up whatever the model predicted (see
    escalate.is_follow_up_taken_for_crisis); the explanation still shows the model's own intent."""
    knowledge = get_knowledge_base()
    settings = get_settings()
    context = current_context(tracker, knowledge, max_pause_minutes=settings.context_max_pause_minutes)
    message = tracker.latest_message
    intent = FOLLOW_UP_INTENT if as_follow_up else (message.get("intent") or {}).get("name") or "out_of_scope"
    raw = message.get("text") or ""
    if intent == "goodbye" and knowledge.dialogue.asks_a_question(raw):
        # A question is no goodbye: treat it as not understood, so it is answered from the context when its
        # words fit the topic, or asked about, instead of "Tot ziens!" and a lost conversation.
        intent = "nlu_fallback"

    rule = safety_rule(tracker)
    if rule and intent in knowledge.topics:
        return _rule_routed_answer(dispatcher, tracker, action=action, topic_id=intent, context=context)
    if raw.startswith("/") and intent in ANSWER_TOPICS:
        return _button_answer(dispatcher, tracker, action=action, topic_id=intent, context=context)

    questions = knowledge.dialogue.split_questions(raw, knowledge.topics_named) if not raw.startswith("/") else []
    resolutions = resolve_message(
        questions or [Question(raw, (), ())],
        intent=intent,
        confidence=explain.intent_confidence(tracker),
        ranking=message.get("intent_ranking") or [],
        context=context,
        knowledge=knowledge,
    )
    if resolutions:
        return _answer_questions(dispatcher, tracker, action=action, resolutions=resolutions, context=context, text=raw)
    if intent in SMALL_TALK_TOPICS:
        replies.send_small_talk_or_out_of_scope(dispatcher, tracker, action=action, topic_id=intent, context=context)
        return forget() if intent == "goodbye" else []
    misses = consecutive_misses(tracker)
    if misses >= settings.misses_before_human:
        replies.offer_human_after_misses(dispatcher, tracker, action=action, misses=misses, context=context)
        return []
    if intent == "out_of_scope":
        replies.send_small_talk_or_out_of_scope(dispatcher, tracker, action=action, topic_id="out_of_scope", context=context)
        return []
    aspects = questions[0].aspects if questions else ()
    replies.send_clarify(
        dispatcher,
        tracker,
        action=action,
        context=context,
        max_options=settings.clarify_max_options,
        min_confidence=settings.clarify_min_confidence,
        aspects=aspects if intent in ("nlu_fallback", FOLLOW_UP_INTENT) else (),
    )
    return []


def _answer_questions(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    *,
    action: str,
    resolutions: list[Resolution],
    context: Context,
    text: str,
) -> list[dict[str, Any]]:
    """Answer each question of the message once (two questions that lead to the same sub-answer get it
    once), each with its own explanation; the last answer becomes the context."""
    knowledge = get_knowledge_base()
    chosen: list[tuple[Resolution, AnswerChoice]] = []
    seen: set[object] = set()
    for resolution in resolutions:
        earlier = next((c.answer for r, c in reversed(chosen) if r.topic == resolution.topic and c.answer), None)
        context_answer = earlier or (context.answer if context.topic == resolution.topic else None)
        choice = knowledge.choose_answer(
            resolution.topic, resolution.question.text, context_answer=context_answer, aspect_hint=resolution.aspect_hint
        )
        key = choice.answer.ref if choice.answer else (resolution.topic, choice.aspect)
        if key not in seen:
            seen.add(key)
            chosen.append((resolution, choice))
    first, first_choice = chosen[0]
    if len(chosen) == 1 and first.from_context and first_choice.aspect is None and not first_choice.matched_keywords:
        # A follow-up of the topic whose question we cannot place ("en dan?"): ask, with the topic's sub-answers.
        settings = get_settings()
        replies.send_clarify(
            dispatcher,
            tracker,
            action=action,
            context=context,
            max_options=settings.clarify_max_options,
            min_confidence=settings.clarify_min_confidence,
        )
        return []
    several = len(chosen) > 1
    for index, (resolution, choice) in enumerate(chosen):
        topic = knowledge.topic(resolution.topic)
        offer_person = index == 0 and topic.sensitive and choice.answer is not None and about_own_situation(text)
        replies.send_answer(
            dispatcher,
            tracker,
            action=action,
            resolution=resolution,
            context=context,
            choice=choice,
            several=several,
            offer_person=offer_person,
        )
    last, last_choice = chosen[-1]
    kept_answer = last_choice.answer or (context.answer if context.topic == last.topic else None)
    return remember(last.topic, kept_answer, last_choice.aspect)


def _button_answer(
    dispatcher: CollectingDispatcher, tracker: Tracker, *, action: str, topic_id: str, context: Context
) -> list[dict[str, Any]]:
    """A topic button, possibly with an aspect ('/reisdocument{"aspect":"kosten"}'). Without an aspect the
    words that mattered are those of the last typed message, the question that led to the buttons."""
    knowledge = get_knowledge_base()
    aspect = _button_aspect(tracker)
    text = "" if aspect else citizen_text(tracker)
    context_answer = context.answer if context.topic == topic_id else None
    choice = knowledge.choose_answer(topic_id, text, context_answer=context_answer, aspect_hint=aspect)
    resolution = Resolution(topic_id, "button", Question(text, (topic_id,), (aspect,) if aspect else ()))
    replies.send_answer(
        dispatcher,
        tracker,
        action=action,
        resolution=resolution,
        context=context,
        choice=choice,
        several=False,
        offer_person=False,
    )
    return remember(topic_id, choice.answer or context_answer, choice.aspect)


def _rule_routed_answer(
    dispatcher: CollectingDispatcher, tracker: Tracker, *, action: str, topic_id: str, context: Context
) -> list[dict[str, Any]]:
    """A rule-routed message reaches Rasa as "/intent": its own words are not in the tracker, and the last
    typed message belongs to an earlier question, so the topic's main answer is the right one."""
    replies.send_main_answer(
        dispatcher,
        tracker,
        action=action,
        topic_id=topic_id,
        context=context,
        summary=dialogue_text("rule_bot_question_summary"),
    )
    return []
