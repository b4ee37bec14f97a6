"""Reading the files people bring to the valet import: CSV with any delimiter and a
guessed encoding, XLSX, and vCard, all as one stream of header + rows.

Rows are numbered the way a spreadsheet shows them (the header is row 1), so a problem
report points at the line the user sees. Nothing here holds the whole file in memory.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO

SAMPLE = 64 * 1024
DELIMITERS = ",;\t|"
MAX_CELL = 10_000  # characters kept of one cell; past this it is not a name or an address
csv.field_size_limit(1_000_000)  # a runaway quote fails one row, not the whole import


class FileProblem(ValueError):
    """The file cannot be read at all; the message says what to do."""


@dataclass(frozen=True)
class Row:
    number: int  # as a spreadsheet numbers it: the header is row 1
    cells: list[str]
    problem: str = ""  # set when the row could not be read (bad quoting, ragged)


@dataclass(frozen=True)
class FileInfo:
    kind: str  # "csv", "xlsx" or "vcard"
    encoding: str = ""
    delimiter: str = ""

    @property
    def description(self) -> str:
        if self.kind == "xlsx":
            return "Excel workbook (first sheet)"
        if self.kind == "vcard":
            return "vCard file"
        names = {",": "commas", ";": "semicolons", "\t": "tabs", "|": "bars"}
        return f"CSV, {names.get(self.delimiter, repr(self.delimiter))}, {self.encoding}"


# ---- what kind of file --------------------------------------------------------------------


def sniff_kind(head: bytes, filename: str = "") -> str:
    name = filename.lower()
    if head.startswith(b"PK\x03\x04") and not name.endswith(".csv"):
        return "xlsx"  # a zip: what Excel saves
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileProblem(
            "This is an old Excel .xls file. Open it in Excel or Numbers and save it as "
            ".xlsx or CSV, then upload that."
        )
    stripped = head.lstrip(b"\xef\xbb\xbf \r\n\t").upper()
    if stripped.startswith(b"BEGIN:VCARD") or name.endswith(".vcf"):
        return "vcard"
    start = head[:4096]
    binary = start.count(b"\x00") > len(start) // 10  # a stray NUL is cleaned, not refused
    if binary and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileProblem(
            "This does not look like a spreadsheet or a CSV file. Upload a .csv, .xlsx "
            "or .vcf file."
        )
    return "csv"


# Bytes that Windows-1252 leaves undefined; a file holding them is Latin-1 (or broken).
_CP1252_UNDEFINED = {0x81, 0x8D, 0x8F, 0x90, 0x9D}


def detect_encoding(stream: IO[bytes]) -> str:
    """UTF-8 (with or without BOM), UTF-16 with a BOM, Windows-1252 or Latin-1, decided
    from the whole file, read in chunks, so a stray byte near the end is not missed."""
    stream.seek(0)
    head = stream.read(4)
    stream.seek(0)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    decoder = codecs.getincrementaldecoder("utf-8")()
    high: set[int] = set()
    utf8 = True
    while chunk := stream.read(1 << 20):
        if utf8:
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                utf8 = False
        if not utf8:
            high.update(b for b in chunk if 0x80 <= b <= 0x9F)
    stream.seek(0)
    if utf8:
        try:
            decoder.decode(b"", final=True)
            return "utf-8"
        except UnicodeDecodeError:
            pass
    return "latin-1" if high & _CP1252_UNDEFINED else "cp1252"


def detect_delimiter(sample: str) -> str:
    """The delimiter that splits the first lines into the same, largest number of cells."""
    lines = sample.splitlines()[:30]
    if len(lines) > 1 and not sample.endswith(("\n", "\r")):
        lines = lines[:-1]  # the sample may have cut the last line short
    best, best_score = ",", (0, 0)
    for delimiter in DELIMITERS:
        try:
            counts = [len(r) for r in csv.reader(lines, delimiter=delimiter) if r]
        except csv.Error:
            continue
        if not counts:
            continue
        width, agree = Counter(counts).most_common(1)[0]
        if width < 2:
            continue
        score = (agree, width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def inspect(stream: IO[bytes], filename: str = "") -> FileInfo:
    """Find out how to read the file; raises FileProblem with advice when it cannot be."""
    stream.seek(0)
    head = stream.read(SAMPLE)
    stream.seek(0)
    if not head.strip(b" \r\n\t\xef\xbb\xbf"):
        raise FileProblem("The file is empty.")
    kind = sniff_kind(head, filename)
    if kind != "csv":
        return FileInfo(kind=kind)
    encoding = detect_encoding(stream)
    sample = head.decode(encoding, errors="ignore")
    return FileInfo(kind="csv", encoding=encoding, delimiter=detect_delimiter(sample))


# ---- reading -------------------------------------------------------------------------------


def clean(value: object) -> str:
    """A cell as text: no NUL bytes (Postgres refuses them), trimmed, bounded."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date() if value.time() == datetime.min.time() else value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a phone number or ZIP that Excel stored as a number
    text = str(value).replace("\x00", "").strip()
    return text[:MAX_CELL]


def _csv_rows(stream: IO[bytes], info: FileInfo) -> Iterator[Row]:
    text = io.TextIOWrapper(stream, encoding=info.encoding, errors="replace", newline="")
    reader = csv.reader(text, delimiter=info.delimiter, strict=True)
    number = 0
    while True:
        number += 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield Row(number=number, cells=[], problem=f"Could not be read: {exc}.")
            continue
        yield Row(number=number, cells=[clean(c) for c in cells])


def _xlsx_rows(stream: IO[bytes]) -> Iterator[Row]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(stream, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken workbook
        raise FileProblem(f"This Excel file could not be opened ({exc}).") from exc
    try:
        sheet = book.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [clean(v) for v in values]
            while cells and not cells[-1]:
                cells.pop()  # read-only sheets pad rows to the widest one
            yield Row(number=number, cells=cells)
    finally:
        book.close()


VCARD_HEADER = [
    "First name", "Last name", "Company", "Title",
    "Email", "Email 2",
    "Mobile", "Phone", "Phone 2", "Phone 3",
    "Street", "Unit", "City", "State", "Postal code", "Country",
    "Birthday", "Categories", "Notes",
]  # fmt: skip


def _vcard_rows(stream: IO[bytes]) -> Iterator[Row]:
    from contacts import vcard

    cards = vcard.parse(vcard.decode(stream.read()))
    yield Row(number=1, cells=list(VCARD_HEADER))
    for card in cards:
        if not card.ok:
            yield Row(number=card.position + 1, cells=[], problem=card.problem)
            continue
        mobiles = [p.number for p in card.phones if p.label == "mobile"][:1]
        others = [p.number for p in card.phones if p.number not in mobiles][:3]
        emails = [e.address for e in card.emails][:2]
        address = next((a for a in card.addresses if a.is_mailing), None) or (
            card.addresses[0] if card.addresses else None
        )
        parts = (
            [
                address.street,
                address.unit,
                address.city,
                address.state,
                address.postal_code,
                address.country,
            ]
            if address
            else [""] * 6
        )
        cells = [
            card.first_name, card.last_name, card.company, card.title,
            *([*emails, "", ""])[:2],
            *([*mobiles, ""])[:1],
            *([*others, "", "", ""])[:3],
            *parts,
            card.birthday.isoformat() if card.birthday else "",
            "; ".join(card.categories),
            card.note,
        ]  # fmt: skip
        yield Row(number=card.position + 1, cells=[clean(c) for c in cells])


def read_rows(stream: IO[bytes], info: FileInfo) -> Iterator[Row]:
    """Every row of the file, the header first."""
    stream.seek(0)
    if info.kind == "xlsx":
        return _xlsx_rows(stream)
    if info.kind == "vcard":
        return _vcard_rows(stream)
    return _csv_rows(stream, info)


def header_and_rows(stream: IO[bytes], info: FileInfo) -> tuple[list[str], Iterator[Row]]:
    """The header (the first row with any text) and the data rows after it."""
    rows = read_rows(stream, info)
    for row in rows:
        if any(row.cells):
            header = _unique_headers(row.cells)
            return header, rows
        if row.problem:
            raise FileProblem(f"The first line could not be read: {row.problem}")
    raise FileProblem("The file has no header row: the first line should name the columns.")


def _unique_headers(cells: list[str]) -> list[str]:
    """Header names as given, blanks named by position and repeats numbered, so each
    column can be mapped on its own."""
    seen: Counter[str] = Counter()
    names = []
    for position, cell in enumerate(cells, start=1):
        name = cell.strip().lstrip("\ufeff") or f"Column {position}"
        seen[name.lower()] += 1
        if seen[name.lower()] > 1:
            name = f"{name} ({seen[name.lower()]})"
        names.append(name)
    return names
