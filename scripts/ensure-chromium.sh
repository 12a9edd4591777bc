#!/usr/bin/env bash
# Installs Debian's Chromium for the Playwright browser tests when it is missing.
# Playwright drives this system browser (no browser download at test time).
set -u
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "Installing Debian's chromium for the browser tests..."
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
    || echo "warning: could not install chromium; browser tests will be reported as skipped" >&2
else
  echo "warning: /usr/bin/chromium is missing and cannot be installed here (needs root + apt); browser tests will be skipped" >&2
fi
exit 0
