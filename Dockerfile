# One image for the Dagster code server, webserver, daemon, run workers and the API.
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    DAGSTER_HOME=/opt/dagster/home
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/skillbridge
# CPU-only torch first, so the project's pin does not pull a CUDA build.
RUN pip install --index-url https://download.pytorch.org/whl/cpu torch==2.13.0
COPY pyproject.toml README.md ./
COPY skillbridge_pipeline ./skillbridge_pipeline
COPY data ./data
COPY schemas ./schemas
COPY workspace.yaml ./
RUN pip install ".[docker]"
# The semantic linker's static model, distilled from the packaged MiniLM (not in the repository).
RUN HF_HUB_OFFLINE=1 skillbridge build-linker
COPY deploy/production/dagster.yaml /opt/dagster/home/dagster.yaml
COPY deploy/docker/workspace.yaml /opt/dagster/home/workspace.yaml
EXPOSE 3000 4000 8000
