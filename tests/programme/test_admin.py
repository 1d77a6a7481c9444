"""The admin is the staff's last resort: every model of our apps must be reachable there."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

OUR_APPS = ("programme", "calls", "projects", "cohorts")


def test_every_model_of_our_apps_is_in_the_admin_directly_or_as_an_inline():
    reachable = set(admin.site._registry)
    for model_admin in admin.site._registry.values():
        reachable |= {inline.model for inline in model_admin.inlines}
    missing = [
        model._meta.label
        for name in OUR_APPS
        for model in apps.get_app_config(name).get_models()
        if model not in reachable
    ]
    assert missing == [], f"Not in the admin: {', '.join(missing)}"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "model",
    [m for m in admin.site._registry if m._meta.app_label in OUR_APPS],
    ids=lambda m: m._meta.label,
)
def test_each_admin_list_opens_for_a_superuser(admin_client, model):
    opts = model._meta
    response = admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    assert response.status_code == 200


# States, scores and decisions change through the services only (guarded, audited).
WORKFLOW_FIELDS = {"state", "status", "total", "value", "outcome", "amount_granted"}


def _editable_workflow_fields(model_admin, request):
    fields = {f.name for f in model_admin.model._meta.fields} & WORKFLOW_FIELDS
    if not model_admin.has_change_permission(request) and not model_admin.has_add_permission(
        request, *([None] if isinstance(model_admin, admin.options.InlineModelAdmin) else [])
    ):
        return set()
    return fields - set(model_admin.get_readonly_fields(request))


@pytest.mark.django_db
def test_no_state_nor_score_of_the_projects_is_editable_in_the_admin(rf, admin_user):
    request = rf.get("/")
    request.user = admin_user
    editable = {}
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label != "projects":
            continue
        admins = [model_admin, *model_admin.get_inline_instances(request)]
        for each in admins:
            fields = _editable_workflow_fields(each, request)
            if fields and each.model._meta.label != "projects.Answer":  # a team's own answer
                editable[each.model._meta.label] = fields
    assert editable == {}
