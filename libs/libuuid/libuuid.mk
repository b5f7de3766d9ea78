# Builds libuuid alone out of util-linux's source tree for wasm32-wasi.
#
# Why not util-linux's own build: its configure probes for ~400 things a libuuid does not need
# and is unfriendly to a foreign target (WASI lacks users, groups, flock, getrandom...), and the
# `c-library` executor cannot publish an upstream header. Upstream's libuuid is 11 small C files
# plus three helpers from lib/; compiling them with a hand-written config.h (config/) is short
# and easy to review. Run by the `autotools` executor (make only) in an out-of-tree build dir:
#   make -f libuuid.mk SRC=<util-linux tree> STAGE=<install dir> CC=... AR=... RANLIB=...
# Produces $(STAGE)/lib/libuuid.a, $(STAGE)/include/uuid/uuid.h, $(STAGE)/lib/pkgconfig/uuid.pc.

HERE := $(patsubst %/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))
CONFIG := $(HERE)/config

ifndef SRC
$(error SRC (the util-linux source tree) is required)
endif
ifndef STAGE
$(error STAGE (the install directory) is required)
endif

CFLAGS ?= -O2 -DNDEBUG
WARNINGS := -Wall -Wno-unused-function
CPPFLAGS := -I$(CONFIG) -include config.h -I$(SRC)/include -I$(SRC)/libuuid/src -D_WASI_EMULATED_GETPID

UUID_SOURCES := clear compare copy gen_uuid isnull pack parse predefined unpack unparse uuid_time
HELPER_SOURCES := randutils md5 sha1
OBJECTS := $(UUID_SOURCES:%=obj/uuid-%.o) $(HELPER_SOURCES:%=obj/lib-%.o)
CONFIG_HEADERS := $(wildcard $(CONFIG)/*.h)

all: $(STAGE)/lib/libuuid.a $(STAGE)/include/uuid/uuid.h $(STAGE)/lib/pkgconfig/uuid.pc

obj/uuid-%.o: $(SRC)/libuuid/src/%.c $(CONFIG_HEADERS)
	@mkdir -p obj
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARNINGS) -c $< -o $@

obj/lib-%.o: $(SRC)/lib/%.c $(CONFIG_HEADERS)
	@mkdir -p obj
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARNINGS) -c $< -o $@

libuuid.a: $(OBJECTS)
	rm -f $@
	$(AR) rc $@ $^
	$(RANLIB) $@

$(STAGE)/lib/libuuid.a: libuuid.a
	@mkdir -p $(@D)
	cp $< $@

$(STAGE)/include/uuid/uuid.h: $(SRC)/libuuid/src/uuid.h
	@mkdir -p $(@D)
	cp $< $@

$(STAGE)/lib/pkgconfig/uuid.pc: $(HERE)/uuid.pc
	@mkdir -p $(@D)
	cp $< $@

.PHONY: all
