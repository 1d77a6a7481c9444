"""An upload handler that stops writing a file to disk past the largest size accepted.

The file keeps its real size, so the service refusing it can say how large it was, but no
more than `FILE_UPLOAD_MAX_BYTES` (plus one byte) of it ever reaches the disk.
"""

from django.conf import settings
from django.core.files.uploadhandler import TemporaryFileUploadHandler


class BoundedTemporaryFileUploadHandler(TemporaryFileUploadHandler):
    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        room = settings.FILE_UPLOAD_MAX_BYTES + 1 - self.received
        self.received += len(raw_data)
        if room > 0:
            self.file.write(raw_data[:room])

    def file_complete(self, file_size):
        self.file.seek(0)
        self.file.size = self.received
        return self.file
