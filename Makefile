# sipbridge build. `make run` and `make test` install what is missing first.
# Variants: `make` (optimised, -g), `make asan`, `make ubsan` build into build/<variant>/.
# (GCC 12 reports false -Wmaybe-uninitialized warnings inside <regex> under the sanitizers.)

SHELL   := /bin/bash
VARIANT ?= release
BUILD   := build/$(VARIANT)
CXX     ?= g++
JOBS    ?= $(shell nproc)

CXXFLAGS_release := -O2 -g
CXXFLAGS_asan    := -O1 -g -fsanitize=address -fno-omit-frame-pointer -Wno-maybe-uninitialized
CXXFLAGS_ubsan   := -O1 -g -fsanitize=undefined -fno-sanitize-recover=undefined -Wno-maybe-uninitialized
LDFLAGS_asan     := -fsanitize=address
LDFLAGS_ubsan    := -fsanitize=undefined

# The C libraries that ship pkg-config files; their headers are system headers (-isystem), so
# that their warnings do not fail the build. POCO ships none.
PKGS       := sofia-sip-ua libxml-2.0 libpq openssl
PKG_CFLAGS := $(patsubst -I%,-isystem %,$(shell pkg-config --cflags $(PKGS)))
PKG_LIBS   := $(shell pkg-config --libs $(PKGS))
ifeq ($(PKG_LIBS),)
$(error pkg-config found none of $(PKGS): run etc/dev/install-deps.sh)
endif

CPPFLAGS += -Iinclude $(PKG_CFLAGS)
CXXFLAGS += -std=c++20 -Wall -Wextra -Werror -pthread -MMD -MP $(CXXFLAGS_$(VARIANT))
LDFLAGS  += -pthread $(LDFLAGS_$(VARIANT))
LDLIBS   := -lPocoNetSSL -lPocoCrypto -lPocoNet -lPocoUtil -lPocoJSON -lPocoFoundation $(PKG_LIBS)

LIB_SRCS   := $(filter-out src/app/main.cpp,$(wildcard src/*/*.cpp))
LIB_OBJS   := $(LIB_SRCS:%.cpp=$(BUILD)/%.o)
# Files the bridge serves as they are (src/web/: the JavaScript client and the demo page), the
# OpenAPI document (src/api/openapi.json, its description src/api/openapi.md) and the AsyncAPI
# skeleton are embedded at build time by a generated source in $(BUILD)/gen/.
EMBED_FILES := $(sort $(wildcard src/web/*.js src/web/*.html src/web/*.css)) \
               src/api/openapi.json src/api/openapi.md src/api/asyncapi.json
EMBED_OBJ  := $(BUILD)/gen/Embedded.o
LIB_OBJS   += $(EMBED_OBJ)
SUPPORT_OBJS := $(patsubst %.cpp,$(BUILD)/%.o,$(wildcard tests/support/*.cpp))
UNIT_OBJS  := $(patsubst %.cpp,$(BUILD)/%.o,$(wildcard tests/unit/*.cpp))
INTEG_OBJS := $(patsubst %.cpp,$(BUILD)/%.o,$(wildcard tests/integration/*.cpp))
BENCH_SRCS := $(wildcard bench/*.cpp)
BENCHES    := $(BENCH_SRCS:bench/%.cpp=$(BUILD)/bench/%)

LIB        := $(BUILD)/libsipbridge.a
BIN        := $(BUILD)/sipbridge
UNIT       := $(BUILD)/unit_tests
INTEG      := $(BUILD)/integration_tests

.PHONY: all deps build run test unit integration bench asan ubsan format format-check clean

all: build
build: $(BIN) $(UNIT) $(INTEG)

deps:
	@etc/dev/install-deps.sh

$(BUILD)/%.o: %.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(CPPFLAGS) $(CXXFLAGS) -c $< -o $@

$(BUILD)/gen/Embedded.cpp: $(EMBED_FILES) etc/dev/embed.sh
	@mkdir -p $(dir $@)
	etc/dev/embed.sh $(EMBED_FILES) > $@.tmp && mv $@.tmp $@

$(EMBED_OBJ): $(BUILD)/gen/Embedded.cpp
	$(CXX) $(CPPFLAGS) -Isrc/api $(CXXFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(BIN): $(BUILD)/src/app/main.o $(LIB)
	$(CXX) $(LDFLAGS) $^ $(LDLIBS) -o $@

TEST_LDLIBS := -lboost_unit_test_framework
BENCH_OBJS := $(BENCH_SRCS:%.cpp=$(BUILD)/%.o)
$(UNIT_OBJS) $(INTEG_OBJS) $(SUPPORT_OBJS) $(BENCH_OBJS): CPPFLAGS += -DBOOST_TEST_DYN_LINK -Itests/support

$(UNIT): $(UNIT_OBJS) $(LIB)
	$(CXX) $(LDFLAGS) $^ $(LDLIBS) $(TEST_LDLIBS) -o $@

$(INTEG): $(INTEG_OBJS) $(SUPPORT_OBJS) $(LIB)
	$(CXX) $(LDFLAGS) $^ $(LDLIBS) $(TEST_LDLIBS) -o $@

$(BUILD)/bench/%: $(BUILD)/bench/%.o $(SUPPORT_OBJS) $(LIB)
	$(CXX) $(LDFLAGS) $^ $(LDLIBS) $(TEST_LDLIBS) -lbenchmark -o $@

# Starts a private PostgreSQL and Kamailio on loopback, then the bridge in the foreground.
run: deps
	@$(MAKE) --no-print-directory -j$(JOBS) $(BIN)
	@etc/dev/run.sh $(BIN)

# The formatting check, unit tests, then integration tests against real PostgreSQL and Kamailio.
test: deps
	@$(MAKE) --no-print-directory format-check
	@$(MAKE) --no-print-directory -j$(JOBS) build fuzzers
	@FUZZ_SECONDS=$${FUZZ_SECONDS:-10} tests/fuzz/run-fuzz.sh 2>&1 | grep -E "^==|stat::number_of_executed_units|ERROR|SUMMARY" ; exit $${PIPESTATUS[0]}
	@tests/run-tests.sh $(BUILD)

unit: $(UNIT)
	$(UNIT)

integration: $(BIN) $(INTEG)
	SIPBRIDGE_BIN=$(abspath $(BIN)) $(INTEG)

bench: deps
	@$(MAKE) --no-print-directory -j$(JOBS) $(BIN) $(BENCHES)
	@bench/run-benches.sh $(BUILD)

asan:
	@$(MAKE) --no-print-directory VARIANT=asan test

ubsan:
	@$(MAKE) --no-print-directory VARIANT=ubsan test

# libFuzzer targets for the parsers (clang 14), built from the sources directly with ASan and
# UBSan, independent of VARIANT. `make fuzz` runs each for FUZZ_SECONDS (default 30) from its
# seed corpus in tests/fuzz/corpus/<name>/; `make test` runs them briefly.
FUZZ_CXX      ?= clang++-14
FUZZ_CXXFLAGS := -std=c++20 -g -O1 -Wall -Wextra -Werror -fsanitize=fuzzer,address,undefined
FUZZ_SRCS     := $(wildcard tests/fuzz/fuzz_*.cpp)
FUZZERS       := $(FUZZ_SRCS:tests/fuzz/%.cpp=build/fuzz/%)
CONTENT_SRCS  := $(wildcard src/content/*.cpp)

build/fuzz/fuzz_%: tests/fuzz/fuzz_%.cpp $(CONTENT_SRCS) $(wildcard include/sipbridge/content/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CXX) $(FUZZ_CXXFLAGS) -Iinclude $(patsubst -I%,-isystem %,$(shell pkg-config --cflags libxml-2.0)) \
	  $< $(CONTENT_SRCS) -lPocoFoundation $(shell pkg-config --libs libxml-2.0) -o $@

.PHONY: fuzz fuzzers
fuzzers: $(FUZZERS)
fuzz: deps
	@$(MAKE) --no-print-directory -j$(JOBS) fuzzers
	tests/fuzz/run-fuzz.sh

FORMAT_FILES := $(shell find src include tests bench -name '*.cpp' -o -name '*.h' 2>/dev/null)
format:
	clang-format -i $(FORMAT_FILES)
format-check:
	clang-format --dry-run -Werror $(FORMAT_FILES)

clean:
	rm -rf build

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
