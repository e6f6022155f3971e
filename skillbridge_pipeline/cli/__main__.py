"""`python -m skillbridge_pipeline.cli`, as the `skillbridge` command."""

import sys

from skillbridge_pipeline.cli import main

sys.exit(main())
