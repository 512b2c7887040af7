"""Routes of the staff area (nurses and neurologists). Route names are a contract other pages use."""

from django.urls import path

from msinfusion.web.pages.staff import entries, patient, report, treatment, worklist

P = "patients/<int:patient_id>/"

urlpatterns = [
    path("worklist/", worklist.worklist, name="worklist"),
    path("patients/", worklist.patient_list, name="patient_list"),
    path(P, patient.patient_detail, name="patient_detail"),
    path(P + "readiness", patient.readiness_partial, name="readiness_partial"),
    path(P + "report/", report.visit_report, name="visit_report"),
    path(P + "report.pdf", report.visit_report_pdf, name="visit_report_pdf"),
    path(P + "results/new", entries.result_new, name="result_new"),
    path(P + "results/<int:result_id>/confirm", entries.result_confirm, name="result_confirm"),
    path(P + "results/<int:result_id>/correct", entries.result_correct, name="result_correct"),
    path(P + "administrations/new", entries.administration_new, name="administration_new"),
    path(
        P + "administrations/<int:administration_id>/correct",
        entries.administration_correct,
        name="administration_correct",
    ),
    path(P + "courses/new", treatment.course_new, name="course_new"),
    path(P + "courses/<int:course_id>/stop", treatment.course_stop, name="course_stop"),
    path(P + "programs/new", treatment.program_action_new, name="program_action_new"),
    path(P + "conditions/new", treatment.condition_new, name="condition_new"),
    path(
        P + "conditions/<int:condition_id>/resolve",
        treatment.condition_resolve,
        name="condition_resolve",
    ),
]
