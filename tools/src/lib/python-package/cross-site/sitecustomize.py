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

# Packages of the target this build imports (target-imports.ts): their files come first on the
# path, from the target's build (numpy.get_include() then answers the target's headers); their
# extension modules cannot, so each package directory found there gets the same directory
# elsewhere on the path (the build tools: the build machine's wheel of the same version) added to
# its __path__, where its extension modules are found.
_target_imports = os.environ.get("PYWASI_TARGET_IMPORTS")

if _target_imports:
    import sys
    from importlib.machinery import PathFinder

    class _TargetPackageFinder:
        @staticmethod
        def find_spec(fullname, path=None, target=None):
            spec = PathFinder.find_spec(fullname, path, target)
            locations = spec.submodule_search_locations if spec else None
            if not locations:
                return spec
            for location in list(locations):
                inside = os.path.relpath(location, _target_imports)
                if inside == os.curdir or inside.startswith(os.pardir):
                    continue
                for entry in sys.path:
                    other = os.path.join(entry, inside)
                    if entry and entry != _target_imports and os.path.isdir(other) and other not in locations:
                        locations.append(other)
            return spec

    sys.meta_path.insert(sys.meta_path.index(PathFinder), _TargetPackageFinder)
