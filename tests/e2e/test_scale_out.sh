#!/bin/sh
# Scale-out: two sets of the FastCGI programs on two loopback addresses, 127.0.0.2 and
# 127.0.0.3 (as two worker hosts would be; Linux routes all of 127/8 to lo), each
# started by `LISTEN=ADDR:PORT launch.sh --workers-only`, behind one nginx whose upstream
# group of each program lists both (`UPSTREAMS=... launch.sh --nginx-only`). Both share
# one store and one secret, by configuration only (one conf file every set reads): one
# PostgreSQL database under make test STORE=postgres, else one SQLite file. Each set also
# has an nginx of its own, to talk to one set at a time. Shows: both sets answer uploads;
# a record made through one is listed, served, renamed and deleted through the other;
# USER_LIMIT holds across both under 50 parallel uploads; with one set killed the
# service still answers; workers answer only the addresses FCGI_WEB_SERVER_ADDRS names.
. tests/lib.sh

# base_port: a port P such that P..P+6 are free on 127.0.0.1, 127.0.0.2 and 127.0.0.3.
base_port() {
	python3 - <<'PY'
import random, socket
for _ in range(200):
    p = random.randrange(20000, 60000)
    socks = []
    try:
        for a in ("127.0.0.1", "127.0.0.2", "127.0.0.3"):
            for k in range(7):
                s = socket.socket()
                socks.append(s)
                s.bind((a, p + k))
        print(p)
        break
    except OSError:
        pass
    finally:
        for s in socks:
            s.close()
PY
}
# start NAME OPTION [VAR=VALUE...]: runs launch.sh OPTION with the shared settings and
# data in $T/NAME, and waits for its "up" line. Sets PID_<NAME>, empty if it failed.
start() {
	n=$1; opt=$2; shift 2
	(cd "$TOP" && exec env BUILD="$BUILD" BACKDROP_CONF="$T/shared.conf" BACKDROP_DATA_DIR="$T/$n" \
		"$@" sh cgi-bin/launch.sh "$opt" > "$T/$n.out" 2>&1) &
	eval "PID_$n=$!"
	i=0
	until grep -q " up at " "$T/$n.out" 2>/dev/null; do
		if ! kill -0 "$(eval echo "\$PID_$n")" 2>/dev/null || [ $i -gt 600 ]; then
			echo "# $n did not start:"; sed 's/^/#   /' "$T/$n.out"
			eval "PID_$n="
			return 1
		fi
		i=$((i + 1)); sleep 0.1
	done
}
stop() { p=$(eval echo "\${PID_$1:-}"); [ -z "$p" ] || { kill -TERM "$p" 2>/dev/null; wait "$p" 2>/dev/null; }; }
stop_all() { for n in front na nb a b a2; do stop $n; done; }
trap 'stop_all; _cleanup' EXIT

code() { sed -n '1s/^HTTP[^ ]* \([0-9]*\).*/\1/p' "$1"; }
# up BASE JAR: POST / with the photo and the cookie jar JAR (read and written); prints
# the status code, the body in $T/ub.
up() { curl -s -c "$2" -b "$2" -o "$T/ub" -w '%{http_code}' -H 'Accept: application/json' \
	-F image=@"$T/p.png" -F name="${3:-photo}" "$1/"; }
# list BASE JAR: the ids of the records GET / lists for that jar, space separated.
list() { json "$(curl -s -b "$2" -H 'Accept: application/json' "$1/")" \
	'" ".join(r["id"] for r in j["records"])'; }
# answered HOST PORT: the uploads in the front nginx's access log that HOST:PORT answered.
answered() { grep -c "\"POST / HTTP/1.1\" 201 .* $1:$2\$" "$T/front/run/access.log"; }

# Bad settings are refused at once, saying what is wrong (a launcher that took them
# would serve until stopped: timeout stops it, so that the test ends and fails).
like "$(cd "$TOP" && LISTEN=127.0.0.2 BUILD="$BUILD" BACKDROP_DATA_DIR="$T/bad" PORT=$(free_port) \
	timeout 120 sh cgi-bin/launch.sh --workers-only 2>&1)" \
	"LISTEN must be ADDR:PORT, not '127.0.0.2'" "LISTEN without a port is refused"
like "$(cd "$TOP" && BUILD="$BUILD" BACKDROP_DATA_DIR="$T/bad" PORT=$(free_port) \
	timeout 120 sh cgi-bin/launch.sh --nginx-only 2>&1)" \
	"--nginx-only needs UPSTREAMS" "--nginx-only without UPSTREAMS is refused"

convert -size 64x48 xc:white -fill '#c02020' -draw "circle 32 24 32 8" "$T/p.png"
P=$(base_port)
ok "found seven free ports on 127.0.0.1, 127.0.0.2 and 127.0.0.3" test -n "$P"
# The shared configuration every set reads: the store, the secret and the limit.
mkdir -p "$T/shared"
STORE_URL=$(store_url "$T/shared")
[ -n "$STORE_URL" ] || STORE_URL="sqlite:$T/shared/backdrop.db"
cat > "$T/shared.conf" <<EOF
database_url = $STORE_URL
secret = $(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
user_limit = 5
workers = 2
light_workers = 1
EOF

# FCGI_WEB_SERVER_ADDRS (libfcgi's own guard): the workers answer connections from the
# nginx hosts' addresses only; nginx connects to 127.0.0.x from 127.0.0.1.
start a --workers-only LISTEN="127.0.0.2:$P" FCGI_WEB_SERVER_ADDRS=127.0.0.1
ok "set A's programs start on 127.0.0.2" test -n "$PID_a"
start b --workers-only LISTEN="127.0.0.3:$P" FCGI_WEB_SERVER_ADDRS=127.0.0.1
ok "set B's programs start on 127.0.0.3" test -n "$PID_b"
FP=$(free_port); AP=$(free_port); BP=$(free_port)
start front --nginx-only PORT="$FP" UPSTREAMS="127.0.0.2:$P 127.0.0.3:$P"
ok "the front nginx starts with both sets as upstreams" test -n "$PID_front"
start na --nginx-only PORT="$AP" UPSTREAMS="127.0.0.2:$P"
ok "set A's own nginx starts" test -n "$PID_na"
start nb --nginx-only PORT="$BP" UPSTREAMS="127.0.0.3:$P"
ok "set B's own nginx starts" test -n "$PID_nb"
F="http://127.0.0.1:$FP"; A="http://127.0.0.1:$AP"; B="http://127.0.0.1:$BP"

# The layout: each program on its own port of each address; nginx's groups list both.
like "$(cat "$T/a/run/programs")" "^upload [0-9]+ 127\.0\.0\.2:$((P + 1))\$" \
	"set A's upload listens on 127.0.0.2, port P+1 (run/programs)"
like "$(cat "$T/b/run/programs")" "change [0-9]+ 127\.0\.0\.3:$((P + 6))" "set B's change on 127.0.0.3, port P+6"
like "$(tr -s ' \t' ' ' < "$T/front/run/nginx.conf")" \
	"upstream backdrop_upload \{ server 127\.0\.0\.2:$((P + 1)); server 127\.0\.0\.3:$((P + 1)); \}" \
	"the front nginx's upload group lists both sets"
nok "the programs listen on their address only (not 127.0.0.1)" \
	python3 -c "import socket; socket.create_connection(('127.0.0.1', $((P + 1))), 2)"
ok "no secret file is made: the secret comes from the shared configuration" \
	test ! -e "$T/a/secret" -a ! -e "$T/b/secret"

# /health: each set's reports its own programs' workers.
curl -s -o "$T/ha" "$A/health"
is "$(json "$T/ha" 'j["status"]')" Healthy "/health through set A is Healthy"
is "$(json "$T/ha" '",".join(k for k, v in sorted(j["checks"]["workers"].items()) if v == "ok")')" \
	change,health,image,index,remove,update,upload "it reports every program of set A with a live worker"
is "$(curl -s -o /dev/null -w '%{http_code}' "$F/health")" 200 "/health through the front is 200"

# Both sets serve uploads through the front nginx (round robin over the group).
i=0; codes=""
while [ $i -lt 8 ]; do codes="$codes$(up "$F" "$T/jar0.$i" "spread$i") "; i=$((i + 1)); done
is "$codes" "201 201 201 201 201 201 201 201 " "eight uploads (eight visitors) through the front nginx are 201"
ok "set A answered some of them (access log, \$upstream_addr)" test "$(answered 127.0.0.2 $((P + 1)))" -ge 1
ok "set B answered some of them" test "$(answered 127.0.0.3 $((P + 1)))" -ge 1
# The front nginx said which (its access log's last field); the counts add up.
is "$(( $(answered 127.0.0.2 $((P + 1))) + $(answered 127.0.0.3 $((P + 1))) ))" 8 "and only those two"

# A record made through one set is listed, served, renamed and deleted through the other.
is "$(up "$A" "$T/jar1" made-on-a)" 201 "upload through set A"
ID=$(json "$T/ub" 'j["id"]')
curl -s -b "$T/jar1" -o "$T/img.a" "$A/image/$ID/processed"
is "$(list "$B" "$T/jar1")" "$ID" "set B lists it (it accepts the cookie set A signed)"
curl -s -b "$T/jar1" -D "$T/h" -o "$T/img.b" "$B/image/$ID/processed"
is "$(code "$T/h")" 200 "set B serves its image"
ok "the same bytes as through set A" cmp -s "$T/img.a" "$T/img.b"
unlike "$(tr -d '\r' < "$T/h")" "Set-Cookie: backdrop_uid=" "set B does not hand out a new identity"
curl -s -b "$T/jar1" -D "$T/h" -o "$T/b" -X PUT -H "Origin: $B" -H 'Content-Type: application/json' \
	--data-binary '{"record_name": "renamed-on-b"}' "$B/update/$ID"
is "$(code "$T/h")" 200 "set B renames it"
is "$(json "$(curl -s -b "$T/jar1" -H 'Accept: application/json' "$A/")" 'j["records"][0]["image_name"]')" \
	renamed-on-b "set A lists the new name"
curl -s -b "$T/jar1" -D "$T/h" -o "$T/b" -X DELETE -H "Origin: $B" "$B/remove/$ID"
is "$(code "$T/h")" 200 "set B deletes it"
is "$(list "$A" "$T/jar1")" "" "set A lists nothing"
is "$(curl -s -b "$T/jar1" -o /dev/null -w '%{http_code}' "$A/image/$ID/processed")" 404 "set A's image is 404"
# And the other way round: an identity set B made is the same one on set A.
curl -s -c "$T/jar2" -o /dev/null "$B/"
like "$(cat "$T/jar2")" backdrop_uid "set B hands a new visitor an identity"
is "$(up "$A" "$T/jar2" made-on-a)" 201 "set A takes an upload with it"
is "$(list "$B" "$T/jar2")" "$(json "$T/ub" 'j["id"]')" "set B lists that record for it"

# USER_LIMIT (5) holds across both sets under 50 parallel uploads from one identity,
# each sent from its own client address so that nginx's per-address limits (one
# anonymous image request at a time) stay out of it.
curl -s -c "$T/jar3" -o /dev/null "$F/"
jobs_=""
i=0
while [ $i -lt 50 ]; do
	curl -s -b "$T/jar3" -o /dev/null -w '%{http_code}\n' --interface "127.0.1.$((i + 1))" \
		-H 'Accept: application/json' -F name="p$i" -F image=@"$T/p.png" "$F/" > "$T/par.$i" &
	jobs_="$jobs_ $!"
	i=$((i + 1))
done
wait $jobs_
is "$(cat "$T"/par.* | grep -c '^201$')" 5 "exactly 5 of 50 parallel uploads succeed"
is "$(cat "$T"/par.* | grep -c '^409$')" 45 "the other 45 are 409 user_limit"
is "$(list "$A" "$T/jar3" | wc -w | tr -d ' ')" 5 "set A lists exactly 5 records"
is "$(list "$B" "$T/jar3" | wc -w | tr -d ' ')" 5 "set B lists the same 5"
U3=$(sed -n 's/.*backdrop_uid\t\([0-9a-f]*\)\..*/\1/p' "$T/jar3")
is "$(db_sql "$T/shared" "SELECT count(*) FROM records WHERE user_id = '$U3'")" 5 \
	"the shared store holds exactly 5 records for that identity"
ok "neither set made a store of its own in its data folder" test ! -e "$T/a/backdrop.db" -a ! -e "$T/b/backdrop.db"
ok "both sets took part" test "$(grep -c "POST / HTTP/1.1\" [0-9]* .* 127.0.0.2:" "$T/front/run/access.log")" -gt 8 \
	-a "$(grep -c "POST / HTTP/1.1\" [0-9]* .* 127.0.0.3:" "$T/front/run/access.log")" -gt 8

# Set A's host goes away: its supervisors and workers are killed. The front nginx finds
# nothing listening there and passes every request to set B.
KEEP=$(list "$F" "$T/jar3" | cut -d' ' -f1)
kill -KILL $(awk '{ print $2 }' "$T/a/run/programs") $(cat "$T"/a/run/*.pid)
k=0
while python3 -c "import socket; socket.create_connection(('127.0.0.2', $((P + 1))), 1)" 2>/dev/null && [ $k -lt 50 ]; do
	sleep 0.1; k=$((k + 1))
done
nok "nothing listens on set A's upload port any more" \
	python3 -c "import socket; socket.create_connection(('127.0.0.2', $((P + 1))), 2)"
is "$(curl -s -o /dev/null -w '%{http_code}' "$A/health")" 503 "set A's own nginx answers 503"
i=0; codes=""
while [ $i -lt 6 ]; do codes="$codes$(up "$F" "$T/jar4.$i" "after$i") "; i=$((i + 1)); done
is "$codes" "201 201 201 201 201 201 " "uploads through the front nginx still succeed"
is "$(curl -s -o /dev/null -w '%{http_code}' "$F/health")" 200 "its /health is 200 (set B's)"
is "$(list "$F" "$T/jar3" | wc -w | tr -d ' ')" 5 "reads still list the records"
is "$(curl -s -b "$T/jar3" -o /dev/null -w '%{http_code}' "$F/image/$KEEP/thumb")" 200 "and serve their images"
is "$(up "$F" "$T/jar3" over)" 409 "and the limit still holds"

# Programs that may answer only another address (FCGI_WEB_SERVER_ADDRS naming some other
# nginx host) close this nginx's connections unanswered: nginx says 503.
stop a
start a2 --workers-only LISTEN="127.0.0.2:$P" FCGI_WEB_SERVER_ADDRS=127.0.0.5
ok "set A starts again, answering 127.0.0.5 only" test -n "$PID_a2"
is "$(curl -s -o /dev/null -w '%{http_code}' "$A/health")" 503 "its own nginx (from 127.0.0.1) gets no answer: 503"
ok "though its health program listens there" \
	python3 -c "import socket; socket.create_connection(('127.0.0.2', $((P + 4))), 2)"
# nginx passes a read the refusing host closed on to set B; an upload it has sent is not
# sent again (a POST is not idempotent), so reads are what is checked here.
i=0; codes=""
while [ $i -lt 4 ]; do codes="$codes$(curl -s -o /dev/null -w '%{http_code}' "$F/health") "; i=$((i + 1)); done
is "$codes" "200 200 200 200 " "the front nginx's reads still succeed (set B answers them)"
is "$(list "$F" "$T/jar3" | wc -w | tr -d ' ')" 5 "and its lists"
