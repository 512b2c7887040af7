"""Calendar-month arithmetic for the care engine's inner loops, remembered.

Plans, readiness and due-lists add months to the same dates over and over (every patient started
in the same few years; every schedule counts from the same infusion days), so the answers of
`msinfusion.dates.add_months` are kept. It is a pure function of a date and a number; the cache is
bounded.
"""

from __future__ import annotations

from functools import lru_cache

from msinfusion.dates import add_months as _add_months

add_months = lru_cache(maxsize=1 << 16)(_add_months)
"""`msinfusion.dates.add_months` (end-of-month clamping), with its answers kept."""
