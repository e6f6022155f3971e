"""Documents: intake, landing, parsing and the per-document stages of a batch."""
