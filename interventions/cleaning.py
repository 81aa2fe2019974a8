"""Turn spreadsheet cells into the values curators meant.

Every function takes what a CSV or XLSX reader hands over (str, int, float, datetime or None)
and either returns a clean value or raises ValueError with a sentence a curator can act on.
"""

import datetime
import re
from decimal import Decimal, InvalidOperation

# Excel counts days from 30 December 1899 (it wrongly treats 1900 as a leap year, which this
# epoch absorbs for every date after February 1900).
EXCEL_EPOCH = datetime.date(1899, 12, 30)
# Serial numbers between these bounds are read as Excel dates (1 January 1900 to 2100).
EXCEL_SERIAL_RANGE = (1, 73051)

_SPACES = re.compile(r"[^\S\n]+")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\ufeff"), None)
_OFFSET = re.compile(r"^(?:(\d+):)?(\d+):(\d{1,2})(?:\.\d+)?$")
_YEAR = re.compile(r"^\d{4}$")
_TRUE = {"1", "true", "yes", "y", "x", "oui", "sí", "si"}
_FALSE = {"", "0", "false", "no", "n", "non"}


def clean_text(value) -> str:
    """Trim, and fold non-breaking and repeated spaces into one, on a single line.

    For names, posts and titles: `"Charles\\xa0Michel "` becomes `"Charles Michel"`.
    """
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).translate(_INVISIBLE)
    return " ".join(text.split())


def clean_long_text(value) -> str:
    """Keep every word and paragraph of a long text; only line endings and edges are tidied.

    Windows and old Mac line endings become `\\n`; spaces inside a line are folded; the
    text is never shortened.
    """
    if value is None:
        return ""
    text = str(value).translate(_INVISIBLE).replace("\r\n", "\n").replace("\r", "\n")
    lines = [_SPACES.sub(" ", line.replace("\xa0", " ")).strip() for line in text.split("\n")]
    return "\n".join(lines).strip("\n")


def clean_offset(value) -> int | None:
    """Seconds from the start of a recording: `1:23:45`, `83:45` or `5025` all give 5025.

    Excel time cells (a fraction of a day, or a `datetime.time`) are understood as well.
    """
    if value is None:
        return None
    if isinstance(value, datetime.timedelta):
        return int(value.total_seconds())
    if isinstance(value, datetime.time):
        return value.hour * 3600 + value.minute * 60 + value.second
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        if 0 <= value < 1 and not float(value).is_integer():
            # An Excel time cell read as a number: a fraction of a day.
            return round(float(value) * 86400)
        if value < 0 or not float(value).is_integer():
            raise ValueError(f"“{value}” is not a time offset; write 1:23:45, 83:45 or a whole number of seconds.")
        return int(value)
    text = clean_text(value)
    if not text:
        return None
    if text.isdigit():
        return int(text)
    match = _OFFSET.match(text)
    if match:
        hours, minutes, seconds = (int(part) if part else 0 for part in match.groups())
        if seconds < 60 and (not match.group(1) or minutes < 60):
            return hours * 3600 + minutes * 60 + seconds
    raise ValueError(f"“{text}” is not a time offset; write 1:23:45, 83:45 or a whole number of seconds.")


def clean_date(value) -> datetime.date | None:
    """A date from an ISO string, a day/month/year string, an Excel serial number or a date cell."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return _from_excel_serial(value)
    text = clean_text(value)
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        pass
    else:
        return _from_excel_serial(number)
    for pattern in ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%d/%m/%Y", "%d.%m.%Y", "%d %B %Y"):
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(f"“{text}” is not a date; write it as 2021-07-13 (year-month-day).")


def _from_excel_serial(number) -> datetime.date:
    if not float(number).is_integer() and float(number) < 1:
        raise ValueError(f"“{number}” is a time of day, not a date.")
    low, high = EXCEL_SERIAL_RANGE
    if not low <= float(number) <= high:
        raise ValueError(f"“{number}” is not a date; write it as 2021-07-13 (year-month-day).")
    return EXCEL_EPOCH + datetime.timedelta(days=int(number))


def clean_year(value) -> int | None:
    """A four-digit year, from `1946`, `1946.0` or a date."""
    if isinstance(value, datetime.date):
        return value.year
    text = clean_text(value)
    if not text:
        return None
    if not _YEAR.match(text):
        raise ValueError(f"“{text}” is not a year; write four digits, e.g. 1946.")
    return int(text)


def clean_date_or_year(value) -> tuple[datetime.date | None, bool]:
    """A date, or a year alone (`1946`) as its 1 January; the flag says the day is not known."""
    if not isinstance(value, datetime.date) and len(clean_text(value)) == 4:
        year = clean_year(value)
        return datetime.date(year, 1, 1), True
    return clean_date(value), False


def clean_bool(value) -> bool:
    """Yes/no cells: `yes`, `x`, `1`, `true` are true; empty, `no`, `0`, `false` are false."""
    if isinstance(value, bool):
        return value
    text = clean_text(value).casefold()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"“{clean_text(value)}” is not yes or no.")


def split_list(value, separator: str = ";") -> list[str]:
    """`"Demand; migration policy;"` gives `["Demand", "migration policy"]`."""
    return [item for item in (clean_text(part) for part in clean_text(value).split(separator)) if item]


def header_key(header) -> str:
    """A spreadsheet header reduced for matching: `" Name of Person\\xa0Speaking"` gives `"name of person speaking"`."""
    text = clean_text(header).casefold()
    return " ".join(text.replace("_", " ").replace("-", " ").replace(".", " ").split())
