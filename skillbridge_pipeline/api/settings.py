"""What the API needs to know, from the environment: the same selection as the pipeline's."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from skillbridge_pipeline.core.roadmaps.llm import LlmSettings
from skillbridge_pipeline.settings import selected_environment, skillbridge_home


@dataclass(frozen=True)
class ApiSettings:
    results_url: str
    models_path: Path
    metrics_dir: Path | None = None  # the multiprocess folder the pipeline's processes write
    metrics_need_token: bool = False  # /metrics open by default, for Prometheus on a private net
    cors_origins: tuple[str, ...] = ()  # no cross-origin access unless origins are named
    max_body_bytes: int = 16_384  # the one write endpoint takes a question, not a document
    llm: LlmSettings = field(default_factory=LlmSettings)
    ws_poll_seconds: float = 0.2
    # Signs the expiring report links (links.py); a fresh one per app unless configured.
    link_key: bytes = field(default_factory=lambda: secrets.token_bytes(32), repr=False)

    @classmethod
    def from_environment(cls) -> ApiSettings:
        """The pipeline's own resources for the selected environment (SKILLBRIDGE_ENV)."""
        from skillbridge_pipeline.api.links import link_key
        from skillbridge_pipeline.resources import configured, resources_for

        env = os.environ
        resources = resources_for(selected_environment())
        metrics_dir = env.get("PROMETHEUS_MULTIPROC_DIR")
        return cls(
            results_url=configured(resources["results_store"].url),
            models_path=Path(configured(resources["models"].path)),
            metrics_dir=Path(metrics_dir) if metrics_dir else None,
            metrics_need_token=env.get("SKILLBRIDGE_METRICS_NEED_TOKEN", "") == "1",
            cors_origins=tuple(o for o in env.get("SKILLBRIDGE_CORS_ORIGINS", "").split(",") if o),
            llm=resources["llm_client"].settings,
            link_key=link_key(skillbridge_home()),
        )
