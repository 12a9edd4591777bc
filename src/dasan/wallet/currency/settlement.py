"""Reading an operator's settlement: the lines of one day the city pays the operator for.

The HTTP protocol answers ``GET /v1/settlements/{YYYY-MM-DD}`` with JSON lines; some
operators deliver a file instead. The file format (docs/dev/wallet-currency.md) is CSV:

    key,provider_ref,amount,charged_at
    conv-000123,OP-20261207-0001,10000,2026-12-07T10:15:00+09:00

* the first non-empty line is the header; its names are matched without regard to case
  or order, other columns are ignored;
* UTF-8 (a byte-order mark is fine) or, as Korean operators' files often are, CP949;
* ``amount``: a positive whole number of won, digits only (no ``10,000``, no ``.0``);
* ``charged_at``: ISO 8601; without an offset it is Korean time (Asia/Seoul);
* each key at most once; blank lines are skipped.

Everything wrong is reported, not just the first problem, each with its line number
as an editor counts lines (quoted fields may span lines), in
:class:`~dasan.wallet.currency.base.SettlementFormatError`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from zoneinfo import ZoneInfo

from .base import KEY_PATTERN, SettlementFormatError, SettlementLine

SEOUL = ZoneInfo("Asia/Seoul")
COLUMNS = ("key", "provider_ref", "amount", "charged_at")
#: The most problems one error lists (a wholly wrong file should not make a huge message).
MAX_ERRORS = 200


def parse_amount(value) -> int:
    if isinstance(value, bool):
        raise ValueError(f"amount {value!r} is not a whole number of won")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        number = int(value.strip())
    else:
        raise ValueError(f"amount {value!r} is not a whole number of won")
    if number <= 0:
        raise ValueError(f"amount {value!r} is not positive")
    return number


def parse_time(value) -> dt.datetime:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("charged_at is missing")
    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"charged_at {value!r} is not an ISO 8601 time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=SEOUL)


def parse_line(fields: dict) -> SettlementLine:
    """One settlement line from its fields (CSV cells or a JSON object); ValueError
    naming the first bad field."""
    key = fields.get("key")
    if not isinstance(key, str) or not KEY_PATTERN.fullmatch(key.strip()):
        raise ValueError(f"key {key!r} is not 1-64 characters of A-Z a-z 0-9 _ -")
    provider_ref = fields.get("provider_ref")
    if not isinstance(provider_ref, str) or not provider_ref.strip():
        raise ValueError("provider_ref is missing")
    return SettlementLine(
        key=key.strip(),
        provider_ref=provider_ref.strip(),
        amount=parse_amount(fields.get("amount")),
        charged_at=parse_time(fields.get("charged_at")),
    )


def collect(rows) -> list[SettlementLine]:
    """Lines from ``(line number, fields, problem)`` rows (``problem`` set when the row
    could not even be read), or SettlementFormatError with every problem found (bad
    fields, a key seen twice)."""
    lines, errors, seen = [], [], {}
    for number, fields, problem in rows:
        if len(errors) >= MAX_ERRORS:
            break
        if problem:
            errors.append((number, problem))
            continue
        try:
            line = parse_line(fields)
        except ValueError as exc:
            errors.append((number, str(exc)))
            continue
        if line.key in seen:
            errors.append((number, f"key {line.key!r} already on line {seen[line.key]}"))
            continue
        seen[line.key] = number
        lines.append(line)
    if errors:
        raise SettlementFormatError(errors)
    return lines


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as utf8_error:
        try:
            return data.decode("cp949")
        except UnicodeDecodeError:
            line = data.count(b"\n", 0, utf8_error.start) + 1
            raise SettlementFormatError([(line, "text is neither UTF-8 nor CP949")]) from None


def _rows(text: str):
    """``(line number, fields, problem)`` for each data row (see :func:`collect`)."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header = None
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            yield reader.line_num, None, f"not valid CSV ({exc})"
            return
        if not any(cell.strip() for cell in row):
            continue
        if header is None:
            header = [cell.strip().lower() for cell in row]
            missing = [name for name in COLUMNS if name not in header]
            if missing:
                yield reader.line_num, None, f"header lacks {', '.join(missing)}"
                return
            continue
        if len(row) != len(header):
            yield reader.line_num, None, f"{len(row)} fields where the header has {len(header)}"
            continue
        yield reader.line_num, dict(zip(header, row, strict=True)), ""
    if header is None:
        yield 1, None, "the file is empty (no header)"


def parse_settlement_csv(data: bytes) -> list[SettlementLine]:
    """The lines of an operator's CSV settlement file (format: module docstring)."""
    return collect(_rows(_decode(data)))


def parse_settlement_json(data) -> list[SettlementLine]:
    """The lines of ``{"date": ..., "lines": [{key, provider_ref, amount, charged_at}]}``;
    "line" numbers count the entries from 1."""
    entries = data.get("lines") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise SettlementFormatError([(1, "answer has no list of lines")])
    return collect(
        (n, entry, "") if isinstance(entry, dict) else (n, None, "not an object")
        for n, entry in enumerate(entries, start=1)
    )
