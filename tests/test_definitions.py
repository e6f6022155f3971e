"""The code location loads cleanly, and the asset graph is what the README describes."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from dagster import AssetKey

from skillbridge_pipeline.definitions import defs

ROOT = Path(__file__).parents[1]


def test_asset_graph_snapshot():
    graph = defs.resolve_asset_graph()
    edges = sorted(
        (parent.to_user_string(), key.to_user_string())
        for key in graph.get_all_asset_keys()
        for parent in graph.get(key).parent_keys
    )
    # raw -> texts -> skills -> skill_embeddings -> gap_features -> skill_gaps -> roadmaps,
    # gap_model -> skill_gaps and learning_resources -> roadmaps, for resumes and JDs alike.
    assert edges == [
        ("gap_features", "skill_gaps"),
        ("gap_model", "skill_gaps"),
        ("gap_training_examples", "gap_model"),
        ("jd_skills", "skill_embeddings"),
        ("jd_texts", "jd_skills"),
        ("learning_resources", "roadmaps"),
        ("raw_jds", "jd_texts"),
        ("raw_resumes", "resume_texts"),
        ("resume_skills", "skill_embeddings"),
        ("resume_texts", "resume_skills"),
        ("skill_embeddings", "gap_features"),
        ("skill_gaps", "roadmaps"),
        ("skill_vectors", "gap_training_examples"),
    ]
    # The edge into skill_gaps carries data: the feature table is its input.
    assert AssetKey("gap_features") in graph.get(AssetKey("skill_gaps")).parent_keys
    checks = sorted(f"{k.asset_key.to_user_string()}:{k.name}" for k in graph.asset_check_keys)
    assert "resume_texts:parsed_text_not_empty" in checks
    assert "jd_skills:offsets_inside_text" in checks
    assert "gap_features:similarity_in_range" in checks
    assert len(checks) == 19
    # One partition set, of batches, for every batch-level asset: never one per document.
    batch_assets = ["raw_resumes", "resume_texts", "resume_skills", "raw_jds", "jd_texts"]
    for name in [*batch_assets, "jd_skills", "skill_embeddings", "gap_features", "skill_gaps"]:
        assert graph.get(AssetKey(name)).partitions_def.name == "batches", name
    for name in ["skill_vectors", "gap_training_examples", "gap_model", "learning_resources"]:
        assert graph.get(AssetKey(name)).partitions_def is None


@pytest.mark.slow
def test_dagster_definitions_validate_is_clean(tmp_path):
    (tmp_path / "dagster.yaml").write_text((ROOT / "dagster.yaml").read_text())
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path)}
    done = subprocess.run(
        [
            str(Path(sys.executable).with_name("dagster")),
            "definitions",
            "validate",
            "-w",
            str(ROOT / "workspace.yaml"),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    output = done.stdout + done.stderr
    assert "All code locations passed validation" in output
    # No warnings from our code (Dagster's own CLI notice about `dg check defs` aside).
    ours = [
        line
        for line in output.splitlines()
        if "Warning" in line and "definitions_validate_command" not in line
    ]
    assert ours == [], ours


@pytest.mark.slow
def test_the_dagster_ui_never_shows_the_llm_key(tmp_path, monkeypatch):
    """Release 1 passed GROQ_API_KEY's value to the resource: the UI's resource page showed it."""
    from dagster import instance_for_test
    from dagster_graphql.test.utils import define_out_of_process_context, execute_dagster_graphql

    secret = "gsk_test_secret_value_0123456789"
    monkeypatch.setenv("GROQ_API_KEY", secret)
    monkeypatch.setenv("SKILLBRIDGE_HOME", str(tmp_path))
    query = """
    query {
      repositoriesOrError {
        ... on RepositoryConnection {
          nodes { allTopLevelResourceDetails { name configuredValues { key value type } } }
        }
      }
    }
    """
    definitions = str(ROOT / "skillbridge_pipeline" / "definitions.py")
    with (
        instance_for_test() as instance,
        define_out_of_process_context(definitions, "defs", instance) as context,
    ):
        result = execute_dagster_graphql(context, query)
    [repository] = result.data["repositoriesOrError"]["nodes"]
    llm = next(r for r in repository["allTopLevelResourceDetails"] if r["name"] == "llm_client")
    api_key = next(v for v in llm["configuredValues"] if v["key"] == "api_key")
    assert api_key["type"] == "ENV_VAR" and api_key["value"] == "GROQ_API_KEY"
    assert secret not in json.dumps(result.data)
