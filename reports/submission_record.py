"""An application's record of submission: exactly what was submitted, as a PDF the applicant keeps.

Every answer with its question, written by ``assessment.answers.sections`` (the application page
writes them the same way, so the record says what the page says); who submitted and when; who
attested; the documents with their names, sizes, pages and SHA-256 hashes. Times are on the
jurisdiction's clock.

What was submitted cannot change: the answers are frozen at submission (``save_draft`` refuses a
submitted application) and its documents can be neither replaced nor removed. A document can still
be *added* after submission, as the applicant's answer to a panel's question
(``review.clarifications.answer_clarification``): the main table lists only the documents uploaded
at or before the submission; later ones are listed apart, under a heading that says so.

The record is rendered on every download, through the same bounded render process as the reports
(``reports.render``); it is not cached: its footer says when it was generated, and it is small.
"""

from dataclasses import dataclass

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from assessment.answers import sections
from assessment.templatetags.zones import in_zone
from reports import render
from reports.downloads import download_name
from reports.render import STATIC_BASE

# Not under reports/pdf/, whose templates make the report design version (report_files.design_version).
TEMPLATE = "reports/record/submission_record.html"
NOT_RECORDED = gettext_lazy("Not recorded")


@dataclass(frozen=True)
class DocumentRow:
    """One evidence document as the record lists it."""

    kind: str
    name: str
    size: str  # "1,234,567 bytes"
    size_human: str  # "1.2 MB"; empty under 1 KB, where the bytes say it
    pages: int
    uploaded_at: str
    sha256: str


def title(application):
    return _("Record of submission — %(jurisdiction)s, %(cycle)s") % {
        "jurisdiction": application.jurisdiction,
        "cycle": application.cycle,
    }


def file_name(application):
    """A plain file name: harbor-city-va-2026-2028-record-of-submission.pdf."""
    return download_name(application.jurisdiction, application.cycle, _("record of submission"))


def entered(application, step, name):
    """What was typed in field ``name`` of ``step``, as the wizard stored it (the answers' value if it did not)."""
    raw = application.wizard_state.get("step_data", {}).get(step) or {}
    values = raw.get(f"{step}-{name}")
    if isinstance(values, list) and values:
        return str(values[-1]).strip()
    if isinstance(values, str):
        return values.strip()
    value = (application.answers.get(step) or {}).get(name)
    return str(value).strip() if value not in (None, "") else ""


def _person(user):
    if user is None:
        return str(NOT_RECORDED)
    return f"{user}, {user.title}" if user.title else str(user)


def _row(document, zone):
    return DocumentRow(
        kind=document.get_kind_display(),
        name=document.original_name,
        size=ngettext("%(size)s byte", "%(size)s bytes", document.size)
        % {"size": number_format(document.size, force_grouping=True)},
        size_human=filesizeformat(document.size) if document.size >= 1024 else "",
        pages=document.pages,
        uploaded_at=in_zone(document.uploaded_at, zone, short=True),
        sha256=document.sha256,
    )


def documents(application):
    """(the documents submitted with the application, those added after it), each a list of DocumentRow."""
    zone = application.jurisdiction.time_zone
    submitted, later = [], []
    for document in application.documents.all():
        (submitted if document.uploaded_at <= application.submitted_at else later).append(_row(document, zone))
    return submitted, later


def _document_groups(submitted, later):
    """The tables of documents: those submitted, and (only if there are any) those added after submission."""
    groups = [
        {
            "heading": _("Documents submitted"),
            "note": _(
                "The documents uploaded by the time of submission. Sizes and SHA-256 hashes are those of the "
                "copies the program keeps (each upload is checked and rewritten when it arrives): the files "
                "its download links give."
            ),
            "rows": submitted,
            "empty": _("No documents were submitted."),
        }
    ]
    if later:
        groups.append(
            {
                "heading": _("Documents added after submission"),
                "note": _(
                    "Each was added later, as an answer to a question from the review panel; "
                    "they were not part of the submission."
                ),
                "rows": later,
                "empty": "",
            }
        )
    return groups


def context(application, now=None):
    """The template context of the record (``application`` submitted, with its jurisdiction and cycle)."""
    zone = application.jurisdiction.time_zone
    submitted_documents, later_documents = documents(application)
    return {
        "title": title(application),
        "jurisdiction": application.jurisdiction,
        "cycle": application.cycle,
        "submitted_at": in_zone(application.submitted_at, zone),
        "submitted_by": _person(application.submitted_by),
        "official_name": entered(application, "review", "official_name") or str(NOT_RECORDED),
        "official_title": entered(application, "review", "official_title") or str(NOT_RECORDED),
        # The confirmation as it validated at submission (submitting requires it): the answers' value.
        "attested": (application.answers.get("review") or {}).get("attest") is True,
        "sections": sections(application),
        "document_groups": _document_groups(submitted_documents, later_documents),
        "generated_at": in_zone(now or timezone.now(), zone, short=True),
        "static_base": STATIC_BASE,
        "site_name": _(settings.SITE_NAME),
    }


def html(application, now=None):
    """The record as the HTML the render process prints (autoescaped; answers come escaped from sections)."""
    return render_to_string(TEMPLATE, context(application, now))


def pdf(application):
    """The record as PDF bytes, made in a render process; raises render.RenderError when it cannot be made."""
    return render.render_pdf(html(application)).pdf
