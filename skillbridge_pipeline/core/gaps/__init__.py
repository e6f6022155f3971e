"""Gaps: skill embeddings, gap features and the scored gaps of one analysis."""
