"""Choice lists for stored rows, taken from the domain's record vocabulary so both stay in step."""

from __future__ import annotations

from typing import get_args

from msinfusion.care.record import ConditionId, DrugId, Qualitative, Reaction

DRUG_NAMES = {
    "ocrelizumab": "Ocrelizumab (Ocrevus)",
    "ublituximab": "Ublituximab (Briumvi)",
    "natalizumab": "Natalizumab (Tysabri)",
    "natalizumab-sztn": "Natalizumab-sztn (Tyruko)",
    "alemtuzumab": "Alemtuzumab (Lemtrada)",
    "mitoxantrone": "Mitoxantrone",
    "rituximab": "Rituximab (off-label)",
}
DRUGS = [(d, DRUG_NAMES[d]) for d in get_args(DrugId)]
REACTIONS = [(r, r.replace("_", " ")) for r in get_args(Reaction)]
CONDITIONS = [(c, c.replace("_", " ")) for c in get_args(ConditionId)]
QUALITATIVE = [(q, q) for q in get_args(Qualitative)]
SEXES = [("female", "female"), ("male", "male"), ("other", "other")]
MS_TYPES = [(t, t) for t in ("CIS", "RRMS", "SPMS", "PPMS")]
REGIONS = [("US", "US"), ("EU", "EU")]
EVENTS = [("ivig", "IVIG"), ("plasma_exchange", "plasma exchange")]
PROGRAMS = [("touch", "TOUCH"), ("tyruko_rems", "TYRUKO REMS"), ("lemtrada_rems", "LEMTRADA REMS")]
PROGRAM_ACTIONS = [(a, a) for a in ("enrolled", "authorized", "reauthorized", "discontinued")]
CHAIR_KINDS = [("chair", "chair"), ("bed", "bed"), ("isolation", "isolated room")]
WEEKDAYS = [(i, d) for i, d in enumerate(("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"))]
