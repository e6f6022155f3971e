"""Build `data/taxonomy/` from O*NET, ESCO and the project's curation.

Run with `skillbridge build-taxonomy --shared ../shared/data` (needs the `dev` extra for
`wordfreq`). Steps, in order of precedence when two sources name the same thing:

1. `data/curation/curated_skills.tsv`: modern tools, concepts, fields, spoken languages,
   degrees and soft skills, with the abbreviations people write (JS, k8s, Postgres, CI/CD).
2. O*NET Technology Skills: every technology example; vendor prefixes give short aliases
   ("Atlassian JIRA" -> "JIRA"), embedded acronyms give more ("Structured query language
   SQL" -> "SQL"). Hot Technology / In Demand flags and the occupations listing each one are
   kept for the gap model.
3. ESCO digital, digital-competence and transversal skills with their alternative labels.
4. ESCO's ISCED-F fields of education (economics, chemistry, ...): fields are requirements too.
5. ESCO's full knowledge pillar (`esco-full/`): bodies of knowledge and their alternative labels
   (immunology, financial analysis), filed by their ISCED-F code.
6. Skill names as postings write them (`skill-names/`, Qarera, MIT): modern tools and practices
   (argocd, eventing), except names that combine skills or contain a known one.
7. Technology names (`tech-names/`): GitHub Explore topics (CC BY 4.0), Devicon (MIT),
   Linguist programming languages and a few formats postings ask for (MIT), and Simple Icons
   brands (CC0) only where one of the other three names the same thing. Spellings of one
   technology are grouped ("Nest", "nestjs", "nest-js"); a group joins the skill that already
   has one of its names (taking "tailwindcss" over from a bare skill-names entry), or becomes a
   technology of its own where Devicon and another list agree or Linguist names a language
   that is no English word (never Netflix, never "Express" on its own).
8. Equipment from O*NET 29.3 Tools Used (`onet-29.3-tasks-tools/`): "Forklifts" -> Forklift,
   made singular, a longer name joining the tool it ends in ("Wheeled forklifts"); generic IT,
   office and audio-visual kit and tools that one occupation or more than a tenth of them list
   are left out (`add_onet_tools`).
9. The rest of ESCO v1.1.1 (`esco-relations-v1.1.1/skills_en.csv.gz`): the skills pillar, verb
   phrases ("handle knives", "apply person-centred care") with their alternative labels, which
   the name matcher leaves alone and the semantic linker reads by meaning (`LINK_ONLY_ORIGINS`).
   It comes last so no earlier source merges into it; a concept whose label is already a skill's
   alias joins that skill ("show initiative" -> Self-motivation).

Broader relations come from ESCO's skill hierarchy (skill -> broader skill) and from
`data/curation/broader.tsv` (Git -> Version control, Jenkins -> CI/CD).

An item merges into an earlier skill when its own name (or vendor-stripped name) is already an
alias there; otherwise it becomes a new canonical skill. Ids are slugs of canonical names.

Then every alias is classified: ordinary English words (by `wordfreq`) from automatic sources
are dropped (a field's name needs context instead), a cased alias that is also an ordinary word
must keep its casing, and a lowercase one must appear next to another skill. Finally the
extractor is run over SkillSpan *train* postings and each alias's hit rate inside gold spans,
overall and in sentences that ask for something, is written to `alias_reliability.tsv` (the dev
split is never read here; it is for evaluation).

One module of ~1,000 lines on purpose: each source's reader is short, and the order in which they
merge (above) is the one thing a reader must see whole.
"""

from __future__ import annotations

import csv
import dataclasses
import gzip
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from skillbridge_pipeline.core.skills.taxonomy import (
    CATEGORIES,
    DATA_DIR,
    KINDS,
    LINK_ONLY_ORIGINS,
    RELIABILITY_FILE,
    Alias,
    AliasReliability,
    Skill,
    SourceLink,
    Taxonomy,
    load_taxonomy,
    write_skills,
)
from skillbridge_pipeline.core.skills.text import alias_key

CURATION_DIR = DATA_DIR / "curation"
COMMON_WORD_ZIPF = 4.3  # wordfreq Zipf frequency from which a word is ordinary English
CASED_COMMON_ZIPF = 3.6  # a capitalised name this common must keep its casing
RARE_WORD_ZIPF = 3.0  # a lowercase word from an automatic source must be rarer than this

# O*NET commodity titles -> category; anything unlisted is a tool or practice.
COMMODITY_CATEGORIES = {
    "Data base management system software": "databases",
    "Data base user interface and query software": "databases",
    "Object oriented data base management software": "databases",
    "Data base reporting software": "data_analytics",
    "Analytical or scientific software": "data_analytics",
    "Business intelligence and data analysis software": "data_analytics",
    "Data mining software": "data_analytics",
    "Spreadsheet software": "data_analytics",
    "Charting software": "data_analytics",
    "Risk management data and analysis software": "data_analytics",
    "Web platform development software": "web_mobile",
    "Web page creation and editing software": "web_mobile",
    "Graphical user interface development software": "web_mobile",
    "Mobile location based services software": "web_mobile",
    "Mobile operator specific application software": "web_mobile",
    "Operating system software": "cloud_devops",
    "Network monitoring software": "cloud_devops",
    "Configuration management software": "cloud_devops",
    "Cloud-based management software": "cloud_devops",
    "Cloud-based data access and sharing software": "cloud_devops",
    "Application server software": "cloud_devops",
    "Transaction server software": "cloud_devops",
    "Enterprise system management software": "cloud_devops",
    "Storage networking software": "cloud_devops",
    "Clustering software": "cloud_devops",
    "Backup or archival software": "cloud_devops",
    "Network security and virtual private network VPN equipment software": "cloud_devops",
    "Network security or virtual private network VPN management software": "cloud_devops",
    "Transaction security and virus protection software": "cloud_devops",
    "Cloud-based protection or security software": "cloud_devops",
    "Authentication server software": "cloud_devops",
    "Software defined networking/ virtualization software": "cloud_devops",
    "Filesystem software": "cloud_devops",
    "Network operating system enhancement software": "cloud_devops",
    "Network operation system software": "cloud_devops",
    "Switch or router software": "cloud_devops",
    "Voice recognition software": "ml_ai",
    "Expert system software": "ml_ai",
    "Categorization or classification software": "ml_ai",
}
ML_WORDS = re.compile(
    r"machine learning|artificial intelligence|neural|deep learning|natural language|"
    r"computer vision|tensorflow|pytorch|keras|scikit|reinforcement learning|\bAI\b",
    re.IGNORECASE,
)
ESCO_CATEGORY_RULES = [
    ("ml_ai", ML_WORDS),
    ("databases", re.compile(r"database|\bsql\b|query language|data storage", re.I)),
    (
        "web_mobile",
        re.compile(r"\bweb|mobile|android|\bios\b|html|css|user interface|usability|website", re.I),
    ),
    ("data_analytics", re.compile(r"\bdata\b|statistic|analytics|business intelligence", re.I)),
    (
        "cloud_devops",
        re.compile(
            r"cloud|network|server|operating system|devops|virtuali|infrastructure|ict security|"
            r"cyber|system administration|backup|firewall|ict system",
            re.I,
        ),
    ),
]
ISCED_SKIP = re.compile(r"not further defined|not elsewhere classified|inter-disciplinary|generic")
ISCED_CATEGORIES = {
    "mathematics": "data_analytics",
    "statistics": "data_analytics",
    "database and network design and administration": "databases",
}
ESCO_URI = "http://data.europa.eu/esco/skill/"
COMPOUND_NAME = re.compile(r"[/()&,;:]| and | or ")
TRAILING_ACRONYM = re.compile(r"^(?P<long>.+?)\s+(?P<short>[A-Z][A-Z0-9/&]{1,7})$")
PARENTHESIS = re.compile(r"^(?P<long>[^()]+?)\s*\((?P<short>[^()]+)\)$")


@dataclass
class Draft:
    """A canonical skill while sources are merged into it."""

    name: str
    category: str
    kind: str
    origin: str
    ambiguous: bool = False
    aliases: dict[tuple[str, ...], tuple[str, str]] = field(
        default_factory=dict
    )  # key->(text, origin)
    sources: list[SourceLink] = field(default_factory=list)
    onet_occupations: set[str] = field(default_factory=set)
    hot_technology: bool = False
    in_demand: bool = False
    weight: int = 0  # O*NET occupations listing it, to rank competing claims on an alias

    def add_alias(self, text: str, origin: str) -> None:
        text = " ".join(text.split())
        key = alias_key(text)
        if key and key not in self.aliases:
            self.aliases[key] = (text, origin)


class TaxonomyBuilder:
    def __init__(self, shared_data: Path, curation: Path = CURATION_DIR):
        self.shared = shared_data
        self.curation = curation
        self.kind_overrides = curated_kinds(curation)
        self.drafts: list[Draft] = []
        self.owner: dict[tuple[str, ...], Draft] = {}  # alias key -> the skill that owns it
        self.vendors = [
            line.strip()
            for line in (curation / "vendors.txt").read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")
        ]
        self.vendors.sort(key=len, reverse=True)

    # -- merging ---------------------------------------------------------------------------
    def _claim(self, draft: Draft) -> None:
        for key in draft.aliases:
            self.owner.setdefault(key, draft)

    def _find(self, names: list[str]) -> Draft | None:
        for name in names:
            found = self.owner.get(alias_key(name))
            if found is not None:
                return found
        return None

    def _merge_or_add(self, primary: list[str], make: Draft, extra_aliases: list[str]) -> Draft:
        draft = self._find(primary)
        if draft is None:
            draft = make
            self.drafts.append(draft)
        for text in primary + extra_aliases:
            draft.add_alias(text, make.origin)
        draft.sources.extend(make.sources)
        draft.onet_occupations |= make.onet_occupations
        draft.hot_technology |= make.hot_technology
        draft.in_demand |= make.in_demand
        draft.weight += make.weight
        self._claim(draft)
        return draft

    # -- sources ---------------------------------------------------------------------------
    def add_curated(self) -> None:
        path = self.curation / "curated_skills.tsv"
        lines = [
            line
            for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")
        ]
        for row in csv.DictReader(lines, delimiter="\t"):
            name, category, kind = row["name"], row["category"], row["kind"]
            if category not in CATEGORIES or kind not in KINDS:
                raise ValueError(f"curated skill {name!r}: bad category or kind")
            draft = Draft(
                name=name,
                category=category,
                kind=kind,
                origin="curated",
                ambiguous="ambiguous" in (row.get("flags") or ""),
                sources=[SourceLink("curated", name)],
            )
            for alias in [name, *(a.strip() for a in (row["aliases"] or "").split("|"))]:
                if alias:
                    draft.add_alias(_common_noun_case(alias, kind), "curated")
            self.drafts.append(draft)
        # Curated aliases are claimed in file order, so the first skill to name one owns it.
        for draft in list(self.drafts):
            self._claim(draft)

    def onet_names(self, example: str) -> tuple[str, list[str]]:
        """Canonical name and extra aliases for an O*NET technology example.

        "Ansible software" is the product Ansible; "Workflow software" is a kind of software,
        so it keeps its suffix and gets no one-word alias."""
        name = example
        stripped = re.sub(r"\s+software$", "", example).strip()
        if stripped != example and stripped and _is_product_name(stripped):
            name = stripped
        aliases = []
        if m := PARENTHESIS.match(name):
            name = m["long"].strip()
            aliases.append(m["short"])
        if (m := TRAILING_ACRONYM.match(name)) and len(m["long"].split()) >= 2:
            words = [w for w in m["long"].split() if w[0].isalpha()]
            if words and words[0][0].upper() == m["short"][0]:
                aliases += [m["short"], m["long"]]
        for vendor in self.vendors:
            if name.startswith(vendor + " ") and len(name) > len(vendor) + 2:
                aliases.append(name[len(vendor) + 1 :])
                break
        return name, aliases

    def add_onet(self) -> None:
        rows = csv.DictReader(
            (self.shared / "onet" / "Technology Skills.txt").open(encoding="utf-8"),
            delimiter="\t",
        )
        grouped: dict[str, dict] = defaultdict(
            lambda: {"occupations": set(), "hot": False, "demand": False, "commodities": set()}
        )
        for row in rows:
            g = grouped[row["Example"]]
            g["occupations"].add(row["O*NET-SOC Code"])
            g["hot"] |= row["Hot Technology"] == "Y"
            g["demand"] |= row["In Demand"] == "Y"
            g["commodities"].add(row["Commodity Title"])
        # Widely used technologies first, so they win contested aliases.
        for example, g in sorted(
            grouped.items(), key=lambda kv: (-len(kv[1]["occupations"]), kv[0])
        ):
            name, aliases = self.onet_names(example)
            commodity = sorted(g["commodities"])[0]
            category = COMMODITY_CATEGORIES.get(commodity, "tools_practices")
            if ML_WORDS.search(name):
                category = "ml_ai"
            draft = Draft(
                name=name,
                category=category,
                kind="technology",
                origin="onet",
                sources=[SourceLink("onet", example)],
                onet_occupations=g["occupations"],
                hot_technology=g["hot"],
                in_demand=g["demand"],
                weight=len(g["occupations"]),
            )
            self._merge_or_add([name, *aliases[:1]], draft, aliases)

    def _esco_rows(self, filename: str) -> list[dict]:
        with (self.shared / "esco" / filename).open(encoding="utf-8") as f:
            return list(csv.DictReader(f))

    def add_esco(self) -> None:
        collections = [
            ("digitalSkillsCollection_en.csv", None),
            ("digCompSkillsCollection_en.csv", "tools_practices"),
            ("transversalSkillsCollection_en.csv", "soft_skills"),
        ]
        for filename, fixed_category in collections:
            for row in self._esco_rows(filename):
                label = row["preferredLabel"].strip()
                alt = [a.strip() for a in (row.get("altLabels") or "").split("|") if a.strip()]
                category = fixed_category or _esco_category(row)
                kind = "soft_skill" if category == "soft_skills" else "concept"
                if category == "programming_languages" or (
                    row.get("skillType") == "knowledge" and label[:1].isupper()
                ):
                    kind = "technology"
                draft = Draft(
                    name=label,
                    category=category,
                    kind=kind,
                    origin="esco",
                    sources=[SourceLink("esco", row["conceptUri"])],
                )
                # "Python (computer programming)" is Python.
                unqualified = re.sub(r"\s*\([^()]*\)$", "", label).strip()
                primary = [label, unqualified] if unqualified and unqualified != label else [label]
                self._merge_or_add(primary, draft, alt)

    def add_isced_fields(self) -> None:
        seen = set()
        for row in self._esco_rows("skillGroups_en.csv"):
            uri, label = row["conceptUri"], row["preferredLabel"].strip()
            if "isced" not in uri or ISCED_SKIP.search(label) or label in seen:
                continue
            seen.add(label)
            parts = [label] if label in ISCED_CATEGORIES else _split_field(label)
            for part in parts:
                draft = Draft(
                    name=part[:1].upper() + part[1:],
                    category=ISCED_CATEGORIES.get(part, "tools_practices"),
                    kind="domain",
                    origin="isced",
                    sources=[SourceLink("isced", uri)],
                )
                self._merge_or_add([part], draft, [])

    def add_esco_knowledge(self) -> None:
        """ESCO's knowledge pillar from the full release: fields and bodies of knowledge
        ("immunology", "accounting", "cryptography") with their alternative labels. Its skills
        pillar is left out: its labels are verb phrases ("manage musical staff")."""
        path = self.shared / "esco-full" / "esco_v1.1.1_skill_labels.csv"
        with path.open(encoding="utf-8") as f:
            rows = [r for r in csv.DictReader(f) if r["hierarchy_levels"].startswith("[['K")]
        alternatives: dict[str, list[str]] = defaultdict(list)
        for row in rows:
            if row["type"] == "altLabels":
                alternatives[row["id"]].append(row["description"].strip())
        for row in rows:
            if row["type"] != "preferredLabel":
                continue
            label = row["description"].strip()
            code = re.search(r"'(K\d{2,4})", row["hierarchy_levels"])
            category = _knowledge_category(label, code.group(1) if code else "")
            draft = Draft(
                name=label[:1].upper() + label[1:],
                category=category,
                kind="technology" if any(c.isupper() for c in label) else "domain",
                origin="esco",
                sources=[SourceLink("esco", ESCO_URI + row["id"])],
            )
            self._merge_or_add([label], draft, alternatives.get(row["id"], []))

    def add_skill_names(self) -> None:
        """Skill names as postings write them (Qarera, MIT): modern tools and practices. A name
        joins the skill that already has it as an alias, or becomes a skill of its own."""
        path = self.shared / "skill-names" / "qarera_skill_names.json"
        for raw in json.loads(path.read_text(encoding="utf-8")):
            name = " ".join(raw.split())
            if not any(c.isalpha() for c in name) or COMPOUND_NAME.search(name):
                continue  # "java/jee", ".net (c#)": several skills in one name
            if self._has_known_part(alias_key(name)):
                # "advanced microsoft excel", "sql reporting": the known skill inside is matched
                # on its own, with its own calibration, rather than swallowed by a longer name.
                continue
            display = _display_name(name)
            draft = Draft(
                name=display,
                category=_category_from_name(display),
                kind="technology",
                origin="names",
                sources=[SourceLink("names", name)],
            )
            self._merge_or_add([name], draft, [])  # matched as written: lower case

    def add_tech_names(self) -> None:
        """Developer technologies from `tech-names/`: GitHub Explore topics, Devicon, Linguist
        programming languages (and a few data/markup formats that are skills) and Simple Icons
        brands where one of the other three names the same thing (see `tech_items`). An item
        joins the earliest skill that has one of its names as an alias, taking over that name
        from a bare skill-names entry ("tailwindcss" -> Tailwind CSS); otherwise it becomes a
        technology of its own only where two lists agree on it, or it is a Linguist programming
        language whose name is no English word."""
        from wordfreq import zipf_frequency  # build-time only (dev extra)

        def ordinary(text: str, zipf: float = CASED_COMMON_ZIPF) -> bool:
            key = alias_key(text)
            return len(key) == 1 and zipf_frequency(key[0], "en") >= zipf

        rank = {id(d): i for i, d in enumerate(self.drafts)}
        for item in tech_items(self.shared / "tech-names"):
            forms = sorted(item.forms, key=lambda f: _rarity(f, zipf_frequency))
            # By a name that is no English word; by an ordinary one ("Swift") only a technology.
            found = [
                d
                for f in forms
                if (d := self.owner.get(alias_key(f))) is not None
                and not ordinary(f)
                and d.origin not in LINK_ONLY_ORIGINS
            ] or [
                d
                for f in forms
                if (d := self.owner.get(alias_key(f))) is not None and d.kind == "technology"
            ]
            target = min(found, key=lambda d: rank.get(id(d), len(rank)), default=None)
            if target is None:
                if not item.may_stand_alone(zipf_frequency):
                    continue
                target = Draft(
                    name=item.display,
                    category=item.category,
                    kind="technology",
                    origin="tech",
                )
                self.drafts.append(target)
            for other in {id(d): d for d in found}.values():
                if other is not target and _bare_skill_name(other):
                    # A bare skill-names entry for the same thing: the grouped item wins it.
                    for key, alias in other.aliases.items():
                        if self.owner.get(key) is other:
                            self.owner[key] = target
                            target.aliases.setdefault(key, alias)
                    target.sources.extend(other.sources)
            # Only Devicon, or Linguist with another list, vouches for a word as a name: Explore's
            # topics, Simple Icons' brands and Linguist's lone languages give no "Privacy",
            # "Kernel", "Reddit" or "Curry".
            vouched = "devicon" in item.lists or ("linguist" in item.lists and len(item.lists) > 1)
            for text in forms:
                if not vouched and ordinary(text, RARE_WORD_ZIPF):
                    continue
                key = alias_key(" ".join(text.split()))
                if key in target.aliases and target.aliases[key][1] == "names":
                    del target.aliases[key]  # "pulumi" from skill-names is Pulumi here
                target.add_alias(text, "tech")
            target.sources.extend(SourceLink("tech", ref) for ref in item.refs)
            self._claim(target)

    def add_onet_tools(self) -> None:
        """Equipment from O*NET 29.3 Tools Used ("Forklifts", "Infusion pumps", "Conduit
        benders"): physical tools that non-software postings ask for. Generic or worn kit is
        left out: IT, audio-visual, protective, consumer-electronics and classroom commodities
        (UNSPSC segments `ONET_TOOL_SKIP_SEGMENTS`), any tool that more than
        `ONET_TOOL_MAX_SHARE` of the occupations list (personal computers, claw hammers) and any
        that only one lists. Names become singular ("Forklift"), an embedded acronym gives a
        short form ("Electrocardiography EKG machines" -> "EKG machine"); a name that ends in an
        equipment skill's name joins it ("Wheeled forklifts" -> Forklift), as does one already a
        lower-case alias of a technology ("Multimeters")."""
        from wordfreq import zipf_frequency  # build-time only (dev extra)

        path = self.shared / "onet-29.3-tasks-tools" / "Tools Used.txt.gz"
        with gzip.open(path, "rt", encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f, delimiter="\t"))
        occupations: dict[str, set[str]] = defaultdict(set)
        segments: dict[str, set[str]] = defaultdict(set)
        for row in rows:
            occupations[row["Example"]].add(row["O*NET-SOC Code"])
            segments[row["Example"]].add(row["Commodity Code"][:2])
        limit = ONET_TOOL_MAX_SHARE * len({row["O*NET-SOC Code"] for row in rows})
        kept = [
            example
            for example, occ in occupations.items()
            if ONET_TOOL_MIN_OCCUPATIONS <= len(occ) <= limit
            and not segments[example] & ONET_TOOL_SKIP_SEGMENTS
            and not COMPOUND_NAME.search(example)
        ]
        equipment: set[int] = set()  # drafts that hold a tool, for "Wheeled forklifts"
        # Short names first, so "Forklifts" is a skill before "Wheeled forklifts" joins it.
        for example in sorted(kept, key=lambda e: (len(e.split()), -len(occupations[e]), e)):
            name, aliases = _tool_names(example)
            key = alias_key(name)
            if not key:
                continue
            target = self._find([name, *aliases])
            if target is not None and not _takes_equipment(target, key):
                continue  # "Torches" is PyTorch's "Torch", "Blenders" Blender: matched already
            if target is None:
                # Not by an ordinary word, whose skill is matched by its longer names only:
                # a pallet jack is no "Jack", a reflex hammer no chipping hammer.
                target = next(
                    (
                        d
                        for n in range(len(key) - 1, 0, -1)
                        if id(d := self.owner.get(key[-n:])) in equipment
                        and (n > 1 or zipf_frequency(key[-1], "en") < RARE_WORD_ZIPF)
                    ),
                    None,
                )
            draft = Draft(
                name=name,
                category="tools_practices",
                kind="technology",
                origin="onet-tool",
                sources=[SourceLink("onet-tool", example)],
                onet_occupations=occupations[example],
                weight=len(occupations[example]),
            )
            if target is None:
                target = draft
                self.drafts.append(target)
            for text in [name, *aliases]:
                target.add_alias(text if text.isupper() else _tool_case(text), "onet-tool")
            target.sources.extend(draft.sources)
            target.onet_occupations |= draft.onet_occupations
            target.weight += draft.weight
            equipment.add(id(target))
            self._claim(target)

    def add_esco_skills(self) -> None:
        """Every ESCO v1.1.1 concept not yet in the taxonomy, with its kind from `skillType` and
        `reuseLevel` (transversal skills are mostly personal qualities)."""
        known = {link.ref for draft in self.drafts for link in draft.sources}
        for row in esco_skill_rows(self.shared):
            uri = row["conceptUri"]
            if uri in known:
                continue
            label = row["preferredLabel"].strip()
            alternatives = [a.strip() for a in row["altLabels"].splitlines() if a.strip()]
            knowledge = row["skillType"] == "knowledge"
            transversal = row["reuseLevel"] == "transversal"
            category = "soft_skills" if transversal else _category_from_name(label)
            kind = "domain" if knowledge else "soft_skill" if transversal else "concept"
            draft = Draft(
                name=label[:1].upper() + label[1:],
                category=category,
                kind=kind,
                origin="esco-skill",
                sources=[SourceLink("esco", uri)],
            )
            self._merge_or_add([label], draft, alternatives)

    def _has_known_part(self, key: tuple[str, ...]) -> bool:
        """Whether a part of `key` (not all of it) is already an alias of another source."""
        return any(
            (draft := self.owner.get(key[i : i + n])) is not None and draft.origin != "names"
            for n in range(len(key) - 1, 0, -1)
            for i in range(len(key) - n + 1)
        )

    # -- output ----------------------------------------------------------------------------
    def skills(self) -> list[Skill]:
        from wordfreq import zipf_frequency  # build-time only (dev extra)

        skills: dict[str, Skill] = {}
        for draft in self.drafts:
            aliases = []
            for key, (text, origin) in draft.aliases.items():
                if origin in LINK_ONLY_ORIGINS:
                    aliases.append(Alias(text=text, origin=origin))  # read by meaning only
                    continue
                if self.owner.get(key) is not draft:
                    continue  # another skill owns this alias
                noun_phrases = origin == "isced" or draft.kind == "domain"
                noun_phrases = noun_phrases or (origin == "names" and len(key) > 1)
                alias = classify_alias(
                    text,
                    key,
                    origin,
                    draft.ambiguous,
                    text == draft.name,
                    zipf_frequency,
                    noun_phrases=noun_phrases,
                )
                if alias is not None:
                    aliases.append(alias)
            if not aliases and any(link.source == "esco" for link in draft.sources):
                # An ESCO concept whose every label is too ordinary to match by name ("data
                # mining", "design process") is still one the linker can find by meaning.
                aliases = [Alias(text, "esco-skill") for text, _ in draft.aliases.values()]
            if not aliases:
                continue
            skill_id = _unique_slug(draft.name, skills)
            skills[skill_id] = Skill(
                id=skill_id,
                name=draft.name,
                category=draft.category,
                kind=self.kind_overrides.get(skill_id) or _kind(draft),
                aliases=tuple(aliases),
                sources=tuple(dict.fromkeys(draft.sources)),
                hot_technology=draft.hot_technology,
                in_demand=draft.in_demand,
                onet_occupations=tuple(sorted(draft.onet_occupations)),
            )
        return self._with_broader(list(skills.values()))

    def _with_broader(self, skills: list[Skill]) -> list[Skill]:
        """Each skill with its broader skills: ESCO's skill -> broader skill relations between
        concepts the taxonomy holds, then the curated ones."""
        by_uri = {link.ref: s.id for s in skills for link in s.sources if link.source == "esco"}
        by_key: dict[tuple[str, ...], str] = {}
        for skill in skills:
            for alias in skill.aliases:
                if alias.origin not in LINK_ONLY_ORIGINS:
                    by_key.setdefault(alias_key(alias.text), skill.id)
        for skill in skills:
            by_key.setdefault(alias_key(skill.name), skill.id)
        broader: dict[str, list[str]] = defaultdict(list)
        path = self.shared / "esco-relations-v1.1.1" / "broaderRelationsSkillPillar.csv.gz"
        with gzip.open(path, "rt", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                narrow, wide = by_uri.get(row["conceptUri"]), by_uri.get(row["broaderUri"])
                if narrow and wide and narrow != wide:
                    broader[narrow].append(wide)
        for narrow_name, wide_name in curated_broader(self.curation):
            narrow, wide = by_key.get(alias_key(narrow_name)), by_key.get(alias_key(wide_name))
            if narrow is None or wide is None:
                raise ValueError(f"broader.tsv: {narrow_name!r} or {wide_name!r} is not a skill")
            broader[narrow].append(wide)
        return [
            dataclasses.replace(s, broader=tuple(dict.fromkeys(broader[s.id])))
            if s.id in broader
            else s
            for s in skills
        ]


# O*NET Tools Used: UNSPSC segments of kit that is generic or worn rather than operated (43 IT and
# telecom, 45 printing, photo and audio-visual, 46 protective and security gear, 52 domestic
# appliances and consumer electronics, 60 classroom material, toys and crafts: on SkillSpan train
# and dev, "welding masks" and the company Radiometer were all they matched) and the share of
# occupations above which a tool is everyday equipment (personal computers, claw hammers).
# Segment 44 (office equipment) stays: it holds cash registers; its generic items (photocopiers,
# fax machines) are listed by more occupations than the share allows.
ONET_TOOL_SKIP_SEGMENTS = frozenset(["43", "45", "46", "52", "60"])
ONET_TOOL_MAX_SHARE = 0.1
# A tool only one occupation lists is too narrow to be a skill postings ask for by name
# ("Infusion pump enteral feeding tubes"): two thirds of the names, left out.
ONET_TOOL_MIN_OCCUPATIONS = 2
EMBEDDED_ACRONYM = re.compile(
    r"^(?P<long>.+?)\s+(?P<short>[A-Z][A-Z0-9]{1,5})(?:\s+(?P<rest>.+))?$"
)


def _takes_equipment(draft: Draft, key: tuple[str, ...]) -> bool:
    """Whether a tool may join the skill that has its name as an alias: a technology that has
    it as a lower-case alias ("multimeter", "caliper"), not a product written as a name
    ("Torch", "Blender", "Square") nor a field of knowledge ("hearing aids")."""
    text = draft.aliases.get(key, ("", ""))[0]
    return draft.kind == "technology" and text == text.lower()


def _singular(name: str) -> list[str]:
    """ "Forklifts" -> "Forklift", "Benches" -> "Bench" and "Benches" (the matcher adds only an
    "s" for a plural); a name that is no plural stays."""
    words = name.split()
    last = words[-1]
    if re.search(r"[^aeiou]ies$", last):
        forms = [last[:-3] + "y"]
    elif re.search(r"(ss|sh|ch|x|z)es$", last):
        forms = [last[:-2], last]
    elif last.endswith("s") and not re.search(r"(ss|us|is)$", last) and len(last) > 3:
        forms = [last[:-1]]
    else:
        forms = [last]
    return [" ".join([*words[:-1], f]) for f in forms]


def _tool_names(example: str) -> tuple[str, list[str]]:
    """Singular name and aliases of an O*NET tool: "Automated external defibrillators AED" ->
    "Automated external defibrillator"; "Intravenous IV infusion pumps" -> "Intravenous infusion
    pump" and "IV infusion pump". A bare acronym ("AED", also a currency) is no alias."""
    name, aliases = example, []
    if m := EMBEDDED_ACRONYM.match(example):
        name = f"{m['long']} {m['rest']}" if m["rest"] else m["long"]
        if m["rest"]:
            aliases += _singular(f"{m['short']} {m['rest']}")
    forms = _singular(name)
    return forms[0], forms[1:] + aliases


def _tool_case(text: str) -> str:
    """Catalogue names are capitalised as a list item; postings write them in lower case."""
    return text[:1].lower() + text[1:] if text[1:2].islower() or len(text) == 1 else text


# Linguist formats of type data/markup/prose that postings ask for as skills.
LINGUIST_SKILL_FORMATS = frozenset(
    [
        *("CSS", "GraphQL", "HTML", "JSON", "LaTeX", "Less", "Markdown", "Protocol Buffer"),
        *("Sass", "SCSS", "SQL", "TeX", "TOML", "XML", "YAML"),
    ]
)
DEVICON_CATEGORIES = [
    ("ml_ai", {"machine-learning", "ai", "deep-learning"}),
    ("cloud_devops", {"cloud", "devops", "containers", "container", "hosting", "os", "server"}),
    ("databases", {"database", "databases", "nosql", "sql"}),
    ("web_mobile", {"framework", "web", "mobile", "css", "javascript"}),
]
NAME_SUFFIXES = ("", "js", "css", "lang", "io", "db", "ui", "hq", "app")
# Developer-list entries that are websites or contests, not skills.
NOT_TECH_SKILLS = frozenset(
    [
        *("Advent of Code", "Behance", "CodeChef", "HackerRank", "LeetCode", "Nano"),
        *("Polygon", "Stack Overflow", "The Algorithms"),
    ]
)


@dataclass
class TechItem:
    """One technology as the tech-names lists give it: its display name, every spelling that
    names the same thing, and which lists name it."""

    display: str
    forms: list[str]
    lists: set[str] = field(default_factory=set)
    refs: list[str] = field(default_factory=list)
    category: str = "tools_practices"
    programming_language: bool = False

    def compact(self) -> set[str]:
        return {_compact(f) for f in self.forms} - {""}

    def may_stand_alone(self, zipf) -> bool:
        """A new skill only for a developer technology that Devicon and another list agree on,
        or a Linguist programming language whose name is no English word and no acronym; never
        an ordinary word (Rider, Turbo), a brand that only Explore and Simple Icons name
        (Netflix, Spotify) or a one- or two-letter name (Io, J) that capitals would match."""
        words = alias_key(self.display)
        if len(_compact(self.display)) <= 2 or not words or self.display in NOT_TECH_SKILLS:
            return False
        if len(words) == 1 and zipf(words[0], "en") >= CASED_COMMON_ZIPF:
            return False
        if "devicon" in self.lists and len(self.lists) >= 2:
            return True
        return (
            self.programming_language
            and not self.display.isupper()
            and len(_compact(self.display)) >= 4
            and all(zipf(w, "en") < RARE_WORD_ZIPF for w in words)
        )


def _compact(text: str) -> str:
    """ "Next.js", "nextjs", "next-js" -> "nextjs": how the lists' spellings are compared."""
    return re.sub(r"[^0-9a-z+#]", "", text.casefold())


def _close(form: str, names: set[str]) -> bool:
    """An alias spells the same thing as one of `names` (compact), give or take a suffix such
    as "js": "nest-js" for Nest, not "3d-printing" for 3D nor "dmx" for DMX512."""
    c = _compact(form)
    return bool(c) and any(
        c == n or c == n + suffix or n == c + suffix for n in names for suffix in NAME_SUFFIXES
    )


def _rarity(text: str, zipf) -> tuple[float, int, bool]:
    """Rarest spelling first, so an item is found by "NestJS" before "Nest"; of two that
    differ only in case, the cased one ("Pulumi", not the slug "pulumi")."""
    key = alias_key(text)
    return (max((zipf(w, "en") for w in key), default=0.0), -len(text), text.islower())


def _bare_skill_name(draft: Draft) -> bool:
    return draft.origin == "names" and all(link.source == "names" for link in draft.sources)


def _split(cell: str | None) -> list[str]:
    return [v.strip() for v in (cell or "").split("|") if v.strip()]


def tech_items(folder: Path) -> list[TechItem]:
    """Explore topics, then Devicon and Linguist entries that no topic names, each with the
    spellings of the others that name the same thing, and Simple Icons titles joined to them."""

    def rows(name: str) -> list[dict]:
        with (folder / name).open(encoding="utf-8", newline="") as f:
            return list(csv.DictReader(f))

    items: list[TechItem] = []
    by_compact: dict[str, TechItem] = {}

    def index(item: TechItem) -> None:
        for c in item.compact():
            by_compact.setdefault(c, item)

    for row in rows("github_explore_topics.csv"):
        display, topic = row["display_name"].strip(), row["topic"].strip()
        names = {_compact(display), _compact(topic)}
        forms = [display, topic] + [a for a in _split(row["aliases"]) if _close(a, names)]
        item = TechItem(display, forms, {"explore"}, [f"explore:{topic}"])
        items.append(item)
        index(item)
    devicon = rows("devicon_names.csv")
    slugs = {_compact(row["name"]) for row in devicon}
    for row in devicon:
        name, tags = row["name"].strip(), set(_split(row["tags"]))
        if "brand" in tags:
            continue  # Apple, the company
        # Not another entry's name: Devicon gives Jekyll the altname "jestjs".
        others = slugs - {_compact(name)}
        altnames = [a for a in _split(row["altnames"]) if not _close(a, others)]
        item = next(
            (by_compact[c] for c in map(_compact, [name, *altnames]) if c in by_compact), None
        )
        if item is None:
            item = TechItem(name, [], set(), [])
            items.append(item)
        item.forms += [name, *altnames]
        item.lists.add("devicon")
        item.refs.append(f"devicon:{name}")
        category = next((c for c, words in DEVICON_CATEGORIES if tags & words), None)
        if category and item.category == "tools_practices":
            item.category = category
        index(item)
    for row in rows("linguist_languages.csv"):
        name = row["name"].strip()
        if row["type"] != "programming" and name not in LINGUIST_SKILL_FORMATS:
            continue
        aliases = [a for a in _split(row["aliases"]) if _compact(a).startswith(_compact(name))]
        item = by_compact.get(_compact(name))
        if item is None:
            item = TechItem(name, [], set(), [])
            items.append(item)
        item.display = name if item.lists <= {"devicon"} else item.display
        item.forms += [name, *aliases]
        item.lists.add("linguist")
        item.refs.append(f"linguist:{name}")
        item.programming_language = row["type"] == "programming"
        item.category = "programming_languages" if item.programming_language else item.category
        index(item)
    for row in rows("simple_icons_brands.csv"):
        title = row["title"].strip()
        item = by_compact.get(_compact(title))
        if item is None:
            continue  # a brand no developer list names: Netflix, Uber
        if item.lists <= {"devicon"} or item.display.islower():
            item.display = title  # "Jetpack Compose" rather than "jetpackcompose"
        item.forms += [title] + [a for a in _split(row["aka"]) if _close(a, {_compact(title)})]
        item.lists.add("simple-icons")
        item.refs.append(f"simple-icons:{row['slug']}")
    for item in items:
        forms = dict.fromkeys(" ".join(f.split()) for f in item.forms)
        item.forms = [f for f in forms if f and "disambiguation" not in f.lower()]
        if item.category == "tools_practices" and not item.programming_language:
            item.category = _category_from_name(item.display)
    return items


def esco_skill_rows(shared_data: Path) -> list[dict]:
    path = shared_data / "esco-relations-v1.1.1" / "skills_en.csv.gz"
    with gzip.open(path, "rt", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


# Names from postings' skill lists that describe a person, not a skill ("self driven",
# "can-do attitude"): personal qualities, whatever the source called them.
PERSONAL_QUALITY = re.compile(
    r"\b(attitude|[a-z]+-oriented|oriented|minded|mindset|driven|self-\w+|motivated|starter|"
    r"curious|curiosity|pragmati\w+|proactiv\w*|communicative|passion\w*|enthusias\w*|"
    r"ownership|hard-?working|work ethic|dedicated|resilien\w+|integrity|empath\w+|humble|"
    r"eager\w*|energetic|dependab\w+|trustworth\w+|go-getter|team player|learner)\b"
)


CERTIFICATE = re.compile(r"\b(certification|certificate|certified|licen[cs]e)\b")


def _kind(draft: Draft) -> str:
    if draft.origin == "names" and PERSONAL_QUALITY.search(draft.name.lower()):
        return "soft_skill"
    if draft.origin == "names" and CERTIFICATE.search(draft.name.lower()):
        return "qualification"
    return draft.kind


def curated_kinds(curation: Path) -> dict[str, str]:
    """Skill id -> kind, where the sources get the kind wrong (`kinds.tsv`)."""
    path = curation / "kinds.tsv"
    lines = [
        line
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    kinds = {row["skill_id"]: row["kind"] for row in csv.DictReader(lines, delimiter="\t")}
    if bad := {k for k in kinds.values() if k not in KINDS}:
        raise ValueError(f"kinds.tsv: unknown kind(s) {', '.join(sorted(bad))}")
    return kinds


def curated_broader(curation: Path) -> list[tuple[str, str]]:
    lines = (curation / "broader.tsv").read_text(encoding="utf-8").splitlines()
    rows = csv.DictReader(
        (line for line in lines if line and not line.startswith("#")), delimiter="\t"
    )
    return [(row["narrower"], row["broader"]) for row in rows]


def classify_alias(
    text, key, origin, ambiguous, is_name, zipf, noun_phrases: bool = False
) -> Alias | None:
    """How strictly an alias must match, or None when it is too ordinary to mean a skill.

    `noun_phrases`: the source names fields and things ("public health", "immunology"), not
    actions, so an ordinary-looking name needs context rather than being dropped."""
    single = len(key) == 1
    cased = text != text.lower()
    frequency = [zipf(k, "en") for k in key]
    common = single and frequency[0] >= COMMON_WORD_ZIPF
    # The curated "ambiguous" flag concerns the short, word-like aliases ("Go", "Spring"), not
    # the unmistakable ones beside them ("Golang", "SpringBoot").
    ambiguous = ambiguous and single and (len(key[0]) <= 2 or frequency[0] >= RARE_WORD_ZIPF)
    needs_context = single and (ambiguous or (common and not cased))
    if origin != "curated" and noun_phrases and not cased:
        if (single and frequency[0] >= COMMON_WORD_ZIPF) or (not single and min(frequency) >= 5.0):
            return None  # "design", "the company"
        if (single and frequency[0] >= RARE_WORD_ZIPF) or (not single and min(frequency) >= 4.0):
            needs_context = True  # "immunology", "public health"
    elif origin == "onet-tool" and not single:
        # An equipment name is a thing, however ordinary its words ("cash register"); only
        # names made of the commonest words are dropped. The train hit rate does the rest.
        if min(frequency) >= 5.0:
            return None
    elif origin != "curated":
        if single and frequency[0] >= (CASED_COMMON_ZIPF if cased else RARE_WORD_ZIPF):
            if not (is_name and cased):
                return None  # "plan", "lead", "Enterprise" (from "Splunk Enterprise")
            needs_context = True  # a product called by an ordinary word: "Slack"
        elif not single and min(frequency) >= 4.5:
            return None  # "be responsible", "make decisions"
        elif not single and min(frequency) >= 4.0:
            needs_context = True  # "after the deadline", "asset management"
    # A curated name that is not an ordinary word ("Python", "Linux") means the skill however it
    # is written; acronyms ("SAP", "REST") and ordinary words keep their casing.
    curated_name = origin == "curated" and not text.isupper() and frequency[0] < COMMON_WORD_ZIPF
    case_sensitive = (
        single
        and cased
        and (
            len(key[0]) <= 2
            or ambiguous
            or (frequency[0] >= CASED_COMMON_ZIPF and not curated_name)
        )
    )
    return Alias(
        text=text, origin=origin, case_sensitive=case_sensitive, needs_context=needs_context
    )


def _common_noun_case(alias: str, kind: str) -> str:
    """ "Communication", "Cloud computing" are capitalised only as names; matching them must
    not require the capital. Products, languages and acronyms (DevOps, SaaS, B2B) keep theirs."""
    if kind in ("technology", "language"):
        return alias
    first, rest = alias[:1], alias[1:]
    return first.lower() + rest if first.isupper() and rest == rest.lower() else alias


def _is_product_name(name: str) -> bool:
    """Proper names have capitals past the first letter (SAP, IBM Notes) or rare words."""
    from wordfreq import zipf_frequency

    if any(c.isupper() for c in name[1:]) or any(c.isdigit() for c in name):
        return True
    return all(zipf_frequency(w, "en") < 3.0 for w in name.lower().split())


def _esco_category(row: dict) -> str:
    label, broader = row["preferredLabel"], row.get("broaderConceptPT") or ""
    description = row.get("description") or ""
    if "computer programming" in broader and "programming paradigms in" in description:
        return "programming_languages"
    text = f"{label} | {broader}"
    for category, pattern in ESCO_CATEGORY_RULES:
        if pattern.search(text):
            return category
    return "tools_practices"


def _knowledge_category(label: str, code: str) -> str:
    """ESCO knowledge codes follow ISCED-F: K06 is ICT (split further by the label), K054
    mathematics and statistics; every other field is a domain of tools and practices."""
    if code.startswith("K054"):
        return "data_analytics"
    if code.startswith("K06"):
        return _category_from_name(label)
    return "tools_practices"


def _category_from_name(name: str) -> str:
    for category, pattern in ESCO_CATEGORY_RULES:
        if pattern.search(name):
            return category
    return "tools_practices"


def _display_name(name: str) -> str:
    """Names arrive lower-cased: short single words are acronyms ("siem" -> "SIEM"), the
    rest get a capital ("argocd" -> "Argocd")."""
    if " " not in name and len(name) <= 4 and name.isalpha():
        return name.upper()
    return name[:1].upper() + name[1:]


def _split_field(label: str) -> list[str]:
    """ "finance, banking and insurance" -> three fields; parentheses dropped."""
    label = re.sub(r"\s*\(.*?\)", "", label)
    return [p.strip() for p in re.split(r",\s*|\s+and\s+", label) if len(p.strip()) > 2]


def _unique_slug(name: str, taken: dict[str, Skill]) -> str:
    slug = name.casefold().replace("c++", "cplusplus").replace("#", "sharp")
    slug = re.sub(r"^\.", "dot", slug).replace("+", "plus")
    slug = re.sub(r"[^a-z0-9]+", "-", slug).strip("-") or "skill"
    candidate, n = slug, 2
    while candidate in taken:
        candidate, n = f"{slug}-{n}", n + 1
    return candidate


def build_taxonomy(
    shared_data: Path, out_dir: Path, progress: bool = False, data_dir: Path = DATA_DIR
) -> list[Skill]:
    """Every source in order of precedence, then the files: the taxonomy into `out_dir`, the
    train split and the learning resources under `data_dir`. The same inputs give the same
    bytes (sorted output, no timestamps)."""
    from tqdm import tqdm

    from skillbridge_pipeline.core.roadmaps.catalog import build_catalog
    from skillbridge_pipeline.core.skills.linker_build import (
        build_model,
        fit_calibration,
        train_adapter,
    )

    builder = TaxonomyBuilder(shared_data)
    postings = shared_data / "skillspan" / "postings-train-dev.jsonl"
    sources = [
        ("curation", builder.add_curated),
        ("O*NET", builder.add_onet),
        ("ESCO digital and transversal", builder.add_esco),
        ("ISCED-F fields", builder.add_isced_fields),
        ("ESCO knowledge", builder.add_esco_knowledge),
        ("skill names", builder.add_skill_names),
        ("technology names", builder.add_tech_names),
        ("O*NET tools", builder.add_onet_tools),
        ("ESCO skills pillar", builder.add_esco_skills),
    ]
    with tqdm(
        total=len(sources) + 6, desc="build-taxonomy", unit="step", disable=not progress
    ) as bar:

        def step(name: str) -> None:
            bar.set_postfix_str(name)
            bar.update()

        for name, add in sources:
            add()
            step(name)
        skills = builder.skills()
        write_skills(skills, out_dir)
        step("aliases")
        write_reliability(skills, postings, out_dir)
        step("calibration on SkillSpan train")
        copy_train_postings(postings, data_dir / "skillspan" / "postings-train.jsonl")
        step("train split")
        build_catalog(
            shared_data,
            Taxonomy({s.id: s for s in skills}, {}),
            data_dir / "roadmaps" / "catalog.json",
        )
        step("learning-resource catalog")
        taxonomy = load_taxonomy(out_dir)
        build_model(taxonomy)
        step("linker model")
        train_adapter(taxonomy, shared_data)
        fit_calibration(taxonomy)
        step("linker adapter and calibration")
    return skills


def copy_train_postings(source: Path, target: Path) -> None:
    """The train split ships in data/ (MIT): the gap model's training reads it at run time."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with source.open(encoding="utf-8") as lines, target.open("w", encoding="utf-8") as out:
        for line in lines:
            if json.loads(line)["split"] == "train":
                out.write(line if line.endswith("\n") else line + "\n")


def write_reliability(skills: list[Skill], postings_path: Path, out_dir: Path) -> Path:
    """Match every alias over SkillSpan train postings and count hits inside gold spans."""
    with postings_path.open(encoding="utf-8") as lines:
        postings = [p for p in map(json.loads, lines) if p["split"] == "train"]
    stats = alias_reliability(skills, postings)
    path = out_dir / RELIABILITY_FILE
    with path.open("w", encoding="utf-8") as out:
        out.write("skill_id\talias_key\tmatched\tin_gold\tasked_matched\tasked_in_gold\n")
        for (skill_id, key), r in sorted(stats.items()):
            counts = (r.matched, r.in_gold, r.asked_matched, r.asked_in_gold)
            out.write("\t".join([skill_id, key, *map(str, counts)]) + "\n")
    return path


def alias_reliability(
    skills: list[Skill], postings: list[dict]
) -> dict[tuple[str, str], AliasReliability]:
    """For each alias, the postings it matched in and those where it fell inside a gold span
    (each alias counted once per posting, as the scorer counts predictions), overall and in
    sentences that ask for something: "experience in healthcare" is a requirement where "we
    are a healthcare company" is not."""
    from skillbridge_pipeline.core.skills.extraction import ASKING_ROLES, SkillExtractor
    from skillbridge_pipeline.core.skills.skillspan import gold_contains, span_keys

    extractor = SkillExtractor(Taxonomy({s.id: s for s in skills}, {}), min_confidence=0.0)
    stats: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for posting in postings:
        gold = span_keys(posting["knowledge"]) | span_keys(posting["skills"])
        seen, seen_asked = set(), set()
        for mention in extractor.find_mentions(posting["text"], kind="jd"):
            key = (mention.skill_id, mention.alias_key)
            hit = gold_contains(gold, mention.surface)
            row = stats[key]
            if key not in seen:
                seen.add(key)
                row[0] += 1
                row[1] += hit
            if mention.role in ASKING_ROLES and key not in seen_asked:
                seen_asked.add(key)
                row[2] += 1
                row[3] += hit
    return {key: AliasReliability(*row) for key, row in stats.items()}
