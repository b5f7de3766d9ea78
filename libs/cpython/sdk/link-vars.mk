# Read with CPython's own Makefile (make -s -f Makefile -f link-vars.mk link-vars): prints the
# variables that link python.wasm, evaluated by make itself, one per line. Nothing is rebuilt: the
# target depends on no file.
.PHONY: link-vars
link-vars:
	@echo 'LINKCC=$(LINKCC)'
	@echo 'LDFLAGS=$(PY_CORE_LDFLAGS) $(LINKFORSHARED)'
	@echo 'LIBS=$(LIBS) $(MODLIBS) $(SYSLIBS)'
	@echo 'CORE_CFLAGS=$(PY_CORE_CFLAGS)'
