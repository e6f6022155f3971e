"""Role family and seniority of a job description."""

import pytest

from skillbridge_pipeline.core.skills.jd_profile import profile_job


@pytest.mark.parametrize(
    ("text", "categories", "role", "seniority"),
    [
        ("Senior Backend Engineer\nPython and Go", [], "software_engineering", "senior"),
        ("Junior Data Analyst\nSQL, Tableau", [], "data_ml", "junior"),
        ("Site Reliability Engineer\n3 years of Kubernetes", [], "devops_cloud", "mid"),
        ("Product Designer\nFigma", [], "product_design", "mid"),
        ("Lead ML Engineer", [], "data_ml", "senior"),
        (
            "We are hiring!\nYou have 7+ years with AWS and Terraform.",
            ["cloud_devops", "cloud_devops", "soft_skills"],
            "devops_cloud",
            "senior",
        ),
        (
            "Come work with us\n1-2 years of experience with React",
            ["web_mobile"],
            "software_engineering",
            "junior",
        ),
    ],
)
def test_profile(text, categories, role, seniority):
    profile = profile_job(text, categories)
    assert (profile.role_family, profile.seniority) == (role, seniority)
