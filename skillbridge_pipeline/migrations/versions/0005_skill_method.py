"""How a document's skill was found: by its name, or by the meaning of a sentence.

Revision ID: 0005_skill_method
Revises: 0004_request_pages
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_skill_method"
down_revision = "0004_request_pages"
branch_labels = None
depends_on = None


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    if not inspector.has_table("document_skills"):
        return  # created whole, with the column, by create_all
    if "method" not in {c["name"] for c in inspector.get_columns("document_skills")}:
        op.add_column(
            "document_skills",
            sa.Column("method", sa.String(8), nullable=False, server_default="name"),
        )


def downgrade() -> None:
    op.drop_column("document_skills", "method")
