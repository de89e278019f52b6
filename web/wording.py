"""Sentences the interface builds from data, in the reader's language: the coverage line, a link's notice,
the commitments filters in words, and the names of the document types, kinds and statuses.

kb/ says the same in English for the CLI and the API (`Coverage.describe`, `LinkTarget.notice`); these are the
interface's versions, written with whole-sentence msgids so a translation can order the words its own way. In English
they read exactly as kb/'s (a test holds them together).
"""

from __future__ import annotations

import gettext
from typing import Any

from jinja2 import pass_context
from jinja2.runtime import Context

from kb.coverage import Coverage
from kb.links import LinkTarget
from web.i18n import N_

# The controlled words the interface shows as they are stored: document types (kb.types.DOC_TYPES), commitment
# kinds and statuses (kb.commitments.types), evidence signals, visibilities and roles (kb.access), language names.
# Marked here for the catalogue.
TERMS = (
    N_("strategy"), N_("review"), N_("minutes"), N_("decree"), N_("brief"), N_("note"), N_("other"),
    N_("recommendation"), N_("decision"), N_("action"), N_("target"),
    N_("open"), N_("in progress"), N_("done"), N_("overdue"), N_("mention"),
    N_("public"), N_("internal"), N_("admin"), N_("staff"), N_("partner"),
    N_("English"), N_("Lao"),
    N_("PDF"), N_("Word"), N_("HTML"), N_("Markdown"), N_("text"), N_("image"),
)
LANGUAGE_NAMES = {"en": N_("English"), "lo": N_("Lao")}
# A kind of commitment in the plural, as the tracker's filters line says it ("recommendations; status open").
KIND_PLURALS = {"recommendation": N_("recommendations"), "decision": N_("decisions"), "action": N_("actions"),
                "target": N_("targets")}

Translations = gettext.NullTranslations


def _language(code: str, t: Translations) -> str:
    return t.gettext(LANGUAGE_NAMES[code]) if code in LANGUAGE_NAMES else code


def describe_filters(coverage: Coverage, t: Translations) -> str:
    """Return the filters in force in words, or 'no filters' (as kb's Coverage.describe_filters, translated)."""
    _ = t.gettext
    parts = []
    if kinds := coverage.filters.get("doc_types"):
        parts.append(_("type %(types)s") % {"types": _(" or ").join(_(k) for k in kinds)})
    if langs := coverage.filters.get("languages"):
        parts.append(_("language %(languages)s") % {"languages": _(" or ").join(_language(c, t) for c in langs)})
    if coverage.filters.get("date_from"):
        parts.append(_("dated from %(date)s") % {"date": coverage.filters["date_from"]})
    if coverage.filters.get("date_to"):
        parts.append(_("dated to %(date)s") % {"date": coverage.filters["date_to"]})
    return _("filters: %(filters)s") % {"filters": ", ".join(parts)} if parts else _("no filters")


def describe_coverage(coverage: Coverage, t: Translations) -> str:
    """Return the coverage line shown under an answer (as kb's Coverage.describe, translated)."""
    _ = t.gettext
    if not coverage.documents:
        return _("No document of the %(total)s in the library passes the filters (%(filters)s).") % {
            "total": coverage.library_documents, "filters": describe_filters(coverage, t)}
    kinds = ", ".join(f"{n} {_(kind)}" for kind, n in coverage.kinds.items())
    formats = ", ".join(f"{n} {_(fmt)}" for fmt, n in coverage.formats.items())
    languages = _(" and ").join(_language(code, t) for code in coverage.languages)
    line = _("Searched %(searched)s of %(total)s documents (%(kinds)s; %(formats)s) in %(languages)s; %(filters)s.") % {
        "searched": coverage.documents, "total": coverage.library_documents, "kinds": kinds, "formats": formats,
        "languages": languages, "filters": describe_filters(coverage, t)}
    if coverage.as_of and coverage.last_ingest:
        line += " " + _("Library as of %(as_of)s (the latest document date), last ingested %(ingested)s.") % {
            "as_of": coverage.as_of, "ingested": coverage.last_ingest[:10]}
    elif coverage.as_of:
        line += " " + _("Library as of %(as_of)s (the latest document date).") % {"as_of": coverage.as_of}
    return line


def link_notice(target: LinkTarget, t: Translations) -> str | None:
    """Return what the reader must know before trusting a linked page (as kb's LinkTarget.notice, translated)."""
    _ = t.gettext
    similar = "" if target.similarity is None else _(" (text similarity %(percent)s)") % {
        "percent": f"{target.similarity:.0%}"}
    if target.status == "changed":
        return _("The passage this link points to has changed since the link was made; the nearest passage of the "
                 "document's current text is marked%(similar)s.") % {"similar": similar}
    if target.status == "superseded":
        return _("This document has been superseded by a newer version; the cited passage is shown as it was.")
    if target.status == "replaced":
        return _("The document this link points to (%(title)s) is no longer in the library; the nearest passage of "
                 "the version that replaces it is marked%(similar)s.") % {"title": target.linked_title, "similar": similar}
    if target.status == "removed":
        return _("The document this link points to (%(title)s) is no longer in the library.") % {
            "title": target.linked_title}
    if target.status == "unknown":
        return _("This document holds no passage with this link's key: it may come from an older library.")
    return None


def describe_commitment_filters(params: dict[str, str], documents: dict[str, str], t: Translations) -> str:
    """Return the commitments page's filters in words ('due in the next 30 days or overdue; status open')."""
    _ = t.gettext
    parts = []
    if params.get("view") == "soon":
        parts.append(_("due in the next 30 days or overdue"))
    if kind := params.get("kind"):
        parts.append(_(KIND_PLURALS[kind]) if kind in KIND_PLURALS else kind)
    if status := params.get("status"):
        parts.append(_("status %(status)s") % {"status": _(status)})
    if owner := params.get("owner", "").strip():
        parts.append(_("owner “%(owner)s”") % {"owner": owner})
    if document := params.get("document"):
        parts.append(_("from %(title)s") % {"title": documents.get(document, document)})
    if due := params.get("due_before"):
        parts.append(_("due by %(date)s") % {"date": due})
    if q := params.get("q", "").strip():
        parts.append(_("matching “%(words)s”") % {"words": q})
    return "; ".join(parts) or _("all commitments")


def _translations(context: Context) -> Translations:
    found = context.get("translations")
    return found if isinstance(found, gettext.NullTranslations) else gettext.NullTranslations()


@pass_context
def coverage_line(context: Context, coverage: Coverage) -> str:
    """Template global: the coverage line in the reader's language."""
    return describe_coverage(coverage, _translations(context))


@pass_context
def notice_of(context: Context, target: LinkTarget) -> str | None:
    """Template global: a link's notice in the reader's language."""
    return link_notice(target, _translations(context))


@pass_context
def commitment_filters_line(context: Context, params: dict[str, str], documents: Any) -> str:
    """Template global: the commitments filters in words, in the reader's language."""
    return describe_commitment_filters(params, dict(documents), _translations(context))


@pass_context
def term(context: Context, value: str | None) -> str:
    """Template filter: a stored controlled word (a document type, kind, status, language name) in the reader's language."""
    return _translations(context).gettext(value) if value else ""


TEMPLATE_GLOBALS = {"coverage_line": coverage_line, "notice_of": notice_of,
                    "commitment_filters_line": commitment_filters_line}
# `translated`: a message chosen in Python from marked msgids (an error's title), shown in the reader's language;
# any other text (a message from kb/) passes through as it is.
TEMPLATE_FILTERS = {"term": term, "translated": term}
