"""The code location loads cleanly, and the asset graph is what the README and docs/ describe."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import PROJECT_ROOT
from dagster import AssetKey

from skillbridge_pipeline.definitions import defs


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


def test_jobs_and_sensors_snapshot(snapshot):
    """Which assets each job runs and which jobs each sensor may start: a change is a reviewed
    diff of `__snapshots__/test_definitions.ambr` (`pytest --snapshot-update` rewrites it)."""
    graph = defs.resolve_asset_graph()
    jobs = {
        job.name: sorted(key.to_user_string() for key in job.asset_layer.selected_asset_keys)
        for job in defs.resolve_all_job_defs()
        if not job.name.startswith("__")
    }
    sensors = {
        sensor.name: sorted(target.job_name for target in sensor.targets)
        for sensor in defs.get_repository_def().sensor_defs
    }
    assets = {
        key.to_user_string(): {
            "group": graph.get(key).group_name,
            "partitions": getattr(graph.get(key).partitions_def, "name", None),
        }
        for key in sorted(graph.get_all_asset_keys())
    }
    assert {"jobs": jobs, "sensors": sensors, "assets": assets} == snapshot


@pytest.mark.slow
def test_dagster_definitions_validate_is_clean(tmp_path):
    (tmp_path / "dagster.yaml").write_text((PROJECT_ROOT / "dagster.yaml").read_text())
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path)}
    done = subprocess.run(
        [
            str(Path(sys.executable).with_name("dagster")),
            "definitions",
            "validate",
            "-w",
            str(PROJECT_ROOT / "workspace.yaml"),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=PROJECT_ROOT,
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
    definitions = str(PROJECT_ROOT / "skillbridge_pipeline" / "definitions.py")
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


ARCHITECTURE_DOC = "docs/architecture.md"


def readme_tree() -> set[str]:
    """The module paths the architecture tree names (docs/architecture.md, linked from the
    README; one name per line, two spaces of indentation per folder level; wrapped
    descriptions are indented deeper)."""
    readme = (PROJECT_ROOT / ARCHITECTURE_DOC).read_text()
    section = readme[readme.index("# Architecture") :]
    start = section.index("```\n") + 4
    block = section[start : section.index("\n```", start)]
    folders: list[str] = []
    named = set()
    for line in block.splitlines():
        name = line.split()[0] if line.strip() else ""
        if not (name.endswith("/") or name.endswith(".py")):
            continue  # a wrapped description
        level = (len(line) - len(line.lstrip())) // 2
        folders = folders[:level]
        if name.endswith("/"):
            folders.append(name.rstrip("/"))
        else:
            named.add("/".join([*folders, name]))
    return named


def test_readme_architecture_names_every_module():
    package = PROJECT_ROOT / "skillbridge_pipeline"
    modules = {
        str(path.relative_to(PROJECT_ROOT))
        for path in package.rglob("*.py")
        if path.name != "__init__.py" and "versions" not in path.parts
    }
    named = readme_tree()
    assert modules - named == set(), "modules the architecture tree does not name"
    assert named - modules == set(), "the architecture tree names modules that do not exist"
    assert f"]({ARCHITECTURE_DOC})" in (PROJECT_ROOT / "README.md").read_text(), (
        "the README links the architecture"
    )


def test_core_never_imports_dagster():
    """The Dagster-free core: its modules import no Dagster, so they run in any process."""
    import ast

    offenders = []
    for path in (PROJECT_ROOT / "skillbridge_pipeline/core").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] == "dagster"]
    assert offenders == []


def test_tests_mirror_the_package_layout():
    """A test folder is named as the package folder whose modules it tests, so the tests of a
    module are found where the module is."""
    tests = PROJECT_ROOT / "tests"
    folders = {
        path.parent.relative_to(tests) for path in tests.rglob("test_*.py") if path.parent != tests
    }
    package = PROJECT_ROOT / "skillbridge_pipeline"
    assert folders, "no test sits in a package folder"
    assert [str(f) for f in sorted(folders) if not (package / f).is_dir()] == []
