#!/bin/sh
# What `make shared-host DEST=dir` runs: lays out Backdrop for Apache shared hosting in
# DEST, to upload as it is:
#   DEST/public_html/            the document root: .htaccess, the pages, source.tar.gz
#   DEST/public_html/cgi-bin/    the programs (plain CGI or mod_fcgid) and .htaccess
#   DEST/public_html/cgi-bin/conf/backdrop.conf   the settings (never served)
#   DEST/bin/backdrop            the command for cron (worker --once, purge), backups
#   DEST/backdrop-data/          the data folder, outside the document root (created by
#                                `backdrop init` or the first request)
# The settings are the shipped ones with data_dir = ../../backdrop-data (relative to
# cgi-bin/, where the programs run) and the classical cutout engine (cutout_model =
# none): a shared host cannot afford the network's 1.15 GB per request (see DEPLOY.md).
# Environment: BUILD (the binaries), PROGS.
set -eu
DEST=${1:?usage: apache/assemble.sh DEST}
: "${BUILD:=build/rel}" "${PROGS:=index upload update remove health image change}"
[ -e "$DEST/public_html" ] && { echo "shared-host: $DEST/public_html exists; choose an empty folder" >&2; exit 1; }
mkdir -p "$DEST/bin"
cp -R apache/public_html "$DEST/"
cp -R www/. "$DEST/public_html/"
cp "$BUILD/source.tar.gz" "$DEST/public_html/"
for p in $PROGS; do install -m 0755 "$BUILD/$p" "$DEST/public_html/cgi-bin/$p"; done
install -m 0755 "$BUILD/backdrop" "$DEST/bin/backdrop"
sed -e 's#^data_dir = .*#data_dir = ../../backdrop-data#' -e 's#^cutout_model = .*#cutout_model = none#' \
    conf/backdrop.conf > "$DEST/public_html/cgi-bin/conf/backdrop.conf"
chmod 0644 "$DEST/public_html/cgi-bin/conf/backdrop.conf"
echo "shared-host: $DEST ready (document root: $DEST/public_html)"
