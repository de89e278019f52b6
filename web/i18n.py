"""The interface's languages: catalogues compiled from their .po files at start, and the reader's choice per request.

English is the source language (the msgids); each other language has `translations/<code>/LC_MESSAGES/messages.po`.
The .po files are compiled in memory when the app starts (Babel's `write_mo` into a buffer), so the repository holds
no binary catalogue and a .po edited by hand takes effect on the next start. The reader's language is the `kb_locale`
cookie set by the switch in every page's header; before they choose, the browser's Accept-Language.
"""

from __future__ import annotations

import gettext
import io
import re
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po
from jinja2 import Environment, pass_context
from jinja2.runtime import Context
from markupsafe import Markup
from starlette.requests import Request

from kb.errors import KBError

TRANSLATIONS_DIR = Path(__file__).parent / "translations"
DOMAIN = "messages"
SOURCE_LOCALE = "en"
# The languages offered, in the order of the switch, each named in itself.
LOCALES = {"en": "English", "lo": "ລາວ"}
COOKIE = "kb_locale"
COOKIE_MAX_AGE = 365 * 24 * 3600

E = TypeVar("E", bound=Exception)

_ACCEPT = re.compile(r"\s*([A-Za-z]{1,8})(?:-[A-Za-z0-9]{1,8})*\s*(?:;\s*q\s*=\s*([0-9.]+))?\s*")
_LAO = re.compile(r"[\u0E80-\u0EFF]")


def N_(message: str) -> str:
    """Mark a string for the catalogue without translating it here (the template translates it when shown)."""
    return message


def worded(error: type[E], msgid: str, **params: Any) -> E:
    """Return `error` with its message in English, carrying the msgid and values to show it in the reader's language."""
    exc = error(msgid % params)
    exc.msgid, exc.params = msgid, params  # type: ignore[attr-defined]
    return exc


def message_in(exc: BaseException, translations: gettext.NullTranslations) -> str:
    """Return an error's message in the reader's language when web/ worded it, else as it is (kb/'s are English)."""
    msgid, params = getattr(exc, "msgid", None), getattr(exc, "params", None)
    if isinstance(msgid, str) and isinstance(params, dict):
        return translations.gettext(msgid) % params
    return str(exc)


def compile_po(path: Path) -> gettext.GNUTranslations:
    """Return the translations of a .po file, compiled in memory; fuzzy entries are left out (shown in English)."""
    try:
        with path.open("rb") as fh:
            catalog = read_po(fh, abort_invalid=True)
    except (PoFileError, OSError, ValueError) as exc:
        raise KBError(f"{path}: the translation catalogue cannot be read: {exc}") from exc
    for message, errors in catalog.check():  # e.g. a %(name)s placeholder lost or misspelt in a translation
        if errors and not message.fuzzy:
            raise KBError(f"{path}, line {message.lineno}: msgid {message.id!r}: {'; '.join(map(str, errors))}")
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def load_translations(folder: Path = TRANSLATIONS_DIR) -> dict[str, gettext.NullTranslations]:
    """Return each offered language's translations (English: the msgids themselves)."""
    loaded: dict[str, gettext.NullTranslations] = {SOURCE_LOCALE: gettext.NullTranslations()}
    for code in LOCALES:
        if code == SOURCE_LOCALE:
            continue
        path = folder / code / "LC_MESSAGES" / f"{DOMAIN}.po"
        if not path.is_file():
            raise KBError(f"{path}: the {LOCALES[code]} catalogue is missing")
        loaded[code] = compile_po(path)
    return loaded


def negotiate(accept_language: str | None) -> str | None:
    """Return the offered language the Accept-Language header prefers most, or None when it names none of them."""
    ranked: list[tuple[float, int, str]] = []
    for i, part in enumerate((accept_language or "").split(",")):
        match = _ACCEPT.fullmatch(part)
        if not match:
            continue
        try:
            q = float(match.group(2)) if match.group(2) else 1.0
        except ValueError:
            continue
        code = match.group(1).lower()
        if code in LOCALES and q > 0:
            ranked.append((-q, i, code))
    return min(ranked)[2] if ranked else None


def locale_of(request: Request) -> str:
    """Return the reader's language: the cookie the switch set, else the browser's preference, else English."""
    chosen = request.cookies.get(COOKIE, "")
    if chosen in LOCALES:
        return chosen
    return negotiate(request.headers.get("accept-language")) or SOURCE_LOCALE


def translations_for(request: Request) -> gettext.NullTranslations:
    """Return the translations of the reader's language."""
    catalogues: dict[str, gettext.NullTranslations] = request.app.state.translations
    return catalogues.get(locale_of(request), catalogues[SOURCE_LOCALE])


def safe_next(target: str | None) -> str:
    """Return `target` when it is a path on this site, else '/': where the language switch or signing in goes back
    to, never another site ('//host', '/\\host', 'http:') nor a header split by a line break."""
    if not target or not target.startswith("/") or target.startswith("//") or any(c in target for c in "\r\n\\"):
        return "/"
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else "/"


def script_lang(text: str | None) -> str:
    """Return 'lo' when a text is written in Lao script, else 'en' (for the lang attribute of data we show)."""
    return "lo" if text and _LAO.search(text) else "en"


def _template_gettext(translations: gettext.NullTranslations) -> Any:
    # Jinja's "newstyle" gettext: the template's variables are formatted in after translation, escaped.
    @pass_context
    def _gettext(context: Context, message: str, **variables: Any) -> str:
        text = translations.gettext(message)
        if context.eval_ctx.autoescape:
            text = Markup(text)
        return text % variables  # always, as Jinja's own newstyle gettext: "%%" in a msgid is a literal "%"

    return _gettext


def _template_ngettext(translations: gettext.NullTranslations) -> Any:
    @pass_context
    def _ngettext(context: Context, singular: str, plural: str, num: int, **variables: Any) -> str:
        variables.setdefault("num", num)
        text = translations.ngettext(singular, plural, num)
        if context.eval_ctx.autoescape:
            text = Markup(text)
        return text % variables

    return _ngettext


def i18n_context(request: Request) -> dict[str, Any]:
    """Return what every template needs to speak the reader's language (a Jinja context processor)."""
    translations = translations_for(request)
    locale = locale_of(request)
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    gettext_ = _template_gettext(translations)
    return {
        "locale": locale,
        "locales": LOCALES,
        "translations": translations,
        "here": here,
        "gettext": gettext_,
        "_": gettext_,
        "ngettext": _template_ngettext(translations),
    }


def install_i18n(env: Environment) -> None:
    """Add Jinja's i18n extension; English stands in when a template is rendered outside a request."""
    env.add_extension("jinja2.ext.i18n")
    env.policies["ext.i18n.trimmed"] = True  # a {% trans %} block's line breaks and indentation are not in its msgid
    env.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
    env.filters["script_lang"] = script_lang
