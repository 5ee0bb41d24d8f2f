"""No English left outside a translation tag in any template, resident-facing or staff.

Every template under templates/ is read with Django's own template Lexer (staff pages may stay in
English, but their strings are marked, so a force can translate them; only the resident ones in
scope.RESIDENT_TEMPLATES must be translated, which test_i18n_catalogues checks). Tags, {{ }}
variables and comments are skipped, and so is text inside {% blocktranslate %} and {% comment %}.
What is left is HTML: its text and the attributes a person reads or hears (aria-label, title,
placeholder, alt and the messages scripts show) must hold no word of two or more Latin letters, except
the documented ALLOWED words.
"""

import re
from html.parser import HTMLParser

import pytest
from django.template.base import Lexer, TokenType

from tests.i18n.scope import BASE_DIR, all_templates, resident_templates

# Words that may appear untranslated, and why.
ALLOWED = {
    # The language switcher's label repeats "Language" in English (marked lang="en-GB") for a reader
    # who has landed on a page in a language they cannot read.
    "Language",
}
READ_ATTRIBUTES = {
    "aria-label",
    "aria-description",
    "title",
    "placeholder",
    "alt",
    "data-finding",
    "data-denied",
    "data-unavailable",
    "data-load-error",
    "data-placed",
    "data-outside",
    "data-removed",
    "data-removed-for-ward",
}
# Stands in for a tag or variable, so "{{ n }} residents" leaves "residents" and "<a href="{% url %}">" stays HTML.
HOLE = "\x00"
WORD = re.compile(r"[A-Za-z]{2,}")


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        self.found += [value for name, value in attrs if name in READ_ATTRIBUTES and value]

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.found.append(data)


def untranslated_words(source: str) -> list[str]:
    """The words a reader would see in English: the test's whole rule, kept apart so it can be tested."""
    kept, inside = [], None
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.BLOCK:
            name = token.contents.split()[0] if token.contents else ""
            if inside is None and name in ("comment", "blocktranslate", "blocktrans"):
                inside = "end" + name
            elif name == inside:
                inside = None
            kept.append(HOLE)
        elif token.token_type == TokenType.TEXT and inside is None:
            kept.append(token.contents)
        elif token.token_type == TokenType.VAR:
            kept.append(HOLE)
    reader = _Reader()
    reader.feed("".join(kept))
    reader.close()
    return [word for text in reader.found for word in WORD.findall(text) if word not in ALLOWED]


def test_it_finds_english_outside_translation_tags():
    source = (
        '{% load i18n %}<p title="Hover text">{% translate "Fine" %} Left out {{ name }}</p>'
        "{% blocktranslate %}Also fine {{ x }}{% endblocktranslate %}{% comment %}Not shown{% endcomment %}"
        '<button aria-label="{% translate \'Fine\' %}">{% translate "Send" %}</button><script>var notShown;</script>'
    )
    assert untranslated_words(source) == ["Hover", "text", "Left", "out"]


def test_it_checks_every_template():
    assert len(resident_templates()) > 30
    assert set(resident_templates()) < set(all_templates())
    assert len(all_templates()) > 200


@pytest.mark.parametrize("path", all_templates(), ids=lambda p: str(p.relative_to(BASE_DIR)))
def test_template_has_no_untranslated_english(path):
    assert untranslated_words(path.read_text(encoding="utf-8")) == []
