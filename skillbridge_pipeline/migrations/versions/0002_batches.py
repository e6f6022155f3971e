"""The batch as the unit of work: documents and requests name their batch; batches and parsed
texts get tables of their own.

Revision ID: 0002_batches
Revises: 0001_release_1
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_batches"
down_revision = "0001_release_1"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from skillbridge_pipeline.core.store.batches import batches
    from skillbridge_pipeline.core.store.documents import document_texts

    inspector = sa.inspect(op.get_bind())
    for table in ("documents", "analysis_requests"):
        if not inspector.has_table(table):
            continue  # the pipeline creates it whole when it first opens the store
        if "batch_key" not in {c["name"] for c in inspector.get_columns(table)}:
            op.add_column(table, sa.Column("batch_key", sa.String(128)))
            op.create_index(f"ix_{table}_batch_key", table, ["batch_key"])
    # New in this revision, so their definition here is the store's (a later change to either
    # table comes as a migration of its own).
    for table in (batches, document_texts):
        table.create(op.get_bind(), checkfirst=True)


def downgrade() -> None:
    op.drop_table("document_texts")
    op.drop_table("batches")
    for table in ("documents", "analysis_requests"):
        op.drop_index(f"ix_{table}_batch_key", table)
        op.drop_column(table, "batch_key")
