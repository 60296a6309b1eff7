# Backdrop: one Makefile, explicit source lists, pkg-config for flags.
# Targets: all (default), run, test, bench, quality, install, clean, deps.
# Local overrides (CC, CFLAGS, PREFIX, ...) may go in config.mk, which is not tracked.
-include config.mk

PREFIX  ?= /usr/local
DESTDIR ?=
VERSION := 0.1.0
SAN     ?= 0
PORT    ?= 8080

ifeq ($(SAN),1)
BUILD   ?= build/san
OPT     ?= -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
LDSAN   := -fsanitize=address,undefined
else
BUILD   ?= build/rel
OPT     ?= -O2 -g
LDSAN   :=
endif

# The neural cutout's runtime and model (make deps puts them here; see conf/model.sh).
MODEL_DIR ?= model
ORT_H   := $(wildcard $(MODEL_DIR)/include/onnxruntime_c_api.h)
PKGS    := gdlib libcurl json-c sqlite3 libcrypto libpng libwebp libwebpdemux libjpeg libzip
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
            cgi-bin/lib/store.c
# Records: identity, multipart, forms, keys.
REC_SRCS := cgi-bin/lib/mp.c cgi-bin/lib/uid.c cgi-bin/lib/records.c cgi-bin/lib/page.c \
            cgi-bin/lib/rec_make.c
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
CLI_SRCS += cgi-bin/cli/worker.c

PROGS   := health index upload update remove image
PROGS   += change
SRCS    := $(LIB_SRCS) $(REC_SRCS) $(API_SRCS) $(IMG_SRCS) $(CUT_SRCS)
OBJS    := $(SRCS:%.c=$(BUILD)/%.o) $(BUILD)/migrations.o
LIBA    := $(BUILD)/libbackdrop.a
BINS    := $(PROGS:%=$(BUILD)/%) $(BUILD)/backdrop
UNIT    := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/test_*.c))
FUZZ    := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
MIGR    := $(sort $(wildcard sql/[0-9]*.sql))

.PHONY: all run test bench quality install clean deps
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
	sh cgi-bin/lib/embed-sql.sh $(MIGR) > $@
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

# Fuzz harnesses: built with a replay main() here; libFuzzer builds use the same files.
$(BUILD)/fuzz/%: $(BUILD)/tests/fuzz/%.o $(BUILD)/tests/fuzz/replay.o $(LIBA)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@
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
	@BUILD=$(BUILD) SAN=$(SAN) sh tests/run.sh

bench: deps
	@$(MAKE) --no-print-directory all
	@BUILD=$(BUILD) sh bench/run.sh

quality: deps
	@$(MAKE) --no-print-directory all
	@BUILD=$(BUILD) MODEL=$(MODEL) sh bench/quality.sh $(DATA)

# Programs, pages, settings, the source archive, LICENSE and README, and (when make deps
# installed them) the network and its runtime, with their licence files.
install: all
	install -d $(DESTDIR)$(PREFIX)/lib/backdrop/cgi-bin $(DESTDIR)$(PREFIX)/bin \
	           $(DESTDIR)$(PREFIX)/share/backdrop $(DESTDIR)$(PREFIX)/etc
	install -m 0755 $(PROGS:%=$(BUILD)/%) $(DESTDIR)$(PREFIX)/lib/backdrop/cgi-bin/
	install -m 0755 $(BUILD)/backdrop $(DESTDIR)$(PREFIX)/bin/
	cp -R www $(DESTDIR)$(PREFIX)/share/backdrop/
	install -m 0644 nginx.conf $(DESTDIR)$(PREFIX)/share/backdrop/nginx.conf
	install -m 0644 conf/backdrop.conf $(DESTDIR)$(PREFIX)/etc/backdrop.conf
	install -m 0644 $(BUILD)/source.tar.gz $(DESTDIR)$(PREFIX)/share/backdrop/source.tar.gz
	install -d $(DESTDIR)$(PREFIX)/share/doc/backdrop
	install -m 0644 LICENSE README.md $(DESTDIR)$(PREFIX)/share/doc/backdrop/
	if [ -d $(MODEL_DIR) ]; then \
	    install -d $(DESTDIR)$(PREFIX)/share/backdrop/model $(DESTDIR)$(PREFIX)/share/doc/backdrop/licenses && \
	    install -m 0644 $(MODEL_DIR)/*.onnx $(DESTDIR)$(PREFIX)/share/backdrop/model/ && \
	    install -m 0755 $(MODEL_DIR)/libonnxruntime.so $(DESTDIR)$(PREFIX)/share/backdrop/model/ && \
	    install -m 0644 $(MODEL_DIR)/licenses/* $(DESTDIR)$(PREFIX)/share/doc/backdrop/licenses/; \
	fi

clean:
	rm -rf build

# Header dependencies of every object built so far (library, programs, tools, tests).
-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
