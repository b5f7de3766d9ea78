"""Imported at start-up by the build python while it builds a package for the target interpreter
(this directory is on PYTHONPATH only then, and _PYTHON_SYSCONFIGDATA_NAME names the target's
sysconfig): the C headers are the target's too. sysconfig computes the include paths from the
build python's own prefix (/usr/include/python3.X, with the build machine's pyconfig.h), and
build backends (meson's python dependency, setuptools) ask it there.
"""

import os
import sysconfig

_include = os.environ.get("PYWASI_TARGET_INCLUDE")

if _include:
    _get_paths = sysconfig.get_paths
    _get_path = sysconfig.get_path

    def get_paths(*args, **kwargs):
        paths = _get_paths(*args, **kwargs)
        paths["include"] = paths["platinclude"] = _include
        return paths

    def get_path(name, *args, **kwargs):
        return _include if name in ("include", "platinclude") else _get_path(name, *args, **kwargs)

    sysconfig.get_paths = get_paths
    sysconfig.get_path = get_path
    # The cached dict get_config_var reads: where the target's own `make install` put them.
    sysconfig.get_config_vars()["INCLUDEPY"] = _include
    sysconfig.get_config_vars()["CONFINCLUDEPY"] = _include
