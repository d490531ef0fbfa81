"""Hostile evidence PDFs for tests/test_evidence_hostile_*.py, and what a stored copy still holds.

The hostile files are built here, small and fast: a page tree nested 10,000
deep, 200,000 pages, 200,000 references to one page, a stream that inflates
to 1 GiB (zlib output of zeros repeated, about 1 MB), an object stream that
qpdf itself would inflate to 1 GiB, and PDFs with scripts, actions, embedded
files and HTML.
"""

import io
import resource
import sys
import zlib
from functools import lru_cache

import pikepdf
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pikepdf import Array, Dictionary, Name, String

MARKER = "hostile-marker-7f3a"
MIB = 1 << 20


def upload(client, application, content, name="plan.pdf"):
    return client.post(
        reverse("document_upload", kwargs={"pk": application.pk}),
        {"kind": "technology_plan", "file": SimpleUploadedFile(name, content, content_type="application/pdf")},
    )


def texts(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- Building PDFs by hand (no library walks these trees while they are made) ------------------------


def raw_pdf(objects, packed=()):
    """A PDF 1.7 from {number: body}; the numbers in ``packed`` go into one compressed object stream."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    size = max(objects) + 3
    objstm, xref = size - 2, size - 1
    entries = {}
    for number in sorted(set(objects) - set(packed)):
        entries[number] = (1, len(out), 0)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, objects[number])
    if packed:
        numbers = sorted(packed)
        offsets, body = [], bytearray()
        for index, number in enumerate(numbers):
            offsets.append(b"%d %d" % (number, len(body)))
            body += objects[number] + b"\n"
            entries[number] = (2, objstm, index)
        head = b" ".join(offsets) + b"\n"
        data = zlib.compress(head + bytes(body), 1)
        entries[objstm] = (1, len(out), 0)
        out += b"%d 0 obj\n<</Type/ObjStm/N %d/First %d/Filter/FlateDecode/Length %d>>stream\n" % (
            objstm,
            len(numbers),
            len(head),
            len(data),
        )
        out += data + b"\nendstream\nendobj\n"
    entries[xref] = (1, len(out), 0)
    rows = b"".join(
        bytes([kind]) + a.to_bytes(4, "big") + b.to_bytes(3, "big")
        for kind, a, b in (entries.get(i, (0, 0, 0)) for i in range(size))
    )
    data = zlib.compress(rows, 1)
    out += b"%d 0 obj\n<</Type/XRef/Size %d/W[1 4 3]/Root 1 0 R/Filter/FlateDecode/Length %d>>stream\n" % (
        xref,
        size,
        len(data),
    )
    out += data + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % entries[xref][1]
    return bytes(out)


CATALOG = b"<</Type/Catalog/Pages 2 0 R>>"
PAGE = b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>"


@lru_cache
def deep_page_tree(depth=10_000):
    objects = {1: CATALOG}
    for level in range(depth):
        number = 2 + level
        parent = b"/Parent %d 0 R" % (number - 1) if level else b""
        objects[number] = b"<</Type/Pages/Kids[%d 0 R]/Count 1%s>>" % (number + 1, parent)
    objects[2 + depth] = b"<</Type/Page/Parent %d 0 R/MediaBox[0 0 612 792]>>" % (1 + depth)
    return raw_pdf(objects, packed=set(objects) - {1})


@lru_cache
def many_pages(count=200_000):
    kids = b" ".join(b"%d 0 R" % (3 + i) for i in range(count))
    objects = {1: CATALOG, 2: b"<</Type/Pages/Kids[%s]/Count %d>>" % (kids, count)}
    objects.update(dict.fromkeys(range(3, 3 + count), PAGE))
    return raw_pdf(objects, packed=range(3, 3 + count))


@lru_cache
def one_page_many_times(count=200_000):
    objects = {1: CATALOG, 2: b"<</Type/Pages/Kids[%s]/Count %d>>" % (b"3 0 R " * count, count), 3: PAGE}
    return raw_pdf(objects)


def deflated_mebibytes(count, filler=b"\0"):
    """Raw deflate data that inflates to ``count`` MiB of ``filler``: one full-flushed MiB (about 1 KB), repeated."""
    squeeze = zlib.compressobj(9, zlib.DEFLATED, -15)
    piece = squeeze.compress(filler * MIB) + squeeze.flush(zlib.Z_FULL_FLUSH)
    return piece * count + zlib.compressobj(9, zlib.DEFLATED, -15).flush()


def deflated_zeros(size):
    """zlib data that inflates to ``size`` zero bytes, with its right checksum (Adler-32 of n zeros: n << 16 | 1)."""
    return b"\x78\xda" + deflated_mebibytes(size // MIB) + (((size % 65521) << 16) | 1).to_bytes(4, "big")


@lru_cache
def inflates_to_a_gigabyte():
    data = deflated_zeros(1 << 30)
    contents = b"<</Length %d/Filter/FlateDecode>>stream\n%s\nendstream" % (len(data), data)
    page = b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Contents 4 0 R>>"
    return raw_pdf({1: CATALOG, 2: b"<</Type/Pages/Kids[3 0 R]/Count 1>>", 3: page, 4: contents})


@lru_cache
def image_of_ten_gigapixels():
    """A few bytes of JBIG2 that claim a 100,000 × 100,000 image: what a viewer would allocate, not what is stored."""
    image = b"<</Type/XObject/Subtype/Image/Width 100000/Height 100000/BitsPerComponent 1"
    image += b"/ColorSpace/DeviceGray/Filter/JBIG2Decode/Length 4>>stream\n\0\0\0\0\nendstream"
    page = b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Resources<</XObject<</Im0 4 0 R>>>>>>"
    return raw_pdf({1: CATALOG, 2: b"<</Type/Pages/Kids[3 0 R]/Count 1>>", 3: page, 4: image})


@lru_cache
def object_stream_of_a_gigabyte():
    """The page tree sits in an object stream followed by 1 GiB of spaces: qpdf inflates it whole to read it."""
    head = b"2 0 3 36\n"
    body = b"<</Type/Pages/Kids[3 0 R]/Count 1>>\n" + PAGE + b"\n"
    squeeze = zlib.compressobj(9, zlib.DEFLATED, -15)
    lead = squeeze.compress(head + body) + squeeze.flush(zlib.Z_FULL_FLUSH)
    # The checksum is left wrong: nothing reads that far.
    data = b"\x78\xda" + lead + deflated_mebibytes(1024, filler=b" ") + b"\0\0\0\0"
    out = bytearray(b"%PDF-1.7\n")
    catalog = len(out)
    out += b"1 0 obj\n%s\nendobj\n" % CATALOG
    objstm = len(out)
    out += b"4 0 obj\n<</Type/ObjStm/N 2/First %d/Filter/FlateDecode/Length %d>>stream\n" % (len(head), len(data))
    out += data + b"\nendstream\nendobj\n"
    xref = len(out)
    rows = [(0, 0, 0), (1, catalog, 0), (2, 4, 0), (2, 4, 1), (1, objstm, 0), (1, xref, 0)]
    table = zlib.compress(b"".join(bytes([t]) + a.to_bytes(4, "big") + b.to_bytes(2, "big") for t, a, b in rows))
    out += b"5 0 obj\n<</Type/XRef/Size 6/W[1 4 2]/Root 1 0 R/Filter/FlateDecode/Length %d>>stream\n" % len(table)
    out += table + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


# --- Building PDFs with active content (pikepdf) -------------------------------------------------------


def made(edit=None, pages=1):
    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page(page_size=(612, 792))
    if edit:
        edit(pdf)
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def script(pdf):
    return pdf.make_indirect(Dictionary(S=Name.JavaScript, JS=String(f"app.alert('{MARKER}')")))


def link(action, rect=(0, 0, 100, 100)):
    return Dictionary(Type=Name.Annot, Subtype=Name.Link, Rect=Array(rect), A=action)


def open_action_script(pdf):
    pdf.Root.OpenAction = script(pdf)


def document_script(pdf):
    stream = pdf.make_stream(f"app.launchURL('https://{MARKER}.example/');".encode())
    action = pdf.make_indirect(Dictionary(S=Name.JavaScript, JS=stream))
    pdf.Root.Names = Dictionary(JavaScript=Dictionary(Names=Array([String("init"), action])))


def launch_and_uri_links(pdf):
    launch = Dictionary(S=Name.Launch, F=String(f"{MARKER}.exe"), Win=Dictionary(F=String("cmd.exe")))
    uri = Dictionary(S=Name.URI, URI=String(f"https://{MARKER}.example/"))
    pdf.pages[0].obj.Annots = Array([pdf.make_indirect(link(launch)), link(uri, (100, 0, 200, 100))])


def embedded_files(pdf):
    pdf.attachments[f"{MARKER}.txt"] = pikepdf.AttachedFileSpec(pdf, MARKER.encode() * 10, mime_type="text/plain")
    spec = Dictionary(Type=Name.Filespec, F=String("notes.txt"), EF=Dictionary(F=pdf.make_stream(MARKER.encode())))
    attachment = Dictionary(Type=Name.Annot, Subtype=Name.FileAttachment, Rect=Array([0, 0, 20, 20]), FS=spec)
    pdf.pages[0].obj.Annots = Array([pdf.make_indirect(attachment)])


def everything_at_once(pdf):
    """Every place a viewer finds an action, script, file or medium, plus links inside the document that stay."""
    first, second = pdf.pages[0].obj, pdf.pages[1].obj
    pdf.Root.OpenAction = script(pdf)
    pdf.Root.AA = Dictionary(WC=script(pdf), DP=Dictionary(S=Name.URI, URI=String(f"https://{MARKER}.example/")))
    document_script(pdf)
    pdf.attachments[f"{MARKER}.bin"] = pikepdf.AttachedFileSpec(pdf, MARKER.encode())
    pdf.Root.Collection = Dictionary(Type=Name.Collection)
    first.AA = Dictionary(O=script(pdf), C=Dictionary(S=Name.Launch, F=String(f"{MARKER}.bat")))
    remote = Dictionary(S=Name.GoToR, F=String(f"{MARKER}.pdf"), D=Array([0, Name.Fit]))
    embedded = Dictionary(S=Name("/GoToE"), T=Dictionary(R=Name.C, N=String(MARKER)))
    importer = Dictionary(S=Name.ImportData, F=String(f"{MARKER}.fdf"))
    # A link within the document stays; the script chained after it goes, the standard named action stays.
    inside = Dictionary(
        S=Name.GoTo,
        D=Array([second, Name.Fit]),
        Next=Array([script(pdf), Dictionary(S=Name.Named, N=Name.NextPage)]),
    )
    widget = pdf.make_indirect(
        Dictionary(
            Type=Name.Annot,
            Subtype=Name.Widget,
            FT=Name.Btn,
            T=String("send"),
            Rect=Array([0, 700, 100, 750]),
            A=Dictionary(S=Name.SubmitForm, F=String(f"https://{MARKER}.example/collect")),
            AA=Dictionary(K=script(pdf)),
        )
    )
    media = Dictionary(
        Type=Name.Annot,
        Subtype=Name.RichMedia,
        Rect=Array([0, 0, 50, 50]),
        RichMediaContent=Dictionary(Assets=Dictionary()),
    )
    first.Annots = pdf.make_indirect(
        Array([link(remote), link(embedded), link(importer), pdf.make_indirect(link(inside)), widget, media])
    )
    pdf.Root.AcroForm = Dictionary(
        Fields=Array([widget]), XFA=pdf.make_stream(f"<xdp><script>{MARKER}</script></xdp>".encode())
    )
    outline = pdf.make_indirect(Dictionary(Type=Name.Outlines, Count=2))
    one = pdf.make_indirect(
        Dictionary(Title=String("Visit"), Parent=outline, A=Dictionary(S=Name.URI, URI=String(MARKER)))
    )
    two = pdf.make_indirect(Dictionary(Title=String("Run"), Parent=outline, Prev=one, A=script(pdf)))
    one.Next = two
    outline.First, outline.Last = one, two
    pdf.Root.Outlines = outline


HTML = f"<html><body><script>alert('{MARKER}')</script></body></html>\n".encode()


# --- What a stored file still holds ---------------------------------------------------------------------

FORBIDDEN_KEYS = {
    "/JS",
    "/JavaScript",
    "/AA",
    "/OpenAction",
    "/EmbeddedFiles",
    "/EF",
    "/AF",
    "/XFA",
    "/RichMediaContent",
    "/Collection",
}
FORBIDDEN_ACTIONS = {"/JavaScript", "/Launch", "/URI", "/SubmitForm", "/ImportData", "/GoToR", "/GoToE"}
FORBIDDEN_ANNOTATIONS = {"/FileAttachment", "/RichMedia", "/Screen", "/Movie", "/Sound", "/3D"}


def active_content(data):
    """Everything in a PDF a viewer could run, open, send or extract, as (what, where) pairs; and the marker."""
    found = []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        pending = [pdf.trailer, *pdf.objects]
        while pending:
            obj = pending.pop()
            if isinstance(obj, pikepdf.Stream):
                if MARKER.encode() in obj.read_bytes():
                    found.append(("marker in a stream", obj.objgen))
            if isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
                items = list(obj.items())
                found += [(key, "key") for key, _ in items if key in FORBIDDEN_KEYS]
                if obj.get("/S") in FORBIDDEN_ACTIONS:
                    found.append((str(obj.S), "action"))
                if obj.get("/Subtype") in FORBIDDEN_ANNOTATIONS:
                    found.append((str(obj.Subtype), "annotation"))
                values = [value for _, value in items]
            elif isinstance(obj, pikepdf.Array):
                values = list(obj)
            else:
                values = []
            for value in values:
                if isinstance(value, pikepdf.String) and MARKER.encode() in bytes(value):
                    found.append(("marker in a string", str(value)))
                elif isinstance(value, (pikepdf.Dictionary, pikepdf.Array)) and not value.is_indirect:
                    pending.append(value)
    return found


def stored(media, document):
    return (media / document.file.name).read_bytes()


def peak_memory_mib():
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / MIB if sys.platform == "darwin" else peak / 1024
