# socin: build, test and run.
#
#   make deps    install the Debian packages the project needs (only those missing)
#   make         build every binary into bin/ (generated protobuf code goes to build/)
#   make test    run every test; the last line is "N passed, N failed"
#   make asan    the same tests under AddressSanitizer + UndefinedBehaviorSanitizer
#   make lint    static analysis (cppcheck), clean or failing
#   make fuzz    run every libFuzzer target (tests/fuzz/) for FUZZ_SECONDS (default 300) each;
#                make fuzz-build only builds them (clang, into build/fuzz/): see the fuzz section
#   make chaos   the chaos test with CHAOS_KILLS (default 500) random kill -9 of daemons
#   make run     start a whole stack on this machine, feed it a demo year, keep it running
#   make install install binaries, systemd units, sysusers/tmpfiles snippets, configuration, man
#                pages and data under PREFIX (default /usr/local), below DESTDIR when given;
#                make uninstall removes them again (not the configuration)
#   make deb     the Debian package, built by dpkg-buildpackage from a copy of the tree in
#                build/deb/src and checked with lintian; the .deb lands in build/deb/
#   make clean   remove build/ and bin/
#
# A second tree can be built beside the first: `make BUILD=build/asan BIN=build/asan/bin SAN=1`
# is what `make asan` does.

BUILD ?= build
BIN   ?= bin
SAN   ?=
OPT   ?= -O2

CC      ?= cc
PROTOC  ?= protoc-c
CFLAGS  := -std=gnu11 -D_GNU_SOURCE $(OPT) -g -Wall -Wextra -Wformat=2 -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes -Wno-unused-parameter -Werror=implicit-function-declaration -pthread -fno-strict-aliasing \
           -Icommon -I$(BUILD)/gen $(EXTRA_CFLAGS)
LDLIBS  := -lczmq -lzmq -lsodium -lprotobuf-c -llmdb -lpthread -lm
ifneq ($(SAN),)
CFLAGS  += -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
endif

# Debian packages: build, run, test, lint, bench.
DEPS := make gcc pkg-config libzmq3-dev libczmq-dev libprotobuf-c-dev protobuf-c-compiler \
        libsodium-dev libssl-dev liblmdb-dev lmdb-utils socat cppcheck iproute2 procps clang \
        libclang-rt-14-dev postgresql libmicrohttpd-dev chromium-headless-shell fonts-dejavu-core \
        curl jq build-essential dpkg-dev debhelper lintian systemd mandoc man-db \
        python3 python3-zmq python3-protobuf protobuf-compiler

PROTOS    := $(sort $(wildcard proto/socin/v1/*.proto))
PROTO_C   := $(patsubst proto/%.proto,$(BUILD)/gen/%.pb-c.c,$(PROTOS))
PROTO_H   := $(PROTO_C:.c=.h)
PROTO_O   := $(PROTO_C:.c=.o)

COMMON_C  := $(sort $(wildcard common/*.c))
COMMON_O  := $(patsubst %.c,$(BUILD)/obj/%.o,$(COMMON_C))
LIB       := $(BUILD)/libsocin.a

SERVICES  := $(foreach s,registry ingest reporting web,$(if $(wildcard services/$(s)/*.c),$(s)))
SERVICE_BINS := $(patsubst %,$(BIN)/socin-%,$(SERVICES)) $(if $(wildcard services/cli/*.c),$(BIN)/socin)
svc_objs   = $(patsubst %.c,$(BUILD)/obj/%.o,$(sort $(wildcard services/$(1)/*.c)))

UNIT_C    := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(UNIT_C))
SVC_T_C   := $(sort $(wildcard tests/service/test_*.c))
SVC_T_BINS:= $(patsubst tests/service/%.c,$(BUILD)/tests/service/%,$(SVC_T_C))
CHAOS_T_C := $(sort $(wildcard tests/chaos/test_*.c))
CHAOS_T_BINS := $(patsubst tests/chaos/%.c,$(BUILD)/tests/chaos/%,$(CHAOS_T_C))
HARNESS_O := $(patsubst %.c,$(BUILD)/obj/%.o,$(sort $(wildcard tests/harness/*.c)))

.PHONY: all bins deps test asan lint clean run bench format chaos install uninstall deb clients
all: $(SERVICE_BINS) $(UNIT_BINS) $(SVC_T_BINS) $(CHAOS_T_BINS) clients
bins: $(SERVICE_BINS)

deps:
	@missing=""; for p in $(DEPS); do \
	    dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then echo "deps: all installed"; exit 0; fi; \
	echo "deps: installing$$missing"; \
	SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing

# Generated protobuf code: one .pb-c.c/.h per .proto, never committed.
$(BUILD)/gen/%.pb-c.c $(BUILD)/gen/%.pb-c.h: proto/%.proto $(PROTOS)
	@mkdir -p $(BUILD)/gen
	$(PROTOC) --proto_path=proto --c_out=$(BUILD)/gen $<

$(BUILD)/gen/%.pb-c.o: $(BUILD)/gen/%.pb-c.c $(PROTO_H)
	$(CC) $(filter-out -Wmissing-prototypes -Wshadow,$(CFLAGS)) -c -o $@ $<

$(BUILD)/obj/%.o: %.c $(PROTO_H) $(wildcard common/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

# Data files compiled into the registry and socin-web with .incbin.
$(BUILD)/obj/services/registry/embedded.o: $(wildcard services/registry/data/*)
$(BUILD)/obj/services/web/embedded.o: $(wildcard services/web/data/*)

$(LIB): $(COMMON_O) $(PROTO_O)
	@rm -f $@
	ar rcs $@ $^

# socin-web also links libmicrohttpd; socin-ingest OpenSSL's libcrypto (SHA-1 of submissions).
LDLIBS_web := -lmicrohttpd
LDLIBS_ingest := -lcrypto
define SERVICE_RULE
$(BIN)/socin-$(1): $(call svc_objs,$(1)) $(LIB)
	@mkdir -p $(BIN)
	$(CC) $(LDFLAGS) -o $$@ $(call svc_objs,$(1)) $(LIB) $(LDLIBS) $(LDLIBS_$(1))
endef
$(foreach s,$(SERVICES),$(eval $(call SERVICE_RULE,$(s))))

$(BIN)/socin: $(call svc_objs,cli) $(LIB)
	@mkdir -p $(BIN)
	$(CC) $(LDFLAGS) -o $@ $(call svc_objs,cli) $(LIB) $(LDLIBS)

# The example client (clients/submit.c): the generated protobuf-c code, CZMQ and libzmq only,
# as another organisation would build it; tests/e2e/test_clients.sh runs it.
clients: $(BUILD)/clients/submit
$(BUILD)/clients/submit: clients/submit.c $(PROTO_O)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(PROTO_O) -lczmq -lzmq -lprotobuf-c

$(BUILD)/tests/unit/%: $(BUILD)/obj/tests/unit/%.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)

$(BUILD)/tests/service/%: $(BUILD)/obj/tests/service/%.o $(HARNESS_O) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(HARNESS_O) $(LIB) $(LDLIBS)

$(BUILD)/tests/chaos/%: $(BUILD)/obj/tests/chaos/%.o $(HARNESS_O) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(HARNESS_O) $(LIB) $(LDLIBS)

$(BUILD)/obj/tests/%.o: CFLAGS += -Itests/harness

test: all
	@SOCIN_BIN=$(abspath $(BIN)) SOCIN_BUILD=$(abspath $(BUILD)) tests/run

# The chaos test with many kills (CI runs it with 50): CHAOS_KILLS=500 by default.
CHAOS_KILLS ?= 500
chaos: all
	@SOCIN_BIN=$(abspath $(BIN)) SOCIN_BUILD=$(abspath $(BUILD)) SOCIN_CHAOS_KILLS=$(CHAOS_KILLS) \
	    TESTS=chaos/ tests/run

asan:
	@LSAN_OPTIONS=suppressions=$(abspath tests/lsan.supp) \
	    $(MAKE) --no-print-directory BUILD=build/asan BIN=build/asan/bin SAN=1 test

lint: $(PROTO_H)
	cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
	    --inline-suppr --suppress=missingIncludeSystem --std=c11 \
	    -Icommon -I$(BUILD)/gen -D__GNUC__ -DPROTOBUF_C_VERSION_NUMBER=1004001 \
	    common services tests/unit tests/service tests/harness

format:
	clang-format -i common/*.[ch] services/*/*.[ch] tests/*/*.[ch]

# The demo needs only the daemons and the command; `make deps` first, as on a fresh machine.
run: deps
	@$(MAKE) --no-print-directory bins
	@deploy/local/run

bench:
	@tests/bench/run

clean:
	rm -rf build bin

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

# ---- install (GNU conventions) -----------------------------------------------------------------
# `make install` copies what `make` built and the files that come with it under $(prefix) (PREFIX
# is the same), each path below $(DESTDIR) when given, as GNU's standards say: the command in
# bindir, the daemons in sbindir (they are system daemons: man section 8), the systemd units,
# sysusers and tmpfiles snippets where systemd looks for them under that prefix, the example
# configuration in sysconfdir/socin (an existing file is kept), the man pages, the catalogue,
# the sample territory and the .proto files in datadir/socin, the documentation, the example
# deployment and the example clients in docdir. sysconfdir is /etc whatever the prefix: the
# units' ConfigurationDirectory= is /etc/socin. The units get sbindir written into ExecStart.
# The Debian package (debian/rules) runs it with prefix=/usr and unitdir=/lib/systemd/system.

PREFIX        ?= /usr/local
prefix        ?= $(PREFIX)
exec_prefix   ?= $(prefix)
bindir        ?= $(exec_prefix)/bin
sbindir       ?= $(exec_prefix)/sbin
datarootdir   ?= $(prefix)/share
datadir       ?= $(datarootdir)
mandir        ?= $(datarootdir)/man
docdir        ?= $(datarootdir)/doc/socin
sysconfdir    ?= /etc
unitdir       ?= $(prefix)/lib/systemd/system
sysusersdir   ?= $(prefix)/lib/sysusers.d
tmpfilesdir   ?= $(prefix)/lib/tmpfiles.d
INSTALL       ?= install
INSTALL_PROGRAM ?= $(INSTALL) -m 755
INSTALL_DATA  ?= $(INSTALL) -m 644

DAEMONS    := socin-registry socin-ingest socin-reporting
UNITS_IN   := $(sort $(wildcard deploy/systemd/*.service.in))
MAN_PAGES  := $(sort $(wildcard man/*.[1-8]))
CONF_FILES := $(sort $(wildcard deploy/etc/socin/*.conf))
EXAMPLES   := $(sort $(wildcard deploy/config/*.conf)) deploy/config/README.md
CLIENTS    := $(sort $(wildcard clients/*.c clients/*.py)) clients/README.md
DOCS       := README.md $(sort $(wildcard docs/*.md))
D          := $(DESTDIR)

install: bins
	$(INSTALL) -d $(D)$(bindir) $(D)$(sbindir) $(D)$(unitdir) $(D)$(sysusersdir) $(D)$(tmpfilesdir) \
	    $(D)$(datadir)/socin/proto/socin/v1 $(D)$(docdir)/examples/clients \
	    $(D)$(sysconfdir)/socin/keys $(addprefix $(D)$(mandir)/man,1 5 8)
	$(INSTALL_PROGRAM) $(BIN)/socin $(D)$(bindir)/socin
	$(INSTALL_PROGRAM) $(addprefix $(BIN)/,$(DAEMONS)) $(D)$(sbindir)/
	for u in $(UNITS_IN); do \
	    sed 's|@sbindir@|$(sbindir)|g' $$u >$(D)$(unitdir)/$$(basename $$u .in) && \
	    chmod 644 $(D)$(unitdir)/$$(basename $$u .in) || exit 1; \
	done
	$(INSTALL_DATA) deploy/systemd/socin.sysusers $(D)$(sysusersdir)/socin.conf
	$(INSTALL_DATA) deploy/systemd/socin.tmpfiles $(D)$(tmpfilesdir)/socin.conf
	for f in $(CONF_FILES); do \
	    t=$(D)$(sysconfdir)/socin/$$(basename $$f); \
	    if [ -e $$t ]; then echo "install: keeping $$t"; else $(INSTALL_DATA) $$f $$t || exit 1; fi; \
	done
	for m in $(MAN_PAGES); do $(INSTALL_DATA) $$m $(D)$(mandir)/man$${m##*.}/ || exit 1; done
	$(INSTALL_DATA) services/registry/data/catalogue.ini services/registry/data/sample_territory.csv \
	    $(D)$(datadir)/socin/
	$(INSTALL_DATA) $(PROTOS) proto/socin/v1/CHANGES.md $(D)$(datadir)/socin/proto/socin/v1/
	$(INSTALL_DATA) $(DOCS) $(D)$(docdir)/
	$(INSTALL_DATA) $(EXAMPLES) $(D)$(docdir)/examples/
	$(INSTALL_DATA) $(CLIENTS) $(D)$(docdir)/examples/clients/

uninstall:
	rm -f $(D)$(bindir)/socin $(addprefix $(D)$(sbindir)/,$(DAEMONS))
	rm -f $(patsubst deploy/systemd/%.in,$(D)$(unitdir)/%,$(UNITS_IN))
	rm -f $(D)$(sysusersdir)/socin.conf $(D)$(tmpfilesdir)/socin.conf
	rm -f $(foreach m,$(MAN_PAGES),$(D)$(mandir)/man$(subst .,,$(suffix $(m)))/$(notdir $(m)))
	rm -rf $(D)$(datadir)/socin $(D)$(docdir)
	@echo "uninstall: the configuration in $(D)$(sysconfdir)/socin and the data in /var/lib/socin stay"

# ---- Debian package (debian/) ------------------------------------------------------------------
# dpkg-buildpackage builds in a copy of the tree (build/deb/src, without build/, bin/ and .git),
# so its output lands in build/deb/ and nothing is written outside the checkout; lintian then
# checks the package (errors and warnings fail). Rebuilt only when a file of the tree changed.
DEB_DIR     := build/deb
DEB_VERSION := $(shell sed -n '1s/.*(\(.*\)).*/\1/p' debian/changelog)
DEB_ARCH    := $(shell dpkg --print-architecture 2>/dev/null)
DEB         := $(DEB_DIR)/socin_$(DEB_VERSION)_$(DEB_ARCH).deb
DEB_INPUTS  := $(shell find Makefile common services proto debian deploy man clients docs README.md \
                 -type f 2>/dev/null)

deb: $(DEB)
$(DEB): $(DEB_INPUTS)
	rm -rf $(DEB_DIR)
	mkdir -p $(DEB_DIR)/src
	tar -cf - --exclude=./build --exclude=./bin --exclude=./.git . | tar -C $(DEB_DIR)/src -xf -
	cd $(DEB_DIR)/src && DEB_BUILD_OPTIONS="parallel=2 $(DEB_BUILD_OPTIONS)" \
	    dpkg-buildpackage -us -uc -b
	lintian --fail-on error,warning \
	    $(DEB_DIR)/socin_$(DEB_VERSION)_$(DEB_ARCH).changes

# ---- fuzzing (tests/fuzz/) ---------------------------------------------------------------------
# libFuzzer targets for every decoder of outside input, built with clang into $(FUZZ_BUILD) (its
# own generated protobuf code and objects, all compiled with -fsanitize=fuzzer-no-link plus ASan
# and UBSan so coverage reaches the project's code, not only the targets).
#
#   make fuzz-build              build every tests/fuzz/fuzz_*.c into build/fuzz/
#   make fuzz                    run each target for FUZZ_SECONDS (default 300) over its seed
#                                corpus; new inputs go to build/fuzz/corpus/<target>/ and crashes
#                                to build/fuzz/crashes/<target>/ (the repository's corpus is only
#                                read). FUZZ_TARGETS="feed json" runs only those.
#   make fuzz-seeds              rewrite the packed protobuf seeds in tests/fuzz/corpus/ from
#                                tests/fuzz/gen_seeds.c (the other seeds are plain files)
#
# tests/fuzz/test_fuzz.sh (run by `make test`) builds with fuzz-build and gives every target a
# short, fixed number of runs over a temporary copy of the corpus.

FUZZ_CC      ?= clang
FUZZ_BUILD   ?= build/fuzz
FUZZ_SECONDS ?= 300
FUZZ_OPTS    ?=
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_CFLAGS  := -std=gnu11 -D_GNU_SOURCE -O1 -g -Wall -Wextra -Wformat=2 -Wshadow \
                -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter -Werror=implicit-function-declaration -pthread \
                -Wno-missing-field-initializers -Wno-format-nonliteral \
                -fno-strict-aliasing -Icommon -I$(FUZZ_BUILD)/gen -Iservices/ingest \
                -Iservices/registry -Iservices/reporting -Itests/fuzz $(FUZZ_SAN)
FUZZ_ALL     := $(patsubst tests/fuzz/fuzz_%.c,%,$(sort $(wildcard tests/fuzz/fuzz_*.c)))
FUZZ_TARGETS ?= $(FUZZ_ALL)
FUZZ_BINS    := $(patsubst %,$(FUZZ_BUILD)/fuzz_%,$(FUZZ_ALL))
# The project code the targets reach: common/ and the service modules that decode or check
# outside input (never a service's main.c).
SVC_LIB_C    := $(filter-out %/main.c,$(sort $(wildcard services/ingest/*.c services/registry/*.c \
                services/reporting/*.c)))
FUZZ_LIB_C   := $(COMMON_C) $(SVC_LIB_C) tests/fuzz/fixture.c
FUZZ_PROTO_C := $(patsubst proto/%.proto,$(FUZZ_BUILD)/gen/%.pb-c.c,$(PROTOS))
FUZZ_PROTO_H := $(FUZZ_PROTO_C:.c=.h)
FUZZ_LIB_O   := $(patsubst %.c,$(FUZZ_BUILD)/obj/%.o,$(FUZZ_LIB_C)) $(FUZZ_PROTO_C:.c=.o)
FUZZ_LIB     := $(FUZZ_BUILD)/libsocin-fuzz.a

.PHONY: fuzz fuzz-build fuzz-seeds
.SECONDARY: $(FUZZ_PROTO_C) $(FUZZ_PROTO_H)
fuzz-build: $(FUZZ_BINS) $(FUZZ_BUILD)/gen_seeds

$(FUZZ_BUILD)/gen/%.pb-c.c $(FUZZ_BUILD)/gen/%.pb-c.h: proto/%.proto $(PROTOS)
	@mkdir -p $(FUZZ_BUILD)/gen
	$(PROTOC) --proto_path=proto --c_out=$(FUZZ_BUILD)/gen $<

$(FUZZ_BUILD)/gen/%.pb-c.o: $(FUZZ_BUILD)/gen/%.pb-c.c $(FUZZ_PROTO_H)
	$(FUZZ_CC) $(filter-out -Wmissing-prototypes -Wshadow,$(FUZZ_CFLAGS)) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_BUILD)/obj/%.o: %.c $(FUZZ_PROTO_H)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c -o $@ $<

$(FUZZ_BUILD)/obj/services/registry/embedded.o: $(wildcard services/registry/data/*)

$(FUZZ_LIB): $(FUZZ_LIB_O)
	@rm -f $@
	ar rcs $@ $^

$(FUZZ_BUILD)/fuzz_%: $(FUZZ_BUILD)/obj/tests/fuzz/fuzz_%.o $(FUZZ_LIB)
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $< $(FUZZ_LIB) $(LDLIBS)

# The seed generator is an ordinary program (no libFuzzer main), sanitized all the same.
$(FUZZ_BUILD)/gen_seeds: $(FUZZ_BUILD)/obj/tests/fuzz/gen_seeds.o $(FUZZ_LIB)
	$(FUZZ_CC) $(FUZZ_SAN) -o $@ $< $(FUZZ_LIB) $(LDLIBS)

fuzz-seeds: $(FUZZ_BUILD)/gen_seeds
	$(FUZZ_BUILD)/gen_seeds tests/fuzz/corpus

fuzz: fuzz-build
	@failed=""; for t in $(FUZZ_TARGETS); do \
	    mkdir -p $(FUZZ_BUILD)/corpus/$$t $(FUZZ_BUILD)/crashes/$$t || exit 1; \
	    echo "== fuzz_$$t for $(FUZZ_SECONDS)s"; \
	    $(FUZZ_BUILD)/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -timeout=25 -print_final_stats=1 \
	        -artifact_prefix=$(FUZZ_BUILD)/crashes/$$t/ $(FUZZ_OPTS) \
	        $(FUZZ_BUILD)/corpus/$$t tests/fuzz/corpus/$$t || failed="$$failed $$t"; \
	done; \
	if [ -n "$$failed" ]; then echo "fuzz: crashes in$$failed (see $(FUZZ_BUILD)/crashes/)"; exit 1; fi

# tests/unit/test_regressions.c pins the faults fuzzing found, some of them in service modules:
# it links those beside the library (this explicit rule takes over from the unit-test pattern).
FUZZ_REGRESSION_O := $(BUILD)/libsocin-services.a
$(BUILD)/libsocin-services.a: $(patsubst %.c,$(BUILD)/obj/%.o,$(SVC_LIB_C))
	@rm -f $@
	ar rcs $@ $^
# tests/unit/test_reporting_store.c and test_ingest_store.c open stores of earlier layouts through
# the daemons' modules; test_reporting_decode.c reads frames with reporting's reader.
SVC_UNIT_TESTS := test_regressions test_reporting_store test_ingest_store test_reporting_decode \
                  test_ingest_sweep
$(patsubst %,$(BUILD)/obj/tests/unit/%.o,$(SVC_UNIT_TESTS)): CFLAGS += -Iservices/ingest \
                                               -Iservices/registry -Iservices/reporting
$(patsubst %,$(BUILD)/tests/unit/%,$(SVC_UNIT_TESTS)): $(BUILD)/tests/unit/%: \
                                      $(BUILD)/obj/tests/unit/%.o $(FUZZ_REGRESSION_O) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(FUZZ_REGRESSION_O) $(LIB) $(LDLIBS)

# tests/unit/test_reporting_cube.c builds the registry a fresh socin-registry holds, as the fuzz
# targets do (tests/fuzz/fixture.c, compiled here with the ordinary flags).
$(BUILD)/obj/tests/fuzz/fixture.o: CFLAGS += -Iservices/registry -Itests/fuzz
$(BUILD)/obj/tests/unit/test_reporting_cube.o: CFLAGS += -Iservices/reporting -Itests/fuzz
$(BUILD)/tests/unit/test_reporting_cube: $(BUILD)/obj/tests/unit/test_reporting_cube.o \
                                         $(BUILD)/obj/tests/fuzz/fixture.o $(FUZZ_REGRESSION_O) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(BUILD)/obj/tests/fuzz/fixture.o $(FUZZ_REGRESSION_O) $(LIB) $(LDLIBS)

-include $(shell find $(FUZZ_BUILD)/obj -name '*.d' 2>/dev/null)

# ---- bench (tests/bench/) ----------------------------------------------------------------------
# `make bench` runs tests/bench/run, which builds the daemons and the benchmark program
# (bench-build), runs it against real daemons and PostgreSQL in temporary directories, prints the
# table and writes bench/results.json. The program links the library and the test harness.

BENCH_C   := $(sort $(wildcard tests/bench/*.c))
BENCH_O   := $(patsubst %.c,$(BUILD)/obj/%.o,$(BENCH_C))
BENCH_BIN := $(BUILD)/tests/bench/bench

# tests/bench/probe/rows.c is a probe against LMDB alone (tests/bench/README.md, "Disk or
# CPU"), built beside the benchmark and run by hand.
PROBE_ROWS := $(BUILD)/tests/bench/probe-rows

.PHONY: bench-build
bench-build: $(SERVICE_BINS) $(BENCH_BIN) $(PROBE_ROWS)

$(BENCH_BIN): $(BENCH_O) $(HARNESS_O) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(BENCH_O) $(HARNESS_O) $(LIB) $(LDLIBS)

$(PROBE_ROWS): $(BUILD)/obj/tests/bench/probe/rows.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< -llmdb
# ---- end of bench ------------------------------------------------------------------------------
