"""member votes: a circle whose organizers stopped acting elects a new one or ends, by a majority of members

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 09:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_audit_log_circle_actor', 'audit_log', ['circle_id', 'actor_id', 'created_at'], unique=False)
    op.create_table('circle_votes',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('circle_id', sa.UUID(), nullable=False),
    sa.Column('kind', sa.Enum('ELECT', 'END', name='vote_kind', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('candidate_id', sa.UUID(), nullable=True),
    sa.Column('started_by', sa.UUID(), nullable=False),
    sa.Column('status', sa.Enum('OPEN', 'CARRIED', 'FAILED', 'EXPIRED', name='vote_status', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("(kind = 'ELECT') = (candidate_id is not null)", name=op.f('ck_circle_votes_candidate_iff_elect')),
    sa.ForeignKeyConstraint(['candidate_id'], ['users.id'], name=op.f('fk_circle_votes_candidate_id_users')),
    sa.ForeignKeyConstraint(['circle_id'], ['circles.id'], name=op.f('fk_circle_votes_circle_id_circles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['started_by'], ['users.id'], name=op.f('fk_circle_votes_started_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_circle_votes'))
    )
    op.create_index('uq_circle_votes_one_open', 'circle_votes', ['circle_id'], unique=True, postgresql_where=sa.text("status = 'OPEN'"))
    op.create_table('vote_ballots',
    sa.Column('vote_id', sa.UUID(), nullable=False),
    sa.Column('user_id', sa.UUID(), nullable=False),
    sa.Column('in_favour', sa.Boolean(), nullable=False),
    sa.Column('cast_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_vote_ballots_user_id_users')),
    sa.ForeignKeyConstraint(['vote_id'], ['circle_votes.id'], name=op.f('fk_vote_ballots_vote_id_circle_votes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('vote_id', 'user_id', name=op.f('pk_vote_ballots'))
    )


def downgrade() -> None:
    op.drop_table('vote_ballots')
    op.drop_index('uq_circle_votes_one_open', table_name='circle_votes', postgresql_where=sa.text("status = 'OPEN'"))
    op.drop_table('circle_votes')
    op.drop_index('ix_audit_log_circle_actor', table_name='audit_log')
