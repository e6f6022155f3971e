"""The language a resume is written in: a resume written in English evidences English.

py3langid (langid.py's model, offline, 97 languages) names the language of the text and
langcodes its English name ("sv" -> "Swedish"), which is looked up among the taxonomy's spoken
languages. Short or mixed texts (fewer than MIN_WORDS words, or a probability under
MIN_PROBABILITY) evidence nothing. The model loads on first use (under a second).
"""

from __future__ import annotations

from skillbridge_pipeline.core.skills.taxonomy import Skill, Taxonomy
from skillbridge_pipeline.core.skills.text import alias_key

MIN_WORDS = 20
MIN_PROBABILITY = 0.5
# langid is sure of a language within a few hundred characters; reading a whole resume cost
# two milliseconds a document, a fifth of a batch's time per document. The sample is taken a
# quarter of the way in, past the name, contact lines and skill lists a resume opens with, where
# its sentences are (on SkillSpan's postings and the sample documents it names the language the
# whole text gives, every time).
SAMPLE_CHARS = 1_200


class WrittenLanguage:
    def __init__(self, taxonomy: Taxonomy):
        self._languages = {
            alias_key(alias.text): skill
            for skill in taxonomy
            if skill.kind == "language"
            for alias in skill.aliases
        }
        self._identifier = None

    def _classify(self, text: str) -> tuple[str, float]:
        if self._identifier is None:
            from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

            self._identifier = LanguageIdentifier.from_modelpath(
                MODEL_DIR / MODEL_FILE, norm_probs=True
            )
        code, probability = self._identifier.classify(_sample(text))
        return code, float(probability)

    def of(self, text: str) -> tuple[Skill, float] | None:
        """The spoken-language skill the text is written in and how sure the model is, or
        None when the text is too short or the language unsure or not in the taxonomy."""
        if len(text.split()) < MIN_WORDS:
            return None
        code, probability = self._classify(text)
        if probability < MIN_PROBABILITY:
            return None
        import langcodes

        skill = self._languages.get(alias_key(langcodes.Language.get(code).language_name()))
        return (skill, probability) if skill else None


def _sample(text: str) -> str:
    if len(text) <= SAMPLE_CHARS:
        return text
    start = len(text) // 4
    return text[start : start + SAMPLE_CHARS]
