"""``dasan make_signing_cert --out var/signing.p12``: a demo CA and signing certificate.

For demos and tests. Production signs with the city's real certificate (see
docs/dev/certificates.md); never commit the file this writes.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from dasan.certificates.pki import make_pkcs12
from dasan.core.conf import setting


class Command(BaseCommand):
    help = "Create a demo root CA and a document-signing certificate in a PKCS#12 file."

    def add_arguments(self, parser):
        parser.add_argument("--out", default="var/signing.p12", help="where to write the PKCS#12 file")
        parser.add_argument(
            "--password", default=None, help="its password (default: $DASAN_SIGNING_P12_PASSWORD, else none)"
        )
        parser.add_argument("--city", default=None, help="organisation name in the certificates")
        parser.add_argument("--force", action="store_true", help="overwrite an existing file")

    def handle(self, *args, out, password, city, force, **options):
        path = Path(out)
        if path.exists() and not force:
            raise CommandError(f"{path} exists; use --force to replace it")
        if password is None:
            password = setting("SIGNING_P12_PASSWORD")
        if not city:
            from dasan.core.models import Municipality

            try:
                current = Municipality.current()
            except Exception:  # noqa: BLE001 - works before migrate too
                current = None
            city = current.name if current else "다산시"
        bundle, root_pem = make_pkcs12(city, password)
        path.parent.mkdir(parents=True, exist_ok=True)
        # The key is in there: readable by the owner only.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(bundle)
        root_path = path.with_suffix(".root.pem")
        root_path.write_bytes(root_pem)
        self.stdout.write(
            f"wrote {path} (key + certificate + chain) and {root_path} (root certificate)\n"
            f"set DASAN_SIGNING_P12={path}" + (" and DASAN_SIGNING_P12_PASSWORD" if password else "")
        )
