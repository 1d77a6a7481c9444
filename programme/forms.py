from urllib.parse import urlencode

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Hidden, Layout, Submit
from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import password_validation
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import accounts, letters, mail, numbers
from .enums import GroupAudience, InvitationRole, Region, StructureType
from .models import GroupMessage, Structure, User
from .queries import AUDIENCE_PLACEHOLDERS


def submit_helper(label, *layout, form_tag=True) -> FormHelper:
    """A FormHelper posting the form with one primary button."""
    helper = FormHelper()
    helper.form_tag = form_tag
    if layout:
        helper.layout = Layout(*layout)
    helper.add_input(Submit("submit", label))
    return helper


# Every date of the site falls in these years: a date far outside is a typing slip or an attack
# (0001-01-01 overflowed once moved to UTC; 9999-12-31 overflowed one day later).
FIRST_YEAR, LAST_YEAR = 2000, 2100


class BoundedDates:
    """A date (or date and time) field refusing, with a French message next to the field, any
    date outside FIRST_YEAR to LAST_YEAR, before anything computes with it."""

    def to_python(self, value):
        try:
            result = super().to_python(value)
        except (OverflowError, ValueError) as error:
            raise self._out_of_range() from error
        if result is not None and not FIRST_YEAR <= result.year <= LAST_YEAR:
            raise self._out_of_range()
        return result

    def _out_of_range(self) -> forms.ValidationError:
        return forms.ValidationError(
            _("Saisissez une date entre %(first)s et %(last)s."),
            code="out_of_range",
            params={"first": FIRST_YEAR, "last": LAST_YEAR},
        )


class BoundedDateField(BoundedDates, forms.DateField):
    pass


class BoundedDateTimeField(BoundedDates, forms.DateTimeField):
    pass


class NumberInput(forms.TextInput):
    """A text box for a number: the browser's number box refuses "1 000 000" and "12,5", so
    French typing goes through a plain text box with the decimal keypad on phones."""

    input_type = "text"

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "decimal", "autocomplete": "off", **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, str) or value is None:
            return super().format_value(value)
        return numbers.french(value)


class FrenchDecimalField(forms.DecimalField):
    """Every amount and number a person types on the site: "1 000 000", "150 000" (with a
    space, a no-break or a narrow no-break space between thousands), "1 000,50" or "12.5"."""

    widget = NumberInput
    default_error_messages = {
        "invalid": _("Saisissez un nombre. Par exemple : 150 000 ou 1 000,50."),
    }

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, str):
            parsed = numbers.parse(value)
            if parsed is None:
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
            value = str(parsed)
        return super().to_python(value)

    def widget_attrs(self, widget):
        # Not the browser's min/max/step: they belong to its number box, not a text box.
        return {
            key: value
            for key, value in super().widget_attrs(widget).items()
            if key not in ("min", "max", "step")
        }


def french_formfield(model_field, **kwargs):
    """A ModelForm's `formfield_callback`: its decimal columns typed the French way."""
    from django.db import models

    if isinstance(model_field, models.DecimalField):
        kwargs.setdefault("form_class", FrenchDecimalField)
    return model_field.formfield(**kwargs)


class StructureFieldsMixin(forms.Form):
    structure_type = forms.ChoiceField(
        label=_("Type de structure"), choices=[("", "---------"), *StructureType.choices]
    )
    structure_name = forms.CharField(
        label=_("Nom de la structure"),
        max_length=200,
        help_text=_("Par exemple : DREAL Occitanie, Direction générale de l'aménagement."),
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )

    structure_region = forms.ChoiceField(
        label=_("Région de la structure"),
        choices=[("", _("Aucune : structure nationale")), *Region.choices],
        required=False,
    )

    def structure(self) -> Structure:
        name = " ".join(self.cleaned_data["structure_name"].split())
        region = self.cleaned_data.get("structure_region", "")
        structure = Structure.objects.filter(
            type=self.cleaned_data["structure_type"], name__iexact=name
        ).first()
        if structure is None:
            return Structure.objects.create(
                type=self.cleaned_data["structure_type"], name=name, region=region
            )
        if region and not structure.region:
            structure.region = region
            structure.save(update_fields=["region"])
        return structure


class SignupForm(StructureFieldsMixin, forms.ModelForm):
    password1 = forms.CharField(
        label=_("Mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Au moins 12 caractères, ni trop courant ni uniquement des chiffres."),
    )
    password2 = forms.CharField(
        label=_("Confirmation du mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    # Where the person was going (read by the view, checked as a path of this site).
    next = forms.CharField(required=False, widget=forms.HiddenInput, max_length=2000)

    class Meta:
        model = User
        fields = ["first_name", "last_name", "email"]
        labels = {"first_name": _("Prénom"), "last_name": _("Nom")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("first_name", "last_name"):
            self.fields[name].required = True
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["first_name"].widget.attrs["autocomplete"] = "given-name"
        self.fields["last_name"].widget.attrs["autocomplete"] = "family-name"
        self.helper = submit_helper(
            _("Créer mon compte"),
            Fieldset(_("Vous"), "first_name", "last_name", "email"),
            Fieldset(_("Votre structure"), "structure_type", "structure_name", "structure_region"),
            Fieldset(_("Votre mot de passe"), "password1", "password2"),
            "next",
        )

    def clean_email(self):
        # Whether the address has an account is not said here (sign-up answers the same
        # either way: programme.accounts.sign_up mails the owner instead).
        return self.cleaned_data["email"].strip().lower()

    def validate_unique(self):
        """Not on the address: saying it is taken would tell who has an account."""
        exclude = self._get_validation_exclusions()
        exclude.add("email")
        try:
            self.instance.validate_unique(exclude=exclude)
        except forms.ValidationError as error:
            self._update_errors(error)

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("Les deux mots de passe ne sont pas identiques."))
        return cleaned

    def _post_clean(self):
        super()._post_clean()
        password = self.cleaned_data.get("password1")
        if password:
            try:
                password_validation.validate_password(password, self.instance)
            except forms.ValidationError as error:
                self.add_error("password1", error)

    def save(self, commit=True):
        user = super().save(commit=False)
        user.set_password(self.cleaned_data["password1"])
        user.structure = self.structure()
        if commit:
            user.save()
        return user


class ProfileForm(StructureFieldsMixin, forms.ModelForm):
    class Meta:
        model = User
        fields = ["first_name", "last_name", "job_title", "wants_nudges"]
        labels = {"first_name": _("Prénom"), "last_name": _("Nom")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.structure_id and not self.is_bound:
            self.initial["structure_type"] = self.instance.structure.type
            self.initial["structure_name"] = self.instance.structure.name
            self.initial["structure_region"] = self.instance.structure.region
        self.fields["first_name"].widget.attrs["autocomplete"] = "given-name"
        self.fields["last_name"].widget.attrs["autocomplete"] = "family-name"
        self.fields["job_title"].widget.attrs["autocomplete"] = "organization-title"
        self.helper = submit_helper(
            _("Enregistrer"),
            Fieldset(_("Vous"), "first_name", "last_name", "job_title"),
            Fieldset(_("Votre structure"), "structure_type", "structure_name", "structure_region"),
            Fieldset(_("Rappels"), "wants_nudges"),
        )

    def save(self, commit=True):
        user = super().save(commit=False)
        user.structure = self.structure()
        if commit:
            user.save()
        return user


class LoginForm(auth_forms.AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "Adresse électronique ou mot de passe incorrect. Vérifiez votre saisie "
            "(les majuscules comptent dans le mot de passe)."
        ),
        "inactive": _("Ce compte est désactivé."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Adresse électronique")
        self.fields["password"].label = _("Mot de passe")
        self.fields["username"].widget.attrs["autocomplete"] = "email"
        self.fields["password"].widget.attrs["autocomplete"] = "current-password"
        self.helper = submit_helper(_("Se connecter"), form_tag=False)


class PasswordResetForm(auth_forms.PasswordResetForm):
    # Where the person was going (an invitation, a call): carried by the mailed link.
    next = forms.CharField(required=False, widget=forms.HiddenInput, max_length=2000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = _("Adresse électronique")
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.helper = submit_helper(_("Recevoir le lien de réinitialisation"))

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        """Through the outbox, so a mail server that is down delays the link, not loses it."""
        mail.send(
            [to_email],
            "password_reset",
            {
                "user": context["user"],
                "path": reverse(
                    "password_reset_confirm",
                    kwargs={"uidb64": context["uid"], "token": context["token"]},
                )
                + with_next(self.cleaned_data.get("next")),
            },
        )


def with_next(next_url: str | None) -> str:
    """`?next=…` for a path of this site (anything else is dropped), or ""."""
    from .accounts import safe_next

    safe = safe_next(next_url)
    return f"?{urlencode({'next': safe})}" if safe else ""


class SetPasswordForm(auth_forms.SetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("new_password1", "new_password2"):
            self.fields[name].widget.attrs["autocomplete"] = "new-password"
        self.helper = submit_helper(_("Enregistrer le nouveau mot de passe"))

    def save(self, commit=True):
        """The reset link came to this address: it is proved, and the sign-in lock lifted."""
        user = super().save(commit=commit)
        if commit:
            accounts.password_was_reset(user, now=timezone.now())
        return user


class DeleteAccountForm(forms.Form):
    """Confirm the deletion of one's account: the password when there is one, and a tick."""

    password = forms.CharField(
        label=_("Votre mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label=_(
            "Je comprends que mon compte est désactivé et mes nom et adresse effacés "
            "immédiatement, sans retour possible."
        ),
        error_messages={"required": _("Cochez la case pour confirmer la suppression.")},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        fields = ["password", "confirm"]
        if not user.has_usable_password():  # signed in through ProConnect only
            del self.fields["password"]
            fields = ["confirm"]
        self.helper = submit_helper(_("Supprimer définitivement mon compte"), *fields)

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("Mot de passe incorrect."))
        return password


class IdentifiersChoiceField(forms.ModelMultipleChoiceField):
    """A multiple choice of objects that refuses a number no database identifier can be
    (SQLite raises on it) with the usual French message, instead of a server error."""

    def _check_values(self, value):
        for pk in value or ():
            try:
                number = int(pk)
            except (TypeError, ValueError):
                continue  # Django's own check says it is not a valid value
            if not -(2**63) <= number < 2**63:
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super()._check_values(value)


class AddMemberForm(forms.Form):
    """A staff member or a coach added to a programme by address (invited if unknown)."""

    email = forms.EmailField(
        label=_("Adresse électronique"),
        help_text=_(
            "Une personne qui a déjà un compte reçoit le rôle aussitôt ; sinon, elle reçoit un "
            "lien d'invitation valable 14 jours."
        ),
    )
    role = forms.ChoiceField(
        label=_("Rôle"),
        choices=[(role.value, role.label) for role in InvitationRole.programme_roles()],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs["autocomplete"] = "off"
        self.helper = submit_helper(_("Ajouter"))


class InviteJurorForm(forms.Form):
    """A juror invited to the jury of one of the programme's calls."""

    call = forms.ModelChoiceField(label=_("Appel"), queryset=None, empty_label=None)
    email = forms.EmailField(
        label=_("Adresse électronique"),
        help_text=_("La personne reçoit un lien : elle siège une fois qu'elle l'a accepté."),
    )
    role_label = forms.CharField(
        label=_("Qualité"), max_length=200, required=False, help_text=_("Par exemple CCDG.")
    )

    def __init__(self, *args, calls=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["call"].queryset = calls
        self.fields["call"].label_from_instance = lambda call: call.edition
        self.fields["email"].widget.attrs["autocomplete"] = "off"
        self.helper = submit_helper(_("Inviter au jury"))


class GroupMessageForm(forms.ModelForm):
    """A grouped message: who it goes to, its subject and body with placeholders."""

    proposal_states = forms.MultipleChoiceField(
        label=_("États des candidatures"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Pour les équipes d'un appel ; aucun coché : toutes les équipes."),
    )

    class Meta:
        model = GroupMessage
        fields = ["audience", "call", "proposal_states", "cohort", "subject", "body"]
        widgets = {"audience": forms.RadioSelect, "body": forms.Textarea(attrs={"rows": 10})}

    def __init__(self, *args, programme, **kwargs):
        from calls.models import Call
        from projects.enums import ProposalState

        super().__init__(*args, **kwargs)
        self.instance.programme = programme
        self.fields["audience"].choices = GroupAudience.choices  # no blank choice to pick
        self.fields["call"].queryset = Call.objects.filter(programme=programme).order_by(
            "-opens_at"
        )
        self.fields["call"].label_from_instance = lambda call: call.edition
        self.fields["cohort"].queryset = programme.cohorts.order_by("-starts_on")
        self.fields["cohort"].label_from_instance = lambda cohort: cohort.label
        self.fields["proposal_states"].choices = [
            (state.value, state.label) for state in ProposalState if state != ProposalState.DRAFT
        ] + [(ProposalState.DRAFT.value, ProposalState.DRAFT.label)]
        self.fields["subject"].help_text = letters.help_text()
        self.fields["body"].help_text = letters.help_text()
        self.helper = submit_helper(_("Enregistrer le brouillon"))

    def clean(self):
        data = super().clean()
        audience = data.get("audience")
        if audience in (GroupAudience.CALL_TEAMS, GroupAudience.CALL_JURY) and not data.get("call"):
            self.add_error(
                "call", _("Choisissez l'appel dont les équipes ou le jury reçoivent le message.")
            )
        if audience == GroupAudience.COHORT_LAUREATES and not data.get("cohort"):
            self.add_error(
                "cohort", _("Choisissez la promotion dont les lauréats reçoivent le message.")
            )
        if audience:
            available = AUDIENCE_PLACEHOLDERS[audience]
            for name in ("subject", "body"):
                for error in letters.check(data.get(name, ""), available):
                    self.add_error(name, error)
        # Only what the chosen group uses is kept.
        if audience != GroupAudience.CALL_TEAMS:
            data["proposal_states"] = []
        if audience not in (GroupAudience.CALL_TEAMS, GroupAudience.CALL_JURY):
            data["call"] = None
        if audience != GroupAudience.COHORT_LAUREATES:
            data["cohort"] = None
        return data


class LetterTemplateForm(forms.Form):
    """A programme's own subject and text of one letter, with the letter's placeholders."""

    subject = forms.CharField(label=_("Objet"), max_length=200)
    body = forms.CharField(label=_("Texte"), widget=forms.Textarea(attrs={"rows": 10}))

    def __init__(self, *args, letter, **kwargs):
        super().__init__(*args, **kwargs)
        self.letter = letters.LETTERS[letter]
        hint = letters.help_text(self.letter.placeholders)
        self.fields["subject"].help_text = hint
        self.fields["body"].help_text = hint
        self.helper = submit_helper(_("Enregistrer ce texte"))

    def clean(self):
        data = super().clean()
        for name in ("subject", "body"):
            for error in letters.check(data.get(name, ""), self.letter.placeholders):
                self.add_error(name, error)
        return data


def autosaved(form, url: str, *, version="") -> forms.Form:
    """Let `static/js/autosave.js` save `form` by itself while it is typed in: it posts the
    form to `url` (a view answering through `programme.web.autosave`) every few seconds and
    on leaving a field, with the optimistic `version` the page was loaded with (a hidden
    `autosave_version` the buttons send too, kept up to date by the script), and warns
    before leaving the page with changes not saved. The page shows the status through
    `includes/autosave_status.html`."""
    form.helper.attrs = {
        **form.helper.attrs,
        "data-autosave-url": url,
        "data-autosave-status": "autosave-status",
    }
    # Sent by the form's own buttons too, so that they never overwrite a save made since.
    form.helper.add_input(Hidden("autosave_version", str(version)))
    return form
