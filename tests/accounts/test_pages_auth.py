"""Signing in and out, the lockout, safe redirects, password change and the language switch."""

import pytest
from django.conf import settings
from django.urls import reverse

from guanxi.accounts.models import LoginFailure, User
from tests.conftest import PASSWORD, login


def sign_in(client, username, password, **extra):
    return client.post(reverse("login"), {"username": username, "password": password, **extra})


def test_login_page_renders_for_a_stranger(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b'name="username"' in response.content


def test_user_signs_in_and_lands_on_the_customer_list(client, alice):
    response = sign_in(client, "alice", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("customers:list")
    assert client.session["_auth_user_id"] == str(alice.pk)


def test_wrong_password_is_refused_with_a_message(client, alice):
    response = sign_in(client, "alice", "not-the-password")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "Wrong username or password." in response.content.decode()


def test_unknown_user_gets_the_same_message_as_a_wrong_password(client, alice):
    response = sign_in(client, "nobody", PASSWORD)
    assert "Wrong username or password." in response.content.decode()


def test_deactivated_user_cannot_sign_in(client, alice):
    User.objects.filter(pk=alice.pk).update(is_active=False)
    response = sign_in(client, "alice", PASSWORD)
    assert "_auth_user_id" not in client.session
    assert "Wrong username or password." in response.content.decode()


def test_five_failures_lock_the_account_and_say_so(client, alice):
    for _ in range(settings.LOGIN_MAX_FAILURES):
        sign_in(client, "alice", "wrong")
    response = sign_in(client, "alice", "wrong")
    assert "Too many failed sign-ins" in response.content.decode()


def test_correct_password_is_refused_while_locked(client, alice):
    for _ in range(settings.LOGIN_MAX_FAILURES):
        sign_in(client, "alice", "wrong")
    response = sign_in(client, "alice", PASSWORD)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "Too many failed sign-ins" in response.content.decode()


def test_successful_sign_in_clears_the_failure_count(client, alice):
    sign_in(client, "alice", "wrong")
    sign_in(client, "alice", PASSWORD)
    assert not LoginFailure.objects.filter(username="alice").exists()


def test_sign_in_follows_a_local_next(client, alice):
    response = sign_in(client, "alice", PASSWORD, next="/notifications/?page=2")
    assert response["Location"] == "/notifications/?page=2"


@pytest.mark.parametrize(
    "evil", ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)"]
)
def test_sign_in_never_redirects_off_site(client, alice, evil):
    response = sign_in(client, "alice", PASSWORD, next=evil)
    assert response["Location"] == reverse("customers:list")


@pytest.mark.parametrize("word", ["-1", "1e3", "home", "customers:list"])
def test_sign_in_with_a_bare_word_as_next_goes_to_the_list(client, alice, word):
    response = sign_in(client, "alice", PASSWORD, next=word)
    assert response["Location"] == reverse("customers:list")


def test_signed_in_user_visiting_login_with_a_bare_word_as_next_is_sent_to_the_list(client, alice):
    login(client, alice)
    response = client.get(reverse("login"), {"next": "-1"})
    assert response["Location"] == reverse("customers:list")


def test_login_page_does_not_echo_an_off_site_next(client, db):
    response = client.get(reverse("login"), {"next": "https://evil.example/"})
    assert response.context["next"] == ""
    assert b'name="next" value="https://evil' not in response.content


def test_sign_in_sets_the_language_cookie_from_the_users_saved_language(client, alice):
    User.objects.filter(pk=alice.pk).update(language="zh-hans")
    response = sign_in(client, "alice", PASSWORD)
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"


def test_signed_in_user_visiting_login_is_sent_on(client, alice):
    login(client, alice)
    response = client.get(reverse("login"))
    assert response.status_code == 302


def test_logout_signs_the_user_out(client, alice):
    login(client, alice)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session


def test_logout_refuses_get(client, alice):
    login(client, alice)
    assert client.get(reverse("logout")).status_code == 405
    assert "_auth_user_id" in client.session


def test_home_sends_a_stranger_to_sign_in(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_home_sends_a_signed_in_user_to_the_customer_list(client, alice):
    login(client, alice)
    response = client.get(reverse("home"))
    assert response["Location"] == reverse("customers:list")


# --- password change -----------------------------------------------------------------------

NEW_PASSWORD = "Brand-new-secret-77"


def change(client, old, new1, new2=None):
    return client.post(
        reverse("accounts:password_change"),
        {"old_password": old, "new_password1": new1, "new_password2": new2 or new1},
    )


def test_password_change_page_renders(client, alice):
    login(client, alice)
    response = client.get(reverse("accounts:password_change"))
    assert response.status_code == 200
    assert b'name="old_password"' in response.content


def test_user_changes_password_and_stays_signed_in(client, alice):
    login(client, alice)
    response = change(client, PASSWORD, NEW_PASSWORD)
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)
    assert client.get(reverse("accounts:password_change")).status_code == 200


def test_wrong_old_password_is_a_field_error(client, alice):
    login(client, alice)
    response = change(client, "not-my-password", NEW_PASSWORD)
    assert response.status_code == 200
    assert "old_password" in response.context["form"].errors
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


def test_weak_new_password_is_a_field_error(client, alice):
    login(client, alice)
    response = change(client, PASSWORD, "12345678")
    assert "new_password1" in response.context["form"].errors
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


def test_mismatched_new_passwords_are_refused(client, alice):
    login(client, alice)
    response = change(client, PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "x")
    assert "new_password2" in response.context["form"].errors


def test_password_change_needs_sign_in(client, db):
    response = client.get(reverse("accounts:password_change"))
    assert response["Location"].startswith(reverse("login"))


# --- language switch -----------------------------------------------------------------------


def switch(client, language, next_url="/notifications/"):
    return client.post(reverse("set_language_for_user"), {"language": language, "next": next_url})


def test_language_switch_saves_the_choice_on_the_user(client, alice):
    login(client, alice)
    response = switch(client, "zh-hans")
    assert response.status_code == 302
    assert response["Location"] == "/notifications/"
    alice.refresh_from_db()
    assert alice.language == "zh-hans"


def test_next_page_after_switching_renders_in_chinese(client, alice):
    login(client, alice)
    switch(client, "zh-hans")
    response = client.get("/notifications/")
    assert response.context["LANGUAGE_CODE"] == "zh-hans"
    assert b'<html lang="zh-hans">' in response.content


def test_saved_language_follows_the_user_to_a_new_browser(client, alice):
    login(client, alice)
    switch(client, "zh-hans")
    client.cookies.clear()
    login(client, alice)
    response = client.get("/notifications/")
    assert b'<html lang="zh-hans">' in response.content


def test_switching_back_to_english(client, alice):
    login(client, alice)
    switch(client, "zh-hans")
    switch(client, "en")
    alice.refresh_from_db()
    assert alice.language == "en"
    assert b'<html lang="en">' in client.get("/notifications/").content


def test_stranger_can_switch_language_on_the_login_page(client, db):
    response = switch(client, "zh-hans", "/login/")
    assert response["Location"] == "/login/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"
    assert b'<html lang="zh-hans">' in client.get("/login/").content


def test_unknown_language_changes_nothing(client, alice):
    login(client, alice)
    response = switch(client, "xx")
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    alice.refresh_from_db()
    assert alice.language == ""


def test_language_switch_never_redirects_off_site(client, db):
    response = switch(client, "en", "https://evil.example/")
    assert response["Location"] == "/"


def test_a_request_carries_the_signed_in_user_itself(client, alice):
    response = login(client, alice).get(reverse("customers:list"))

    assert type(response.wsgi_request.user) is User
    assert response.wsgi_request.user.pk == alice.pk


def test_a_stranger_is_the_anonymous_user(client, db):
    response = client.get(reverse("login"))

    assert response.wsgi_request.user.is_anonymous


def test_a_deactivated_users_session_signs_them_out(client, alice):
    login(client, alice)
    User.objects.filter(pk=alice.pk).update(is_active=False)

    response = client.get(reverse("customers:list"))

    assert response.status_code == 302
    assert response.wsgi_request.user.is_anonymous
