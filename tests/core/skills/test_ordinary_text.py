"""Skills as people write them: plain sentences, lowercase lists, "We use ...", trademark signs,
fields and industries, modern tools, other languages, and text that is not language at all.

Each case names the skills that must be found and the ones that must not.
"""

import base64
import random

import pytest

from skillbridge_pipeline.core.documents.parsing import parse_document


def names(extractor, text, kind):
    return {s.name for s in extractor.extract(text, kind=kind)}


CASES = [
    # (kind, text, must find, must not find)
    (
        "jd",
        "We are looking for an engineer with 5+ years of experience with Python and Kubernetes.",
        {"Python", "Kubernetes"},
        set(),
    ),
    (
        "resume",
        "Skills: python, java, react, spark, excel, go, docker",
        {"Python", "Java", "React", "Apache Spark", "Microsoft Excel", "Go", "Docker"},
        set(),
    ),
    ("jd", "Experience with Angular and React.", {"Angular", "React"}, set()),
    ("jd", "We use PostgreSQL and DynamoDB.", {"PostgreSQL", "Amazon DynamoDB"}, set()),
    ("jd", "You know PostgreSQL and DynamoDB.", {"PostgreSQL", "Amazon DynamoDB"}, set()),
    (
        "jd",
        "How you will strengthen our team:\n"
        "Angular JAVA JEE Spring JavaScript/Node.js TypeScript Docker Openshift AWS Git",
        {
            "Angular",
            "Java",
            "Java EE",
            "Spring Framework",
            "JavaScript",
            "Node.js",
            "TypeScript",
            "Docker",
            "OpenShift",
            "Amazon Web Services",
            "Git",
        },
        set(),
    ),
    ("jd", "Docker™, Java™ and C♯ are part of the stack.", {"Docker", "Java", "C#"}, set()),
    (
        "resume",
        "Kuber\u200bnetes and Ter\u00adraform in production",
        {"Kubernetes", "Terraform"},
        set(),
    ),
    (
        "jd",
        "Experience in banking, healthcare or government; knowledge of economics, marketing and "
        "financial analysis.",
        {
            "Banking",
            "Healthcare",
            "Public sector",
            "Economics",
            "Marketing",
            "Financial analysis",
        },
        set(),
    ),
    # a field or an industry named with experience, a background or a degree in it
    ("jd", "Experience in healthcare.", {"Healthcare"}, set()),
    ("jd", "Experience in the healthcare industry is required.", {"Healthcare"}, set()),
    ("resume", "Five years of experience in healthcare and insurance.", {"Healthcare"}, set()),
    ("jd", "We are a healthcare company building banking software.", set(), {"Healthcare"}),
    ("jd", "Our customers in the energy sector love our products.", set(), {"Energy"}),
    (
        "resume",
        "Industries: banking, healthcare, government, marketing",
        {"Banking", "Healthcare", "Public sector", "Marketing"},
        set(),
    ),
    (
        "jd",
        "Experience with Waterfall and BDD, async programming, eventing; ArgoCD, DTrace and GCP.",
        {
            "Waterfall",
            "Behaviour-driven development",
            "Asynchronous programming",
            "Eventing",
            "Argo CD",
            "DTrace",
            "Google Cloud Platform",
        },
        set(),
    ),
    ("jd", "Fluent Swedish and Danish are required.", {"Swedish", "Danish"}, set()),
    ("jd", "Please send your application in English.", set(), {"English"}),
    # ordinary words stay words
    (
        "jd",
        "You will excel in communication and go the extra mile.",
        set(),
        {"Microsoft Excel", "Go"},
    ),
    ("jd", "Go ahead and apply today!", set(), {"Go"}),
    (
        "resume",
        "I react quickly to incidents and spark new ideas.",
        set(),
        {"React", "Apache Spark"},
    ),
    ("jd", "Our go-to-market team drives R&D.", set(), {"Go", "R"}),
    ("jd", "Strong JavaScript skills.", {"JavaScript"}, {"Java"}),
    # bullet lists
    (
        "resume",
        "Skills\n- Python\n- SQL\n- Tableau\n- scikit-learn",
        {"Python", "SQL", "Tableau", "scikit-learn"},
        set(),
    ),
    ("resume", "• Java • Spring Boot • Kafka", {"Java", "Spring Boot", "Apache Kafka"}, set()),
    # a known name inside a longer posting-style name stays itself
    ("jd", "Advanced Microsoft Excel and SQL reporting.", {"Microsoft Excel", "SQL"}, set()),
    # a skill's name that names a team, a post or a department is not asked for in a JD ...
    (
        "jd",
        "You will join our Backend team and work with the DevOps department on Python services.",
        {"Python"},
        {"Back-end development", "DevOps"},
    ),
    (
        "jd",
        "The position is in the Department of Neuroscience; you have a PhD in chemistry.",
        {"Chemistry"},
        {"Neuroscience"},
    ),
    # ... but in a resume it is what the candidate did
    ("resume", "Led the DevOps team of a SaaS company.", {"DevOps"}, set()),
    # the same language twice is not a cue; another language or a proficiency word is
    (
        "jd",
        "See the order on academic staff at Danish Universities under the Danish Ministry of "
        "Science.",
        set(),
        {"Danish"},
    ),
    (
        "jd",
        "You are fluent in English and willing to learn German.",
        {"English", "German"},
        set(),
    ),
    # "master" is the degree as a noun and a proficiency cue only as a verb
    ("jd", "You master English and German.", {"English", "German"}, {"Master's degree"}),
    ("jd", "You hold a Master's degree in English literature.", {"Master's degree"}, {"English"}),
    # equal-opportunity and visa boilerplate asks for nothing
    (
        "jd",
        "We consider all applicants without regard to race, religion, national origin, "
        "genetics or veteran status. You will build services in Python.",
        {"Python"},
        {"Molecular biology"},
    ),
    (
        "jd",
        "We will not sponsor employment authorization for this position.",
        set(),
        {"Identity and access management"},
    ),
    ("jd", "You implement authorization for our APIs.", {"Identity and access management"}, set()),
    # a bare acronym in a JD is often the employer's own school or system: it needs a skill
    # beside it there, not in a resume
    ("jd", "See the guidelines of Aarhus BSS.", set(), {"Biometric Storage System BSS"}),
    ("resume", "See the guidelines of Aarhus BSS.", {"Biometric Storage System BSS"}, set()),
    ("resume", "Certified in CPR.", {"Resuscitation"}, set()),
    (
        "jd",
        "You know routing protocols (BGP, OSPF) and model processes in BPMN with Camunda.",
        {
            "Border Gateway Protocol BGP",
            "Open Shortest Path First OSPF",
            "Business process modelling",
            "Camunda",
        },
        set(),
    ),
    # tools and practices the first vocabulary lacked
    (
        "jd",
        "Experience with configuration management, firewalls and backups on Elastic Beanstalk; "
        "open source contributions are a plus.",
        {
            "Configuration management",
            "Firewalls",
            "Disaster recovery",
            "AWS Elastic Beanstalk",
            "Open source",
        },
        set(),
    ),
    # benefits are what the employer offers, even under a requirements header or run into the
    # requirements before them
    (
        "jd",
        "Requirements:\n- 3+ years of Python\n- Experience with AWS\n"
        "- Generous benefits including private health insurance, a pension scheme and gym "
        "membership.",
        {"Python", "Amazon Web Services"},
        {"Insurance"},
    ),
    (
        "jd",
        "Your profile: You know Java and Kafka. Job benefits: Free parking, private healthcare "
        "and a Udemy budget for learning Kubernetes.",
        {"Java", "Apache Kafka"},
        {"Kubernetes", "Healthcare"},
    ),
]


@pytest.mark.parametrize(("kind", "text", "present", "absent"), CASES)
def test_skills_as_people_write_them(extractor, kind, text, present, absent):
    found = names(extractor, text, kind)
    assert present <= found, (present - found, found)
    assert not (absent & found), absent & found


def test_requirement_cues_in_german_and_french(extractor):
    german = extractor.extract(
        "Sie haben Erfahrung mit Python (zwingend erforderlich). "
        "Kenntnisse in Kubernetes sind wünschenswert.",
        kind="jd",
    )
    assert {s.name: s.requirement for s in german} == {
        "Python": "required",
        "Kubernetes": "preferred",
    }
    french = extractor.extract(
        "Vous maîtrisez Java. Une expérience de Kafka serait un plus.", kind="jd"
    )
    assert {s.name: s.requirement for s in french} == {
        "Java": "required",
        "Apache Kafka": "preferred",
    }
    # the company describing itself is not asking for anything
    assert extractor.extract("Wir sind ein führendes SaaS-Unternehmen.", kind="jd") == []
    assert extractor.extract("Acme is a leading provider of SaaS platforms.", kind="jd") == []
    # an anonymised name ("<ORGANIZATION>") opens self-description as "we" does
    assert extractor.extract("<ORGANIZATION> develops SaaS platforms.", kind="jd") == []
    assert extractor.extract("Nous sommes une entreprise SaaS.", kind="jd") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Python is required, Spark is a plus.",
            {"Python": "required", "Apache Spark": "preferred"},
        ),
        (
            "Must have Python, Java and Go, Rust would be a plus.",
            {"Python": "required", "Java": "required", "Go": "required", "Rust": "preferred"},
        ),
        (
            "Java, Go and Python are required, Rust is a plus.",
            {"Java": "required", "Go": "required", "Python": "required", "Rust": "preferred"},
        ),
        (
            "Fluent English is a must while German and French are considered an advantage.",
            {"English": "required", "German": "preferred", "French": "preferred"},
        ),
        (
            "Kenntnisse in Java sind zwingend erforderlich, Erfahrung mit Kafka wünschenswert.",
            {"Java": "required", "Apache Kafka": "preferred"},
        ),
        # one cue for the whole list, and negated requirements
        (
            "Experience with Python, Java and Go is a plus.",
            {"Python": "preferred", "Java": "preferred", "Go": "preferred"},
        ),
        ("Experience with Docker is an advantage but not a requirement.", {"Docker": "preferred"}),
        ("Experience with Kubernetes is not a requirement.", {"Kubernetes": "preferred"}),
    ],
)
def test_a_sentence_that_requires_and_prefers_is_read_by_clause(extractor, text, expected):
    assert {s.name: s.requirement for s in extractor.extract(text, kind="jd")} == expected


def test_we_sentences_are_not_self_description(extractor):
    asked = extractor.extract("We are looking for a developer with Python experience.", kind="jd")
    assert [(s.name, s.requirement) for s in asked] == [("Python", "required")]
    stack = extractor.extract("We use Kafka and Terraform every day.", kind="jd")
    assert {s.name for s in stack} == {"Apache Kafka", "Terraform"}
    assert all(s.requirement is None for s in stack)  # the stack, not a stated requirement


def test_every_surface_is_evidence(extractor):
    text = "Tags: amazon-web-services, react\nYou deploy on AWS with React.js."
    found = {s.name: s for s in extractor.extract(text, kind="jd")}
    aws = found["Amazon Web Services"]
    assert aws.surfaces == ("amazon-web-services", "AWS")
    assert [text[start:end] for _, start, end in aws.evidence] == list(aws.surfaces)
    assert len(aws.mentions) == 2
    assert found["React"].surfaces == ("react", "React.js")


def test_text_that_is_not_language_yields_no_skills(extractor):
    rng = random.Random(7)
    blob = base64.encodebytes(rng.randbytes(6000)).decode()  # 76-character lines
    assert names(extractor, blob, "jd") == set()
    assert names(extractor, blob, "resume") == set()
    words = base64.b64encode(b"CS and DdD with Go, R and Swift").decode()
    assert names(extractor, words + " " + words, "resume") == set()
    hexdump = "\n".join(
        " ".join(f"{rng.randrange(256):02x}" for _ in range(16)) for _ in range(200)
    )
    assert names(extractor, hexdump, "resume") == set()
    minified = "function(e){return e.map(function(t){return t.Go+t.R+t.CS})}" * 50
    assert names(extractor, minified, "resume") == set()
    # ...while the same words as prose still count
    assert {"Go", "Python"} <= names(extractor, "Services in Go and Python.\n" + blob, "jd")


def test_trademark_signs_and_invisible_characters_leave_parsing(extractor):
    parsed = parse_document("Docker™, Java™, C♯ and Kuber\u200bnetes®".encode(), "cv.txt", "resume")
    assert parsed.text == "Docker, Java, C# and Kubernetes"
    assert names(extractor, parsed.text, "resume") == {"Docker", "Java", "C#", "Kubernetes"}


def test_extraction_is_linear_in_text_size(extractor):
    """Counted, not timed: a list 20x longer yields 20x the mentions and the same skills."""
    line = "Python, Go, Rust and SQL; "
    small = extractor.find_mentions(line * 500, kind="jd")
    large = extractor.find_mentions(line * 10_000, kind="jd")
    assert len(large) == 20 * len(small)
    assert {m.skill_id for m in large} == {m.skill_id for m in small}
