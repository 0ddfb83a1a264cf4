"""A conversation's start: the disclosure as its first message (in the kill switch's words when it is on)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from governance import ids, metrics
from governance.conversation.messages import add_message
from governance.conversation.models import Conversation, Message
from governance.conversation.states import ConversationState
from governance.runtime import Runtime
from governance.switches import killswitch


def start_conversation(session: Session, runtime: Runtime, *, locale: str) -> tuple[Conversation, str, Message]:
    token = ids.new_token()
    conversation = Conversation(
        id=ids.new_id("c"),
        sender_id=ids.new_id("s"),
        token_hash=ids.hash_token(token),
        state=ConversationState.BOT.value,
        locale=locale,
    )
    session.add(conversation)
    session.flush()
    switched_off = killswitch.current(session).enabled
    welcome = add_message(
        session,
        conversation,
        role="assistant",
        text=runtime.texts.get("welcome_kill_switch" if switched_off else "welcome", locale),
    )
    session.commit()
    metrics.CONVERSATIONS.inc()
    metrics.DISCLOSURES.inc()
    return conversation, token, welcome
