"""The diary and the infusion list as CSV text (a spreadsheet a patient or a clinic can edit).

Diary CSV: a header row, then one row per day.
- Columns: `date` (YYYY-MM-DD, required) plus any of the symptom keys (`fatigue, walking, pain,
  numbness, bladder, cognition, mood, sleep`: whole numbers 0-10, empty = not recorded), optional
  `relapse` (1 or 0, empty = 0) and `notes`. Header names are matched without regard to case or
  surrounding spaces; the order of the columns does not matter.
- An unknown column is an error for the whole file, not a column silently dropped: a misspelt
  `fatigeu` would otherwise lose every fatigue rating without anyone noticing.
- A bad row (impossible date, rating 11, -1, 3.5 or text, a day with nothing recorded) or a second
  row for a day already seen is reported as a `LineProblem` naming the line and column, and the
  row is left out whole (a day is never half-imported); every good row is kept. Of two rows with
  the same date, the first is kept and the later one reported.
- Accepted shapes: UTF-8 with or without a byte-order mark, LF or CRLF line ends, quoted fields
  (notes may span lines; a problem names the line the row starts on), comma as the separator, or
  semicolon when the header has semicolons and no comma (spreadsheets set to a European locale
  save that way). Empty lines are skipped.
- A file that cannot be read at all (empty, no `date` column, unknown or repeated column) raises
  `DiaryError` naming line 1.

`write_diary_csv` writes every column in that order (RFC 4180, CRLF). Notes that begin with
`= + - @` are written with a leading apostrophe so a spreadsheet shows them as text instead of
running them as a formula; reading removes that apostrophe again, so a file round-trips.

Pure: text in, data out.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from msinfusion.diary.entries import SYMPTOMS, DiaryDay, Infusion
from msinfusion.errors import DiaryError

RATING_MIN, RATING_MAX = 0, 10
NOTES_MAX = 2000
DIARY_COLUMNS: tuple[str, ...] = ("date", *SYMPTOMS, "relapse", "notes")
INFUSION_COLUMNS: tuple[str, ...] = ("date", "drug")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_WHOLE = re.compile(r"[+-]?\d+")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_RELAPSE = {"": False, "0": False, "1": True}


@dataclass(frozen=True, slots=True)
class LineProblem:
    """One thing wrong in one row of an import; the row it names was left out."""

    line: int
    field: str
    problem: str

    def __str__(self) -> str:
        return (
            f"line {self.line}: {self.field}: {self.problem}"
            if self.field
            else (f"line {self.line}: {self.problem}")
        )

    def to_dict(self) -> dict[str, object]:
        return {"line": self.line, "field": self.field, "problem": self.problem}


# ---------------------------------------------------------------- shared reading


def _rows(text: str) -> Iterator[tuple[int, list[str]]]:
    """(line the row starts on, cells) for every non-empty row, header first."""
    text = text.removeprefix("\ufeff")
    first = text.split("\n", 1)[0]
    delimiter = ";" if ";" in first and "," not in first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    line = 1
    try:
        for cells in reader:
            start, line = line, reader.line_num + 1
            if not cells or all(not c.strip() for c in cells):
                continue
            yield start, cells
    except csv.Error as exc:
        raise DiaryError(f"line {line}", f"not readable as CSV ({exc})") from None


def _header(cells: list[str], line: int, allowed: tuple[str, ...]) -> list[str]:
    names = [c.strip().lower() for c in cells]
    for name in names:
        if name not in allowed:
            shown = name or "(empty)"
            raise DiaryError(
                f"line {line}: {shown}", f"unknown column; the columns are {', '.join(allowed)}"
            )
    for name in set(names):
        if names.count(name) > 1:
            raise DiaryError(f"line {line}: {name}", "this column appears twice")
    if "date" not in names:
        raise DiaryError(f"line {line}", "no 'date' column (the first row must name the columns)")
    return names


def _date(value: str) -> date:
    """A strict ISO date; ValueError says what is wrong in words a patient understands."""
    text = value.strip()
    if not text:
        raise ValueError("missing (every row needs its day, YYYY-MM-DD)")
    if not _ISO_DATE.fullmatch(text):
        raise ValueError(f"{text!r} is not a date written YYYY-MM-DD")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a real calendar date") from None


def _rating(value: str) -> int | None:
    text = value.strip()
    if not text:
        return None
    if not _WHOLE.fullmatch(text):
        raise ValueError(f"{text!r} is not a whole number from {RATING_MIN} to {RATING_MAX}")
    number = int(text)
    if not RATING_MIN <= number <= RATING_MAX:
        raise ValueError(f"{number} is outside {RATING_MIN} to {RATING_MAX}")
    return number


def _unguard(notes: str) -> str:
    if len(notes) > 1 and notes[0] == "'" and notes[1] in _FORMULA_START:
        return notes[1:]
    return notes


def _guard(notes: str) -> str:
    return "'" + notes if notes.startswith(_FORMULA_START) else notes


# ---------------------------------------------------------------- diary


def read_diary_csv(
    text: str, *, today: date | None = None
) -> tuple[list[DiaryDay], list[LineProblem]]:
    """The good days (in date order) and a problem for each row left out.

    With `today`, a day after it is a problem too (nobody rates tomorrow).
    Raises DiaryError when the file cannot be read at all.
    """
    rows = _rows(text)
    first = next(rows, None)
    if first is None:
        raise DiaryError("line 1", "the file is empty; the first row must name the columns")
    names = _header(first[1], first[0], DIARY_COLUMNS)
    days: dict[date, DiaryDay] = {}
    seen: dict[date, int] = {}
    problems: list[LineProblem] = []
    for line, cells in rows:
        day, row_problems = _diary_row(line, names, cells, today)
        if day is not None and day.date in seen:
            row_problems.append(
                LineProblem(
                    line,
                    "date",
                    f"{day.date.isoformat()} is already on line {seen[day.date]}; "
                    f"line {seen[day.date]} was kept",
                )
            )
        if row_problems:
            problems.extend(row_problems)
            continue
        assert day is not None
        days[day.date] = day
        seen[day.date] = line
    return [days[d] for d in sorted(days)], problems


def _diary_row(
    line: int, names: list[str], cells: list[str], today: date | None
) -> tuple[DiaryDay | None, list[LineProblem]]:
    problems: list[LineProblem] = []
    if len(cells) > len(names):
        extra = cells[len(names) :]
        if any(c.strip() for c in extra):
            problems.append(
                LineProblem(line, "", f"{len(cells)} values but only {len(names)} columns")
            )
    values = dict(zip(names, cells + [""] * (len(names) - len(cells)), strict=False))
    day: date | None = None
    try:
        day = _date(values["date"])
        if today is not None and day > today:
            problems.append(LineProblem(line, "date", f"{day.isoformat()} is in the future"))
    except ValueError as exc:
        problems.append(LineProblem(line, "date", str(exc)))
    ratings: dict[str, int] = {}
    for key in SYMPTOMS:
        if key not in values:
            continue
        try:
            rating = _rating(values[key])
        except ValueError as exc:
            problems.append(LineProblem(line, key, str(exc)))
            continue
        if rating is not None:
            ratings[key] = rating
    relapse_text = values.get("relapse", "").strip()
    relapse = _RELAPSE.get(relapse_text)
    if relapse is None:
        problems.append(LineProblem(line, "relapse", f"{relapse_text!r} is not 1 (yes) or 0 (no)"))
    notes = _unguard(values.get("notes", "").strip())
    if len(notes) > NOTES_MAX:
        problems.append(LineProblem(line, "notes", f"longer than {NOTES_MAX} characters"))
    if not problems and not ratings and not notes and not relapse:
        problems.append(LineProblem(line, "", "nothing recorded on this day"))
    if problems or day is None:
        return (DiaryDay(day) if day is not None else None), problems
    return DiaryDay(day, ratings, bool(relapse), notes), problems


def write_diary_csv(days: Iterable[DiaryDay]) -> str:
    """Every column, one row per day in date order; unrecorded ratings are empty cells."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(DIARY_COLUMNS)
    for day in sorted(days, key=lambda d: d.date):
        ratings = [_cell(day.ratings.get(key)) for key in SYMPTOMS]
        relapse = "1" if day.relapse else "0"
        writer.writerow([day.date.isoformat(), *ratings, relapse, _guard(day.notes)])
    return out.getvalue()


def _cell(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else str(value)


# ---------------------------------------------------------------- infusions


def read_infusions_csv(text: str, *, drugs: Iterable[str] | None = None) -> list[Infusion]:
    """The infusions given (columns date, drug), in date order.

    `drugs` are the known drug ids (default: the catalog's). Any bad row is a DiaryError naming its
    line: an infusion list is short and exact, so a wrong row is fixed, never skipped.
    """
    if drugs is None:
        from msinfusion.knowledge.catalog import default_catalog

        drugs = default_catalog().drugs
    known = sorted(drugs)
    rows = _rows(text)
    first = next(rows, None)
    if first is None:
        raise DiaryError("line 1", "the file is empty; the first row must be: date,drug")
    names = _header(first[1], first[0], INFUSION_COLUMNS)
    if "drug" not in names:
        raise DiaryError(f"line {first[0]}", "no 'drug' column (the columns are date,drug)")
    out: dict[tuple[date, str], Infusion] = {}
    for line, cells in rows:
        if len(cells) > len(names) and any(c.strip() for c in cells[len(names) :]):
            raise DiaryError(f"line {line}", f"{len(cells)} values but only {len(names)} columns")
        values = dict(zip(names, cells + [""] * (len(names) - len(cells)), strict=False))
        try:
            day = _date(values["date"])
        except ValueError as exc:
            raise DiaryError(f"line {line}: date", str(exc)) from None
        drug = values["drug"].strip().lower()
        if drug not in known:
            shown = repr(values["drug"].strip()) if drug else "missing"
            raise DiaryError(
                f"line {line}: drug", f"{shown} is not a known drug; one of {', '.join(known)}"
            )
        if (day, drug) in out:
            raise DiaryError(f"line {line}: date", f"{drug} on {day.isoformat()} is listed twice")
        out[(day, drug)] = Infusion(day, drug)
    return sorted(out.values(), key=lambda i: (i.date, i.drug))


def write_infusions_csv(infusions: Iterable[Infusion]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(INFUSION_COLUMNS)
    for infusion in sorted(infusions, key=lambda i: (i.date, i.drug)):
        writer.writerow([infusion.date.isoformat(), infusion.drug])
    return out.getvalue()
