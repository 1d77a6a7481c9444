from decimal import Decimal

from crispy_forms.layout import Fieldset
from django import forms
from django.utils.translation import gettext_lazy as _

from calls import funding
from calls.enums import CallKind, QuestionKind
from programme import files
from programme.forms import BoundedDateTimeField, submit_helper
from projects.enums import ExportFormat

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class StartProposalForm(forms.Form):
    title = forms.CharField(
        label=_("Titre du projet"),
        max_length=200,
        help_text=_("Vous pourrez le changer tant que l'appel est ouvert."),
    )
    defi = forms.ModelChoiceField(label=_("Défi"), queryset=None, required=False)

    def __init__(self, *args, call, **kwargs):
        super().__init__(*args, **kwargs)
        fields = ["title"]
        if call.kind == CallKind.CHALLENGE_APPLICATIONS:
            self.fields["defi"].queryset = call.defis_offered()
            self.fields["defi"].required = True
            self.fields["defi"].help_text = _("Le défi auquel vous candidatez.")
            fields.append("defi")
        else:
            del self.fields["defi"]
        self.helper = submit_helper(
            _("Commencer ma candidature"), Fieldset(_("Votre projet"), *fields)
        )


def _choices(question) -> list[tuple[str, str]]:
    values = question.choices or []
    if isinstance(values, str):
        values = [line.strip() for line in values.splitlines() if line.strip()]
    return [(str(v), str(v)) for v in values]


def question_field(question) -> forms.Field:
    """The form field for one custom question: never required here, a draft may be incomplete;
    what is missing is listed before submission."""
    label = question.label
    help_text = question.help_text or ""
    if question.required:
        help_text = (help_text + " " if help_text else "") + str(_("Obligatoire pour déposer."))
    common = {"label": label, "help_text": help_text, "required": False}
    kind = question.kind
    if kind == QuestionKind.LONG_TEXT:
        return forms.CharField(
            widget=forms.Textarea(attrs={"rows": 6}), max_length=question.max_length, **common
        )
    if kind == QuestionKind.SHORT_TEXT:
        return forms.CharField(max_length=question.max_length or 300, **common)
    if kind == QuestionKind.NUMBER:
        return forms.DecimalField(max_digits=14, decimal_places=2, localize=True, **common)
    if kind == QuestionKind.YES_NO:
        return forms.TypedChoiceField(
            choices=[("", "---------"), ("oui", _("Oui")), ("non", _("Non"))],
            **common,
        )
    if kind == QuestionKind.SINGLE_CHOICE:
        return forms.ChoiceField(choices=[("", "---------"), *_choices(question)], **common)
    if kind == QuestionKind.MULTIPLE_CHOICE:
        return forms.MultipleChoiceField(
            choices=_choices(question), widget=forms.CheckboxSelectMultiple, **common
        )
    if kind == QuestionKind.FILE:
        common["help_text"] = str(
            _("Choisissez l'une des pièces jointes déposées sur la page de la candidature.")
        ) + (" " + help_text if help_text else "")
        return forms.ChoiceField(choices=[("", "---------")], **common)
    return forms.CharField(**common)


def stored_value(question, value):
    """The JSON value kept for a cleaned form value."""
    if value in (None, "", []):
        return None
    if question.kind == QuestionKind.NUMBER:
        return str(value)
    if question.kind == QuestionKind.YES_NO:
        return value == "oui"
    return value


def initial_value(question, value):
    if value is None:
        return None
    if question.kind == QuestionKind.YES_NO:
        return "oui" if value else "non"
    return value


class ProposalForm(forms.Form):
    """The whole proposal: its own fields, then every question of the call by kind."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    title = forms.CharField(label=_("Titre du projet"), max_length=200)
    summary = forms.CharField(
        label=_("Résumé"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=3000,
        help_text=_(
            "Le problème, qui le rencontre, ce que vous proposez. Obligatoire pour déposer."
        ),
    )
    yearly_budget = forms.DecimalField(
        label=_("Budget annuel du projet (€)"),
        required=False,
        min_value=Decimal(0),
        max_digits=12,
        decimal_places=2,
        localize=True,  # French users type 12,5
    )
    requested_amount = forms.DecimalField(
        label=_("Montant demandé (€)"),
        required=False,
        min_value=Decimal(0),
        max_digits=12,
        decimal_places=2,
        localize=True,  # French users type 12,5
    )

    def __init__(self, *args, proposal, questions, answers, attachments, **kwargs):
        call = proposal.call
        self.questions = list(questions)
        initial = {
            "version": proposal.version,
            "title": proposal.title,
            "summary": proposal.summary,
            "yearly_budget": proposal.yearly_budget,
            "requested_amount": proposal.requested_amount,
        }
        for question in self.questions:
            initial[f"q_{question.pk}"] = initial_value(question, answers.get(question.pk))
        super().__init__(*args, initial=initial, **kwargs)
        own = ["title", "summary"]
        if call.offers_funding:
            # The rule itself is calls.funding.request_problems, checked at submission.
            self.fields["requested_amount"].help_text = _(
                "Au plus %(share)s %% du budget annuel et au plus %(max)s."
            ) % {"share": call.max_funding_share, "max": funding.euros(call.max_funding_amount)}
            own += ["yearly_budget", "requested_amount"]
        else:
            del self.fields["yearly_budget"], self.fields["requested_amount"]
        names = []
        for question in self.questions:
            field = question_field(question)
            if question.kind == QuestionKind.FILE:
                field.choices = [("", "---------")] + [
                    (str(a.public_id), a.original_name) for a in attachments
                ]
            self.fields[f"q_{question.pk}"] = field
            names.append(f"q_{question.pk}")
        layout = [Fieldset(_("Votre projet"), "version", *own)]
        if names:
            layout.append(Fieldset(_("Questions de l'appel"), *names))
        self.helper = submit_helper(_("Enregistrer le brouillon"), *layout)

    def proposal_fields(self) -> dict:
        return {
            name: self.cleaned_data[name]
            for name in ("title", "summary", "yearly_budget", "requested_amount")
            if name in self.fields
        }

    def answers(self) -> dict:
        return {q.pk: stored_value(q, self.cleaned_data.get(f"q_{q.pk}")) for q in self.questions}


class InviteForm(forms.Form):
    email = forms.EmailField(
        label=_("Adresse électronique de votre coéquipier ou coéquipière"),
        help_text=_("Un lien pour rejoindre l'équipe lui est envoyé ; il est valable 14 jours."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(_("Envoyer l'invitation"))


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("Ajouter une pièce jointe"),
        help_text=_(
            "Formats acceptés : PDF, ODT, ODS, DOCX, XLSX, PNG, JPEG (vérifiés d'après leur "
            "contenu, sans macros ni contenu actif). 10 Mo au plus, 5 fichiers au plus."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": files.ACCEPT}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(_("Déposer le fichier"))
        self.helper.form_enctype = "multipart/form-data"
        self.helper.attrs = {"enctype": "multipart/form-data"}


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Votre message"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(_("Envoyer le message"))


class CorrectionForm(forms.Form):
    reason = forms.CharField(
        label=_("Correction demandée"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )
    deadline = BoundedDateTimeField(
        label=_("À renvoyer avant le (heure de Paris)"), widget=DATETIME_INPUT
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(_("Demander la correction"))


class ScreenForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Recevabilité"),
        choices=[("eligible", _("Recevable")), ("ineligible", _("Irrecevable"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Motif d'irrecevabilité"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Obligatoire si la candidature est irrecevable ; il figure dans le courrier envoyé "
            "à l'équipe avec les résultats."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(_("Enregistrer la recevabilité"))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "ineligible" and not cleaned.get("reason", "").strip():
            self.add_error("reason", _("Indiquez le motif : il est envoyé à l'équipe."))
        return cleaned


class ExportForm(forms.Form):
    format = forms.ChoiceField(label=_("Format"), choices=ExportFormat.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(_("Exporter les candidatures"))
