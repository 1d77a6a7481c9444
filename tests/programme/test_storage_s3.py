"""Several web nodes share the files: attachments and exports through the storage API, here
against a local S3-compatible server (moto's, started by the test on 127.0.0.1; no outside
host). Upload a file as the team, download it, export the call as staff and download that."""

import csv
import io
import socket

import boto3
import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from projects.enums import ExportStatus
from projects.models import Attachment, ExportJob
from tests.security.world import PDF, STAFF, TEAM, build_world

pytestmark = pytest.mark.django_db

BUCKET = "portail-test"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def s3_server():
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3(s3_server, settings, tmp_path):
    credentials = {"aws_access_key_id": "test", "aws_secret_access_key": "test"}
    client = boto3.client("s3", endpoint_url=s3_server, region_name="us-east-1", **credentials)
    client.create_bucket(Bucket=BUCKET)
    options = {
        "bucket_name": BUCKET,
        "endpoint_url": s3_server,
        "region_name": "us-east-1",
        "access_key": "test",
        "secret_key": "test",
        "default_acl": None,
        "querystring_auth": True,
        "file_overwrite": False,
    }
    # As programme/settings.py configures it with AWS_STORAGE_BUCKET_NAME set; the local
    # folder points to an empty place, to prove nothing is written there.
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "never-used"
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {**options, "location": "private"},
        },
    }
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def _keys(client) -> list[str]:
    return sorted(o["Key"] for o in client.list_objects_v2(Bucket=BUCKET).get("Contents", []))


def test_upload_download_and_export_go_through_the_bucket(
    client, s3, tmp_path, django_capture_on_commit_callbacks
):
    world = build_world()
    # The world's own attachment was written before the bucket existed: start from ours.
    Attachment.objects.all().delete()
    client.force_login(world.people[TEAM])
    response = client.post(
        reverse("projects:attachments", kwargs={"public_id": world.draft.public_id}),
        {"file": SimpleUploadedFile("budget.pdf", PDF, content_type="application/pdf")},
    )
    assert response.status_code == 302
    attachment = Attachment.objects.get(proposal=world.draft)
    key = f"private/{attachment.file.name}"
    assert key in _keys(s3)
    assert not (tmp_path / "never-used").exists()
    # Another web node reads it from the bucket, through the view that checks rights.
    storages._backends = {}
    download = client.get(
        reverse(
            "projects:attachment",
            kwargs={"public_id": world.draft.public_id, "attachment_id": attachment.public_id},
        )
    )
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Disposition"].startswith("attachment;")

    # The staff's export is written by the worker into the bucket and served from it.
    client.force_login(world.people[STAFF])
    call = world.draft.call
    before = list(ExportJob.objects.values_list("pk", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("projects:export", args=[call.slug]), {"format": "csv"})
    job = ExportJob.objects.exclude(pk__in=before).get()
    assert job.status == ExportStatus.DONE
    assert f"private/{job.file.name}" in _keys(s3)
    response = client.get(reverse("projects:export-file", args=[job.public_id]))
    assert response.status_code == 200
    rows = list(
        csv.reader(
            io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")), delimiter=";"
        )
    )
    assert rows[0][0] == "Référence"

    # Removing the attachment removes the object.
    client.force_login(world.people[TEAM])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse(
                "projects:remove-attachment",
                kwargs={
                    "public_id": world.draft.public_id,
                    "attachment_id": attachment.public_id,
                },
            )
        )
    assert key not in _keys(s3)
