"""conversations messages decision records

Revision ID: 0d6457dea50f
Revises:
Create Date: 2026-11-29 03:51:18.928569
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0d6457dea50f"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "conversation",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("sender_id", sa.String(length=40), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_activity_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversation")),
        sa.UniqueConstraint("sender_id", name=op.f("uq_conversation_sender_id")),
    )
    op.create_table(
        "decision_record",
        sa.Column("decision_id", sa.String(length=40), nullable=False),
        sa.Column("conversation_id", sa.String(length=40), nullable=True),
        sa.Column("message_id", sa.String(length=40), nullable=True),
        sa.Column("turn", sa.Integer(), nullable=False),
        sa.Column("timestamp", sa.DateTime(timezone=True), nullable=False),
        sa.Column("input_text_redacted", sa.Text(), nullable=False),
        sa.Column("topic", sa.String(length=40), nullable=False),
        sa.Column("intent", sa.String(length=60), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("intent_ranking", sa.JSON(), nullable=False),
        sa.Column("entities", sa.JSON(), nullable=False),
        sa.Column("action", sa.String(length=80), nullable=False),
        sa.Column("policy", sa.String(length=80), nullable=True),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("escalate", sa.Boolean(), nullable=False),
        sa.Column("escalation_reason", sa.String(length=40), nullable=True),
        sa.Column("pii_redacted", sa.JSON(), nullable=False),
        sa.Column("model_version", sa.String(length=120), nullable=True),
        sa.Column("knowledge_version", sa.String(length=40), nullable=False),
        sa.Column("latency_ms", sa.Integer(), nullable=False),
        sa.Column("trace_id", sa.String(length=32), nullable=False),
        sa.Column("span_id", sa.String(length=16), nullable=False),
        sa.Column("summary_nl", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversation.id"],
            name=op.f("fk_decision_record_conversation_id_conversation"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("decision_id", name=op.f("pk_decision_record")),
    )
    with op.batch_alter_table("decision_record", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_decision_record_conversation_id"), ["conversation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_decision_record_escalate"), ["escalate"], unique=False)
        batch_op.create_index(batch_op.f("ix_decision_record_timestamp"), ["timestamp"], unique=False)
        batch_op.create_index(batch_op.f("ix_decision_record_topic"), ["topic"], unique=False)

    op.create_table(
        "message",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("conversation_id", sa.String(length=40), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("buttons", sa.JSON(), nullable=False),
        sa.Column("explanation", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"], ["conversation.id"], name=op.f("fk_message_conversation_id_conversation"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message")),
    )
    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_message_conversation_id"), ["conversation_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_message_conversation_id"))

    op.drop_table("message")
    with op.batch_alter_table("decision_record", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_decision_record_topic"))
        batch_op.drop_index(batch_op.f("ix_decision_record_timestamp"))
        batch_op.drop_index(batch_op.f("ix_decision_record_escalate"))
        batch_op.drop_index(batch_op.f("ix_decision_record_conversation_id"))

    op.drop_table("decision_record")
    op.drop_table("conversation")
