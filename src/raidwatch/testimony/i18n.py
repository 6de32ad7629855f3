"""The testimony form's languages: one gettext catalogue (.po) per language
under `raidwatch/web/locale/LANG/LC_MESSAGES/testimony.po`, compiled in
memory with Babel the first time a language is used (no .mo files are kept
in the repository or written to disk).

The language comes from `?lang=xx` (the links on the page) or the browser's
Accept-Language header, never from a cookie.
"""
from __future__ import annotations

import io
import threading
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LOCALE_DIR = Path(__file__).resolve().parents[1] / "web" / "locale"
DOMAIN = "testimony"
LANGUAGES = {"en": "English", "es": "Español"}
DEFAULT = "en"
_cache: dict[str, NullTranslations] = {}
_lock = threading.Lock()


def N_(message: str) -> str:
    """Marks a message for translation where it is defined; translated when shown."""
    return message


def po_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def translations(language: str) -> NullTranslations:
    """The compiled catalogue of `language` (English: the messages as written)."""
    with _lock:
        found = _cache.get(language)
        if found is None:
            found = _compile(language)
            _cache[language] = found
        return found


def _compile(language: str) -> NullTranslations:
    path = po_path(language)
    if language not in LANGUAGES or not path.is_file():
        return NullTranslations()
    with path.open("rb") as po:
        catalog = read_po(po, locale=language, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)  # fuzzy entries are left out, as pybabel compile does
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def choose(query_lang: str | None, accept_language: str | None) -> str:
    """A language of LANGUAGES: ?lang= first, then Accept-Language (q-values respected)."""
    if query_lang:
        code = query_lang.strip().lower()[:8]
        if code in LANGUAGES:
            return code
    ranked: list[tuple[float, int, str]] = []
    for index, item in enumerate((accept_language or "")[:1000].split(",")[:30]):
        tag, _, params = item.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and quality > 0:
            ranked.append((-quality, index, primary))
    return min(ranked)[2] if ranked else DEFAULT


def gettext_for(language: str):
    """`_(message, **params)`: the translation, with %(name)s filled in."""
    catalogue = translations(language)

    def _(message: str, **params) -> str:
        text = catalogue.gettext(message)
        return text % params if params else text

    return _
