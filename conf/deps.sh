#!/bin/sh
# Installs the Debian packages Backdrop needs to build, run, test and benchmark, and
# the browser-test packages from npm, skipping what is already there. Uses apt-get as
# root, sudo otherwise; where neither works it prints the exact command and stops.
set -e
PKGS="build-essential pkg-config libfcgi-dev libgd-dev libpng-dev libwebp-dev libjpeg-dev libcurl4-openssl-dev
libjson-c-dev libzip-dev libsqlite3-dev libssl-dev nginx spawn-fcgi multiwatch sqlite3 curl
imagemagick libvips-tools python3 python3-opencv time procps wrk chromium jq"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
# Node.js for the browser tests: Debian's, unless the machine already has one.
command -v node >/dev/null 2>&1 || missing="$missing nodejs npm"

if [ -n "$missing" ]; then
	cmd="apt-get install -y --no-install-recommends$missing"
	if [ "$(id -u)" = 0 ]; then
		run=""
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
		run="sudo"
	else
		echo "Backdrop needs these packages:$missing" >&2
		echo "Install them with:  sudo apt-get update && sudo $cmd" >&2
		exit 1
	fi
	echo "deps: installing$missing" >&2
	$run env DEBIAN_FRONTEND=noninteractive apt-get update -qq
	$run env DEBIAN_FRONTEND=noninteractive $cmd >/dev/null
fi

# The browser tests drive Debian's chromium through playwright-core (no browser
# download): installed into tests/browser/node_modules from its lock file.
if [ ! -d tests/browser/node_modules/playwright-core ] && [ -f tests/browser/package.json ]; then
	(cd tests/browser && npm ci --no-audit --no-fund --silent >/dev/null 2>&1 ||
	 npm install --no-audit --no-fund --silent >/dev/null)
fi

# The neural cutout's runtime and model, from npm, checked against conf/model.sha256.
sh conf/model.sh
