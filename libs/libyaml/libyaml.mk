# Builds LibYAML's static library for wasm32-wasi out of its source tree.
#
# Why not upstream's build: Debian's orig tarball is a git export, with configure.ac and
# Makefile.am but no generated configure (Debian runs autoreconf; this machine has no autotools),
# and upstream's CMakeLists.txt needs cmake. The library is eight C files that need nothing but
# the version macros, read here from configure.ac so that the tarball stays the one source of the
# version. Run by the `autotools` executor (make only) in an out-of-tree build dir:
#   make -f libyaml.mk SRC=<libyaml tree> STAGE=<install dir> CC=... AR=... RANLIB=...
# Produces $(STAGE)/lib/libyaml.a, $(STAGE)/include/yaml.h, $(STAGE)/lib/pkgconfig/yaml-0.1.pc.

HERE := $(patsubst %/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))

ifndef SRC
$(error SRC (the libyaml source tree) is required)
endif
ifndef STAGE
$(error STAGE (the install directory) is required)
endif

version_part = $(shell sed -n 's/^m4_define(\[YAML_$(1)\], *\([0-9][0-9]*\))$$/\1/p' $(SRC)/configure.ac)
MAJOR := $(call version_part,MAJOR)
MINOR := $(call version_part,MINOR)
PATCH := $(call version_part,PATCH)
ifeq ($(MAJOR).$(MINOR).$(PATCH),..)
$(error no YAML_MAJOR/MINOR/PATCH found in $(SRC)/configure.ac)
endif

CFLAGS ?= -O2 -DNDEBUG
CPPFLAGS := -I$(SRC)/include -DYAML_VERSION_MAJOR=$(MAJOR) -DYAML_VERSION_MINOR=$(MINOR) \
  -DYAML_VERSION_PATCH=$(PATCH) -DYAML_VERSION_STRING='"$(MAJOR).$(MINOR).$(PATCH)"'

SOURCES := api reader scanner parser loader writer emitter dumper
OBJECTS := $(SOURCES:%=obj/%.o)

all: $(STAGE)/lib/libyaml.a $(STAGE)/include/yaml.h $(STAGE)/lib/pkgconfig/yaml-0.1.pc

obj/%.o: $(SRC)/src/%.c $(SRC)/src/yaml_private.h $(SRC)/include/yaml.h
	@mkdir -p obj
	$(CC) $(CPPFLAGS) $(CFLAGS) -Wall -c $< -o $@

libyaml.a: $(OBJECTS)
	rm -f $@
	$(AR) rc $@ $^
	$(RANLIB) $@

$(STAGE)/lib/libyaml.a: libyaml.a
	@mkdir -p $(@D)
	cp $< $@

$(STAGE)/include/yaml.h: $(SRC)/include/yaml.h
	@mkdir -p $(@D)
	cp $< $@

$(STAGE)/lib/pkgconfig/yaml-0.1.pc: $(HERE)/yaml-0.1.pc
	@mkdir -p $(@D)
	cp $< $@

.PHONY: all
