"""CSV files that people open in spreadsheet programs."""

import re

# What a spreadsheet program may read as the start of a formula (OWASP's CSV injection list: =, +, -, @,
# tab and carriage return) and their fullwidth forms (＝ ＋ － ＠), which some programs fold to the ASCII
# ones. A program skips leading spaces and line breaks before it looks, so the first other character counts.
_FORMULA_START = re.compile(r"[\s\u3000]*[=+\-@\t\r\uff1d\uff0b\uff0d\uff20]")


def csv_cell(value) -> str:
    """Keeps spreadsheet programs from running a cell as a formula (CSV injection): text whose first
    character after any leading whitespace or line break is =, +, -, @, a tab, a carriage return or a
    fullwidth form of them is prefixed with a quote, which the program shows as text."""
    text = "" if value is None else str(value)
    return "'" + text if _FORMULA_START.match(text) else text
