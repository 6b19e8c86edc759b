"""Reading a CSV file: its text (UTF-8, with or without a byte-order mark, or in an
encoding named), its delimiter, its header and its records, one by one."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from tracker.errors import InvalidInput


class NotUTF8(InvalidInput):
    """A file that is not UTF-8: ``encoding`` is the one it most likely is (``None``
    when no encoding reads it), and the message gives the command that converts it."""

    def __init__(self, origin: str, expected: str, encoding: str | None) -> None:
        self.encoding = encoding
        super().__init__(origin, expected)


def decode(data: bytes, origin: str, encoding: str | None = None) -> str:
    """The text of a CSV file: UTF-8, with or without a byte-order mark, or in the
    ``encoding`` named. A file that is not UTF-8 raises NotUTF8, naming the encoding it
    most likely is (charset-normalizer) and the exact command that converts it."""
    if encoding is not None:
        return _decode_as(data, origin, encoding)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InvalidInput(origin, "UTF-8 text, not UTF-16 (save the file as CSV UTF-8)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        found = f"UTF-8 text; byte 0x{data[exc.start]:02x} on line {line} is not UTF-8"
        guess = likely_encoding(data)
        if guess is None:
            raise NotUTF8(origin, found, None) from None
        command = convert_command(origin, guess)
        raise NotUTF8(
            origin, f"{found}; it reads as {guess}: convert it with {command}", guess
        ) from None


def likely_encoding(data: bytes) -> str | None:
    """The encoding ``data`` most likely is, as Python names it (``cp1250``)."""
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or not best.coherence:
        return None  # no language reads well in any encoding: too little text to tell
    return str(best.encoding)


def convert_command(origin: str, encoding: str) -> str:
    """The iconv command that writes ``origin`` in UTF-8 beside it."""
    import shlex
    from pathlib import PurePath

    path = PurePath(origin)
    target = path.with_name(f"{path.stem}.utf8{path.suffix or '.csv'}")
    name = encoding.upper().replace("_", "-")
    return f"iconv -f {name} -t UTF-8 {shlex.quote(origin)} > {shlex.quote(str(target))}"


def encoding_option(value: str, field: str = "encoding") -> str:
    """An encoding Python knows (``--encoding``), by its canonical name."""
    import codecs

    try:
        return codecs.lookup(value).name
    except LookupError:
        expected = "an encoding such as cp1250, latin-1 or utf-8"
        raise InvalidInput(field, expected, value) from None


def _decode_as(data: bytes, origin: str, encoding: str) -> str:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InvalidInput(
            origin, f"text in {encoding}; byte 0x{data[exc.start]:02x} on line {line} is not"
        ) from None
    return text.removeprefix("\ufeff")


def sniff_delimiter(text: str) -> str:
    """Comma, unless the header line has no comma but semicolons, tabs or bars."""
    first = text.split("\n", 1)[0]
    if "," in first:
        return ","
    counts = {mark: first.count(mark) for mark in (";", "\t", "|")}
    best = max(counts, key=lambda mark: counts[mark])
    return best if counts[best] else ","


def delimiter_option(value: str) -> str:
    """The delimiter ``--delimiter`` names: one character, or ``tab``/``\\t``."""
    if value.casefold() in ("tab", "\\t"):
        return "\t"
    if len(value) != 1 or value in '"\r\n' or value.isalnum():
        raise InvalidInput("delimiter", "one character such as , ; | or 'tab'", value)
    return value


def read_table(text: str, origin: str, delimiter: str | None) -> tuple[list[str], list[list[str]]]:
    """The header and the records of CSV ``text`` (RFC 4180, quotes doubled)."""
    header, records = iter_table(text, origin, delimiter)
    return header, list(records)


def iter_table(
    text: str, origin: str, delimiter: str | None
) -> tuple[list[str], Iterator[list[str]]]:
    """The header of CSV ``text``, and its records one by one (so that a big file is
    never all in memory as lists of cells). The iterator raises InvalidInput at the
    first record that is not well-formed CSV or not as wide as the header."""
    sep = delimiter or sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, strict=True)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise InvalidInput(f"{origin}: row 1", f"well-formed CSV ({exc})") from None
    if header is None or not any(cell.strip() for cell in header):
        raise InvalidInput(origin, "a CSV file with a header row")
    width = len(header)

    def records() -> Iterator[list[str]]:
        row = 2
        try:
            for record in reader:
                if record and len(record) != width:
                    raise InvalidInput(
                        f"{origin}: row {row}",
                        f"{width} columns as in the header, got {len(record)}"
                        + ("" if delimiter else f" (read with the delimiter {sep!r})"),
                    )
                yield record
                row += 1
        except csv.Error as exc:
            raise InvalidInput(f"{origin}: row {row}", f"well-formed CSV ({exc})") from None

    return [cell.strip() for cell in header], records()
