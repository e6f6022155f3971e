"""API tokens may be bound to one session (a browser's token follows only its own session).

Revision ID: 0003_token_sessions
Revises: 0002_batches
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_token_sessions"
down_revision = "0002_batches"
branch_labels = None
depends_on = None


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    if not inspector.has_table("api_tokens"):
        return  # created whole, with the column, when the store first opens
    if "session_id" not in {c["name"] for c in inspector.get_columns("api_tokens")}:
        op.add_column("api_tokens", sa.Column("session_id", sa.String(128)))


def downgrade() -> None:
    op.drop_column("api_tokens", "session_id")
