"""A patient reports a lab result: validation by field, no row on bad input, files checked by content."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from msinfusion.web.audit.models import AuditEvent
from msinfusion.web.clinic import models as m

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
GOOD = {"test": "igg", "value": "650", "date": "2026-01-08", "assay": ""}


def post(client, world, data, **files):
    client.force_login(world.patient_user)
    return client.post("/me/results/new", {**data, **files})


def reported():
    return m.LabResult.objects.filter(patient_reported=True)


def field_errors(response, field: str) -> list[str]:
    return list(response.context["form"].errors.get(field, []))


def test_form_page_lists_the_catalog_tests(client, world, frozen):
    client.force_login(world.patient_user)
    response = client.get("/me/results/new")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<option value="igg">Immunoglobulin G, serum (mg/dL)</option>' in page
    assert (
        '<option value="hbsag">Hepatitis B surface antigen '
        "(positive / negative / normal / abnormal)</option>" in page
    )
    assert 'max="2026-01-10"' in page  # no future dates in the picker either


def test_a_typed_number_is_stored_as_patient_reported(client, world, frozen):
    response = post(client, world, GOOD)
    assert response.status_code == 302
    assert response["Location"] == "/me/"
    row = reported().get()
    assert (row.patient, row.test, row.value_number, row.value_text, row.unit) == (
        world.patient,
        "igg",
        650.0,
        "",
        "mg/dL",  # tests.toml: IgG is recorded in mg/dL
    )
    assert row.date == date(2026, 1, 8)
    assert row.entered_by == world.patient_user
    assert row.confirmed_at is None and not row.attachment
    audit = AuditEvent.objects.get()
    assert (audit.action, audit.resource, audit.patient_id) == (
        "C",
        "patient.results",
        world.patient.pk,
    )


@pytest.mark.parametrize(
    ("value", "stored"),
    [("650", 650.0), (" 6,5 ", 6.5), ("650 mg/dL", 650.0), ("0", 0.0), (".5", 0.5)],
)
def test_numbers_are_read_as_printed_on_reports(client, world, frozen, value, stored):
    assert post(client, world, {**GOOD, "value": value}).status_code == 302
    assert reported().get().value_number == stored


def test_a_qualitative_word_with_a_pdf_is_stored_under_a_random_name(client, world, frozen):
    upload = SimpleUploadedFile("my report.PDF", PDF, content_type="application/pdf")
    data = {**GOOD, "test": "anti_hbc", "value": "Negative"}
    assert post(client, world, data, attachment=upload).status_code == 302
    row = reported().get()
    assert (row.value_text, row.value_number, row.unit) == ("negative", None, "")
    assert row.attachment.name.startswith("results/")
    assert row.attachment.name.endswith(".pdf")
    assert "report" not in row.attachment.name
    with row.attachment.open("rb") as handle:
        assert handle.read() == PDF


@pytest.mark.parametrize(("name", "content"), [("photo.jpg", JPEG), ("scan.png", PNG)])
def test_images_are_accepted(client, world, frozen, name, content):
    upload = SimpleUploadedFile(name, content)
    assert post(client, world, GOOD, attachment=upload).status_code == 302
    assert reported().get().attachment.name.endswith("." + name.rsplit(".", 1)[1])


def test_the_stored_type_follows_the_content_not_the_name(client, world, frozen):
    upload = SimpleUploadedFile("photo.jpeg", PNG)  # a PNG named .jpeg (phones do this)
    assert post(client, world, GOOD, attachment=upload).status_code == 302
    assert reported().get().attachment.name.endswith(".png")


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({**GOOD, "test": "vitamin_q"}, "test", "Choose a test from the list."),
        ({**GOOD, "test": ""}, "test", "This field is required."),
        ({**GOOD, "value": "high"}, "value", "Type a number in mg/dL, for example 650."),
        ({**GOOD, "value": "1_000"}, "value", "Type a number in mg/dL, for example 650."),
        ({**GOOD, "value": "nan"}, "value", "Type a number in mg/dL, for example 650."),
        ({**GOOD, "value": "-5"}, "value", "A result cannot be negative."),
        ({**GOOD, "value": ""}, "value", "This field is required."),
        (
            {**GOOD, "test": "hbsag", "value": "12"},
            "value",
            "For this test, type one of: positive, negative, normal, abnormal.",
        ),
        ({**GOOD, "date": "2026-01-11"}, "date", "The date cannot be in the future."),
        ({**GOOD, "date": "2026-02-30"}, "date", "Enter a valid date."),
        ({**GOOD, "date": "yesterday"}, "date", "Enter a valid date."),
        ({**GOOD, "date": "1980-01-01"}, "date", "The date cannot be before your date of birth."),
        ({**GOOD, "assay": "x" * 61}, "assay", None),
    ],
)
def test_bad_typed_input_is_400_with_the_error_by_its_field(
    client, world, frozen, data, field, message
):
    response = post(client, world, data)
    assert response.status_code == 400
    errors = field_errors(response, field)
    assert errors
    if message:
        assert errors == [message]
        assert message.replace("'", "&#x27;") in response.content.decode()
    assert not reported().exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("report.exe", PDF, "Only PDF, JPEG or PNG files can be uploaded."),
        ("report.txt", b"hello", "Only PDF, JPEG or PNG files can be uploaded."),
        (
            "report.pdf",
            b"<html><script>alert(1)</script></html>",
            "This file is not a PDF, JPEG or PNG (its contents do not match its name).",
        ),
        (
            "photo.jpg",
            b"GIF89a\x01\x00\x01\x00",
            "This file is not a PDF, JPEG or PNG (its contents do not match its name).",
        ),
        ("empty.pdf", b"", "The submitted file is empty."),
    ],
)
def test_wrong_file_types_are_refused(client, world, frozen, name, content, message):
    response = post(client, world, GOOD, attachment=SimpleUploadedFile(name, content))
    assert response.status_code == 400
    assert field_errors(response, "attachment") == [message]
    assert not reported().exists()


def test_a_file_over_the_limit_is_refused(client, world, frozen, settings):
    settings.MAX_UPLOAD_BYTES = 1024
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * 1024)
    response = post(client, world, GOOD, attachment=big)
    assert response.status_code == 400
    assert field_errors(response, "attachment") == [
        f"The file is too big: the limit is {1024 / (1024 * 1024):g} MB."
    ]
    assert not reported().exists()


def test_a_file_at_the_limit_is_accepted(client, world, frozen, settings):
    settings.MAX_UPLOAD_BYTES = 1024
    exact = SimpleUploadedFile("ok.pdf", PDF + b"0" * (1024 - len(PDF)))
    assert post(client, world, GOOD, attachment=exact).status_code == 302


def test_the_form_lists_earlier_reports_with_their_status(client, world, frozen):
    post(client, world, GOOD)
    response = client.get("/me/results/new")
    page = response.content.decode()
    assert "Immunoglobulin G, serum</strong>: 650.0 mg/dL" in page
    assert "Waiting for your care team to confirm" in page
