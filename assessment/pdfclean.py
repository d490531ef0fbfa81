"""Check one uploaded PDF and rewrite it without active content, in a process of its own.

``assessment.validators.check_pdf`` runs this file as a script (``python -I -B
pdfclean.py LIMITS``) with the upload on stdin. Before it reads a byte it
limits its own address space, CPU time and file writes, so a hostile file
(a page tree nested 10,000 deep or with 200,000 pages, a stream that
inflates to gigabytes, a qpdf crash) costs one short-lived process, never
the web worker. It answers on stdout with one line of JSON, then the
rewritten PDF:

    {"ok": true, "pages": 3, "removed": ["links", "scripts"]}\\n<pdf bytes>
    {"ok": false, "code": "too_many_pages", "limit": 5000}\\n

What the rewrite does (pikepdf, on qpdf): only objects reachable from the
trailer are written, so anything before the header or after ``%%EOF``
(a web page glued to a PDF), unused objects and old incremental updates are
gone. Before writing, every object is swept: actions other than moving
within the document (JavaScript, Launch, URI, SubmitForm, ImportData, GoToR,
GoToE, media…), additional actions (``/AA``) everywhere, the catalog's
``/OpenAction``, document scripts (``/Names/JavaScript``), embedded files
(``/Names/EmbeddedFiles``, ``/EF``, ``/AF``, file-attachment annotations),
XFA forms and rich-media annotations are removed. What was removed is
reported in words for the applicant.

Nothing here imports Django: the process starts in a fraction of a second.
"""

import io
import json
import resource
import signal
import sys
import zlib

import pikepdf

MAX_DEPTH = 64  # levels of the page tree; a balanced tree of a million pages needs about 7
MAX_IMAGE_PIXELS = 1 << 28  # one image's width × height (16384 × 16384), whatever its compression
CHUNK = 1 << 20

# Actions that only move within the document. Every other action is removed.
KEPT_ACTIONS = {"/GoTo", "/GoToDp", "/Thread", "/SetOCGState", "/Trans", "/Hide", "/ResetForm", "/Named"}
STANDARD_NAMED = {"/NextPage", "/PrevPage", "/FirstPage", "/LastPage"}
ACTION_KINDS = {
    "/JavaScript": "scripts",
    "/URI": "links",
    "/Launch": "links",
    "/GoToR": "links",
    "/GoToE": "links",
    "/SubmitForm": "form submissions",
    "/ImportData": "form submissions",
    "/Sound": "media",
    "/Movie": "media",
    "/Rendition": "media",
    "/RichMediaExecute": "media",
    "/GoTo3DView": "media",
}
# Keys removed wherever they appear, with what they carry.
DROPPED_KEYS = {
    "/AA": "automatic actions",
    "/JS": "scripts",
    "/JavaScript": "scripts",  # the document's scripts, in /Names
    "/XFA": "scripts",  # XFA forms carry their own scripts
    "/NeedsRendering": None,
    "/EmbeddedFiles": "embedded files",
    "/EF": "embedded files",
    "/AF": "embedded files",
    "/Collection": None,  # a portfolio's view of its (now removed) files
    "/RichMediaContent": "media",
}
DROPPED_ANNOTATIONS = {
    "/FileAttachment": "embedded files",
    "/Sound": "media",
    "/Movie": "media",
    "/Screen": "media",
    "/RichMedia": "media",
    "/3D": "media",
}
IMAGE_CODECS = {"/DCTDecode", "/JPXDecode", "/JBIG2Decode", "/CCITTFaxDecode"}
AMPLIFYING = {"/FlateDecode", "/LZWDecode", "/RunLengthDecode", "/Fl", "/LZW", "/RL"}
# Arrays of numbers (and the like) that no viewer ever looks into for an action: not walked, for speed.
NOT_WALKED = {
    "/Widths",
    "/W",
    "/W2",
    "/Rect",
    "/MediaBox",
    "/CropBox",
    "/BleedBox",
    "/TrimBox",
    "/ArtBox",
    "/Matrix",
    "/BBox",
    "/Domain",
    "/Range",
    "/Decode",
    "/QuadPoints",
    "/ID",
    "/Index",
}


class Refused(Exception):
    def __init__(self, code, **details):
        super().__init__(code)
        self.code, self.details = code, details


def limit_resources(memory, cpu_seconds):
    """This process's bounds: address space, CPU time, no files written, no core dumps."""
    if memory:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    if cpu_seconds:
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write then fails with an error instead of killing
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


# --- Checks ---------------------------------------------------------------------------------------


def count_pages(pdf, max_pages):
    """Walk the page tree without recursion: its depth, its size and its loops are bounded before qpdf walks it."""
    root = pdf.trailer.get("/Root")
    pages = root.get("/Pages") if isinstance(root, pikepdf.Dictionary) else None
    if not isinstance(pages, pikepdf.Dictionary):
        raise Refused("damaged")
    stack, seen, leaves, visits = [(pages, 1)], set(), 0, 0
    while stack:
        node, depth = stack.pop()
        visits += 1
        if visits > 2 * max_pages + MAX_DEPTH:
            raise Refused("too_many_pages", limit=max_pages)
        if not isinstance(node, pikepdf.Dictionary):
            raise Refused("damaged")
        kids = node.get("/Kids")
        if kids is None or node.get("/Type") == "/Page":
            leaves += 1
            if leaves > max_pages:
                raise Refused("too_many_pages", limit=max_pages)
            continue
        if depth > MAX_DEPTH:
            raise Refused("page_tree", limit=MAX_DEPTH)
        if node.is_indirect:
            if node.objgen in seen:  # the tree loops, or shares a branch
                raise Refused("damaged")
            seen.add(node.objgen)
        if not isinstance(kids, pikepdf.Array):
            raise Refused("damaged")
        if len(kids) > max_pages:
            raise Refused("too_many_pages", limit=max_pages)
        stack.extend((kid, depth + 1) for kid in reversed(list(kids)))
    return leaves


def _names(value):
    if isinstance(value, pikepdf.Name):
        return [str(value)]
    if isinstance(value, pikepdf.Array):
        return [str(item) for item in value if isinstance(item, pikepdf.Name)]
    return []


def _inflated_size(raw, budget):
    """How many bytes a zlib stream inflates to, counting no further than ``budget`` + 1."""
    inflater, total = zlib.decompressobj(), 0
    try:
        for start in range(0, len(raw), CHUNK):
            data = raw[start : start + CHUNK]
            while data:
                total += len(inflater.decompress(data, CHUNK))
                if total > budget:
                    return total
                data = inflater.unconsumed_tail
            if inflater.eof:
                break
    except zlib.error:
        pass  # a damaged stream: a viewer stops where zlib stops
    return total


def check_streams(pdf, max_inflated):
    """Refuse a decompression bomb: every stream's decoded size counts against one budget for the file."""
    left = max_inflated
    for obj in pdf.objects:
        if not isinstance(obj, pikepdf.Stream):
            continue
        filters = _names(obj.get("/Filter"))
        if obj.get("/Subtype") == "/Image":
            width, height = obj.get("/Width"), obj.get("/Height")
            if isinstance(width, int) and isinstance(height, int) and width * height > MAX_IMAGE_PIXELS:
                raise Refused("inflates", limit=max_inflated)
        if filters in (["/FlateDecode"], ["/Fl"]):
            size = _inflated_size(obj.read_raw_bytes(), left)
        elif AMPLIFYING.intersection(filters):
            # Rare chains (ASCII85 then Flate, LZW…): decoded by qpdf, within this process's memory limit.
            try:
                size = len(obj.read_bytes(pikepdf.StreamDecodeLevel.generalized))
            except pikepdf.PdfError:
                size = 0
        else:
            size = len(obj.read_raw_bytes())
        left -= size
        if left < 0:
            raise Refused("inflates", limit=max_inflated)


# --- Rewriting --------------------------------------------------------------------------------------


class Sweep:
    """Remove active content from every object of the file, keeping what was removed in words."""

    def __init__(self):
        self.removed = set()

    def _note(self, kind):
        if kind:
            self.removed.add(kind)

    def _action_kind(self, action):
        """None if the action only moves within the document; else what kind of thing it is."""
        kind = action.get("/S")
        if kind in KEPT_ACTIONS and (kind != "/Named" or action.get("/N") in STANDARD_NAMED):
            return None
        return ACTION_KINDS.get(str(kind) if isinstance(kind, pikepdf.Name) else "", "other actions")

    def _is_action(self, value):
        return isinstance(value, pikepdf.Dictionary) and isinstance(value.get("/S"), pikepdf.Name)

    def _describe(self, value):
        """What an /AA or /OpenAction held, for the message."""
        if self._is_action(value):
            return self._action_kind(value)
        if isinstance(value, pikepdf.Dictionary):  # /AA: trigger → action
            kinds = {self._describe(v) for v in value.values()} - {None}
            return sorted(kinds)[0] if len(kinds) == 1 else ("automatic actions" if kinds else None)
        return None  # a destination: opening at a page is harmless

    def dictionary(self, d, children):
        for key in list(d.keys()):
            value = d.get(key)
            if key in DROPPED_KEYS:
                kind = DROPPED_KEYS[key]
                if key == "/AA":
                    kind = self._describe(value) or kind
                del d[key]
                self._note(kind)
            elif key == "/OpenAction":
                self._note(self._describe(value))
                del d[key]
            elif key in ("/A", "/PA") and self._is_action(value):
                kind = self._action_kind(value)
                if kind:
                    del d[key]
                    self._note(kind)
                elif not value.is_indirect:
                    children.append(value)
            elif key == "/Next" and self._is_action(
                d
            ):  # the actions chained after this one (not an outline's next item)
                self._next(d, value, children)
            elif key == "/Annots" and isinstance(value, pikepdf.Array):
                self._annotations(value, children)
            elif key not in NOT_WALKED and isinstance(value, (pikepdf.Dictionary, pikepdf.Array)):
                if not value.is_indirect:
                    children.append(value)

    def _next(self, d, value, children):
        actions = [value] if self._is_action(value) else list(value) if isinstance(value, pikepdf.Array) else []
        kept = []
        for action in actions:
            kind = self._action_kind(action) if self._is_action(action) else "other actions"
            self._note(kind)
            if not kind:
                kept.append(action)
                if not action.is_indirect:
                    children.append(action)
        if not kept:
            del d["/Next"]
        elif len(kept) != len(actions):
            d["/Next"] = pikepdf.Array(kept)

    def _annotations(self, annots, children):
        kept = []
        for annot in annots:
            subtype = annot.get("/Subtype") if isinstance(annot, pikepdf.Dictionary) else None
            if subtype in DROPPED_ANNOTATIONS:
                self._note(DROPPED_ANNOTATIONS[str(subtype)])
                continue
            kept.append(annot)
            if isinstance(annot, pikepdf.Dictionary) and not annot.is_indirect:
                children.append(annot)
        if len(kept) != len(annots):
            del annots[:]
            annots.extend(kept)

    def run(self, pdf):
        pending = [pdf.trailer, *pdf.objects]
        while pending:
            obj = pending.pop()
            children = []
            if isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
                self.dictionary(obj, children)
            elif isinstance(obj, pikepdf.Array):
                children = [v for v in obj if isinstance(v, (pikepdf.Dictionary, pikepdf.Array)) and not v.is_indirect]
            pending.extend(children)
        return self.removed


def outside_data(data):
    """True when something other than blank space comes before the header or after the last %%EOF."""
    start, end = data.find(b"%PDF-"), data.rfind(b"%%EOF")
    before = data[:start] if start > 0 else b""
    after = data[end + 5 :] if end >= 0 else b""
    # A few stray bytes after %%EOF are common from ordinary tools; a page of HTML is not.
    return len(before.strip(b" \t\r\n\f\x00")) > 0 or len(after.strip(b" \t\r\n\f\x00")) > 16


def clean(data, max_pages, max_inflated, max_output):
    """(rewritten bytes, page count, sorted list of what was removed), or Refused."""
    try:
        pdf = pikepdf.Pdf.open(io.BytesIO(data), inherit_page_attributes=False)
    except pikepdf.PasswordError:
        raise Refused("encrypted") from None
    except (pikepdf.PdfError, ValueError, RuntimeError):
        raise Refused("damaged") from None
    with pdf:
        if pdf.is_encrypted:
            raise Refused("encrypted")
        try:
            if count_pages(pdf, max_pages) < 1:
                raise Refused("empty")
            check_streams(pdf, max_inflated)
            removed = Sweep().run(pdf)
            pages = len(pdf.pages)
            out = io.BytesIO()
            pdf.save(
                out,
                fix_metadata_version=False,
                stream_decode_level=pikepdf.StreamDecodeLevel.none,
                object_stream_mode=pikepdf.ObjectStreamMode.preserve,
                encryption=False,
                deterministic_id=True,
            )
        except (pikepdf.PdfError, ValueError, RuntimeError, TypeError, KeyError, AttributeError):
            raise Refused("damaged") from None
    safe = out.getvalue()
    if len(safe) > max_output:
        raise Refused("too_large", limit=max_output)
    with pikepdf.Pdf.open(io.BytesIO(safe)) as again:  # what is stored opens, with the pages counted
        pages = len(again.pages)
    if pages < 1:
        raise Refused("empty")
    if outside_data(data):
        removed.add("content outside the PDF")
    return safe, pages, sorted(removed)


def main():
    limits = json.loads(sys.argv[1])
    limit_resources(limits.get("memory"), limits.get("cpu_seconds"))
    data = sys.stdin.buffer.read()
    try:
        safe, pages, removed = clean(data, limits["max_pages"], limits["max_inflated"], limits["max_output"])
    except Refused as refused:
        header, safe = {"ok": False, "code": refused.code, **refused.details}, b""
    except MemoryError:
        header, safe = {"ok": False, "code": "too_complex"}, b""
    else:
        header = {"ok": True, "pages": pages, "removed": removed}
    sys.stdout.buffer.write(json.dumps(header).encode() + b"\n" + safe)
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    main()
