"""iCalendar (RFC 5545) file for one reservation, written by hand: one VEVENT, CRLF
line endings, TEXT values escaped (§3.3.11) and lines folded at 75 octets (§3.1)
without splitting a UTF-8 character."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from .models import Reservation, Status


def escape(text: str) -> str:
    """TEXT value: backslash, semicolon and comma escaped, newlines as ``\\n``."""
    text = str(text or "").replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return text.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def fold(line: str) -> str:
    """Split a content line into chunks of at most 75 octets, each continuation
    starting with one space."""
    out, current, size = [], "", 0
    for char in line:
        width = len(char.encode("utf-8"))
        limit = 75 if not out else 74  # the leading space of a continuation counts
        if size + width > limit:
            out.append(current)
            current, size = "", 0
        current += char
        size += width
    out.append(current)
    return "\r\n ".join(out)


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def reservation_ics(
    reservation: Reservation, *, host: str = "dasan", url: str = "", now: dt.datetime | None = None
) -> str:
    """The .ics text of ``reservation`` (times in UTC, so any calendar shows them right)."""
    resource = reservation.resource
    unit = resource.unit
    status = {
        Status.CONFIRMED: "CONFIRMED",
        Status.CHECKED_IN: "CONFIRMED",
        Status.CANCELLED: "CANCELLED",
        Status.DENIED: "CANCELLED",
        Status.EXPIRED: "CANCELLED",
    }.get(reservation.status, "TENTATIVE")
    description = [f"{reservation.code} · {reservation.get_status_display()}"]
    if unit.phone:
        description.append(unit.phone)
    if url:
        description.append(url)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Dasan//Reservations//KO",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:reservation-{reservation.pk}@{host}",
        f"DTSTAMP:{_utc(now or timezone.now())}",
        f"DTSTART:{_utc(reservation.begin)}",
        f"DTEND:{_utc(reservation.end)}",
        f"SUMMARY:{escape(f'{unit.name} {resource.name}')}",
        f"LOCATION:{escape(f'{unit.name}, {unit.address}')}",
        f"DESCRIPTION:{escape(chr(10).join(description))}",
        f"STATUS:{status}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    if url:
        lines.insert(-2, f"URL:{url}")
    return "".join(fold(line) + "\r\n" for line in lines)
