# Backdrop: one Makefile, explicit source lists, pkg-config for flags.
# Targets: all (default), run, test, bench, quality, install, uninstall, shared-host,
# clean, deps, fuzz.
# Local overrides (CC, CFLAGS, PREFIX, ...) may go in config.mk, which is not tracked.
-include config.mk

PREFIX  ?= /usr/local
DESTDIR ?=
VERSION := 0.1.0
SAN     ?= 0
PORT    ?= 8080
# The store the test suite runs on: sqlite (the default) or postgres (make test
# STORE=postgres starts a PostgreSQL server of its own for the run).
STORE   ?= sqlite

# Float-to-integer casts out of range (1e300 to long long) are undefined too: clang's
# "undefined" checks them, gcc's needs the check named. Used where the compiler has it.
# SAN=1 with clang (make test SAN=1 CC=clang) builds in a folder of its own.
IS_CLANG := $(findstring clang,$(shell $(CC) --version 2>/dev/null | head -n 1))
COMMA   := ,
UBSAN   := undefined$(if $(shell $(CC) -fsanitize=float-cast-overflow -xc -c -o /dev/null /dev/null 2>/dev/null && echo y),$(COMMA)float-cast-overflow,)
ifeq ($(SAN),1)
BUILD   ?= build/san$(if $(IS_CLANG),-clang,)
OPT     ?= -O1 -g -fno-omit-frame-pointer -fsanitize=address,$(UBSAN) -fno-sanitize-recover=$(UBSAN)
LDSAN   := -fsanitize=address,$(UBSAN)
else ifeq ($(SAN),fuzz)
# make fuzz: libFuzzer (clang) with ASan and UBSan; coverage for the library and harnesses.
BUILD   ?= build/fuzz
OPT     ?= -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,$(UBSAN) -fno-sanitize-recover=$(UBSAN)
LDSAN   := -fsanitize=address,$(UBSAN)
else
BUILD   ?= build/rel
OPT     ?= -O2 -g
LDSAN   :=
endif

# The neural cutout's runtime and model (make deps puts them here; see conf/model.sh).
MODEL_DIR ?= model
ORT_H   := $(wildcard $(MODEL_DIR)/include/onnxruntime_c_api.h)
PKGS    := gdlib libcurl json-c sqlite3 libpq libcrypto libpng libwebp libwebpdemux libjpeg libzip
WERROR  := $(if $(CI),-Werror,)
CFLAGS  ?= $(OPT)
CFLAGS  += -std=c11 -D_GNU_SOURCE -Wall -Wextra $(WERROR) -D_FORTIFY_SOURCE=2 \
           -fstack-protector-strong -pthread -iquote cgi-bin/lib -iquote cgi-bin/lib/img \
           $(if $(ORT_H),-isystem $(MODEL_DIR)/include,) \
           -DBACKDROP_VERSION='"$(VERSION)"' $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS  += $(LDSAN) -pthread $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lfcgi -ldl -lm

# The helper library: request loop, responses, config, logging, store, identity.
LIB_SRCS := cgi-bin/lib/err.c cgi-bin/lib/buf.c cgi-bin/lib/str.c cgi-bin/lib/log.c \
            cgi-bin/lib/conf.c cgi-bin/lib/req.c cgi-bin/lib/resp.c cgi-bin/lib/html.c \
            cgi-bin/lib/store.c cgi-bin/lib/lim.c \
            cgi-bin/lib/db.c cgi-bin/lib/db_sqlite.c cgi-bin/lib/db_pg.c
# Records: identity, multipart, forms, keys.
REC_SRCS := cgi-bin/lib/mp.c cgi-bin/lib/uid.c cgi-bin/lib/records.c cgi-bin/lib/page.c \
            cgi-bin/lib/rec_make.c cgi-bin/lib/retain.c
# Remote APIs: URL fetching, jobs, quotas.
API_SRCS := cgi-bin/lib/fetch.c cgi-bin/lib/quota.c cgi-bin/lib/render.c cgi-bin/lib/job.c \
            cgi-bin/lib/removebg.c
# The image engine (knows nothing of HTTP or SQLite).
IMG_SRCS := cgi-bin/lib/img/img.c cgi-bin/lib/img/probe.c cgi-bin/lib/img/probe_heif.c \
            cgi-bin/lib/img/decode.c \
            cgi-bin/lib/img/orient.c cgi-bin/lib/img/options.c cgi-bin/lib/img/composite.c \
            cgi-bin/lib/img/filter.c cgi-bin/lib/img/encode.c cgi-bin/lib/img/pipeline.c
# The automatic cutout stages.
CUT_SRCS := cgi-bin/lib/img/cutout.c cgi-bin/lib/img/cut_opts.c cgi-bin/lib/img/cut_model.c \
            cgi-bin/lib/img/cut_graph.c cgi-bin/lib/img/cut_clean.c cgi-bin/lib/img/cut_matte.c \
            cgi-bin/lib/img/cut_key.c cgi-bin/lib/img/cut_net.c cgi-bin/lib/provider.c
# The command line tool's subcommands.
CLI_SRCS := cgi-bin/cli/admin.c cgi-bin/cli/cutout.c cgi-bin/cli/score.c cgi-bin/cli/key.c \
            cgi-bin/cli/image.c
CLI_SRCS += cgi-bin/cli/worker.c cgi-bin/cli/ops.c cgi-bin/cli/move.c

PROGS   := health index upload update remove image
PROGS   += change
SRCS    := $(LIB_SRCS) $(REC_SRCS) $(API_SRCS) $(IMG_SRCS) $(CUT_SRCS)
OBJS    := $(SRCS:%.c=$(BUILD)/%.o) $(BUILD)/migrations.o
LIBA    := $(BUILD)/libbackdrop.a
BINS    := $(PROGS:%=$(BUILD)/%) $(BUILD)/backdrop
UNIT    := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/test_*.c))
FUZZ    := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
MIGR    := $(sort $(wildcard sql/sqlite/[0-9]*.sql sql/postgres/[0-9]*.sql))

.PHONY: all run test bench quality install uninstall shared-host clean deps fuzz fuzz-bins
# Keep object files of tests and programs (they are intermediates of pattern rules).
.SECONDARY:
all: $(BINS) $(UNIT) $(FUZZ) $(BUILD)/source.tar.gz

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

# The network stage is built with the runtime's header when make deps installed it.
$(BUILD)/cgi-bin/lib/img/cut_net.o: $(ORT_H)

# Migrations are compiled into every binary, so plain CGI needs no sql/ folder.
$(BUILD)/migrations.c: $(MIGR) cgi-bin/lib/embed-sql.sh
	@mkdir -p $(@D)
	sh cgi-bin/lib/embed-sql.sh sql/sqlite sql/postgres > $@
$(BUILD)/migrations.o: $(BUILD)/migrations.c
	$(CC) $(CFLAGS) -c $< -o $@

$(LIBA): $(OBJS)
	rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/%: $(BUILD)/cgi-bin/%.o $(LIBA)
	$(CC) $(LDFLAGS) $< $(LIBA) $(LDLIBS) -o $@

$(BUILD)/backdrop: $(BUILD)/cgi-bin/backdrop.o $(CLI_SRCS:%.c=$(BUILD)/%.o) $(LIBA)
	$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(LIBA)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

# Fuzz harnesses: built with a replay main() here; libFuzzer builds (SAN=fuzz) link the
# same files with libFuzzer's main instead.
FUZZ_MAIN := $(if $(filter fuzz,$(SAN)),,$(BUILD)/tests/fuzz/replay.o)
$(BUILD)/fuzz/%: $(BUILD)/tests/fuzz/%.o $(FUZZ_MAIN) $(LIBA)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) $(if $(filter fuzz,$(SAN)),-fsanitize=fuzzer,) $^ $(LDLIBS) -o $@
$(BUILD)/tests/fuzz/replay.o: tests/fuzz/replay.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c $< -o $@

# The source of the version being built (AGPL-3.0 section 13): nginx serves it at
# /source.tar.gz, the default source_url that every page links to. In a git checkout it
# holds the tracked files as they are in the working tree (uncommitted edits included;
# .git/index changes when a file is added or removed); elsewhere, the source folders.
SRC_FILES := $(sort $(wildcard $(or $(if $(wildcard .git),$(shell git ls-files 2>/dev/null)), \
               Makefile README.md LICENSE nginx.conf .gitignore \
               $(shell find .ci bench cgi-bin conf sql tests www -type f \
                       ! -path '*/node_modules/*' 2>/dev/null))))
$(BUILD)/source.tar.gz: $(SRC_FILES) $(wildcard .git/index)
	@mkdir -p $(@D)
	@echo "source archive: $@ ($(words $(SRC_FILES)) files)"
	@printf '%s\n' $(SRC_FILES) > $@.list
	@tar -c -I 'gzip -9n' -f $@.tmp --sort=name --owner=0 --group=0 --numeric-owner \
	    --no-recursion --transform 's,^,backdrop-$(VERSION)/,' -T $@.list
	@rm -f $@.list
	@mv $@.tmp $@

deps:
	@sh conf/deps.sh

run: deps
	@$(MAKE) --no-print-directory all
	@BUILD=$(BUILD) PORT=$(PORT) sh cgi-bin/launch.sh

test: deps
	@$(MAKE) --no-print-directory all
	@BUILD=$(BUILD) SAN=$(SAN) STORE=$(STORE) sh tests/run.sh

# make fuzz FUZZ_SECONDS=N FUZZ_JOBS=J: every harness in tests/fuzz under libFuzzer (clang,
# ASan and UBSan) for N seconds each, J at a time, from its seeds and dictionary; new
# inputs and crashes stay in the build folder (build/fuzz unless BUILD is given).
FUZZ_SECONDS ?= 60
FUZZ_JOBS    ?= 1
fuzz: deps
	@$(MAKE) --no-print-directory SAN=fuzz CC=clang \
	    BUILD=$(if $(filter command line,$(origin BUILD)),$(BUILD),build/fuzz) fuzz-bins
	@BUILD=$(if $(filter command line,$(origin BUILD)),$(BUILD),build/fuzz) \
	    FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_JOBS=$(FUZZ_JOBS) sh tests/fuzz/run.sh
fuzz-bins: $(FUZZ)

bench: deps
	@$(MAKE) --no-print-directory all
	@BUILD=$(BUILD) sh bench/run.sh

quality: deps
	@$(MAKE) --no-print-directory all
	@BUILD=$(BUILD) MODEL=$(MODEL) sh bench/quality.sh $(DATA)

# make install: the programs, the backdrop command, pages, the source archive, the model
# (when make deps installed it), settings under SYSCONFDIR, an nginx site file, systemd
# units, sysusers/tmpfiles and logrotate snippets, the licences (conf/install.sh, which
# lists them in PREFIX/share/backdrop/install-manifest); make uninstall removes exactly
# those and never the data. For a Debian package: PREFIX=/usr (SYSCONFDIR is then /etc).
SYSCONFDIR ?= $(if $(filter /usr,$(PREFIX)),/etc,$(PREFIX)/etc)
INSTALL_ENV = DESTDIR='$(DESTDIR)' PREFIX='$(PREFIX)' SYSCONFDIR='$(SYSCONFDIR)' BUILD='$(BUILD)' \
              PROGS='$(PROGS)' MODEL_DIR='$(MODEL_DIR)'
install: all
	@$(INSTALL_ENV) sh conf/install.sh install
uninstall:
	@$(INSTALL_ENV) sh conf/install.sh uninstall

# make shared-host DEST=dir: Backdrop laid out for Apache shared hosting (plain CGI or
# mod_fcgid, no daemon) in dir, from the document root shipped in apache/ (see DEPLOY.md).
shared-host: all
	@BUILD='$(BUILD)' PROGS='$(PROGS)' sh apache/assemble.sh '$(DEST)'

clean:
	rm -rf build

# Header dependencies of every object built so far (library, programs, tools, tests).
-include $(shell find $(BUILD) -name '*.d' -type f 2>/dev/null)
