"""The clinician's visit report: data in (record, diary, analysis), HTML text or PDF bytes out."""

from msinfusion.report.render import stylesheet, visit_report_html, visit_report_pdf

__all__ = ["stylesheet", "visit_report_html", "visit_report_pdf"]
