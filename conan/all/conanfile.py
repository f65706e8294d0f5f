import os

from conan import ConanFile
from conan.errors import ConanInvalidConfiguration
from conan.tools.build import check_min_cppstd
from conan.tools.files import copy, get
from conan.tools.layout import basic_layout
from conan.tools.scm import Version

required_conan_version = ">=2.0.9"


class KoreWebhookConan(ConanFile):
    name = "kore-webhook"
    description = "Header-only C++17 verifier for KORE Wireless webhook signatures (OpenSSL 3)."
    license = "MIT"
    url = "https://github.com/conan-io/conan-center-index"
    homepage = "https://github.com/kore-webhook/kore-webhook"
    topics = ("webhook", "signature", "kore-wireless", "openssl", "header-only")
    package_type = "header-library"
    settings = "os", "arch", "compiler", "build_type"
    options = {"with_hiredis": [True, False]}
    default_options = {"with_hiredis": False}
    no_copy_source = True

    @property
    def _min_cppstd(self):
        return 17

    @property
    def _compilers_minimum_version(self):
        return {"gcc": "8", "clang": "7", "apple-clang": "12", "msvc": "192"}

    def layout(self):
        basic_layout(self, src_folder="src")

    def requirements(self):
        self.requires("openssl/[>=3 <4]")
        if self.options.with_hiredis:
            # The Redis replay store (kore/webhook/replay_guard_redis.hpp) includes hiredis.
            self.requires("hiredis/[>=1.0 <2]")

    def package_id(self):
        self.info.clear()

    def validate(self):
        check_min_cppstd(self, self._min_cppstd)
        minimum_version = self._compilers_minimum_version.get(str(self.settings.compiler), False)
        if minimum_version and Version(self.settings.compiler.version) < minimum_version:
            raise ConanInvalidConfiguration(
                f"{self.ref} requires C++{self._min_cppstd}, which your compiler does not support."
            )

    def source(self):
        get(self, **self.conan_data["sources"][self.version], strip_root=True)

    def build(self):
        pass

    def package(self):
        copy(self, "LICENSE", self.source_folder, os.path.join(self.package_folder, "licenses"))
        copy(self, "*.hpp", os.path.join(self.source_folder, "include"), os.path.join(self.package_folder, "include"))

    def package_info(self):
        self.cpp_info.bindirs = []
        self.cpp_info.libdirs = []
        self.cpp_info.set_property("cmake_file_name", "kore_webhook")
        self.cpp_info.set_property("cmake_target_name", "kore::webhook")
        self.cpp_info.set_property("pkg_config_name", "kore_webhook")
        self.cpp_info.requires = ["openssl::crypto"]
        if self.options.with_hiredis:
            self.cpp_info.requires.append("hiredis::hiredis")
