"""Roadmaps: the catalog of free resources, the roadmap engine, the LLM and the enhancer."""
