"""A notification is written in its reader's language (their setting, else the site's), not in
the language of whoever caused it."""

from django.core import mail
from django.utils import translation
from django.utils.translation import gettext as _

from guanxi.core.models import Notification
from guanxi.core.notifications import notify, set_preferences
from guanxi.customers import merge
from guanxi.customers.services import create_customer


def _set_language(user, language):
    user.language = language
    user.save(update_fields=["language"])


def test_a_message_given_as_a_function_is_written_in_each_readers_language(alice, bob, charlie):
    _set_language(alice, "zh-hans")
    _set_language(bob, "en")

    notify([alice, bob], actor=charlie, verb="other", message=lambda: _("Customers"))

    texts = dict(Notification.objects.values_list("recipient__username", "message"))
    assert texts == {"alice": "客户", "bob": "Customers"}


def test_a_reader_without_a_language_reads_the_sites(alice, charlie, settings):
    _set_language(alice, "")
    settings.LANGUAGE_CODE = "zh-hans"

    with translation.override("en"):
        notify([alice], actor=charlie, verb="other", message=lambda: _("Customers"))

    assert Notification.objects.get().message == "客户"


def test_the_email_is_in_the_readers_language_too(
    alice, charlie, django_capture_on_commit_callbacks
):
    alice.email, alice.language = "alice@example.com", "zh-hans"
    alice.save(update_fields=["email", "language"])
    set_preferences(alice, {"other": {"email": True}})

    with django_capture_on_commit_callbacks(execute=True):
        notify([alice], actor=charlie, verb="other", message=lambda: _("Customers"))

    assert mail.outbox[0].subject == "客户"


def test_a_merge_by_an_english_speaking_manager_reaches_a_chinese_rep_in_chinese(
    alice, mike, django_capture_on_commit_callbacks
):
    _set_language(alice, "zh-hans")
    first = create_customer(alice, {"name": "张三"})
    second = create_customer(alice, {"name": "张三"})

    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        merge.merge_customers(mike, first.pk, second.pk)

    message = Notification.objects.get(recipient=alice, verb="merged").message
    assert "合并" in message and f"#{second.pk}" in message
