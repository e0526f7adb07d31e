"""A registered document with electronic seals (电子印章), signatures or notes appended after it.

A bureau's seal software does not change the file it seals: it appends an incremental update
(ISO 32000 §7.5.6), the original bytes followed by new objects and a new cross-reference
section. So an upload that is not byte-for-byte a registered document may still begin with one.
Such a file verifies as "原件 + 其后追加的签章" when every update after the registered bytes only
adds signatures, seals or annotations; an update that touches anything the original printed
(a page's content, its resources, the page tree, a font) or removes objects is refused.

The revisions are read with pyHanko's reader (each revision as the file stood then). The rule is
a whitelist, stricter than pyHanko's signing policy, because the original here is not signed:
- an object of the original may be rewritten only if it is the catalog (only its /AcroForm,
  /DSS, /Extensions, /Metadata and /Perms entries may change), the document information
  dictionary, a page (only its /Annots entry may change), an /Annots array or the /AcroForm
  dictionary of the original (only by adding entries);
- objects added by the updates may be anything and may be rewritten by later updates: nothing
  the original printed can reach them except through the entries above;
- no object may be freed, the trailer's /Root must stay, and no update may encrypt the file;
- finally each page's content streams are compared with the original's, byte for byte.
Each signature's integrity (its digest over the bytes it covers) is checked; its certificate's
trust is not: the register vouches for the original, not for who sealed it.
"""
from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import dataclass, field
from typing import Any, Iterable

from sqlalchemy import select

from ...database import db
from ...models import IssuedDocument
from ...pdf.wording import cn_datetime

log = logging.getLogger(__name__)

_EOF = b"%%EOF"
_CATALOG_MAY_CHANGE = {"/AcroForm", "/DSS", "/Extensions", "/Metadata", "/Perms", "/Version"}
_PAGE_MAY_CHANGE = {"/Annots"}
ANNOTATION_NAMES = {  # the kinds of annotation a reader meets, in the words of a Chinese PDF reader
    "/Text": "注释", "/FreeText": "文字批注", "/Stamp": "图章批注", "/Ink": "手写批注", "/Highlight": "高亮",
    "/Underline": "下划线", "/StrikeOut": "删除线", "/Square": "矩形批注", "/Circle": "圆形批注",
    "/Line": "线条批注", "/Polygon": "多边形批注", "/PolyLine": "折线批注", "/Caret": "插入符",
    "/FileAttachment": "附件", "/Link": "链接", "/Popup": "弹出注释", "/Widget": "表单域",
}


@dataclass(frozen=True)
class Appended:
    """One thing an update added: a signature or seal, or an annotation on a page."""

    kind: str  # "seal" (a visible signature), "signature" (invisible) or "annotation"
    revision: int  # 1 = the first update after the original
    page: int | None = None  # from 1
    label: str = ""  # the annotation's kind, or the signer's name as the certificate gives it
    text: str | None = None  # an annotation's text, or the time a signer's software reported
    intact: bool = True  # a signature's digest matches the bytes it covers


@dataclass(frozen=True)
class AppendedCheck:
    """The verdict on a file that begins with a registered document: `ok`, with what was appended,
    or not, with `problems` (Chinese sentences for the verify page)."""

    document: IssuedDocument
    updates: int
    appended: tuple[Appended, ...] = ()
    problems: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not self.problems and self.updates > 0


def registered_prefix(data: bytes) -> tuple[IssuedDocument, int] | None:
    """The registered document the file begins with (the longest, if several), and its length.

    A revision of a PDF ends with `%%EOF` and an optional end-of-line; each such end is a
    candidate, and the file's bytes up to it are hashed once, in one pass.
    """
    ends: list[int] = []
    position = data.find(_EOF)
    while position != -1:
        end = position + len(_EOF)
        ends.append(end)
        if data[end:end + 2] == b"\r\n":
            ends.append(end + 2)
        elif data[end:end + 1] in (b"\n", b"\r"):
            ends.append(end + 1)
        position = data.find(_EOF, end)
    ends = [e for e in ends if e < len(data)]  # the whole file was looked up already
    if not ends:
        return None
    digest, done, by_hash = hashlib.sha256(), 0, {}
    for end in ends:
        digest.update(data[done:end])
        done = end
        by_hash[digest.copy().hexdigest()] = end
    found = db.session.scalars(select(IssuedDocument).where(IssuedDocument.sha256.in_(list(by_hash)))).all()
    if not found:
        return None
    best = max(found, key=lambda d: (by_hash[d.sha256], -d.id))
    return best, by_hash[best.sha256]


def check_appended(data: bytes, document: IssuedDocument, original_length: int) -> AppendedCheck:
    """Whether what follows the registered bytes only adds signatures, seals or annotations."""
    try:
        return _check(data, document, original_length)
    except Exception as err:  # noqa: BLE001  any file an outsider uploads must get an answer, not a 500
        log.info("appended updates of %s could not be read: %s", document.document_no, err)
        return AppendedCheck(document, 0, problems=("原件之后追加的内容不是可读的 PDF 增量更新，无法确认其未改动原件。",))


def _check(data: bytes, document: IssuedDocument, original_length: int) -> AppendedCheck:
    from pyhanko.pdf_utils.reader import PdfFileReader

    original = PdfFileReader(io.BytesIO(data[:original_length]), strict=False)
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    base = original.xrefs.total_revisions - 1
    total = reader.xrefs.total_revisions
    chain_kept = total > base + 1 and all(
        reader.xrefs.get_startxref_for_revision(r) == original.xrefs.get_startxref_for_revision(r)
        for r in range(base + 1))
    if not chain_kept or any(reader.xrefs.get_startxref_for_revision(r) < original_length
                             for r in range(base + 1, total)):
        return AppendedCheck(document, max(0, total - base - 1),
                             problems=("追加的内容不是接在原件之后的增量更新（交叉引用表未指向原件），文件已被改动。",))
    old = reader.get_historical_resolver(base)
    page_refs = _page_refs(old)
    problems: list[str] = []
    for revision in range(base + 1, total):
        problems += _revision_problems(reader, old, revision, page_refs)
    newest = reader.get_historical_resolver(total - 1)
    problems += _content_problems(old, newest, page_refs)
    appended = _signatures(reader, base, page_refs) + _annotations(old, newest, page_refs, base, reader)
    problems += [f"第 {a.revision} 次追加的{'电子签章' if a.kind == 'seal' else '电子签名'}（{a.label}）与其所签内容不符，已损坏。"
                 for a in appended if a.kind != "annotation" and not a.intact]
    return AppendedCheck(document, total - base - 1, tuple(appended), tuple(dict.fromkeys(problems)))


def _page_refs(resolver) -> list[Any]:
    """The original's page objects in order, by reference."""
    refs: list[Any] = []

    def walk(node_ref) -> None:
        node = node_ref.get_object()
        if node.get("/Type") == "/Pages":
            for kid in _raw_list(node.raw_get("/Kids")):
                walk(kid)
        else:
            refs.append(node_ref.reference)

    walk(resolver.root.raw_get("/Pages"))
    return refs


def _revision_problems(reader, old, revision: int, page_refs: list[Any]) -> list[str]:
    new = reader.get_historical_resolver(revision)
    problems = []
    if new.refs_freed_in_revision():
        problems.append(f"第 {revision - old.revision} 次追加删除了原件中的对象。")
    if new.root_ref != old.root_ref or "/Encrypt" in new.trailer_view:
        problems.append(f"第 {revision - old.revision} 次追加更换了文件的根对象或加密了文件。")
    info = old.trailer_view.raw_get("/Info") if "/Info" in old.trailer_view else None
    root = old.root
    acroform = root.raw_get("/AcroForm") if "/AcroForm" in root else None
    page_numbers = {ref: n for n, ref in enumerate(page_refs, start=1)}
    annots_arrays = {}
    for ref in page_refs:
        page = old(ref)
        raw = page.raw_get("/Annots") if "/Annots" in page else None
        if raw is not None and hasattr(raw, "reference"):
            annots_arrays[raw.reference] = page_numbers[ref]
    for ref in new.explicit_refs_in_revision():
        if reader.xrefs.get_historical_ref(ref, old.revision) is None:
            continue  # added after the original: reachable only through the entries checked here
        before, after = old(ref), new(ref)
        if ref == old.root_ref:
            changed = _changed_keys(before, after) - _CATALOG_MAY_CHANGE
            if changed:
                problems.append(f"追加的更新修改了文件目录（{'、'.join(sorted(changed))}）。")
        elif ref in page_numbers:
            changed = _changed_keys(before, after) - _PAGE_MAY_CHANGE
            if "/Contents" in changed:
                problems.append(f"追加的更新修改了第 {page_numbers[ref]} 页的页面内容。")
            elif changed:
                problems.append(f"追加的更新修改了第 {page_numbers[ref]} 页的页面属性（{'、'.join(sorted(changed))}）。")
            elif not _keeps_entries(before.get("/Annots"), after.get("/Annots")):
                problems.append(f"追加的更新删除或替换了第 {page_numbers[ref]} 页原有的批注。")
        elif info is not None and ref == info.reference:
            continue  # 文档信息 (producer, modification date): what a signing tool updates
        elif ref in annots_arrays:
            if not _keeps_entries(before, after):
                problems.append(f"追加的更新删除或替换了第 {annots_arrays[ref]} 页原有的批注。")
        elif acroform is not None and hasattr(acroform, "reference") and ref == acroform.reference:
            if not _keeps_entries(before.get("/Fields"), after.get("/Fields")):
                problems.append("追加的更新删除了原件的表单域。")
        else:
            problems.append("追加的更新改写了原件的内容对象（字体、图像、资源或页面树）。")
    return problems


def _changed_keys(before, after) -> set[str]:
    keys = set(before) | set(after)
    return {k for k in keys if k not in before or k not in after or not _same(before.raw_get(k), after.raw_get(k))}


def _same(a, b) -> bool:
    """Equal as written: references by their number, direct objects by value."""
    ref_a, ref_b = getattr(a, "reference", None), getattr(b, "reference", None)
    if ref_a is not None or ref_b is not None:
        return ref_a == ref_b
    return a == b


def _keeps_entries(before, after) -> bool:
    """`after` (an array) still holds every entry of `before`, by reference."""
    kept = {getattr(x, "reference", None) for x in _raw_list(after)}
    return all(getattr(x, "reference", None) in kept for x in _raw_list(before))


def _content_problems(old, new, page_refs: list[Any]) -> list[str]:
    """Each page of the newest revision draws exactly the original's content streams."""
    new_refs = _page_refs(new)
    if new_refs != page_refs:
        return ["追加的更新增加、删除或调换了页面。"]
    problems = []
    for number, ref in enumerate(page_refs, start=1):
        if _content_bytes(old(ref)) != _content_bytes(new(ref)):
            problems.append(f"追加的更新修改了第 {number} 页的页面内容。")
    return problems


def _content_bytes(page) -> bytes:
    contents = _resolved(page.get("/Contents"))
    if contents is None:
        return b""
    streams = contents if isinstance(contents, list) else [contents]
    return b"\n".join(_resolved(s).data for s in streams)


def _resolved(value):
    """The object itself: what an indirect reference points to (in the revision it was read from)."""
    return value.get_object() if hasattr(value, "get_object") else value


def _signatures(reader, base: int, page_refs: list[Any]) -> list[Appended]:
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    found = []
    newest = reader.get_historical_resolver(reader.xrefs.total_revisions - 1)
    for signature in reader.embedded_signatures:
        if signature.signed_revision <= base:
            continue
        try:
            # Trust is not judged here (see the module's docstring): the signer's own certificate is
            # taken as the root, so that only the digest and the signature value are checked.
            context = ValidationContext(trust_roots=[signature.signer_cert])
            status = validate_pdf_signature(signature, signer_validation_context=context)
            intact = bool(status.intact and status.valid)
        except Exception:  # noqa: BLE001  a damaged signature is reported as not intact
            intact = False
        widget = signature.sig_field
        rect = widget.get("/Rect") if widget is not None else None
        visible = rect is not None and abs(float(rect[2]) - float(rect[0])) * abs(float(rect[3]) - float(rect[1])) > 0
        page = _page_of(widget, newest, page_refs)
        try:
            subject = signature.signer_cert.subject
            names = subject.native
            signer = names.get("common_name") or names.get("organization_name") or subject.human_friendly
        except Exception:  # noqa: BLE001
            signer = "（无法读取签名证书）"
        when = signature.self_reported_timestamp
        found.append(Appended(kind="seal" if visible else "signature", revision=signature.signed_revision - base,
                              page=page, label=str(signer), text=cn_datetime(when) if when else "未记录",
                              intact=intact))
    return found


def _page_of(widget, resolver, page_refs: list[Any]) -> int | None:
    """The page (from 1) whose /Annots lists this widget; None for an invisible signature field."""
    if widget is None:
        return None
    for number, ref in enumerate(page_refs, start=1):
        for raw in _raw_list(resolver(ref).get("/Annots")):
            if _resolved(raw) is widget or _resolved(raw) == widget:
                return number
    return None


def _annotations(old, new, page_refs: list[Any], base: int, reader) -> list[Appended]:
    """Annotations on the pages now that the original did not have (signature widgets excepted)."""
    found = []
    for number, ref in enumerate(page_refs, start=1):
        before = {getattr(a, "reference", None) for a in _raw_list(old(ref).get("/Annots"))}
        for raw in _raw_list(new(ref).get("/Annots")):
            annot_ref = getattr(raw, "reference", None)
            if annot_ref in before:
                continue
            annot = _resolved(raw)
            subtype = str(annot.get("/Subtype", ""))
            if subtype == "/Widget" and str(annot.get("/FT", "")) == "/Sig":
                continue  # listed with the signatures
            if subtype == "/Widget" and "/Parent" in annot and str(_resolved(annot.raw_get("/Parent")).get("/FT", "")) == "/Sig":
                continue
            text = _resolved(annot.get("/Contents"))
            introduced = reader.xrefs.get_introducing_revision(annot_ref) if annot_ref is not None else base + 1
            found.append(Appended(kind="annotation", revision=max(1, introduced - base), page=number,
                                  label=ANNOTATION_NAMES.get(subtype, subtype.lstrip("/") or "批注"),
                                  text=str(text) if text else None))
    return found


def _raw_list(array) -> Iterable[Any]:
    """The entries of an array (or of the array a reference points to), references kept."""
    array = _resolved(array)
    if array is None:
        return []
    return [array.raw_get(i) for i in range(len(array))]
