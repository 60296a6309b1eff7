#!/bin/sh
# Installs the Debian packages Backdrop needs to build, run, test and benchmark, and
# the browser-test packages from npm, skipping what is already there. Uses apt-get as
# root, sudo otherwise; where neither works it prints the exact command and stops.
set -e
PKGS="build-essential pkg-config libfcgi-dev libgd-dev libpng-dev libwebp-dev libjpeg-dev libcurl4-openssl-dev
libjson-c-dev libzip-dev libsqlite3-dev libssl-dev nginx spawn-fcgi multiwatch sqlite3 curl
imagemagick libvips-tools python3 python3-opencv time procps wrk chromium jq"
# The deployment tests: Apache as a shared host runs it (plain CGI and mod_fcgid), and
# systemd-analyze and logrotate to check what make install ships.
PKGS="$PKGS apache2 libapache2-mod-fcgid systemd logrotate"
# clang for the second sanitizer build (make test SAN=1 CC=clang) and make fuzz; its
# runtime libraries (libclang-rt-dev) hold libFuzzer.
PKGS="$PKGS clang libclang-rt-dev"
# PostgreSQL: libpq to build the second store backend, and the server and its client
# for make test STORE=postgres (the suite starts its own server in a temporary folder).
PKGS="$PKGS libpq-dev postgresql postgresql-client"

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
# download) and check the pages with axe-core: installed into tests/browser/node_modules
# from its lock file, again whenever the lock file changes (a copy of the lock file
# installed last is kept in node_modules). Runs of make at once take turns (flock), so
# one never deletes the folder the other is installing into.
# The published remove.bg clients that tests/e2e/test_clients.sh drives (remove.bg,
# removebg-wrapper, axios, form-data) go into tests/clients/node_modules the same way.
for d in tests/browser tests/clients; do
	if [ -f $d/package-lock.json ] && ! cmp -s $d/package-lock.json $d/node_modules/.installed-lock.json; then
		(cd $d && flock package.json sh -c 'cmp -s package-lock.json node_modules/.installed-lock.json ||
		 { npm ci --no-audit --no-fund --silent >/dev/null && cp package-lock.json node_modules/.installed-lock.json; }')
	fi
done

# The neural cutout's runtime and model, from npm, checked against conf/model.sha256.
sh conf/model.sh
