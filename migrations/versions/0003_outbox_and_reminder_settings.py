"""outbox and reminder settings

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 12:01:09.032482
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('outbox',
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('channel', sa.Enum('TELEGRAM', 'WHATSAPP', name='channel', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('address', sa.String(length=128), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('payload', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('dedup_key', sa.String(length=200), nullable=True),
    sa.Column('circle_id', sa.UUID(), nullable=True),
    sa.Column('status', sa.Enum('PENDING', 'SENT', 'FAILED', name='outbox_status', native_enum=False, create_constraint=True, length=20), server_default=sa.text("'PENDING'"), nullable=False),
    sa.Column('attempts', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('attempts >= 0', name=op.f('ck_outbox_attempts_positive')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox')),
    sa.UniqueConstraint('dedup_key', name=op.f('uq_outbox_dedup_key'))
    )
    op.create_index('ix_outbox_pending_chat', 'outbox', ['channel', 'address', 'id'], unique=False, postgresql_where=sa.text("status = 'PENDING'"))
    op.add_column('circles', sa.Column('reminder_days', postgresql.ARRAY(sa.Integer()), server_default=sa.text("'{3,0}'"), nullable=False))
    op.add_column('circles', sa.Column('overdue_reminders', sa.Integer(), server_default=sa.text('3'), nullable=False))
    op.add_column('circles', sa.Column('reminder_hour', sa.Integer(), server_default=sa.text('9'), nullable=False))
    op.add_column('circles', sa.Column('auto_draw', sa.Boolean(), server_default=sa.text('true'), nullable=False))
    op.add_column('circles', sa.Column('draw_hour', sa.Integer(), server_default=sa.text('18'), nullable=False))
    op.create_check_constraint(op.f('ck_circles_hours_valid'), 'circles',
                               'reminder_hour between 0 and 23 and draw_hour between 0 and 23')
    op.create_check_constraint(op.f('ck_circles_overdue_reminders_range'), 'circles',
                               'overdue_reminders between 0 and 14')
    op.create_check_constraint(op.f('ck_circles_reminder_days_range'), 'circles',
                               'cardinality(reminder_days) <= 7 and 0 <= all(reminder_days) and 30 >= all(reminder_days)')


def downgrade() -> None:
    for name in ('ck_circles_hours_valid', 'ck_circles_overdue_reminders_range', 'ck_circles_reminder_days_range'):
        op.drop_constraint(op.f(name), 'circles', type_='check')
    op.drop_column('circles', 'draw_hour')
    op.drop_column('circles', 'auto_draw')
    op.drop_column('circles', 'reminder_hour')
    op.drop_column('circles', 'overdue_reminders')
    op.drop_column('circles', 'reminder_days')
    op.drop_index('ix_outbox_pending_chat', table_name='outbox', postgresql_where=sa.text("status = 'PENDING'"))
    op.drop_table('outbox')
