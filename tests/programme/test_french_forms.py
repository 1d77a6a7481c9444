"""Issue 14, findings 6 and 7: numbers typed and shown the French way, each field marked
required or optional once and truthfully, one error summary linked to its fields."""

from decimal import Decimal

import pytest
from django import forms
from django.template import Context, Template

from calls import funding
from calls.forms import CallForm
from cohorts.forms import LaureateForm
from programme import numbers
from programme.forms import FrenchDecimalField, submit_helper
from projects.forms.deliberation import DecisionForm


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("1 000 000", Decimal("1000000")),
        ("150 000", Decimal("150000")),
        ("150\u00a0000", Decimal("150000")),  # no-break space
        ("150\u202f000", Decimal("150000")),  # narrow no-break space
        ("1 000,50", Decimal("1000.50")),
        ("  12,5 ", Decimal("12.5")),
        ("12.5", Decimal("12.5")),
        ("0,85", Decimal("0.85")),
    ],
)
def test_an_amount_typed_the_french_way_is_accepted(typed, value):
    field = FrenchDecimalField(max_digits=12, decimal_places=2)
    assert field.clean(typed) == value


@pytest.mark.parametrize("typed", ["douze", "1.000,5", "1 000 000 €€", "12,5,3"])
def test_what_is_not_a_number_gets_a_french_message(typed):
    field = FrenchDecimalField(max_digits=12, decimal_places=2)
    with pytest.raises(forms.ValidationError, match="Saisissez un nombre. Par exemple"):
        field.clean(typed)


def test_the_amount_box_is_a_text_box_showing_the_value_the_french_way():
    class Form(forms.Form):
        amount = FrenchDecimalField(min_value=0)

    html = str(Form(initial={"amount": Decimal("300000.00")})["amount"])
    assert 'type="text"' in html
    assert 'inputmode="decimal"' in html
    assert 'value="300\u00a0000"' in html
    assert "min=" not in html  # a number box's attribute, that would refuse "300 000"


def test_every_amount_field_of_the_site_takes_french_typing(db, programme):
    typed = "1 000 000"
    decision = DecisionForm({"outcome": "selected", "justification": "Oui.",
                             "amount_granted": typed}, funding=True)  # fmt: skip
    decision.is_valid()
    assert decision.cleaned_data["amount_granted"] == Decimal("1000000")
    for form_class, name in ((CallForm, "envelope"), (CallForm, "max_funding_amount"),
                             (LaureateForm, "funding_granted")):  # fmt: skip
        field = form_class.base_fields[name]
        assert isinstance(field, FrenchDecimalField), (form_class, name)
        assert field.clean(typed) == Decimal("1000000")


def test_numbers_and_amounts_are_written_the_french_way():
    assert funding.euros(Decimal("400000.00")) == "400\u00a0000 €"
    assert funding.euros("1000.5") == "1\u00a0000,50 €"
    assert numbers.french(Decimal("0.85")) == "0,85"
    assert numbers.french(300000) == "300\u00a0000"
    rendered = Template(
        "{% load french %}{{ amount|euros }}|{{ share|number_fr }}|{{ none|euros }}"
    ).render(Context({"amount": Decimal("300000.00"), "share": Decimal("0.85"), "none": None}))
    assert rendered == "300\u00a0000 €|0,85|"


class Sample(forms.Form):
    name = forms.CharField(label="Nom", max_length=200)
    note = forms.CharField(label="Note", required=False)
    summary = forms.CharField(label="Résumé", required=False, widget=forms.Textarea)
    amount = FrenchDecimalField(label="Montant", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["summary"].needed_to_submit = True
        self.helper = submit_helper("Enregistrer")


def crispy(form) -> str:
    return Template("{% load crispy_forms_tags %}{% crispy form %}").render(Context({"form": form}))


def test_each_field_says_once_and_truthfully_whether_it_is_required():
    html = crispy(Sample())
    assert "Sauf mention contraire, tous les champs sont obligatoires." in html
    assert html.count("(facultatif)") == 2  # note and amount
    assert html.count("(obligatoire pour déposer)") == 1  # the summary, not also optional
    assert "Optionnel" not in html
    assert "Optional" not in html


def test_a_failed_save_shows_one_summary_linking_each_error_to_its_field():
    html = crispy(Sample({"name": "", "amount": "douze"}))
    assert html.count("fr-alert--error") == 1
    assert 'href="#id_name"' in html
    assert 'href="#id_amount"' in html
    assert "Rien n'a été enregistré : 2 champs à corriger." in html
    assert "data-error-summary" in html
    # Each field in DSFR's error state, its message tied to it.
    assert html.count("fr-input-group--error") == 2
    assert 'aria-describedby="id_amount-desc-error"' in html
    assert 'aria-invalid="true"' in html


def test_a_limited_field_has_a_counter_tied_to_it():
    html = crispy(Sample({"name": "Aides"}))
    assert 'id="id_name-counter"' in html
    assert 'data-limit="200"' in html
    assert "5 caractères sur 200" in html
    assert 'aria-describedby="id_name-counter"' in html
    assert 'data-counter="id_name-counter"' in html


def test_every_form_module_types_numbers_through_the_one_french_field():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    modules = [root / "calls/forms.py", root / "cohorts/forms.py", root / "programme/forms.py"]
    modules += sorted((root / "projects/forms").glob("*.py"))
    for path in modules:
        source = path.read_text()
        assert "forms.DecimalField(" not in source, path
        assert "forms.FloatField(" not in source, path


def test_a_search_form_marks_no_field_optional():
    form = Sample()
    form.helper.form_method = "get"
    html = crispy(form)
    assert "(facultatif)" not in html
    assert "Sauf mention contraire" not in html
