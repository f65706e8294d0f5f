# Conan 2 recipe for kore-webhook, after Conan Center's header-only template.
#
# It lives in the repository and packages the checkout it sits in: set_version() reads the
# version from include/kore/webhook/version.hpp (the project's one version source), and both
# Conan flows see the project root, so neither needs --version or the network:
#     conan create conan/                                    (cache flow)
#     conan build conan/ && conan export-pkg conan/          (local flow)
# In the cache flow export_sources() copies the headers and LICENSE from the repository root; in
# the local flow layout() roots the folders at the repository root (the recipe's parent).
# The Conan Center recipe (source() from the release tarball, conandata.yml) is conan/all/, laid
# out as recipes/kore-webhook/ of conan-center-index; tools/release.sh release keeps its
# conandata.yml and config.yml up to date.
import os
import re

from conan import ConanFile
from conan.tools.build import check_min_cppstd
from conan.tools.files import copy, load

required_conan_version = ">=2.0"


class KoreWebhookConan(ConanFile):
    name = "kore-webhook"
    description = "Header-only C++17 verifier for KORE Wireless webhook signatures (OpenSSL 3)."
    license = "MIT"
    homepage = "https://github.com/kore-webhook/kore-webhook"
    url = "https://github.com/kore-webhook/kore-webhook"
    topics = ("webhook", "signature", "kore-wireless", "openssl", "header-only")
    package_type = "header-library"
    settings = "os", "arch", "compiler", "build_type"
    options = {"with_hiredis": [True, False]}
    default_options = {"with_hiredis": False}
    no_copy_source = True

    @property
    def _repo_root(self):
        return os.path.join(self.recipe_folder, os.pardir)

    def set_version(self):
        if self.version:
            return
        header = load(self, os.path.join(self._repo_root, "include", "kore", "webhook", "version.hpp"))
        parts = []
        for part in ("MAJOR", "MINOR", "PATCH"):
            match = re.search(rf"^#define KORE_WEBHOOK_VERSION_{part} ([0-9]+)$", header, re.MULTILINE)
            if not match:
                raise ValueError(f"version.hpp has no '#define KORE_WEBHOOK_VERSION_{part} <n>' line")
            parts.append(match.group(1))
        self.version = ".".join(parts)

    def export_sources(self):
        copy(self, "LICENSE", self._repo_root, self.export_sources_folder)
        copy(self, "*.hpp", os.path.join(self._repo_root, "include"), os.path.join(self.export_sources_folder, "include"))

    def layout(self):
        # Rooted at the project: in the local flow the recipe folder is conan/, and include/ and
        # LICENSE are one level up (in the cache flow export_sources() put them at the top of the
        # source folder, which Conan uses whatever the root). Build and generated files go under
        # the project's build/, which git ignores.
        self.folders.root = os.pardir
        self.folders.source = "."
        self.folders.build = os.path.join("build", "conan")
        self.folders.generators = os.path.join(self.folders.build, "generators")
        self.cpp.source.includedirs = ["include"]

    def requirements(self):
        self.requires("openssl/[>=3 <4]")
        if self.options.with_hiredis:
            # The Redis replay store (kore/webhook/replay_guard_redis.hpp) includes hiredis.
            self.requires("hiredis/[>=1.0 <2]")

    def package_id(self):
        self.info.clear()

    def validate(self):
        check_min_cppstd(self, 17)

    def build(self):
        pass

    def package(self):
        copy(self, "LICENSE", self.source_folder, os.path.join(self.package_folder, "licenses"))
        copy(self, "*.hpp", os.path.join(self.source_folder, "include"), os.path.join(self.package_folder, "include"))

    def package_info(self):
        self.cpp_info.bindirs = []
        self.cpp_info.libdirs = []
        self.cpp_info.requires = ["openssl::crypto"]
        if self.options.with_hiredis:
            self.cpp_info.requires.append("hiredis::hiredis")
        self.cpp_info.set_property("cmake_file_name", "kore_webhook")
        self.cpp_info.set_property("cmake_target_name", "kore::webhook")
        self.cpp_info.set_property("pkg_config_name", "kore_webhook")
