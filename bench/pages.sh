#!/bin/sh
# The start page in Chromium: drop a 12 MP photo, time until its cutout is shown, over
# loopback and a throttled 10 Mbit/s uplink (bench/pages.mjs). Prints numbers only.
TOP=$(pwd) BUILD=${BUILD:-build/rel} TMPROOT="$(pwd)/${BUILD:-build/rel}/bench-pages" node bench/pages.mjs
rm -rf "${BUILD:-build/rel}/bench-pages"
