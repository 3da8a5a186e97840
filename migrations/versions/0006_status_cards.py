"""status cards: find a circle's card requests and its card message in a chat's outbox

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 06:40:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_outbox_status_cards', 'outbox', ['circle_id', 'channel', 'address', 'id'], unique=False,
                    postgresql_where=sa.text("kind = 'status_card'"))


def downgrade() -> None:
    op.drop_index('ix_outbox_status_cards', table_name='outbox', postgresql_where=sa.text("kind = 'status_card'"))
