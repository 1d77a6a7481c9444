"""Static files in production: hashed names, compressed copies, and the DSFR served as shipped.

django-dsfr writes a Subresource Integrity hash (SRI) of its own stylesheets and scripts into
every page. Django's manifest storage rewrites the `url()` references inside stylesheets to
their hashed names, which changes the bytes: the browser then refuses the stylesheet and the
site shows as bare HTML. The files whose hash django-dsfr pins are therefore stored with their
content untouched (they still get a hashed name, so they can be cached for ever); the assets
they reference are collected under their plain names as well, so their relative URLs resolve.
"""

from dsfr.constants import DsfrStaticAssets
from whitenoise.storage import CompressedManifestStaticFilesStorage

#: Files whose integrity hash django-dsfr puts in the page: their bytes must not change.
SRI_PINNED = frozenset(
    {
        DsfrStaticAssets.DSFR_CSS,
        DsfrStaticAssets.DSFR_UTILITY_CSS,
        DsfrStaticAssets.DSFR_MODULE_JS,
        DsfrStaticAssets.DSFR_NOMODULE_JS,
    }
)


def _unchanged(matchobj):
    return matchobj.group("matched")


class PortalStaticFilesStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's compressed manifest storage, leaving the SRI-pinned files byte for byte."""

    def url_converter(self, name, hashed_files, template=None, ignored_blocks=None):
        if self.clean_name(name) in SRI_PINNED:
            return _unchanged
        return super().url_converter(name, hashed_files, template, ignored_blocks)
