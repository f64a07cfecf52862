"""The one message catalogue: every word in both languages, every word a page asks for."""

from __future__ import annotations

import re

import pytest

from iqkg.messages import MESSAGES, translator
from iqkg.publish.language import LANGUAGES
from tests.support.server import ROOT

TEMPLATES = sorted((ROOT / "src" / "iqkg" / "templates").rglob("*.html"))
#: ``t("key")`` or ``t('key')`` with a literal key.
LITERAL_KEY = re.compile(r"""\bt\(\s*["']([a-z0-9_]+)["']\s*\)""")
#: A quoted word chosen by language in the template (``"Beispiele" if lang == "de"``);
#: language codes (``"en" if lang == "de"``) and separators (``"."``) are not words.
WORD_BY_LANGUAGE = re.compile(r"""["'](?=[^"']*[^\W\d_])[^"']{3,}["']\s+if\s+lang\s*==""")


def test_every_message_is_in_every_language() -> None:
    for key, texts in MESSAGES.items():
        assert set(texts) == set(LANGUAGES), key
        assert all(text.strip() for text in texts.values()), key


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_word_a_template_asks_for_is_in_the_catalogue(template: object) -> None:
    text = template.read_text("utf-8")  # type: ignore[attr-defined]
    missing = sorted({key for key in LITERAL_KEY.findall(text) if key not in MESSAGES})
    assert not missing, missing


def test_templates_hold_no_words_of_their_own_per_language() -> None:
    """Words come from the catalogue, not from ``"…" if lang == "de" else "…"``."""
    for template in TEMPLATES:
        text = template.read_text("utf-8")
        assert not WORD_BY_LANGUAGE.search(text), template


def test_translator_names_an_unknown_key_rather_than_failing() -> None:
    assert translator("de")("site") == "IQ-Wissensgraph"
    assert translator("en")("no-such-key") == "no-such-key"
