"""The customer form, like the contact form, tells every bad field at once: it leaves a missing
name, a required custom field and lengths to the model, which reports them with the others."""

from django.urls import reverse

from guanxi.customers.models import Customer, CustomField
from tests.conftest import login

CREATE = reverse("customers:create")


def _data(**values) -> dict:
    return {"kind": "person", "name": "", "birthday_calendar": "solar", **values}


def test_a_missing_name_is_told_with_a_bad_phone_and_a_bad_email(client, alice):
    response = login(client, alice).post(CREATE, _data(phone="abc", email="x@"))

    errors = response.context["form"].errors
    assert sorted(errors) == ["email", "name", "phone"]
    assert errors["name"] == ["This field cannot be blank."]
    assert not Customer.objects.exists()


def test_a_required_custom_field_left_empty_is_told_with_a_bad_phone(client, alice):
    CustomField.objects.create(key="car_model", label="车型", field_type="text", required=True)
    CustomField.objects.create(
        key="level", label="等级", field_type="choice", choices=["金卡"], required=True
    )

    response = login(client, alice).post(CREATE, _data(name="刘洋", phone="abc"))

    errors = response.context["form"].errors
    assert sorted(errors) == ["custom__car_model", "custom__level", "phone"]
    assert errors["custom__car_model"] == ["This field is required."]
    assert not Customer.objects.exists()


def test_the_form_still_marks_the_name_and_a_required_custom_field(client, alice):
    CustomField.objects.create(key="car_model", label="车型", field_type="text", required=True)

    form = login(client, alice).get(CREATE).context["form"]

    assert form.fields["name"].required and form.fields["custom__car_model"].required
