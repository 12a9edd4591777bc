#!/usr/bin/env bash
# Extract translatable strings into each app's own catalogue and the project's,
# then compile every catalogue. Needs GNU gettext.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
admin="$root/.venv/bin/django-admin"
langs=(-l en -l zh_Hans -l vi)
# makemessages sends every string under src/dasan/ to the first LOCALE_PATHS entry
# (the project catalogue); for the apps, run it with LOCALE_PATHS emptied so each
# app's strings land in its own locale/.
export PYTHONPATH="$root/scripts${PYTHONPATH:+:$PYTHONPATH}"
apps=()
for dir in "$root"/src/dasan/*/; do
  [ -d "$dir/locale" ] || continue
  app=$(basename "$dir")
  apps+=(--ignore "$app/*")
  (cd "$dir" && DJANGO_SETTINGS_MODULE=i18n_settings "$admin" makemessages "${langs[@]}" --no-obsolete >/dev/null)
done
(cd "$root/src/dasan" && DJANGO_SETTINGS_MODULE=dasan.settings "$admin" makemessages "${langs[@]}" --no-obsolete "${apps[@]}" >/dev/null)
find "$root/src/dasan" -name django.po -path "*LC_MESSAGES*" | while read -r po; do
  msgfmt --check -o "${po%.po}.mo" "$po"
done
echo "catalogues compiled"
