"""staff token expiry

Revision ID: 4da3ee99a0b5
Revises: 651180436f58
Create Date: 2026-12-03 10:07:28.449831
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op

import governance.db

revision = '4da3ee99a0b5'
down_revision = '651180436f58'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('staff_account', sa.Column('token_expires_at', governance.db.UTCDateTime(timezone=True), nullable=True))
    # Tokens issued before tokens expired get one shift from the upgrade; then `user rotate` gives new ones.
    staff = sa.table('staff_account', sa.column('token_expires_at', governance.db.UTCDateTime(timezone=True)))
    op.execute(staff.update().values(token_expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(hours=12)))


def downgrade() -> None:
    with op.batch_alter_table('staff_account', schema=None) as batch_op:
        batch_op.drop_column('token_expires_at')
