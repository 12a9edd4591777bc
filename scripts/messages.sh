#!/usr/bin/env bash
# Extract translatable strings for every app and the project, then compile.
set -euo pipefail
export DJANGO_SETTINGS_MODULE=dasan.settings
root=$(cd "$(dirname "$0")/.." && pwd)
admin="$root/.venv/bin/django-admin"
for dir in "$root"/src/dasan "$root"/src/dasan/*/; do
  [ -d "$dir/locale" ] || continue
  (cd "$dir" && "$admin" makemessages -l en -l zh_Hans -l vi --no-obsolete --ignore "*/tests/*" >/dev/null)
done
find "$root/src/dasan" -name django.po -path "*LC_MESSAGES*" | while read -r po; do
  msgfmt --check -o "${po%.po}.mo" "$po"
done
echo "catalogues compiled"
