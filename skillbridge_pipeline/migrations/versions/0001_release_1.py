"""Release 1: the schema `create_all` made before migrations existed (nothing to do).

Revision ID: 0001_release_1
"""

revision = "0001_release_1"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """A store from release 1 is stamped here; a new one is created at head."""


def downgrade() -> None:
    """Nothing below the baseline."""
