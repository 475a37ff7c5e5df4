# sipbridge build. `make run` and `make test` install what is missing first.
# Variants: `make` (optimised, -g), `make asan`, `make ubsan` build into build/<variant>/.

VARIANT ?= release
BUILD   := build/$(VARIANT)
CXX     ?= g++

CXXFLAGS_release := -O2 -g
CXXFLAGS_asan    := -O1 -g -fsanitize=address -fno-omit-frame-pointer
CXXFLAGS_ubsan   := -O1 -g -fsanitize=undefined -fno-sanitize-recover=undefined
LDFLAGS_asan     := -fsanitize=address
LDFLAGS_ubsan    := -fsanitize=undefined

CPPFLAGS += -Iinclude -isystem /usr/include/sofia-sip-1.12 -isystem /usr/include/libxml2 \
            -isystem /usr/include/postgresql
CXXFLAGS += -std=c++20 -Wall -Wextra -Werror -pthread -MMD -MP $(CXXFLAGS_$(VARIANT))
LDFLAGS  += -pthread $(LDFLAGS_$(VARIANT))
LDLIBS   := -lPocoDataPostgreSQL -lPocoData -lPocoNet -lPocoUtil -lPocoJSON -lPocoXML \
            -lPocoFoundation -lsofia-sip-ua -lpq -lxml2

LIB_SRCS   := $(filter-out src/app/main.cpp,$(wildcard src/*/*.cpp))
LIB_OBJS   := $(LIB_SRCS:%.cpp=$(BUILD)/%.o)
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
	@$(MAKE) --no-print-directory $(BIN)
	@etc/dev/run.sh $(BIN)

# Unit tests, then integration tests against real PostgreSQL and Kamailio.
test: deps
	@$(MAKE) --no-print-directory build
	@tests/run-tests.sh $(BUILD)

unit: $(UNIT)
	$(UNIT)

integration: $(BIN) $(INTEG)
	SIPBRIDGE_BIN=$(abspath $(BIN)) $(INTEG)

bench: deps
	@$(MAKE) --no-print-directory $(BIN) $(BENCHES)
	@bench/run-benches.sh $(BUILD)

asan:
	@$(MAKE) --no-print-directory VARIANT=asan test

ubsan:
	@$(MAKE) --no-print-directory VARIANT=ubsan test

FORMAT_FILES := $(shell find src include tests bench -name '*.cpp' -o -name '*.h' 2>/dev/null)
format:
	clang-format -i $(FORMAT_FILES)
format-check:
	clang-format --dry-run -Werror $(FORMAT_FILES)

clean:
	rm -rf build

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
