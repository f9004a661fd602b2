# socin: build, test and run.
#
#   make deps    install the Debian packages the project needs (only those missing)
#   make         build every binary into bin/ (generated protobuf code goes to build/)
#   make test    run every test; the last line is "N passed, N failed"
#   make asan    the same tests under AddressSanitizer + UndefinedBehaviorSanitizer
#   make lint    static analysis (cppcheck), clean or failing
#   make run     start a whole stack on this machine, feed it a demo year, keep it running
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
           -Wmissing-prototypes -Wno-unused-parameter -pthread -fno-strict-aliasing \
           -Icommon -I$(BUILD)/gen $(EXTRA_CFLAGS)
LDLIBS  := -lczmq -lzmq -lprotobuf-c -llmdb -lpthread -lm
ifneq ($(SAN),)
CFLAGS  += -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
endif

# Debian packages: build, run, test, lint, bench.
DEPS := make gcc pkg-config libzmq3-dev libczmq-dev libprotobuf-c-dev protobuf-c-compiler \
        liblmdb-dev lmdb-utils socat cppcheck iproute2 procps clang libclang-rt-14-dev \
        postgresql

PROTOS    := $(sort $(wildcard proto/socin/v1/*.proto))
PROTO_C   := $(patsubst proto/%.proto,$(BUILD)/gen/%.pb-c.c,$(PROTOS))
PROTO_H   := $(PROTO_C:.c=.h)
PROTO_O   := $(PROTO_C:.c=.o)

COMMON_C  := $(sort $(wildcard common/*.c))
COMMON_O  := $(patsubst %.c,$(BUILD)/obj/%.o,$(COMMON_C))
LIB       := $(BUILD)/libsocin.a

SERVICES  := $(foreach s,registry ingest reporting,$(if $(wildcard services/$(s)/*.c),$(s)))
SERVICE_BINS := $(patsubst %,$(BIN)/socin-%,$(SERVICES)) $(if $(wildcard services/cli/*.c),$(BIN)/socin)
svc_objs   = $(patsubst %.c,$(BUILD)/obj/%.o,$(sort $(wildcard services/$(1)/*.c)))

UNIT_C    := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(UNIT_C))
SVC_T_C   := $(sort $(wildcard tests/service/test_*.c))
SVC_T_BINS:= $(patsubst tests/service/%.c,$(BUILD)/tests/service/%,$(SVC_T_C))
HARNESS_O := $(patsubst %.c,$(BUILD)/obj/%.o,$(sort $(wildcard tests/harness/*.c)))

.PHONY: all bins deps test asan lint clean run bench format
all: $(SERVICE_BINS) $(UNIT_BINS) $(SVC_T_BINS)
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

# Data files compiled into the registry with .incbin.
$(BUILD)/obj/services/registry/embedded.o: $(wildcard services/registry/data/*)

$(LIB): $(COMMON_O) $(PROTO_O)
	@rm -f $@
	ar rcs $@ $^

define SERVICE_RULE
$(BIN)/socin-$(1): $(call svc_objs,$(1)) $(LIB)
	@mkdir -p $(BIN)
	$(CC) $(LDFLAGS) -o $$@ $(call svc_objs,$(1)) $(LIB) $(LDLIBS)
endef
$(foreach s,$(SERVICES),$(eval $(call SERVICE_RULE,$(s))))

$(BIN)/socin: $(call svc_objs,cli) $(LIB)
	@mkdir -p $(BIN)
	$(CC) $(LDFLAGS) -o $@ $(call svc_objs,cli) $(LIB) $(LDLIBS)

$(BUILD)/tests/unit/%: $(BUILD)/obj/tests/unit/%.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)

$(BUILD)/tests/service/%: $(BUILD)/obj/tests/service/%.o $(HARNESS_O) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(HARNESS_O) $(LIB) $(LDLIBS)

$(BUILD)/obj/tests/%.o: CFLAGS += -Itests/harness

test: all
	@SOCIN_BIN=$(abspath $(BIN)) SOCIN_BUILD=$(abspath $(BUILD)) tests/run

asan:
	@$(MAKE) --no-print-directory BUILD=build/asan BIN=build/asan/bin SAN=1 test

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

bench: all
	@tests/bench/run

clean:
	rm -rf build bin

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
