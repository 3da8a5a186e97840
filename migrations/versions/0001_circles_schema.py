"""circles schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-25 11:41:08.007887
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_log',
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('circle_id', sa.UUID(), nullable=True),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.UUID(), nullable=True),
    sa.Column('entity', sa.String(length=32), nullable=False),
    sa.Column('entity_id', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=48), nullable=False),
    sa.Column('details', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=True),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.CheckConstraint("hash ~ '^[0-9a-f]{64}$'", name=op.f('ck_audit_log_hash_hex')),
    sa.CheckConstraint('seq >= 1', name=op.f('ck_audit_log_seq_positive')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log')),
    sa.UniqueConstraint('circle_id', 'seq', name=op.f('uq_audit_log_circle_id_seq'), postgresql_nulls_not_distinct=True)
    )
    op.create_table('users',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('phone', sa.String(length=16), nullable=False),
    sa.Column('full_name', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("phone ~ '^\\+[1-9][0-9]{6,14}$'", name=op.f('ck_users_phone_e164')),
    sa.CheckConstraint('length(full_name) between 1 and 128', name=op.f('ck_users_full_name_length')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('phone', name=op.f('uq_users_phone'))
    )
    op.create_table('channel_identities',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('user_id', sa.UUID(), nullable=False),
    sa.Column('channel', sa.Enum('TELEGRAM', 'WHATSAPP', name='channel', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('address', sa.String(length=128), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_channel_identities_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_channel_identities')),
    sa.UniqueConstraint('channel', 'address', name=op.f('uq_channel_identities_channel_address'))
    )
    op.create_index(op.f('ix_channel_identities_user_id'), 'channel_identities', ['user_id'], unique=False)
    op.create_table('circles',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('owner_id', sa.UUID(), nullable=False),
    sa.Column('amount_per_cycle', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('total_members', sa.Integer(), nullable=False),
    sa.Column('frequency', sa.String(length=16), nullable=False),
    sa.Column('every_days', sa.Integer(), nullable=True),
    sa.Column('first_due_date', sa.Date(), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('payout_order', sa.Enum('RANDOM', 'DRAWN_AT_START', 'FIXED', name='payout_order', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('join_code', sa.String(length=12), nullable=False),
    sa.Column('status', sa.Enum('FORMING', 'ACTIVE', 'COMPLETED', 'CANCELLED', name='circle_status', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('order_commitment', sa.String(length=64), nullable=True),
    sa.Column('order_seed', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("(frequency = 'every_n_days') = (every_days is not null) and (every_days is null or every_days between 1 and 366)", name=op.f('ck_circles_every_days_matches')),
    sa.CheckConstraint("(payout_order = 'DRAWN_AT_START') = (order_commitment is not null)", name=op.f('ck_circles_order_commitment_iff_drawn')),
    sa.CheckConstraint("currency ~ '^[A-Z]{3}$'", name=op.f('ck_circles_currency_iso')),
    sa.CheckConstraint("frequency in ('weekly', 'biweekly', 'monthly', 'every_n_days')", name=op.f('ck_circles_frequency_known')),
    sa.CheckConstraint('amount_per_cycle > 0', name=op.f('ck_circles_amount_positive')),
    sa.CheckConstraint('length(name) between 1 and 64', name=op.f('ck_circles_name_length')),
    sa.CheckConstraint('total_members between 2 and 200', name=op.f('ck_circles_total_members_range')),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_circles_owner_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_circles')),
    sa.UniqueConstraint('join_code', name=op.f('uq_circles_join_code'))
    )
    op.create_index(op.f('ix_circles_owner_id'), 'circles', ['owner_id'], unique=False)
    op.create_table('circle_chats',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('circle_id', sa.UUID(), nullable=False),
    sa.Column('channel', sa.Enum('TELEGRAM', 'WHATSAPP', name='channel', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('chat_address', sa.String(length=128), nullable=False),
    sa.Column('active', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['circle_id'], ['circles.id'], name=op.f('fk_circle_chats_circle_id_circles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_circle_chats')),
    sa.UniqueConstraint('circle_id', 'channel', name=op.f('uq_circle_chats_circle_id_channel'))
    )
    op.create_index('uq_circle_chats_active_chat', 'circle_chats', ['channel', 'chat_address'], unique=True, postgresql_where=sa.text('active'))
    op.create_table('cycles',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('circle_id', sa.UUID(), nullable=False),
    sa.Column('cycle_number', sa.Integer(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('OPEN', 'DRAWN', 'PAID_OUT', name='cycle_status', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('eligible_ids', postgresql.ARRAY(sa.UUID()), nullable=False),
    sa.Column('seed_commitment', sa.String(length=64), nullable=False),
    sa.Column('seed', sa.String(length=64), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("seed_commitment ~ '^[0-9a-f]{64}$'", name=op.f('ck_cycles_commitment_hex')),
    sa.CheckConstraint('cardinality(eligible_ids) >= 1', name=op.f('ck_cycles_someone_eligible')),
    sa.CheckConstraint('cycle_number >= 1', name=op.f('ck_cycles_number_positive')),
    sa.ForeignKeyConstraint(['circle_id'], ['circles.id'], name=op.f('fk_cycles_circle_id_circles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cycles')),
    sa.UniqueConstraint('circle_id', 'cycle_number', name=op.f('uq_cycles_circle_id_cycle_number'))
    )
    op.create_index('uq_cycles_one_current', 'cycles', ['circle_id'], unique=True, postgresql_where=sa.text("status <> 'PAID_OUT'"))
    op.create_table('memberships',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('circle_id', sa.UUID(), nullable=False),
    sa.Column('user_id', sa.UUID(), nullable=False),
    sa.Column('role', sa.Enum('ORGANIZER', 'MEMBER', name='role', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('payout_position', sa.Integer(), nullable=True),
    sa.Column('joined_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('payout_position is null or payout_position >= 1', name=op.f('ck_memberships_position_positive')),
    sa.ForeignKeyConstraint(['circle_id'], ['circles.id'], name=op.f('fk_memberships_circle_id_circles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_memberships_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_memberships')),
    sa.UniqueConstraint('circle_id', 'payout_position', name=op.f('uq_memberships_circle_id_payout_position')),
    sa.UniqueConstraint('circle_id', 'user_id', name=op.f('uq_memberships_circle_id_user_id'))
    )
    op.create_index(op.f('ix_memberships_user_id'), 'memberships', ['user_id'], unique=False)
    op.create_table('contributions',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('cycle_id', sa.UUID(), nullable=False),
    sa.Column('user_id', sa.UUID(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.Enum('PENDING', 'CONFIRMED', 'REJECTED', name='contribution_status', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('marked_by', sa.UUID(), nullable=False),
    sa.Column('decided_by', sa.UUID(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_contributions_amount_positive')),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.id'], name=op.f('fk_contributions_cycle_id_cycles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['decided_by'], ['users.id'], name=op.f('fk_contributions_decided_by_users')),
    sa.ForeignKeyConstraint(['marked_by'], ['users.id'], name=op.f('fk_contributions_marked_by_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_contributions_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contributions')),
    sa.UniqueConstraint('cycle_id', 'user_id', name=op.f('uq_contributions_cycle_id_user_id'))
    )
    op.create_index(op.f('ix_contributions_user_id'), 'contributions', ['user_id'], unique=False)
    op.create_table('draws',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('cycle_id', sa.UUID(), nullable=False),
    sa.Column('winner_id', sa.UUID(), nullable=False),
    sa.Column('drawn_by', sa.UUID(), nullable=True),
    sa.Column('unpaid_ids', postgresql.ARRAY(sa.UUID()), server_default=sa.text("'{}'"), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.id'], name=op.f('fk_draws_cycle_id_cycles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['drawn_by'], ['users.id'], name=op.f('fk_draws_drawn_by_users')),
    sa.ForeignKeyConstraint(['winner_id'], ['users.id'], name=op.f('fk_draws_winner_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_draws')),
    sa.UniqueConstraint('cycle_id', name=op.f('uq_draws_cycle_id'))
    )
    op.create_table('payouts',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('cycle_id', sa.UUID(), nullable=False),
    sa.Column('receiver_id', sa.UUID(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('recorded_by', sa.UUID(), nullable=False),
    sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_payouts_amount_positive')),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.id'], name=op.f('fk_payouts_cycle_id_cycles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['receiver_id'], ['users.id'], name=op.f('fk_payouts_receiver_id_users')),
    sa.ForeignKeyConstraint(['recorded_by'], ['users.id'], name=op.f('fk_payouts_recorded_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payouts')),
    sa.UniqueConstraint('cycle_id', name=op.f('uq_payouts_cycle_id'))
    )


def downgrade() -> None:
    op.drop_table('payouts')
    op.drop_table('draws')
    op.drop_index(op.f('ix_contributions_user_id'), table_name='contributions')
    op.drop_table('contributions')
    op.drop_index(op.f('ix_memberships_user_id'), table_name='memberships')
    op.drop_table('memberships')
    op.drop_index('uq_cycles_one_current', table_name='cycles', postgresql_where=sa.text("status <> 'PAID_OUT'"))
    op.drop_table('cycles')
    op.drop_index('uq_circle_chats_active_chat', table_name='circle_chats', postgresql_where=sa.text('active'))
    op.drop_table('circle_chats')
    op.drop_index(op.f('ix_circles_owner_id'), table_name='circles')
    op.drop_table('circles')
    op.drop_index(op.f('ix_channel_identities_user_id'), table_name='channel_identities')
    op.drop_table('channel_identities')
    op.drop_table('users')
    op.drop_table('audit_log')
