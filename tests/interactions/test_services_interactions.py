"""Logging interactions and attaching files through the services."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from guanxi.customers.services import add_contact
from guanxi.interactions import services
from guanxi.interactions.models import Attachment, Interaction
from tests.interactions.conftest import at

PDF = b"%PDF-1.7\n%fake but well-started\n"


@pytest.fixture
def call(alice, alices_customer):
    return services.log_interaction(
        alice,
        alices_customer.pk,
        {
            "kind": "call",
            "subject": "Asked about the 30,000 km service",
            "occurred_at": "2026-11-23 10:00",
            "duration_minutes": "5",
        },
        now=at("2026-11-23 12:00"),
    )


def test_rep_logs_a_call_with_a_contact_of_the_customer(alice, alices_customer):
    contact = add_contact(alice, alices_customer, {"name": "李娜"})
    call = services.log_interaction(
        alice, alices_customer.pk, {"kind": "call"}, contacts=[contact.pk]
    )
    assert list(call.contacts.all()) == [contact]
    assert call.created_by == alice


def test_one_click_preset_logs_called_no_answer(alice, alices_customer):
    logged = services.log_preset(alice, alices_customer.pk, "call_no_answer")
    assert (logged.kind, logged.outcome) == ("call", "No answer")


def test_rep_cannot_log_on_another_reps_customer(charlie, alices_customer):
    with pytest.raises(Http404):
        services.log_interaction(charlie, alices_customer.pk, {"kind": "call"})


def test_analyst_cannot_log(nina, alices_customer):
    with pytest.raises(PermissionDenied):
        services.log_interaction(nina, alices_customer.pk, {"kind": "note"})


def test_an_interaction_in_the_future_is_refused(alice, alices_customer):
    with pytest.raises(ValidationError) as exc:
        services.log_interaction(
            alice,
            alices_customer.pk,
            {"kind": "visit", "occurred_at": "2026-11-30 10:00"},
            now=at("2026-11-23 10:00"),
        )
    assert "occurred_at" in exc.value.message_dict
    assert not Interaction.objects.exists()


def test_an_unknown_kind_is_refused(alice, alices_customer):
    with pytest.raises(ValidationError) as exc:
        services.log_interaction(alice, alices_customer.pk, {"kind": "telegram"})
    assert "kind" in exc.value.message_dict


def test_a_contact_of_another_customer_is_refused(
    alice, alices_customer, charlie, charlies_customer
):
    other = add_contact(charlie, charlies_customer, {"name": "张三"})
    with pytest.raises(ValidationError) as exc:
        services.log_interaction(alice, alices_customer.pk, {"kind": "call"}, contacts=[other.pk])
    assert "contacts" in exc.value.message_dict
    assert not Interaction.objects.exists()


def test_interaction_is_visible_exactly_when_its_customer_is(call, mike, bob, charlie, ada):
    assert Interaction.objects.visible_to(mike).filter(pk=call.pk).exists()
    assert Interaction.objects.visible_to(ada).filter(pk=call.pk).exists()
    assert not Interaction.objects.visible_to(bob).filter(pk=call.pk).exists()
    assert not Interaction.objects.visible_to(charlie).filter(pk=call.pk).exists()


def test_a_pdf_is_attached_under_media_attachments(alice, call, media_root):
    attachment = services.add_attachment(
        alice, call.pk, SimpleUploadedFile("报价单.pdf", PDF, "application/pdf")
    )
    assert attachment.name == "报价单.pdf"
    assert attachment.file.name.startswith("attachments/")
    assert (media_root / attachment.file.name).read_bytes() == PDF


def test_an_attachment_over_the_size_limit_is_refused(alice, call, settings, monkeypatch):
    monkeypatch.setattr(services, "MAX_ATTACHMENT_BYTES", 100)
    with pytest.raises(ValidationError) as exc:
        services.add_attachment(
            alice, call.pk, SimpleUploadedFile("big.pdf", PDF + b"x" * 200, "application/pdf")
        )
    assert "file" in exc.value.message_dict
    assert not Attachment.objects.exists()


def test_a_forbidden_type_is_refused(alice, call, media_root):
    with pytest.raises(ValidationError) as exc:
        services.add_attachment(alice, call.pk, SimpleUploadedFile("run.exe", b"MZ\x90\x00"))
    assert "file" in exc.value.message_dict
    assert not Attachment.objects.exists()
    assert not (media_root / "attachments").exists()


def test_a_file_whose_content_does_not_match_its_extension_is_refused(alice, call):
    with pytest.raises(ValidationError) as exc:
        services.add_attachment(alice, call.pk, SimpleUploadedFile("photo.png", b"MZ\x90\x00"))
    assert "content" in exc.value.message_dict["file"][0]
