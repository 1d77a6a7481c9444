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
