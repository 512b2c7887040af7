"""My cycle: each symptom across the infusion cycle, infusion days marked, and the verdict in words.

The diary is the patient's current entries; the cycle is cut at the infusions actually given
(administration rows), never at planned dates. The analysis and the charts are the diary domain's
(`diary.wearing_off`, `diary.charts`); this view only gathers rows and renders.
"""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_GET

from msinfusion.diary.charts import VERDICT_WORDS, cycle_chart_svg, symptom_charts
from msinfusion.diary.wearing_off import analyse
from msinfusion.web.audit.log import Action
from msinfusion.web.clinic.diary_rows import diary_days, given_infusions
from msinfusion.web.pages.patient.common import my_patient, patient_only

RESOURCE = "patient.diary.cycle"
PERMUTATIONS = 999
SEED = 0  # the same diary always gives the same answer on screen
OVERALL_SIZES = {"narrow": (340, 240), "wide": (640, 260)}

HEADLINES = {
    "likely": "Your symptoms look worse near the end of the cycle and better after the infusion.",
    "unlikely": "Your diary does not show symptoms getting worse before your infusions.",
    "insufficient_data": "Not enough data yet.",
}


@patient_only
@require_GET
def my_cycle(request):
    patient = my_patient(request, RESOURCE, Action.READ)
    days = diary_days(patient)
    infusions = given_infusions(patient)
    result = analyse(days, infusions, permutations=PERMUTATIONS, seed=SEED)
    overall: dict[str, str] = {}
    charts = []
    if result.cycle_days and days:
        onset = result.onset_days_before if result.verdict == "likely" else None
        # drawn twice, for a phone and a wide screen (CSS shows one): text stays readable on both
        for size, (width, height) in OVERALL_SIZES.items():
            overall[size] = cycle_chart_svg(
                result.overall,
                cycle_days=result.cycle_days,
                title="Mean of the symptoms rated each day",
                width=width,
                height=height,
                onset_days_before=onset,
                onset_interval=result.onset_interval if onset is not None else None,
            )
        charts = symptom_charts(result)
    return render(
        request,
        "pages/patient/cycle.html",
        {
            "result": result,
            "headline": HEADLINES.get(result.verdict, ""),
            "verdict_words": VERDICT_WORDS.get(result.verdict, result.verdict),
            "overall": overall,
            "charts": charts,
            "diary_count": len(days),
            "infusion_count": len(infusions),
            "last_infusion": infusions[-1] if infusions else None,
        },
    )
