"""Writes a py3-none-any wheel of a flat-layout source dir without build tooling (run natively).

Used when the host cannot build wheels offline (`pip wheel --no-build-isolation` needs setuptools
*and* wheel installed). Reads name, version and packages from pyproject.toml; follows the wheel
format (PEP 427/491): the package files, then NAME-VERSION.dist-info/{METADATA,WHEEL,RECORD}.

usage: python3 make_wheel.py SOURCE_DIR OUT_DIR   (prints the wheel's path)
"""
import base64
import hashlib
import os
import re
import sys
import tomllib
import zipfile


def record_hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def main(source: str, out: str) -> str:
    with open(os.path.join(source, "pyproject.toml"), "rb") as f:
        project = tomllib.load(f)
    meta = project["project"]
    dist = re.sub(r"[-_.]+", "_", meta["name"]).lower()
    version = meta["version"]
    packages = project.get("tool", {}).get("setuptools", {}).get("packages", [dist])
    files = {}
    for package in packages:
        top = os.path.join(source, *package.split("."))
        for folder, dirs, names in os.walk(top):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for name in sorted(names):
                if name.endswith((".pyc", ".pyo")):
                    continue
                path = os.path.join(folder, name)
                with open(path, "rb") as f:
                    files[os.path.relpath(path, source).replace(os.sep, "/")] = f.read()
    info = f"{dist}-{version}.dist-info"
    files[f"{info}/METADATA"] = (
        f"Metadata-Version: 2.1\nName: {meta['name']}\nVersion: {version}\n"
        f"Summary: {meta.get('description', '')}\nRequires-Python: {meta.get('requires-python', '')}\n"
    ).encode()
    files[f"{info}/WHEEL"] = b"Wheel-Version: 1.0\nGenerator: pywasi-tests make_wheel.py\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    record = "".join(f"{name},{record_hash(data)},{len(data)}\n" for name, data in files.items()) + f"{info}/RECORD,,\n"
    os.makedirs(out, exist_ok=True)
    wheel = os.path.join(out, f"{dist}-{version}-py3-none-any.whl")
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            z.writestr(name, data)
        z.writestr(f"{info}/RECORD", record)
    return wheel


if __name__ == "__main__":
    print(main(sys.argv[1], sys.argv[2]))
