"""How a report or an export leaves the site: its file name and its attachment response.

Every download is an attachment with a plain file name; the PDFs are never
kept by a shared cache; a workbook is written to an anonymous temporary file
and a CSV streamed row by row, so memory stays flat for a cycle of any size.
"""

import io
import tempfile

from django.http import FileResponse, StreamingHttpResponse
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.utils.text import slugify

from reports.exports import XLSX_CONTENT_TYPE, csv_chunks, write_xlsx


def download_name(*parts, extension="pdf"):
    """A file name from words: 'Harbor City, VA', '2026–2028', 'designation report' → harbor-city-va-2026-2028-….pdf."""
    return (slugify(" ".join(str(p).replace("–", "-") for p in parts)) or "download") + "." + extension


def pdf_response(report, filename):
    """A stored report (a ReportFile) as a PDF attachment."""
    response = FileResponse(
        report.file.open("rb"), as_attachment=True, filename=filename, content_type="application/pdf"
    )
    # Reports are not public: no shared cache keeps a copy.
    patch_cache_control(response, private=True, no_store=True)
    return response


def pdf_bytes_response(data, filename):
    """A PDF made for this download (not stored) as an attachment that no cache keeps."""
    response = FileResponse(io.BytesIO(data), as_attachment=True, filename=filename, content_type="application/pdf")
    patch_cache_control(response, private=True, no_store=True)
    return response


def xlsx_response(tables, filename):
    """Write the workbook to an anonymous temporary file, then stream it: memory stays flat for any size."""
    handle = tempfile.TemporaryFile()
    try:
        write_xlsx(handle, tables)
        handle.seek(0)
    except BaseException:
        handle.close()
        raise
    # FileResponse closes the file when sent, which deletes it.
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)


def _in_language(chunks, language):
    """The chunks made in ``language``: a streamed file is written after the view returned."""
    with translation.override(language):
        yield from chunks


def csv_response(table, filename, bom=True):
    """A table as a streamed CSV attachment (``bom``: a byte-order mark, so that Excel reads UTF-8)."""
    chunks = _in_language(csv_chunks(table, bom=bom), translation.get_language())
    response = StreamingHttpResponse(chunks, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
