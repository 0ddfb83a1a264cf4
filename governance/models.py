"""All tables, imported in one place so Alembic's autogenerate and create_all see every model."""

from governance.audit.models import AuditChainHead, AuditEntry, AuditRetentionGate
from governance.conversation.models import Conversation, Message
from governance.decision.models import DecisionRecord
from governance.handover.models import CallbackRequest, Escalation, StaffNote
from governance.review.models import Feedback, NluProposal
from governance.staff.models import SignInSession, StaffAccount, StaffSignIn
from governance.switches.models import SystemSwitch

__all__ = [
    "AuditChainHead",
    "AuditEntry",
    "AuditRetentionGate",
    "CallbackRequest",
    "Conversation",
    "DecisionRecord",
    "Escalation",
    "Feedback",
    "Message",
    "NluProposal",
    "SignInSession",
    "StaffAccount",
    "StaffNote",
    "StaffSignIn",
    "SystemSwitch",
]
