"""Small template helpers for the customer pages."""

from django import template

from guanxi.customers.forms import split_tags

register = template.Library()


@register.filter
def with_errors(field):
    """The widget, with Bootstrap's is-invalid class when the field has errors."""
    if not field.errors:
        return field.as_widget()
    css = field.field.widget.attrs.get("class", "")
    return field.as_widget(attrs={"class": f"{css} is-invalid".strip()})


@register.filter
def tag_list(tag_names: str) -> list[str]:
    """The denormalised "VIP, 车主" column as a list."""
    return split_tags(tag_names)
