"""Runs the Conan recipe's set_version() without Conan and prints the version it sets.

Usage: python3 conan_set_version.py <path to conan/conanfile.py>

The recipe imports a few names from `conan`; minimal stand-ins are installed in sys.modules so
that the recipe's own code (the part that reads version.hpp) runs unchanged.
"""
import importlib.util
import os
import sys
import types


def _stub_modules():
    def load(_conanfile, path, encoding="utf-8"):
        with open(path, encoding=encoding) as f:
            return f.read()

    def unused(*_args, **_kwargs):
        raise RuntimeError("not available outside Conan")

    class ConanFile:
        version = None

    names = {
        "conan": {"ConanFile": ConanFile},
        "conan.errors": {"ConanInvalidConfiguration": Exception},
        "conan.tools": {},
        "conan.tools.build": {"check_min_cppstd": unused, "can_run": unused},
        "conan.tools.files": {"copy": unused, "get": unused, "load": load},
        "conan.tools.layout": {"basic_layout": unused},
        "conan.tools.scm": {"Version": str},
    }
    for name, attrs in names.items():
        module = types.ModuleType(name)
        module.__dict__.update(attrs)
        sys.modules[name] = module
    return ConanFile


def main():
    recipe_path = os.path.abspath(sys.argv[1])
    base = _stub_modules()
    spec = importlib.util.spec_from_file_location("kore_conanfile", recipe_path)
    recipe = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(recipe)
    classes = [c for c in vars(recipe).values() if isinstance(c, type) and issubclass(c, base) and c is not base]
    if len(classes) != 1:
        sys.exit(f"expected one ConanFile class in {recipe_path}, found {len(classes)}")
    conanfile = classes[0]()
    conanfile.recipe_folder = os.path.dirname(recipe_path)
    conanfile.set_version()
    print(conanfile.version)


if __name__ == "__main__":
    main()
