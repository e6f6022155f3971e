"""One catalog of free learning resources, and finding the ones that are about a skill.

Sources (all under `../shared/data/`, built into `data/roadmaps/catalog.json` by
`skillbridge build-taxonomy`, attributions in `data/ATTRIBUTION.md`):
- free-programming-books: courses and interactive tutorials, filed by language or topic;
- awesome-leading-and-managing: articles, talks and books on feedback, delegation, meetings,
  hiring, planning... (soft skills and management);
- open-textbooks: OpenStax, BC Open Collection and Open Textbook Library books, each with its
  own licence (fields beyond software: business, health, economics, statistics...);
- OSSU computer science: courses with their duration (weeks) and effort (hours a week);
- awesome-language-learning: general and per-language resources (Swedish, German, ...);
- the project's own curated list (`data/roadmaps/curated_resources.csv`): official documentation
  and open books for skills postings ask for that the lists miss (Kafka, Flink, Tableau, Power
  BI, Snowflake, nursing, food safety, accounting...), each mapped to the skills it teaches;
  resources of the lists curated for a skill (their source and licence stay the list's); and
  the list resources never to cite (off topic for every skill, e.g. a Danish NLP list).

A resource is found for a skill semantically: the MiniLM embedding of the skill's name against
the embedding of each resource's title and section, stored in Chroma and searched exactly
(`ResourceIndex`). Only resources at cosine >= RELEVANCE_THRESHOLD count; the threshold is
measured on a labelled sample (`data/roadmaps/relevance_labels.csv`, see docs/quality.md). Below it
a roadmap says there is no vetted free resource yet, and gives search terms.

Three rules keep what is cited on the skill (measured on `relevance_labels_postings.csv`, the
skills real postings ask for): a skill with curated resources cites those, and only those
(relevance CURATED); a resource found by meaning alone, neither filed under the skill nor
curated for it, must name the skill in its title (`names_skill`: the "Motivation" section's "How
to Bullshit" does not name Self-motivation) or reach NAMELESS_THRESHOLD; and a section files a
resource under a skill by the whole section, or by alternatives that are skills' names
("Computer Organization and Architecture" is not Software architecture, whose alias
Architecture is).
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np

from skillbridge_pipeline.core.skills.taxonomy import DATA_DIR, Taxonomy
from skillbridge_pipeline.core.skills.text import alias_key

CATALOG_FILE = DATA_DIR / "roadmaps" / "catalog.json"
LABELS_FILE = DATA_DIR / "roadmaps" / "relevance_labels.csv"
CURATED_FILE = DATA_DIR / "roadmaps" / "curated_resources.csv"
CURATED_SOURCE = "SkillBridge curated list"
COLLECTION = "resources"
RELEVANCE_THRESHOLD = 0.55
FILED_BONUS = 0.15
NAMELESS_THRESHOLD = 0.75  # found by meaning alone and not naming the skill: a higher bar
CURATED = 1.0  # the relevance of a resource curated for the skill
_LINK = re.compile(r"\[([^\]]+)\]\((https?://[^)\s]+)\)")
_ITEM = re.compile(r"^\s*[-*]\s*(?:\W{1,3}\s*)?\[([^\]]+)\]\((https?://[^)\s]+)\)")
_WEEKS = re.compile(r"(\d+(?:\.\d+)?)\s*weeks?", re.I)
_HOURS = re.compile(r"(\d+(?:\.\d+)?)(?:\s*-\s*(\d+(?:\.\d+)?))?\s*hours?\s*/\s*week", re.I)
OSSU_BASE = "https://github.com/ossu/computer-science/blob/master/"


@dataclass(frozen=True)
class Resource:
    title: str
    url: str
    section: str  # the topic the source files it under
    source: str
    licence: str
    weeks: float | None = None  # duration, where the source states one
    hours_per_week: float | None = None
    filed_under: tuple[str, ...] = ()  # taxonomy skills the list's own section names
    curated_for: tuple[str, ...] = ()  # skills the project's curated list cites it for

    @property
    def id(self) -> str:
        return hashlib.sha256(self.url.encode()).hexdigest()[:16]

    @property
    def text(self) -> str:
        """What is embedded: what the resource is called and what it is filed under."""
        return f"{self.title} ({self.section})"

    def cited(self) -> dict:
        """How a roadmap cites it."""
        return {
            k: v
            for k, v in asdict(self).items()
            if k in ("title", "url", "source", "licence", "weeks", "hours_per_week")
            and v is not None
        }


# -- building the catalog from the shared lists ------------------------------------------------


def free_programming_books(folder: Path) -> Iterator[Resource]:
    with (folder / "courses_en.parsed.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            section = " / ".join(p for p in (row["section"], row["subsection"]) if p)
            yield Resource(
                row["title"].strip(),
                row["url"].strip(),
                re.sub(r"^\d+ - ", "", section),
                "free-programming-books (EbookFoundation)",
                "list CC BY 4.0; free to read",
            )


def leading_and_managing(folder: Path) -> Iterator[Resource]:
    for path in sorted(folder.glob("*.md")):
        if path.name == "README.md":
            continue
        topic, heading = path.stem.replace("-", " "), ""
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("#"):
                heading = line.lstrip("#").strip()
            elif match := _ITEM.match(line):
                section = topic if heading in ("", topic) else f"{topic}: {heading}"
                yield Resource(
                    _plain(match[1]),
                    match[2],
                    section,
                    "awesome-leading-and-managing (LappleApple)",
                    "list CC0 1.0; free to read",
                )


def open_textbooks(folder: Path) -> Iterator[Resource]:
    for path in sorted(folder.glob("*.tsv")):
        with path.open(encoding="utf-8") as f:
            for row in csv.DictReader(f, delimiter="\t"):
                yield Resource(
                    row["title"].strip(),
                    row["url"].strip(),
                    f"open textbook: {row['category'].strip() or 'general'}",
                    f"open-textbooks: {row['source']}",
                    row["license"].strip() or "open licence (see the book)",
                )


def ossu(folder: Path) -> Iterator[Resource]:
    for name in ("README.md", "extras-courses.md"):
        heading = ""
        for line in (folder / name).read_text(encoding="utf-8").splitlines():
            if line.startswith("#"):
                heading = line.lstrip("#").strip()
                continue
            cells = [c.strip() for c in line.split("|")]
            link = re.match(r"\[([^\]]+)\]\(([^)\s]+)\)", cells[0]) if len(cells) >= 3 else None
            if not link:
                continue
            url = link[2] if link[2].startswith("http") else OSSU_BASE + link[2]
            weeks = _WEEKS.search(cells[1])
            hours = _HOURS.search(cells[2])
            yield Resource(
                _plain(link[1]),
                url,
                f"computer science: {heading}",
                "OSSU computer-science",
                "list MIT; free course",
                float(weeks[1]) if weeks else None,
                (float(hours[1]) + float(hours[2] or hours[1])) / 2 if hours else None,
            )


def language_learning(folder: Path) -> Iterator[Resource]:
    for path in sorted(folder.glob("*.md")):
        if path.name == "languages-README.md":
            continue
        lines = path.read_text(encoding="utf-8").splitlines()
        general = path.name == "README.md"
        title = lines[0].lstrip("#").strip() if lines else ""
        language = (re.search(r"\(([^)]+)\)", title) or [None, title.replace("Awesome ", "")])[1]
        heading = ""
        for line in lines[1:]:
            if line.startswith("#"):
                heading = _plain(line.lstrip("#"))
                if general and heading == "Language-specific":
                    break
                continue
            for match in _LINK.finditer(line):
                name = _plain(match[1])
                if not general and language.casefold() not in name.casefold():
                    name = f"{name}: {language}"  # "All Language Resources: Swedish"
                yield Resource(
                    name,
                    match[2],
                    f"language learning: {heading}" if general else f"{language} language",
                    "awesome-language-learning (jqhoogland)",
                    "list MIT; free or freemium",
                )


def curated(
    path: Path = CURATED_FILE,
) -> tuple[list[Resource], set[str], dict[str, tuple[str, ...]]]:
    """The curated resources, each with the skills it is cited for; the URLs never cited; and
    the resources of the lists (a row with a URL and no title) curated for skills."""
    with path.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(line for line in f if not line.startswith("#")))
    excluded = {r["url"].strip() for r in rows if r["skill_ids"].strip() == "exclude"}
    mapped: dict[str, tuple[str, ...]] = {}
    for r in rows:
        if r["skill_ids"].strip() != "exclude" and not r["title"].strip():
            mapped[r["url"].strip()] = tuple(r["skill_ids"].split())
    resources = [
        Resource(
            r["title"].strip(),
            r["url"].strip(),
            r["section"].strip(),
            f"{CURATED_SOURCE}: {r['source'].strip()}",
            r["licence"].strip(),
            curated_for=tuple(r["skill_ids"].split()),
        )
        for r in rows
        if r["skill_ids"].strip() != "exclude" and r["title"].strip()
    ]
    return resources, excluded, mapped


SOURCES: dict[str, Callable[[Path], Iterable[Resource]]] = {
    "free-programming-books": free_programming_books,
    "learning-resources/leading-and-managing": leading_and_managing,
    "learning-resources/open-textbooks": open_textbooks,
    "learning-resources/ossu": ossu,
    "learning-resources/language-learning": language_learning,
}


def _plain(text: str) -> str:
    """Markdown link text as plain words: no emphasis marks, emoji or badges."""
    text = re.sub(r"[*_`]", "", text)
    return " ".join(w for w in text.split() if any(c.isalnum() for c in w))


def _filed_under(
    section: str, by_key: dict[tuple[str, ...], str], by_name: dict[tuple[str, ...], str]
) -> tuple[str, ...]:
    """The skills a list's section names: its most specific part ("JavaScript / React" ->
    React, "Productivity and Time Management: Time Management" -> Time management, "Swedish
    language" -> Swedish), else any part that names one ("Bash / Shell" -> Bash), split into
    alternatives named by a skill's name ("HTML and CSS" -> HTML, CSS; but "Computer
    Organization and Architecture" is not Software architecture, whose alias Architecture
    is). Textbook categories and general language-learning sections are fields, not skills:
    none."""
    if section.startswith(("open textbook:", "language learning:")):
        return ()
    parts = [p.strip().removesuffix(" language") for p in re.split(r" / |:", section)]

    def named(part: str) -> list[str]:
        if (key := alias_key(part)) in by_key:
            return [by_key[key]]
        # An alternative names a skill by its name: a one-word alias is too loose a match
        # ("Computer Organization and Architecture" is not Software architecture).
        names = re.split(r" and | & |, |/", part)
        return list(dict.fromkeys(by_name[k] for n in names if (k := alias_key(n)) in by_name))

    found = named(parts[-1]) or [s for part in parts[:-1] for s in named(part)]
    return tuple(dict.fromkeys(found))


def build_catalog(
    shared_data: Path,
    taxonomy: Taxonomy,
    target: Path = CATALOG_FILE,
    curated_file: Path = CURATED_FILE,
) -> list[Resource]:
    """The curated resources, then every source's, one per URL (the first to list it keeps
    it; the curated list's exclusions are left out), each with the skills its section files
    it under."""
    by_key: dict[tuple[str, ...], str] = {}
    by_name: dict[tuple[str, ...], str] = {}
    for skill in sorted(taxonomy, key=lambda s: s.id):  # the same whatever the build's order
        by_name.setdefault(alias_key(skill.name), skill.id)
    for skill in taxonomy:
        for alias in skill.aliases:
            by_key.setdefault(alias_key(alias.text), skill.id)
    picked, excluded, mapped = curated(curated_file)
    named = {s for r in picked for s in r.curated_for} | {s for ids in mapped.values() for s in ids}
    unknown = sorted(s for s in named if taxonomy.get(s) is None)
    if unknown:
        raise ValueError(f"{curated_file.name} names skills the taxonomy lacks: {unknown}")
    seen: dict[str, Resource] = {r.url: r for r in picked}
    for folder, read in SOURCES.items():
        for resource in read(shared_data / folder):
            if resource.url in excluded:
                continue
            if resource.title and resource.url.startswith(("https://", "http://")):
                filed = _filed_under(resource.section, by_key, by_name)
                seen.setdefault(resource.url, replace(resource, filed_under=filed))
    missing = sorted(url for url in mapped if url not in seen)
    if missing:
        raise ValueError(f"{curated_file.name} maps resources no list holds: {missing}")
    for url, skill_ids in mapped.items():
        seen[url] = replace(seen[url], curated_for=skill_ids)
    resources = list(seen.values())
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(
        json.dumps(
            {
                "sources": [curated_file.name, *SOURCES],
                "resources": [asdict(r) for r in resources],
            },
            indent=0,
            ensure_ascii=False,
        )
        + "\n"
    )
    return resources


def load_catalog(path: Path = CATALOG_FILE) -> list[Resource] | None:
    """The shipped catalog, or None when the file is missing or unreadable."""
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))["resources"]
        return [
            Resource(
                **{
                    **r,
                    "filed_under": tuple(r["filed_under"]),
                    "curated_for": tuple(r.get("curated_for", ())),
                }
            )
            for r in rows
        ]
    except (OSError, ValueError, KeyError, TypeError):
        return None


# -- finding resources for a skill ---------------------------------------------------------------


@dataclass(frozen=True)
class Found:
    resource: Resource
    relevance: float  # cosine of the skill's and the resource's embeddings, + FILED_BONUS


class ResourceIndex:
    """The catalog's vectors in a Chroma collection of their own, queried per skill.

    A skill with curated resources cites those (relevance CURATED), and only those: the
    curated list is the vetted answer for it. Otherwise relevance is the cosine similarity of
    the skill's name and the resource's title and section, plus FILED_BONUS when the list
    itself files the resource under that skill (short names embed poorly: "Go" and "Learn Go"
    are only 0.52 apart); one neither filed nor naming the skill in its title needs
    NAMELESS_THRESHOLD (a section's words lend every title in it their meaning)."""

    def __init__(self, client, catalog: Sequence[Resource], threshold: float = RELEVANCE_THRESHOLD):
        self.collection = client.get_or_create_collection(
            COLLECTION, embedding_function=None, metadata={"hnsw:space": "cosine"}
        )
        self.catalog = {r.id: r for r in catalog}
        self.threshold = threshold
        self._matrix: tuple[list[str], np.ndarray] | None = None
        self.filed: dict[str, list[str]] = {}
        self.curated: dict[str, list[str]] = {}
        for resource in catalog:
            for skill_id in resource.filed_under:
                self.filed.setdefault(skill_id, []).append(resource.id)
            for skill_id in resource.curated_for:
                self.curated.setdefault(skill_id, []).append(resource.id)

    def count(self) -> int:
        return self.collection.count()

    def _vectors(self) -> tuple[list[str], np.ndarray]:
        """The catalog's vectors as the collection holds them, read once: the nearest are
        found exactly (Chroma's approximate index missed "Learning SAP" for SAP even among
        the 100 nearest)."""
        if self._matrix is None or len(self._matrix[0]) < len(self.catalog):
            got = self.collection.get(include=["embeddings"])
            kept = [
                (i, v)
                for i, v in zip(got["ids"], got["embeddings"], strict=True)
                if i in self.catalog
            ]
            self._matrix = (
                [i for i, _ in kept],
                np.asarray([v for _, v in kept], dtype=np.float32).reshape(len(kept), -1),
            )
        return self._matrix

    def fill(self, vectors: Callable[[list[str]], np.ndarray]) -> int:
        """Upsert every catalog resource (idempotent); how many the collection holds."""
        resources = list(self.catalog.values())
        for start in range(0, len(resources), 2000):
            chunk = resources[start : start + 2000]
            self.collection.upsert(
                ids=[r.id for r in chunk],
                embeddings=vectors([r.text for r in chunk]).tolist(),
                metadatas=[{"title": r.title, "section": r.section, "url": r.url} for r in chunk],
            )
        return self.count()

    def ready(self) -> bool:
        return self.count() >= len(self.catalog)

    def ensure_filled(
        self,
        vectors: Callable[[list[str]], np.ndarray],
        exclusive: Callable[[str], AbstractContextManager],
    ) -> None:
        """Fill the collection unless it already holds the whole catalog. `exclusive(name)` is
        a lock all processes share (`ResultsStore.exclusive`): the first roadmaps of a fresh
        deployment, running at once, then fill it once — one embeds and upserts, the others
        wait and find it full."""
        if self.ready():
            return
        with exclusive(COLLECTION):
            if not self.ready():
                self.fill(vectors)

    def for_skills(
        self,
        skills: Sequence[tuple[str, str]],
        vectors: Callable[[list[str]], np.ndarray],
        limit: int = 3,
        nearest: int = 24,
    ) -> dict[str, list[Found]]:
        """(skill id, name) -> its on-topic resources (relevance >= threshold), best first,
        one per title, at most `limit`; a skill with none maps to []."""
        skills = list(dict.fromkeys(skills))
        size = self.count()
        if not skills or size == 0:
            return {skill_id: [] for skill_id, _ in skills}
        skill_vectors = vectors([name for _, name in skills])
        ids_all, matrix = self._vectors()
        similarity = np.asarray(skill_vectors, dtype=np.float32) @ matrix.T
        count = min(nearest, len(ids_all))
        nearest_ids = [
            [ids_all[j] for j in np.argpartition(-row, count - 1)[:count]] if count else []
            for row in similarity
        ]
        filed_ids = sorted({i for skill_id, _ in skills for i in self.filed.get(skill_id, [])})
        filed_vectors = {}
        if filed_ids:
            got = self.collection.get(ids=filed_ids, include=["embeddings"])
            filed_vectors = dict(zip(got["ids"], np.asarray(got["embeddings"]), strict=True))
        out = {}
        position = {i: j for j, i in enumerate(ids_all)}
        for (skill_id, name), vector, ids, row in zip(
            skills, skill_vectors, nearest_ids, similarity, strict=True
        ):
            if skill_id in self.curated:
                picked = [Found(self.catalog[i], CURATED) for i in self.curated[skill_id]]
                out[skill_id] = picked[:limit]
                continue
            filed = set(self.filed.get(skill_id, []))
            scores = {i: float(row[position[i]]) for i in ids}
            scores.update(
                {i: float(vector @ filed_vectors[i]) for i in filed if i in filed_vectors}
            )
            ranked = sorted(
                (
                    Found(self.catalog[i], round(score + FILED_BONUS * (i in filed), 4))
                    for i, score in scores.items()
                    if i in self.catalog
                ),
                key=lambda f: (-f.relevance, f.resource.title, f.resource.url),
            )
            kept, titles = [], set()
            for found in ranked:
                title = " ".join(found.resource.title.casefold().split())
                needed = (
                    self.threshold
                    if found.resource.id in filed or names_skill(found.resource.title, name)
                    else max(self.threshold, NAMELESS_THRESHOLD)
                )
                if found.relevance >= needed and title not in titles:
                    kept.append(found)
                    titles.add(title)
            out[skill_id] = kept[:limit]
        return out


def _words(text: str) -> list[str]:
    """Lower-case words, British spellings as American ("visualisation" as "visualization")
    and a plural as its singular ("microservices" as "microservice")."""
    words = re.findall(r"[a-z0-9+#]+", text.casefold())
    words = [re.sub(r"(?<=[a-z]{3})is(e|ed|es|ing|ation|ations)$", r"iz\1", w) for w in words]
    return [w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w for w in words]


# The verbs ESCO's skill names start with: "Manage feedback" is named by "Giving Feedback".
_VERBS = {
    "administer",
    "analyse",
    "analyze",
    "apply",
    "carry",
    "conduct",
    "create",
    "develop",
    "ensure",
    "maintain",
    "manage",
    "monitor",
    "organise",
    "organize",
    "out",
    "perform",
    "plan",
    "prepare",
    "promote",
    "provide",
    "support",
    "use",
    "write",
}


# Words a title may leave out of a two-word skill name: a vendor's prefix ("Hadoop Tutorial"
# names Apache Hadoop) and "skills" ("Technical Presentation" names Presentation skills).
_OPTIONAL = {"apache", "microsoft", "google", "amazon", "skill"}


def names_skill(title: str, skill_name: str) -> bool:
    """Whether the title names the skill: its words, in order, with at most one word between
    two of them ("Responsive Web Design" names Responsive design; "Workplace Safety in the
    Food Service Industry" does not name Food safety). A skill named by a verb phrase is
    named by its object ("Develop curriculum" by "Curriculum")."""
    wanted, words = _words(skill_name), _words(title)
    while len(wanted) > 1 and wanted[0] in _VERBS:
        wanted = wanted[1:]
    kept = [w for w in wanted if w not in _OPTIONAL]
    wanted = kept if len(kept) == 1 else wanted  # not "Web Services" for Amazon Web Services
    return bool(wanted) and any(
        _in_order(wanted, words[i:]) for i, w in enumerate(words) if w == wanted[0]
    )


def _in_order(wanted: list[str], words: list[str]) -> bool:
    """`words` starts with wanted[0] and has the rest in order, each within two places."""
    at = 0
    for word in wanted[1:]:
        following = words[at + 1 : at + 3]
        if word not in following:
            return False
        at += 1 + following.index(word)
    return True
