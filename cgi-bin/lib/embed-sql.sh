#!/bin/sh
# Turns the numbered migrations given as arguments (sql/NNN_name.sql, in order) into a
# C file defining `migrations[]`, so every binary carries its schema.
set -e
echo '/* Generated from the sql/ migrations by cgi-bin/lib/embed-sql.sh. Do not edit. */'
echo '#include "store.h"'
echo 'const struct migration migrations[] = {'
for f in "$@"; do
	base=$(basename "$f" .sql)
	num=$(echo "$base" | sed 's/^0*\([0-9][0-9]*\)_.*/\1/')
	printf '\t{ %s, "%s",\n' "$num" "$base"
	sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/\t  "/' -e 's/$/\\n"/' "$f"
	printf '\t},\n'
done
echo '};'
echo 'const int nmigrations = sizeof migrations / sizeof migrations[0];'
