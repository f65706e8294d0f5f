"""Runs parts of the Conan recipe without Conan.

Usage:
  python3 conan_recipe.py set-version <conan/conanfile.py>
      prints the version set_version() sets (read from include/kore/webhook/version.hpp).
  python3 conan_recipe.py local-package <conan/conanfile.py> <scratch dir>
      runs layout() and package() as `conan build conan/` + `conan export-pkg conan/` do in the
      local flow (folders resolved from the recipe's folder, its layout root and source folder,
      as Conan's Folders.set_base_folders does) and checks the package holds every header of
      include/ and licenses/LICENSE. The recipe's package() used to find nothing there.

  python3 conan_recipe.py cci <conan/all/conanfile.py> <scratch dir> <release tarball>
      runs the Conan Center recipe as `conan create conan/all --version <newest in conandata.yml>`
      would: validate() refuses C++14 and accepts C++17 (check_min_cppstd, not guarded by a
      cppstd setting), requirements() adds hiredis only with with_hiredis=True (default False),
      source() gets conandata.yml's entry (the tarball must have its sha256; the top folder is
      stripped) and package() then holds every header of the tarball and licenses/LICENSE.

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


class InvalidConfiguration(Exception):
    """conan.errors.ConanInvalidConfiguration."""


class _Version:
    """conan.tools.scm.Version, for dotted numbers."""

    def __init__(self, text):
        self.parts = tuple(int(p) for p in str(text).split("."))

    def __lt__(self, other):
        return self.parts < _Version(other).parts if not isinstance(other, _Version) else self.parts < other.parts


def _check_min_cppstd(conanfile, cppstd):
    """conan.tools.build.check_min_cppstd: the cppstd setting, or GCC's default when unset (gnu17 from
    GCC 11 on, gnu14 before)."""
    current = conanfile.settings.compiler.cppstd or ("gnu17" if int(conanfile.settings.compiler.version) >= 11 else "gnu14")
    if int(str(current).replace("gnu", "")) < int(cppstd):
        raise InvalidConfiguration(f"Current cppstd ({current}) is lower than the required C++ standard ({cppstd}).")


def _get(conanfile, url, sha256, strip_root=False, destination="."):
    """conan.tools.files.get: here the url is replaced by the tarball given on the command line."""
    import hashlib
    import tarfile

    with open(conanfile.tarball, "rb") as f:
        actual = hashlib.sha256(f.read()).hexdigest()
    if actual != sha256:
        raise RuntimeError(f"sha256 of {conanfile.tarball} is {actual}; conandata.yml says {sha256} for {url}")
    conanfile.fetched_url = url
    with tarfile.open(conanfile.tarball) as tar:
        members = tar.getmembers()
        for member in members:
            if strip_root:
                member.name = member.name.partition("/")[2]
            if member.name:
                tar.extract(member, os.path.join(conanfile.source_folder, destination))


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
        "conan.errors": {"ConanInvalidConfiguration": InvalidConfiguration},
        "conan.tools": {},
        "conan.tools.build": {"check_min_cppstd": _check_min_cppstd, "can_run": unused},
        "conan.tools.files": {"copy": _copy, "get": _get, "load": load},
        "conan.tools.layout": {"basic_layout": basic_layout},
        "conan.tools.scm": {"Version": _Version},
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


def _read_conandata(path):
    """conandata.yml in the one shape release.sh writes (sources: "<version>": url, sha256)."""
    sources, version = {}, None
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith('  "'):
                version = line.strip().rstrip(":").strip('"')
                sources[version] = {}
            elif line.startswith("    ") and version:
                key, _, value = line.strip().partition(": ")
                sources[version][key] = value.strip('"')
    return {"sources": sources}


class _Settings:
    def __init__(self, cppstd, version):
        self.compiler = types.SimpleNamespace(cppstd=cppstd, version=version, get_safe=lambda _n: cppstd)

    def get_safe(self, _name):
        return None


def cci(conanfile, scratch, tarball):
    recipe_folder = conanfile.recipe_folder
    conanfile.conan_data = _read_conandata(os.path.join(recipe_folder, "conandata.yml"))
    conanfile.version = next(iter(conanfile.conan_data["sources"]))
    conanfile.ref = f"{conanfile.name}/{conanfile.version}"
    problems = []
    if getattr(conanfile, "package_type", None) != "header-library":
        problems.append(f"package_type is {getattr(conanfile, 'package_type', None)!r}, not 'header-library'")
    if conanfile.url != "https://github.com/conan-io/conan-center-index":
        problems.append(f"url is {conanfile.url}, not conan-center-index")
    if hasattr(conanfile, "set_version") or hasattr(conanfile, "export_sources"):
        problems.append("a Conan Center recipe takes its version from config.yml and its sources from source()")
    if conanfile.default_options.get("with_hiredis") is not False:
        problems.append("with_hiredis must be an option defaulting to False")

    # GCC 10 defaults to C++14: with no cppstd setting the check must still refuse it.
    for cppstd, gcc, accepted in (("14", "12", False), ("17", "12", True), (None, "12", True), (None, "10", False)):
        conanfile.settings = _Settings(cppstd, gcc)
        try:
            conanfile.validate()
            ok = True
        except InvalidConfiguration:
            ok = False
        if ok != accepted:
            problems.append(f"validate() with compiler.cppstd={cppstd}, gcc {gcc}: {'accepted' if ok else 'refused'}")

    for with_hiredis in (False, True):
        required = []
        conanfile.options = types.SimpleNamespace(with_hiredis=with_hiredis)
        conanfile.requires = required.append
        conanfile.requirements()
        has_hiredis = any(r.startswith("hiredis/") for r in required)
        if not any(r.startswith("openssl/") for r in required) or has_hiredis != with_hiredis:
            problems.append(f"requirements() with with_hiredis={with_hiredis}: {required}")

    conanfile.layout()
    conanfile.tarball = tarball
    conanfile.source_folder = os.path.join(scratch, "s")
    conanfile.package_folder = os.path.join(scratch, "p")
    for folder in (conanfile.source_folder, conanfile.package_folder):
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder)
    conanfile.source()
    conanfile.package()
    packaged = _files_under(conanfile.package_folder)
    unpacked = _files_under(os.path.join(conanfile.source_folder, "include"))
    expected = sorted([os.path.join("include", h) for h in unpacked if h.endswith(".hpp")] +
                      [os.path.join("licenses", "LICENSE")])
    if packaged != expected or len(expected) < 10:
        problems.append(f"package() holds {len(packaged)} files, expected the tarball's {len(expected)}")
    if problems:
        sys.exit("Conan Center recipe " + conanfile.recipe_folder + ":\n  " + "\n  ".join(problems))
    print(f"Conan Center recipe: {conanfile.ref} from {conanfile.fetched_url}, {len(packaged)} files packaged")


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in ("set-version", "local-package", "cci"):
        sys.exit(__doc__)
    conanfile = _load_recipe(os.path.abspath(sys.argv[2]))
    if sys.argv[1] == "cci":
        if len(sys.argv) != 5:
            sys.exit(__doc__)
        cci(conanfile, os.path.abspath(sys.argv[3]), os.path.abspath(sys.argv[4]))
    elif sys.argv[1] == "set-version":
        conanfile.set_version()
        print(conanfile.version)
    else:
        if len(sys.argv) != 4:
            sys.exit(__doc__)
        local_package(conanfile, os.path.abspath(sys.argv[3]))


if __name__ == "__main__":
    main()
