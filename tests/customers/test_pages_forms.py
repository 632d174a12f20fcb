"""Create and edit forms: field errors from the model, custom fields, stale versions, owner."""

import pytest
from django.urls import reverse

from guanxi.customers.models import Customer, CustomField
from guanxi.customers.services import update_customer
from tests.conftest import login

CREATE = reverse("customers:create")


def edit_url(customer):
    return reverse("customers:edit", args=[customer.pk])


def form_data(customer=None, **changes):
    data = {"kind": "person", "name": "", "birthday_calendar": "solar"}
    if customer is not None:
        for field in (
            "kind",
            "name",
            "gender",
            "birthday_calendar",
            "id_number",
            "phone",
            "phone_alt",
            "email",
            "wechat_id",
            "company_name",
            "province",
            "city",
            "district",
            "address",
            "industry",
            "occupation",
            "income_band",
            "source_channel",
            "value_orientation",
            "notes",
        ):
            data[field] = getattr(customer, field)
        data["tags"] = customer.tag_names
        data["version"] = customer.version
    data.update(changes)
    return data


def test_rep_creates_a_customer_with_tags(client, alice):
    response = login(client, alice).post(
        CREATE, form_data(name="刘洋", phone="139 1234 5678", city="广州", tags="VIP, 车主")
    )
    customer = Customer.objects.get(name="刘洋")
    assert response.status_code == 302
    assert response["Location"] == reverse("customers:detail", args=[customer.pk])
    assert customer.owner == alice
    assert customer.phone == "+8613912345678"
    assert customer.tag_names == "VIP, 车主"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("phone", "12345", "Enter a valid phone number"),
        ("email", "not-an-email", "Enter a valid email address"),
        ("id_number", "110105194912310021", "does not match: a typing error"),
        ("name", "王" * 121, "Ensure this value has at most 120 characters"),
    ],
)
def test_bad_input_shows_a_field_error_and_writes_nothing(client, alice, field, value, message):
    data = form_data(name="刘洋")
    data[field] = value
    response = login(client, alice).post(CREATE, data)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors.get(field, []))
    assert not Customer.objects.exists()


def test_a_company_with_a_gender_gets_an_error_on_kind(client, alice):
    response = login(client, alice).post(
        CREATE, form_data(name="某公司", kind="company", gender="male")
    )
    assert "A company has no gender or birthday." in response.context["form"].errors["kind"]
    assert not Customer.objects.exists()


def test_custom_fields_are_rendered_with_their_input_types(client, alice):
    CustomField.objects.create(key="visits", label="到店次数", field_type="number")
    CustomField.objects.create(key="warranty_end", label="保修截止", field_type="date")
    CustomField.objects.create(
        key="use", label="用途", field_type="choice", choices=["私用", "公用"]
    )
    body = login(client, alice).get(CREATE).content.decode()
    assert 'type="number" name="custom__visits"' in body
    assert 'type="date" name="custom__warranty_end"' in body
    assert '<option value="私用">私用</option>' in body


def test_a_custom_field_error_lands_on_its_input(client, alice):
    CustomField.objects.create(key="visits", label="到店次数", field_type="number")
    response = login(client, alice).post(CREATE, form_data(name="刘洋", custom__visits="many"))
    assert response.context["form"].errors["custom__visits"] == ["Enter a number."]
    assert not Customer.objects.exists()


def test_a_custom_field_value_is_saved(client, alice):
    CustomField.objects.create(key="visits", label="到店次数", field_type="number")
    login(client, alice).post(CREATE, form_data(name="刘洋", custom__visits="3"))
    assert Customer.objects.get().custom == {"visits": "3"}


def test_rep_gets_no_owner_selector_but_a_manager_does(client, alice, mike):
    assert "owner" not in login(client, alice).get(CREATE).context["form"].fields
    assert "owner" in login(client, mike).get(CREATE).context["form"].fields


def test_manager_creates_a_customer_for_a_rep_in_the_team(client, mike, alice):
    login(client, mike).post(CREATE, form_data(name="刘洋", owner=alice.pk))
    assert Customer.objects.get(name="刘洋").owner == alice


def test_manager_cannot_assign_outside_the_team(client, mike, charlie):
    response = login(client, mike).post(CREATE, form_data(name="刘洋", owner=charlie.pk))
    assert "owner" in response.context["form"].errors
    assert not Customer.objects.exists()


def test_edit_saves_the_change_and_raises_the_version(client, alices_customer):
    login(client, alices_customer.owner).post(
        edit_url(alices_customer), form_data(alices_customer, city="佛山")
    )
    alices_customer.refresh_from_db()
    assert (alices_customer.city, alices_customer.version) == ("佛山市", 2)


def test_stale_edit_is_refused_with_a_message_and_keeps_the_typed_values(
    client, alices_customer, mike
):
    stale = form_data(alices_customer, city="佛山", notes="我的备注")
    update_customer(mike, alices_customer.pk, {"city": "深圳"})
    response = login(client, alices_customer.owner).post(edit_url(alices_customer), stale)
    body = response.content.decode()
    assert response.status_code == 409
    assert "changed by someone else meanwhile; here is the current data" in body
    assert 'value="佛山"' in body and "我的备注" in body  # the user's values are still typed in
    assert "深圳" in body  # and the current data is shown
    assert 'name="version" value="2"' in body
    alices_customer.refresh_from_db()
    assert alices_customer.city == "深圳市"


def test_edit_form_of_a_masked_customer_does_not_leak_the_phone(client, alices_customer, bob):
    from guanxi.customers.models import CustomerShare

    CustomerShare.objects.create(customer=alices_customer, user=bob, level="edit")
    login(client, bob)
    body = client.get(edit_url(alices_customer)).content.decode()
    assert "13800138000" not in body and "11010519491231002X" not in body
    data = form_data(alices_customer, phone="", id_number="", city="佛山")
    client.post(edit_url(alices_customer), data)
    alices_customer.refresh_from_db()
    assert alices_customer.city == "佛山市"
    assert alices_customer.phone == "+8613800138000"  # the empty masked input kept the number


def test_every_bad_field_is_reported_in_one_submit(client, alice):
    response = login(client, alice).post(
        CREATE, form_data(name="刘洋", phone="12345", email="bad", id_number="123")
    )
    assert set(response.context["form"].errors) == {"phone", "email", "id_number"}
    assert not Customer.objects.exists()
