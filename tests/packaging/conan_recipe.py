"""Runs parts of the Conan recipe without Conan.

Usage:
  python3 conan_recipe.py set-version <conan/conanfile.py>
      prints the version set_version() sets (read from include/kore/webhook/version.hpp).
  python3 conan_recipe.py local-package <conan/conanfile.py> <scratch dir>
      runs layout() and package() as `conan build conan/` + `conan export-pkg conan/` do in the
      local flow (folders resolved from the recipe's folder, its layout root and source folder,
      as Conan's Folders.set_base_folders does) and checks the package holds every header of
      include/ and licenses/LICENSE. The recipe's package() used to find nothing there.

The recipe imports a few names from `conan`; minimal stand-ins are installed in sys.modules so
that the recipe's own code runs unchanged.
"""
import fnmatch
import importlib.util
import os
import shutil
import sys
import types


def _copy(_conanfile, pattern, src, dst, keep_path=True):
    """conan.tools.files.copy: the files under src whose path relative to src matches pattern."""
    matches = []
    if not any(c in pattern for c in "*?["):  # a plain path: no need to walk the whole tree
        if os.path.isfile(os.path.join(src, pattern)):
            matches.append(pattern)
        return _copy_matches(matches, src, dst, keep_path)
    for folder, _dirs, files in os.walk(src):
        for name in files:
            relative = os.path.relpath(os.path.join(folder, name), src)
            if fnmatch.fnmatch(relative, pattern):
                matches.append(relative)
    return _copy_matches(matches, src, dst, keep_path)


def _copy_matches(matches, src, dst, keep_path):
    copied = []
    for relative in matches:
        target = os.path.join(dst, relative if keep_path else os.path.basename(relative))
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copy2(os.path.join(src, relative), target)
        copied.append(target)
    return copied


def _stub_modules():
    def load(_conanfile, path, encoding="utf-8"):
        with open(path, encoding=encoding) as f:
            return f.read()

    def unused(*_args, **_kwargs):
        raise RuntimeError("not available outside Conan")

    def basic_layout(conanfile, src_folder="."):
        """conan.tools.layout.basic_layout, as Conan 2 defines it (no subproject, no build_type)."""
        conanfile.folders.source = src_folder
        conanfile.folders.build = "build"
        conanfile.folders.generators = os.path.join("build", "conan")
        if not conanfile.cpp.source.includedirs:
            conanfile.cpp.source.includedirs = ["include"]

    class Folders:
        def __init__(self):
            self.root = None
            self.source = ""
            self.build = ""
            self.generators = ""

    class CppInfo:
        def __init__(self):
            self.includedirs = []

    class Cpp:
        def __init__(self):
            self.source = CppInfo()
            self.build = CppInfo()
            self.package = CppInfo()

    class ConanFile:
        version = None

        def __init__(self):
            self.folders = Folders()
            self.cpp = Cpp()

    names = {
        "conan": {"ConanFile": ConanFile},
        "conan.errors": {"ConanInvalidConfiguration": Exception},
        "conan.tools": {},
        "conan.tools.build": {"check_min_cppstd": unused, "can_run": unused},
        "conan.tools.files": {"copy": _copy, "get": unused, "load": load},
        "conan.tools.layout": {"basic_layout": basic_layout},
        "conan.tools.scm": {"Version": str},
    }
    for name, attrs in names.items():
        module = types.ModuleType(name)
        module.__dict__.update(attrs)
        sys.modules[name] = module
    return ConanFile


def _load_recipe(recipe_path):
    base = _stub_modules()
    spec = importlib.util.spec_from_file_location("kore_conanfile", recipe_path)
    recipe = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(recipe)
    classes = [c for c in vars(recipe).values() if isinstance(c, type) and issubclass(c, base) and c is not base]
    if len(classes) != 1:
        sys.exit(f"expected one ConanFile class in {recipe_path}, found {len(classes)}")
    conanfile = classes[0]()
    conanfile.recipe_folder = os.path.dirname(recipe_path)
    return conanfile


def _files_under(folder):
    return sorted(os.path.relpath(os.path.join(d, f), folder) for d, _dirs, files in os.walk(folder) for f in files)


def local_package(conanfile, scratch):
    conanfile.layout()
    folders = conanfile.folders
    base = conanfile.recipe_folder
    if folders.root is not None:
        base = os.path.normpath(os.path.join(base, folders.root))
    conanfile.source_folder = os.path.normpath(os.path.join(base, folders.source))
    conanfile.build_folder = os.path.normpath(os.path.join(base, folders.build))
    conanfile.package_folder = os.path.join(scratch, "p")
    shutil.rmtree(conanfile.package_folder, ignore_errors=True)
    conanfile.package()

    packaged = _files_under(conanfile.package_folder)
    project = os.path.dirname(os.path.abspath(conanfile.recipe_folder))
    headers = [os.path.join("include", h) for h in _files_under(os.path.join(project, "include")) if h.endswith(".hpp")]
    expected = sorted(headers + [os.path.join("licenses", "LICENSE")])
    missing = sorted(set(expected) - set(packaged))
    extra = sorted(set(packaged) - set(expected))
    if missing or extra:
        sys.exit(f"local-flow package() from source folder {conanfile.source_folder}:\n"
                 f"  missing: {missing or 'none'}\n  unexpected: {extra or 'none'}")
    if os.path.commonpath([conanfile.build_folder, os.path.join(project, "build")]) != os.path.join(project, "build"):
        sys.exit(f"local-flow build folder {conanfile.build_folder} is outside the project's build/ (not ignored by git)")
    print(f"local flow: source folder {conanfile.source_folder}, {len(packaged)} files packaged")


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in ("set-version", "local-package"):
        sys.exit(__doc__)
    conanfile = _load_recipe(os.path.abspath(sys.argv[2]))
    if sys.argv[1] == "set-version":
        conanfile.set_version()
        print(conanfile.version)
    else:
        if len(sys.argv) != 4:
            sys.exit(__doc__)
        local_package(conanfile, os.path.abspath(sys.argv[3]))


if __name__ == "__main__":
    main()
