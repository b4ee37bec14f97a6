"""Reading ugly files: delimiters, encodings, Excel, vCard, ragged rows and bad quoting;
and the mapping suggested from header names."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from prospects import import_files
from prospects.import_files import FileProblem
from prospects.import_mapping import build_person, split_full_name, suggest_mapping


def _rows(data: bytes, name: str = "list.csv") -> tuple[list[str], list[import_files.Row]]:
    stream = io.BytesIO(data)
    info = import_files.inspect(stream, name)
    header, rows = import_files.header_and_rows(stream, info)
    return header, list(rows)


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_any_delimiter_is_found(delimiter: str) -> None:
    text = delimiter.join(["First", "Last", "City"]) + "\n"
    text += (
        delimiter.join(["Ann", "Lee", "Fort Collins, CO"]).replace(
            "Fort Collins, CO", '"Fort Collins, CO"'
        )
        + "\n"
    )
    header, rows = _rows(text.encode())
    assert header == ["First", "Last", "City"]
    assert rows[0].cells == ["Ann", "Lee", "Fort Collins, CO"]


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [
        ("utf-8", "utf-8"),
        ("utf-8-sig", "utf-8-sig"),
        ("cp1252", "cp1252"),
        ("utf-16", "utf-16"),
    ],
)
def test_encodings_are_detected(encoding: str, expected: str) -> None:
    text = "Name,Notes\nJosé Peña,“smart quotes” \u2013 and a dash\n"
    data = text.encode(encoding)
    stream = io.BytesIO(data)
    info = import_files.inspect(stream, "x.csv")
    assert info.encoding == expected
    _header, rows = import_files.header_and_rows(stream, info)
    assert next(iter(rows)).cells == ["José Peña", "“smart quotes” \u2013 and a dash"]


def test_latin1_bytes_that_windows_1252_lacks_mean_latin1() -> None:
    data = "Name\nCafé\n".encode("latin-1") + b"\x81\n"
    assert import_files.inspect(io.BytesIO(data), "x.csv").encoding == "latin-1"


def test_a_stray_byte_late_in_a_big_file_is_not_missed() -> None:
    data = b"Name\n" + b"Plain Person\n" * 20_000 + "Zoë\n".encode("cp1252")
    info = import_files.inspect(io.BytesIO(data), "big.csv")
    assert info.encoding == "cp1252"
    _header, rows = _rows(data)
    assert rows[-1].cells == ["Zoë"]


def test_xlsx_first_sheet_numbers_and_dates_become_text() -> None:
    from datetime import date

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Name", "Phone", "Birthday", "Zip"])
    sheet.append(["Ann Lee", 9705550123, date(1980, 3, 4), 80521])
    sheet.append([None, None, None, None])
    buffer = io.BytesIO()
    book.save(buffer)
    header, rows = _rows(buffer.getvalue(), "list.xlsx")
    assert header == ["Name", "Phone", "Birthday", "Zip"]
    assert rows[0].cells == ["Ann Lee", "9705550123", "1980-03-04", "80521"]
    assert rows[0].number == 2


def test_vcard_files_read_as_rows() -> None:
    data = (
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Lee;Ann;;;\r\nFN:Ann Lee\r\n"
        b"TEL;TYPE=CELL:970-555-0123\r\nEMAIL:ann@example.com\r\nEND:VCARD\r\n"
    )
    header, rows = _rows(data, "phone.vcf")
    values = dict(zip(header, rows[0].cells, strict=False))
    assert values["First name"] == "Ann" and values["Mobile"] == "970-555-0123"
    assert values["Email"] == "ann@example.com"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"   \r\n", "empty"),
        (b"\xd0\xcf\x11\xe0" + b"\x00" * 100, ".xls"),
        (b"\x00\x01\x02binary\x00junk" * 10, "does not look like"),
    ],
)
def test_unreadable_files_say_what_to_do(data: bytes, message: str) -> None:
    with pytest.raises(FileProblem, match=message):
        _rows(data, "list.csv")


def test_bad_quoting_fails_one_row_and_the_rest_read() -> None:
    data = b'Name,City\n"Ann" Lee,Denver\nBob Roe,Boulder\n'
    _header, rows = _rows(data)
    assert rows[0].problem.startswith("Could not be read")
    assert rows[1].cells == ["Bob Roe", "Boulder"]


def test_nul_bytes_and_spaces_are_cleaned() -> None:
    _header, rows = _rows(b"Name,City\n  Ann\x00 Lee ,Denver\n")
    assert rows[0].cells == ["Ann Lee", "Denver"]


def test_blank_and_repeated_headers_get_their_own_names() -> None:
    header, _ = _rows(b"Name,,Phone,Phone\nAnn,x,1,2\n")
    assert header == ["Name", "Column 2", "Phone", "Phone (2)"]


# ---- mapping suggestions ---------------------------------------------------------------


def test_mapping_is_suggested_from_header_names() -> None:
    headers = [
        "Full Name", "E-mail", "Email 2", "Phone 1", "Phone 2", "Phone 3", "Cell",
        "Property Address", "Property City", "Property Zip", "Mailing Address", "Mailing City",
        "Mailing State", "Mailing Zip", "Lead Source", "Tags", "Comments", "List Price",
    ]  # fmt: skip
    mapping = suggest_mapping(headers)
    assert mapping == {
        "Full Name": "full_name",
        "E-mail": "email",
        "Email 2": "email2",
        "Phone 1": "phone",
        "Phone 2": "phone2",
        "Phone 3": "phone3",
        "Cell": "mobile",
        "Property Address": "property_street",
        "Property City": "property_city",
        "Property Zip": "property_postal_code",
        "Mailing Address": "street",
        "Mailing City": "city",
        "Mailing State": "state",
        "Mailing Zip": "postal_code",
        "Lead Source": "lead_source",
        "Tags": "categories",
        "Comments": "notes",
    }


def test_camel_case_and_first_last_columns() -> None:
    mapping = suggest_mapping(["FirstName", "LastName", "Name", "ZipCode", "Address 2"])
    assert mapping == {
        "FirstName": "first_name",
        "LastName": "last_name",
        "ZipCode": "postal_code",
        "Address 2": "unit",
    }


@pytest.mark.parametrize(
    ("full", "first", "last"),
    [
        ("John Smith", "John", "Smith"),
        ("Smith, John A.", "John A.", "Smith"),
        ("Dr. Mary Ann Jones Jr.", "Mary Ann", "Jones"),
        ("Cher", "Cher", ""),
        ("  ", "", ""),
    ],
)
def test_full_names_split_into_first_and_last(full: str, first: str, last: str) -> None:
    assert split_full_name(full) == (first, last)


def test_unusable_values_become_warnings_kept_in_the_note() -> None:
    person = build_person(
        7,
        {
            "full_name": "Ann Lee",
            "email": "not-an-email",
            "email2": "ANN@Example.com",
            "birthday": "someday",
            "lead_type": "Seller",
            "city": "x" * 150,
        },
    )
    assert not person.problem
    assert person.emails == ["ann@example.com"]
    assert person.lead["lead_type"] == "seller"
    assert person.address["city"] == "x" * 100
    assert any("not-an-email" in w for w in person.warnings)
    assert any("someday" in line for line in person.leftovers)
    assert any(line.endswith("x" * 150) for line in person.leftovers)


def test_a_row_without_any_name_is_a_problem_and_a_blank_row_is_empty() -> None:
    assert build_person(3, {"email": "a@example.com"}).problem.startswith("No name")
    assert build_person(4, {"email": ""}).problem == "empty"


@pytest.mark.parametrize(
    ("line", "parts"),
    [
        ("123 Main St, Loveland CO 80537", ("123 Main St", "Loveland", "CO", "80537")),
        ("9 Elm Ct, Fort Collins, co 80521-1234", ("9 Elm Ct", "Fort Collins", "CO", "80521-1234")),
        ("PO Box 5, Denver, CO", ("PO Box 5", "Denver", "CO", "")),
    ],
)
def test_a_whole_address_in_one_column_is_split(line: str, parts: tuple[str, ...]) -> None:
    person = build_person(2, {"full_name": "Ann Lee", "street": line, "property_street": line})
    address = person.address
    assert (address["street"], address["city"], address["state"], address["postal_code"]) == parts
    assert person.lead["property_city"] == parts[1]


def test_a_street_alone_or_with_its_own_city_column_is_left_as_it_is() -> None:
    alone = build_person(2, {"full_name": "Ann Lee", "street": "123 Main St"})
    assert alone.address["street"] == "123 Main St" and alone.address["city"] == ""
    given = build_person(
        2, {"full_name": "Ann Lee", "street": "1 A St, B CO 80000", "city": "Mine"}
    )
    assert given.address["street"] == "1 A St, B CO 80000" and given.address["city"] == "Mine"
