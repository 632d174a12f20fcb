"""``{% options %}``: a select's <option> elements in one tag."""

from django.template import Context, Template

from guanxi.accounts.models import Team


def render(source: str, **context) -> str:
    return Template("{% load options %}" + source).render(Context(context))


def test_pairs_become_options_and_the_chosen_one_is_selected():
    html = render("{% options kinds 'company' %}", kinds=[("person", "个人"), ("company", "企业")])
    assert (
        html == '<option value="person">个人</option><option value="company" selected>企业</option>'
    )


def test_a_chosen_number_matches_its_text_value():
    assert render("{% options pairs 2 %}", pairs=[(1, "a"), (2, "b")]).count(" selected") == 1


def test_nothing_chosen_selects_nothing():
    assert " selected" not in render("{% options pairs chosen %}", pairs=[("", "all")], chosen="")


def test_objects_give_their_pk_and_name_with_a_prefix(db):
    team = Team.objects.create(name="华南")
    html = render('{% options teams prefix="team:" %}', teams=[team])
    assert html == f'<option value="team:{team.pk}">华南</option>'


def test_labels_and_values_are_escaped():
    html = render("{% options pairs %}", pairs=[('"><script>', "<b>x</b>")])
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html


def test_objects_can_give_another_attribute_as_the_value(db):
    team = Team.objects.create(name="华北")
    assert render('{% options teams "华北" value="name" %}', teams=[team]) == (
        '<option value="华北" selected>华北</option>'
    )
