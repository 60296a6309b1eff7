#!/bin/sh
# What `make install` and `make uninstall` run: conf/install.sh install|uninstall.
# install puts the programs, the backdrop command, www/, the source archive, the model
# (when make deps installed it), an example conf (and the conf itself when there is
# none), an nginx site file, systemd units, sysusers and tmpfiles snippets, a logrotate
# snippet and the licence files under DESTDIR, and lists every file and every folder
# it created in PREFIX/share/backdrop/install-manifest. uninstall removes exactly
# those (a conf that was edited since is kept, and said so), never the data.
# Environment (the Makefile passes them): DESTDIR PREFIX SYSCONFDIR BUILD PROGS
# MODEL_DIR, and STATEDIR RUNDIR LOGDIR WEBGROUP WORKERS.
set -eu
: "${DESTDIR=}" "${PREFIX:=/usr/local}" "${SYSCONFDIR:=$PREFIX/etc}" "${BUILD:=build/rel}"
: "${PROGS:=index upload update remove health image change}" "${MODEL_DIR:=model}"
: "${STATEDIR:=/var/lib/backdrop}" "${RUNDIR:=/run/backdrop}" "${LOGDIR:=/var/log/backdrop}"
: "${WEBGROUP:=www-data}" "${WORKERS:=2}"
BINDIR=$PREFIX/bin
LIBEXECDIR=$PREFIX/lib/backdrop/cgi-bin
SHAREDIR=$PREFIX/share/backdrop
DOCDIR=$PREFIX/share/doc/backdrop
CONFDIR=$SYSCONFDIR/backdrop
UNITDIR=$PREFIX/lib/systemd/system
CONF=$CONFDIR/backdrop.conf
MANIFEST=$SHAREDIR/install-manifest
LIST=$BUILD/install-manifest.tmp
MULTIWATCH=$(command -v multiwatch || echo /usr/bin/multiwatch)

# subst: the @NAME@ placeholders of the templates, from stdin to stdout.
subst() {
	sed -e "s#@BINDIR@#$BINDIR#g" -e "s#@LIBEXECDIR@#$LIBEXECDIR#g" -e "s#@CONF@#$CONF#g" \
	    -e "s#@STATEDIR@#$STATEDIR#g" -e "s#@RUNDIR@#$RUNDIR#g" -e "s#@LOGDIR@#$LOGDIR#g" \
	    -e "s#@WEBGROUP@#$WEBGROUP#g" -e "s#@MULTIWATCH@#$MULTIWATCH#g" "$@"
}
# dir D: creates folder D (under DESTDIR), listing it when it did not exist.
dir() {
	[ -d "$DESTDIR$1" ] && return 0
	case $1 in /|.) install -d "$DESTDIR/"; return 0 ;; esac
	dir "$(dirname "$1")"
	install -d -m 0755 "$DESTDIR$1"
	echo "d $1" >> "$LIST"
}
# put MODE DEST [SRC]: installs SRC (stdin without one) as DEST, listing it as a file
# ("f"), or as a conf the administrator may edit ("c") when kind=c.
kind=f
put() {
	dir "$(dirname "$2")"
	if [ $# -gt 2 ]; then install -m "$1" "$3" "$DESTDIR$2"
	else cat > "$DESTDIR$2"; chmod "$1" "$DESTDIR$2"; fi
	echo "$kind $2" >> "$LIST"
}

# The nginx site, from nginx.conf (one source for the routes and limits): its per-server
# settings (charset through fastcgi_buffers, less the logs and temp paths) go inside
# the server block,
# and the maps, zones and server after them stay as they are, less one indent; the
# rest (pid, logs, temp paths, MIME types) is the host's nginx.conf's business.
nginx_site() {
	maxbody=$(sed -n 's/^max_upload_bytes *= *//p' conf/backdrop.conf)
	if [ "$maxbody" -ge 1048576 ]; then maxwords="$((maxbody / 1048576)) MB"
	else maxwords="$((maxbody / 1024)) KB"; fi
	cat <<-HEAD
	# Backdrop as an nginx site (made by make install from Backdrop's nginx.conf). Include
	# it in the http block of the host's nginx.conf (Debian: link it into
	# /etc/nginx/sites-enabled/), set server_name, and add TLS (see DEPLOY.md).
	HEAD
	awk '
		/^\tcharset / { inset = 1 }
		inset && !/access_log|_temp_path/ { set[++k] = substr($0, 2) }
		inset && /fastcgi_buffers/ { inset = 0; after = 1; next }
		!after { next }
		{ lines[++n] = $0 }
		END {
			while (n > 0 && lines[n] !~ /^}/) n--      # the closing brace of http
			for (i = 1; i < n; i++) {
				print substr(lines[i], 2)
				if (lines[i] ~ /^\tserver \{$/)
					for (j = 1; j <= k + 1; j++)
						print (set[j] == "" ? "" : "\t" set[j])
			}
		}' nginx.conf |
	sed -e "s#@LISTEN@#80#" -e "s#@ROOT@#$SHAREDIR#g" -e "s#@RUN@#$RUNDIR#g" \
	    -e "s#@SOURCE@#$SHAREDIR/source.tar.gz#" -e "s#@MAX_BODY@#$maxbody#" \
	    -e "s#@MAX_BODY_WORDS@#$maxwords#" | cat -s
}

do_install() {
	: > "$LIST"
	for p in $PROGS; do put 0755 "$LIBEXECDIR/$p" "$BUILD/$p"; done
	put 0755 "$BINDIR/backdrop" "$BUILD/backdrop"
	for f in $(cd www && find . -type f | sort); do put 0644 "$SHAREDIR/www/${f#./}" "www/$f"; done
	put 0644 "$SHAREDIR/source.tar.gz" "$BUILD/source.tar.gz"
	put 0644 "$DOCDIR/LICENSE" LICENSE
	put 0644 "$DOCDIR/README.md" README.md
	[ -f DEPLOY.md ] && put 0644 "$DOCDIR/DEPLOY.md" DEPLOY.md
	model_dir=$SHAREDIR/model
	if ls "$MODEL_DIR"/*.onnx >/dev/null 2>&1; then
		for f in "$MODEL_DIR"/*.onnx; do put 0644 "$model_dir/$(basename "$f")" "$f"; done
		put 0755 "$model_dir/libonnxruntime.so" "$MODEL_DIR/libonnxruntime.so"
		for f in "$MODEL_DIR"/licenses/*; do put 0644 "$DOCDIR/licenses/$(basename "$f")" "$f"; done
	fi
	# The settings: the shipped defaults with this install's folders.
	sed -e "s#^data_dir = .*#data_dir = $STATEDIR#" -e "s#^model_dir = .*#model_dir = $model_dir#" \
	    conf/backdrop.conf | put 0644 "$CONF.example"
	if [ ! -e "$DESTDIR$CONF" ]; then
		kind=c; put 0644 "$CONF" "$DESTDIR$CONF.example"; kind=f
	fi
	nginx_site | put 0644 "$SYSCONFDIR/nginx/sites-available/backdrop"
	subst conf/logrotate.in | put 0644 "$SYSCONFDIR/logrotate.d/backdrop"
	# systemd: a socket and a service per program, the job worker, the purge and its
	# timer, a target for them all; the user and the log folder.
	units=""
	for p in $PROGS; do
		sed "s#@PROG@#$p#g; s#@WORKERS@#$WORKERS#g" conf/systemd/backdrop-program.socket.in |
			subst | put 0644 "$UNITDIR/backdrop-$p.socket"
		sed "s#@PROG@#$p#g; s#@WORKERS@#$WORKERS#g" conf/systemd/backdrop-program.service.in |
			subst | put 0644 "$UNITDIR/backdrop-$p.service"
		units="$units backdrop-$p.socket"
	done
	subst conf/systemd/backdrop-worker.service.in | put 0644 "$UNITDIR/backdrop-worker.service"
	subst conf/systemd/backdrop-purge.service.in | put 0644 "$UNITDIR/backdrop-purge.service"
	put 0644 "$UNITDIR/backdrop-purge.timer" conf/systemd/backdrop-purge.timer
	units="${units# } backdrop-worker.service backdrop-purge.timer"
	sed "s#@UNITS@#$units#g" conf/systemd/backdrop.target.in | put 0644 "$UNITDIR/backdrop.target"
	subst conf/systemd/backdrop.sysusers.in | put 0644 "$PREFIX/lib/sysusers.d/backdrop.conf"
	subst conf/systemd/backdrop.tmpfiles.in | put 0644 "$PREFIX/lib/tmpfiles.d/backdrop.conf"
	install -m 0644 "$LIST" "$DESTDIR$MANIFEST"
	rm -f "$LIST"
	echo "installed $(grep -c '^[fc] ' "$DESTDIR$MANIFEST") files under $DESTDIR$PREFIX (list: $MANIFEST)"
}

do_uninstall() {
	m=$DESTDIR$MANIFEST
	[ -f "$m" ] || { echo "uninstall: $m is missing: nothing installed here" >&2; exit 1; }
	# Newest first: files before the folders that hold them.
	list=$(tac "$m")
	rm -f "$m"
	printf '%s\n' "$list" | while read -r kind path; do
		case $kind in
		f) rm -f "$DESTDIR$path" ;;
		c) if cmp -s "$DESTDIR$path" "$DESTDIR$path.example"; then rm -f "$DESTDIR$path"
		   elif [ -e "$DESTDIR$path" ]; then echo "uninstall: kept $path (edited since it was installed)"; fi ;;
		d) rmdir "$DESTDIR$path" 2>/dev/null || true ;;
		esac
	done
	echo "uninstalled from $DESTDIR$PREFIX (the data in $STATEDIR is kept)"
}

case ${1:-} in
install) do_install ;;
uninstall) do_uninstall ;;
*) echo "usage: conf/install.sh install|uninstall" >&2; exit 2 ;;
esac
