"""All tables, imported in one place so Alembic's autogenerate and create_all see every model."""

from governance.conversation.models import Conversation, Message
from governance.decision.models import DecisionRecord

__all__ = ["Conversation", "DecisionRecord", "Message"]
