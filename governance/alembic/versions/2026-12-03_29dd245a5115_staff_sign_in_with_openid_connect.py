"""staff sign-in with OpenID Connect

Revision ID: 29dd245a5115
Revises: b525fadaf67a
Create Date: 2026-12-03 19:05:00.298233
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import governance.db


revision = '29dd245a5115'
down_revision = 'b525fadaf67a'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('staff_sign_in',
    sa.Column('state', sa.String(length=64), nullable=False),
    sa.Column('browser_hash', sa.String(length=64), nullable=False),
    sa.Column('nonce', sa.String(length=64), nullable=False),
    sa.Column('code_verifier', sa.String(length=128), nullable=False),
    sa.Column('next_path', sa.String(length=40), nullable=False),
    sa.Column('created_at', governance.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('state', name=op.f('pk_staff_sign_in'))
    )
    op.create_table('staff_session',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('account_id', sa.String(length=40), nullable=False),
    sa.Column('csrf_token', sa.String(length=64), nullable=False),
    sa.Column('created_at', governance.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', governance.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', governance.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('end_reason', sa.String(length=32), nullable=True),
    sa.Column('access_token_sealed', sa.Text(), nullable=True),
    sa.Column('id_token_sealed', sa.Text(), nullable=True),
    sa.Column('checked_at', governance.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['staff_account.id'], name=op.f('fk_staff_session_account_id_staff_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_session'))
    )
    with op.batch_alter_table('staff_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_session_account_id'), ['account_id'], unique=False)

    with op.batch_alter_table('staff_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('token_scopes', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('oidc_issuer', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('oidc_subject', sa.String(length=255), nullable=True))
        batch_op.create_unique_constraint('uq_staff_account_oidc', ['oidc_issuer', 'oidc_subject'])



def downgrade() -> None:
    with op.batch_alter_table('staff_account', schema=None) as batch_op:
        batch_op.drop_constraint('uq_staff_account_oidc', type_='unique')
        batch_op.drop_column('oidc_subject')
        batch_op.drop_column('oidc_issuer')
        batch_op.drop_column('token_scopes')

    with op.batch_alter_table('staff_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_session_account_id'))

    op.drop_table('staff_session')
    op.drop_table('staff_sign_in')
