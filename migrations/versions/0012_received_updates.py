"""received updates: a delivery is recorded when it arrives, with the update itself until it is
handled, so the bot can acknowledge Telegram at once and still handle it after a crash

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-11 09:00:00
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('processed_deliveries', sa.Column('handled_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('processed_deliveries', sa.Column('payload', postgresql.JSONB(), nullable=True))
    op.execute("update processed_deliveries set handled_at = received_at")  # every row so far was handled
    op.create_index('ix_processed_deliveries_unhandled', 'processed_deliveries', ['received_at'],
                    postgresql_where=sa.text('handled_at is null'))


def downgrade() -> None:
    op.drop_index('ix_processed_deliveries_unhandled', table_name='processed_deliveries')
    op.execute("delete from processed_deliveries where handled_at is null")
    op.drop_column('processed_deliveries', 'payload')
    op.drop_column('processed_deliveries', 'handled_at')
