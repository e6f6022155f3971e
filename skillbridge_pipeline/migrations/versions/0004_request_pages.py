"""A request may name its JD by URL: the page is fetched in a run, and the request keeps the URL.

Revision ID: 0004_request_pages
Revises: 0003_token_sessions
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_request_pages"
down_revision = "0003_token_sessions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    if "jd_url" not in {c["name"] for c in inspector.get_columns("analysis_requests")}:
        op.add_column("analysis_requests", sa.Column("jd_url", sa.Text()))


def downgrade() -> None:
    op.drop_column("analysis_requests", "jd_url")
