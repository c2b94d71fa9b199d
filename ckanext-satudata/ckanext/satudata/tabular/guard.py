"""Decide what an uploaded file is and refuse dangerous or broken ones before parsing.

Everything here looks at bytes only: magic numbers, the zip central directory,
the OLE (legacy Office) directory and the XML prologs of the parts a reader
will open. Every zip member a reader will touch is decompressed once, in
chunks, with the actual byte count capped, so CRC errors, truncation and
decompression bombs are found here and not halfway through a load.
"""
from __future__ import annotations

import os
import struct
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

import ckan.plugins.toolkit as tk
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import XMLParser as DefusedXMLParser

FORMATS = ("csv", "xlsx", "xls", "ods")
_TEXT_EXTENSIONS = frozenset({"csv", "txt", "tsv"})
_MACRO_EXTENSIONS = frozenset({"xlsm", "xltm", "xlam", "xlsb"})
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
_CHUNK = 1 << 20
# Members smaller than this cannot be a bomb whatever their ratio: openpyxl's
# own styles and empty-cell runs compress several hundred times.
_RATIO_MIN_SIZE = 1 << 20
_MAX_MEMBERS = 10_000
_MACRO_STREAMS = frozenset({"_vba_project_cur", "_vba_project", "vba", "macros"})
_ENCRYPTION_STREAMS = frozenset({"encryptioninfo", "encryptedpackage"})


def _(msgid: str) -> str:
    """CKAN's gettext, or the msgid itself where no Flask app/request is active (jobs, CLI)."""
    try:
        return tk._(msgid)
    except (RuntimeError, TypeError, KeyError, AttributeError):
        return msgid


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 50 * 2**20
    max_uncompressed: int = 400 * 2**20
    max_ratio: int = 200
    max_rows: int = 2_000_000
    max_columns: int = 300


class FileRejected(Exception):
    """A file we refuse to read. `code` is a stable slug; `message` is for the user."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return self.message


def _mib(n: int) -> str:
    return f"{n / 2**20:.0f} MB"


def _extension(filename: str | None) -> str:
    if not filename or "." not in filename:
        return ""
    return filename.rsplit(".", 1)[1].lower()


def check_file(path: str, filename: str | None, limits: Limits) -> str:
    """Return the format of the file ('csv', 'xlsx', 'xls' or 'ods') or raise FileRejected."""
    size = os.path.getsize(path)
    if size == 0:
        raise FileRejected("empty", _("The file is empty."))
    if size > limits.max_bytes:
        raise FileRejected("too_large", _(
            "The file is {size}; the largest file accepted is {limit}.").format(
            size=_mib(size), limit=_mib(limits.max_bytes)))
    ext = _extension(filename)
    if ext in _MACRO_EXTENSIONS:
        raise _macro()
    with open(path, "rb") as fh:
        head = fh.read(8)
    if head.startswith(_ZIP_MAGIC):
        return _check_zip(path, limits)
    if head == _OLE_MAGIC:
        return _check_ole(path)
    return _check_text(path, ext)


def _macro() -> FileRejected:
    return FileRejected("macro", _(
        "The file contains macros (VBA or scripts). Save it as an ordinary workbook "
        "(.xlsx) without macros and upload it again."))


def _encrypted() -> FileRejected:
    return FileRejected("encrypted", _(
        "The file is protected with a password. Remove the password and upload it again."))


def _unsupported() -> FileRejected:
    return FileRejected("unsupported_type", _(
        "This type of file is not supported. Upload a CSV, Excel (.xlsx, .xls) "
        "or OpenDocument (.ods) spreadsheet."))


def _corrupt() -> FileRejected:
    return FileRejected("corrupt", _(
        "The file is damaged or incomplete and cannot be read. Save it again and upload it."))


# --- text -----------------------------------------------------------------

def _check_text(path: str, ext: str) -> str:
    with open(path, "rb") as fh:
        head = fh.read(65536)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "csv"  # UTF-16 text with a BOM, e.g. Excel's "Unicode text"
    lowered = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if lowered.startswith((b"<html", b"<!doctype", b"<?xml", b"<table")):
        raise FileRejected("html_spreadsheet", _(
            "The file is a web page or XML file saved with a spreadsheet name, not a real "
            "spreadsheet. Open it in Excel and save it as .xlsx or .csv."))
    if head.startswith(b"%PDF") or b"\x00" in head:
        raise _unsupported()
    if ext and ext not in _TEXT_EXTENSIONS:
        # Text renamed to .xlsx/.pdf/...: not clearly a known type.
        raise _unsupported()
    return "csv"


# --- zip (xlsx, ods) ------------------------------------------------------

def _check_zip(path: str, limits: Limits) -> str:
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise _corrupt() from None
    with zf:
        infos = zf.infolist()
        if len(infos) > _MAX_MEMBERS:
            raise _bomb(limits)
        names = {i.filename for i in infos}
        lower = {n.lower() for n in names}
        if any(n.endswith("vbaproject.bin") for n in lower):
            raise _macro()
        if any(i.flag_bits & 0x1 for i in infos):
            raise _encrypted()
        if "mimetype" in names:
            fmt = _zip_ods(zf, names, limits)
        elif "[Content_Types].xml" in names and "xl/workbook.xml" in names:
            fmt = "xlsx"
            types = _read_member(zf, zf.getinfo("[Content_Types].xml"), limits, 0)
            if b"macroenabled" in types.lower():
                raise _macro()
        else:
            raise _unsupported()
        declared = sum(i.file_size for i in infos)
        if declared > limits.max_uncompressed:
            raise _bomb(limits)
        for info in infos:
            if (info.file_size > _RATIO_MIN_SIZE
                    and info.file_size > limits.max_ratio * max(info.compress_size, 1)):
                raise _bomb(limits)
        _scan_members(zf, [i for i in infos if _is_read(i.filename, fmt)], limits)
    return fmt


def _zip_ods(zf: zipfile.ZipFile, names: set[str], limits: Limits) -> str:
    mimetype = _read_member(zf, zf.getinfo("mimetype"), limits, 0).strip()
    if mimetype != _ODS_MIMETYPE:
        raise _unsupported()
    if any(n.startswith(("Basic/", "Scripts/")) for n in names):
        raise _macro()
    if "content.xml" not in names:
        raise _corrupt()
    if "META-INF/manifest.xml" in names:
        manifest = _read_member(zf, zf.getinfo("META-INF/manifest.xml"), limits, 0)
        if b"encryption-data" in manifest:
            raise _encrypted()
    return "ods"


def _is_read(name: str, fmt: str) -> bool:
    if fmt == "ods":
        return name in ("content.xml", "styles.xml", "META-INF/manifest.xml", "mimetype")
    return name == "[Content_Types].xml" or (
        name.startswith("xl/") and (name.endswith(".xml") or name.endswith(".rels"))
        and "/media/" not in name)


def _bomb(limits: Limits) -> FileRejected:
    return FileRejected("zip_bomb", _(
        "The file unpacks to more than {limit} or is compressed suspiciously strongly; "
        "it is refused to protect the server.").format(limit=_mib(limits.max_uncompressed)))


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits, used: int) -> bytes:
    """A small member in full, capped like any other read."""
    return b"".join(_member_chunks(zf, info, limits, used))


def _member_chunks(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits,
                   used: int) -> Iterator[bytes]:
    """Decompress a member in chunks; never trust the declared size."""
    cap = min(limits.max_uncompressed - used,
              max(limits.max_ratio * max(info.compress_size, 1), _RATIO_MIN_SIZE))
    total = 0
    try:
        with zf.open(info) as fh:
            while chunk := fh.read(_CHUNK):
                total += len(chunk)
                if total > cap:
                    raise _bomb(limits)
                yield chunk
    except FileRejected:
        raise
    except Exception as exc:  # BadZipFile (CRC), zlib.error, EOFError (truncated), ...
        if isinstance(exc, RuntimeError) and "encrypted" in str(exc):
            raise _encrypted() from None
        raise _corrupt() from None


class _RootSeen:
    """Parser target that only notes the first element: the prolog is over."""

    def __init__(self) -> None:
        self.seen = False

    def start(self, tag: str, attrib: dict) -> None:
        self.seen = True

    def end(self, tag: str) -> None:
        pass

    def data(self, data: str) -> None:
        pass

    def close(self) -> None:
        pass


def _scan_members(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo], limits: Limits) -> None:
    """Decompress every member a reader will open: CRC, real size, XML prolog (no DTD)."""
    used = 0
    for info in infos:
        xml = info.filename.endswith((".xml", ".rels"))
        target = _RootSeen()
        parser = DefusedXMLParser(target=target, forbid_dtd=True) if xml else None
        for chunk in _member_chunks(zf, info, limits, used):
            used += len(chunk)
            if parser is not None and not target.seen:
                try:
                    parser.feed(chunk)
                except DefusedXmlException:
                    raise xml_entities() from None
                except Exception:  # malformed XML
                    raise _corrupt() from None
        if used > limits.max_uncompressed:
            raise _bomb(limits)


def xml_entities() -> FileRejected:
    """The rejection for DTDs, entity declarations and external references in XML parts."""
    return FileRejected("xml_entities", _(
        "The file contains XML entity or DTD declarations, which are not allowed in "
        "spreadsheets and can be used to attack the server."))


# --- OLE (xls, encrypted OOXML) -------------------------------------------

_FREESECT = 0xFFFFFFFF
_ENDOFCHAIN = 0xFFFFFFFE


def _check_ole(path: str) -> str:
    """Look at the OLE directory only: stream names tell macros and encryption apart."""
    with open(path, "rb") as fh:
        try:
            names, workbook_head = _ole_directory(fh)
        except (struct.error, ValueError, IndexError, OSError):
            raise _corrupt() from None
    lower = {n.lower() for n in names}
    if lower & _ENCRYPTION_STREAMS:
        raise _encrypted()
    if lower & _MACRO_STREAMS:
        raise _macro()
    if "workbook" not in lower and "book" not in lower:
        raise _unsupported()  # a Word document or other OLE file
    if _has_filepass(workbook_head):
        raise _encrypted()
    return "xls"


def _ole_directory(fh: IO[bytes]) -> tuple[list[str], bytes]:
    header = fh.read(512)
    if len(header) < 512:
        raise ValueError("short header")
    shift = struct.unpack_from("<H", header, 0x1E)[0]
    if shift not in (9, 12):
        raise ValueError("sector size")
    sector_size = 1 << shift
    num_fat = struct.unpack_from("<I", header, 0x2C)[0]
    dir_start = struct.unpack_from("<I", header, 0x30)[0]
    difat_start, difat_count = struct.unpack_from("<II", header, 0x44)
    fh.seek(0, os.SEEK_END)
    n_sectors = (fh.tell() - sector_size) // sector_size + 1

    def sector(index: int) -> bytes:
        if index >= n_sectors:
            raise ValueError("sector out of range")
        fh.seek(sector_size + index * sector_size)
        return fh.read(sector_size)

    fat_sectors = [s for s in struct.unpack_from("<109I", header, 0x4C) if s < _ENDOFCHAIN]
    next_difat, per = difat_start, sector_size // 4 - 1
    for _i in range(min(difat_count, n_sectors)):
        if next_difat >= _ENDOFCHAIN:
            break
        entries = struct.unpack(f"<{per + 1}I", sector(next_difat))
        fat_sectors += [s for s in entries[:per] if s < _ENDOFCHAIN]
        next_difat = entries[per]
    fat: list[int] = []
    for s in fat_sectors[:num_fat or len(fat_sectors)]:
        fat += struct.unpack(f"<{sector_size // 4}I", sector(s))

    def chain(start: int) -> Iterator[int]:
        current, steps = start, 0
        while current < _ENDOFCHAIN and steps <= n_sectors:
            yield current
            current = fat[current] if current < len(fat) else _ENDOFCHAIN
            steps += 1

    names: list[str] = []
    workbook_start, workbook_size = _ENDOFCHAIN, 0
    for s in chain(dir_start):
        data = sector(s)
        for off in range(0, len(data), 128):
            entry = data[off:off + 128]
            name_len = struct.unpack_from("<H", entry, 0x40)[0]
            if entry[0x42] == 0 or not 2 <= name_len <= 64:
                continue
            name = entry[:name_len - 2].decode("utf-16-le", "replace")
            names.append(name)
            if name.lower() in ("workbook", "book"):
                workbook_start = struct.unpack_from("<I", entry, 0x74)[0]
                workbook_size = struct.unpack_from("<I", entry, 0x78)[0]
    head = b""
    if workbook_size >= 4096 and workbook_start < _ENDOFCHAIN:
        head = sector(workbook_start)  # small streams live in the mini stream; skip those
    return names, head


def _has_filepass(head: bytes) -> bool:
    """A FILEPASS record (0x002F) among the first records of the Workbook stream: encrypted."""
    pos = 0
    for _i in range(16):
        if pos + 4 > len(head):
            return False
        rtype, length = struct.unpack_from("<HH", head, pos)
        if rtype == 0x002F:
            return True
        pos += 4 + length
    return False
