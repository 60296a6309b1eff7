#!/bin/sh
# Turns the numbered migrations of each backend (sql/sqlite/NNN_name.sql and
# sql/postgres/NNN_name.sql, in order) into a C file defining migrations_sqlite[] and
# migrations_postgres[], so every binary carries both schemas.
# Usage: embed-sql.sh SQLITE_DIR POSTGRES_DIR
set -e
echo '/* Generated from the sql/ migrations by cgi-bin/lib/embed-sql.sh. Do not edit. */'
echo '#include "store.h"'
for backend in sqlite postgres; do
	if [ "$backend" = sqlite ]; then dir=$1; else dir=$2; fi
	echo "const struct migration migrations_$backend[] = {"
	for f in $(ls "$dir"/[0-9]*.sql | sort); do
		base=$(basename "$f" .sql)
		num=$(echo "$base" | sed 's/^0*\([0-9][0-9]*\)_.*/\1/')
		printf '\t{ %s, "%s",\n' "$num" "$base"
		sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/\t  "/' -e 's/$/\\n"/' "$f"
		printf '\t},\n'
	done
	echo '};'
	echo "const int nmigrations_$backend = sizeof migrations_$backend / sizeof migrations_$backend[0];"
done
