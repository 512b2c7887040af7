"""The visit report for the care team: one click from the patient page, as a page or a PDF.

Both answers render the same document (`msinfusion.report`) from the patient's current record and
diary. The page is a standalone document that links the report stylesheet (strict CSP: no inline
style); the PDF inlines it and is sent as a download. Access and audit go through `patient_for`.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_GET

from msinfusion.knowledge.catalog import default_catalog
from msinfusion.report import visit_report_html
from msinfusion.report.render import pdf_from_html
from msinfusion.web.clinic.access import patient_for
from msinfusion.web.clinic.diary_rows import diary_days
from msinfusion.web.clinic.records import to_record
from msinfusion.web.clinic.services import today_at
from msinfusion.web.pages.staff.common import staff_required


def _render(request, patient, **extra) -> tuple[str, str]:
    """The report's HTML and the visit day (ISO) at the patient's center."""
    today = today_at(patient.center)
    user = request.user
    html = visit_report_html(
        to_record(patient),
        today,
        diary=diary_days(patient),
        generated_by=user.get_full_name() or user.get_username(),
        patient_name=patient.name,
        catalog=default_catalog(),
        **extra,
    )
    return html, today.isoformat()


@require_GET
@staff_required
def visit_report(request, patient_id: int):
    patient = patient_for(request, patient_id, "staff.visit_report")
    links = [
        ("Back to the patient", reverse("patient_detail", args=[patient.pk])),
        ("Download PDF", reverse("visit_report_pdf", args=[patient.pk])),
    ]
    html, _ = _render(request, patient, css_href=static("msinfusion/report.css"), links=links)
    return HttpResponse(html)


@require_GET
@staff_required
def visit_report_pdf(request, patient_id: int):
    patient = patient_for(request, patient_id, "staff.visit_report_pdf")
    html, day = _render(request, patient)
    response = HttpResponse(pdf_from_html(html), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="visit-report-{patient.pk}-{day}.pdf"'
    return response
