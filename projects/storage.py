"""Where proposal files and exports live: private storage that no URL serves.

Files are read back only by views that check the reader's rights first. Everything goes
through Django's storage API, so the bytes can live in an S3-compatible bucket shared by
several web nodes and workers: `STORAGES["private"]` when settings define it (the S3
backend of django-storages when `AWS_STORAGE_BUCKET_NAME` is set, see the settings), else
the local folder `settings.PRIVATE_MEDIA_ROOT`.
"""

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.utils.deconstruct import deconstructible

PRIVATE = "private"


def backend() -> Storage:
    """The storage the private files are in, read at each use so tests can point it elsewhere
    (a `STORAGES` or `PRIVATE_MEDIA_ROOT` override)."""
    if PRIVATE in settings.STORAGES:
        return storages[PRIVATE]
    return FileSystemStorage(location=str(settings.PRIVATE_MEDIA_ROOT))


@deconstructible
class PrivateStorage(Storage):
    """The models' storage: every call goes to `backend()`; no public URL."""

    def _open(self, name, mode="rb"):
        return backend()._open(name, mode)

    def _save(self, name, content):
        return backend()._save(name, content)

    def get_valid_name(self, name):
        return backend().get_valid_name(name)

    def get_available_name(self, name, max_length=None):
        return backend().get_available_name(name, max_length=max_length)

    def generate_filename(self, filename):
        return backend().generate_filename(filename)

    def delete(self, name):
        return backend().delete(name)

    def exists(self, name):
        return backend().exists(name)

    def listdir(self, path):
        return backend().listdir(path)

    def size(self, name):
        return backend().size(name)

    def path(self, name):
        # Only the local disk has paths; code that needs one works on a single node only.
        return backend().path(name)

    def url(self, name):
        raise ValueError("Private files have no public URL; serve them through a view.")


private_storage = PrivateStorage()
