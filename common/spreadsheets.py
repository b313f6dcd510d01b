"""CSV files that people open in spreadsheet programs."""


def csv_cell(value) -> str:
    """Keeps spreadsheet programs from running a cell as a formula (CSV injection): text that starts with
    =, +, -, @, a tab or a carriage return is prefixed with a quote, which the program shows as text."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
