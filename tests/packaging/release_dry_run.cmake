# cmake -DSOURCE_DIR=<src> -DWORK_DIR=<scratch> -DGIT=<git> -DBASH=<bash> -P release_dry_run.cmake
# tools/release.sh, run on a scratch git repository holding a copy of the files it reads and writes
# (nothing of the real checkout changes, nothing is pushed):
#   bump --dry-run  prints the changes and writes nothing;
#   bump 9.8.7      makes every source packaging.version checks agree on 9.8.7, and turns the
#                   section to release into "## [9.8.7] - <date>" of CHANGELOG.md, whether it is
#                   headed "## [Unreleased]" or "## 9.8.7 — unreleased" (CHANGELOG.md's first
#                   section is replaced by each in turn, holding one known entry);
#   port v9.8.7     (after commit and tag) prints REF and the SHA512 and SHA256 of the tag's
#                   tarball, equal to the hashes of `git archive` of that tag made here, writes a
#                   registry port that check_vcpkg_port.cmake accepts as one, and conandata.yml;
#   and refuses a missing tag, a tag whose files say another version, and a second bump;
#   release 9.8.7   (from the [Unreleased] commit, no tag) makes the release commit, the registry
#                   port (REF = that commit) and conandata.yml from it, then pins README's
#                   FetchContent GIT_TAG to it in a second commit, which `check` accepts; `check`
#                   refuses a pin that is no commit, or a commit of another version.
cmake_minimum_required(VERSION 3.21)
set(repo "${WORK_DIR}/repo")
set(out "${WORK_DIR}/out")
file(REMOVE_RECURSE "${WORK_DIR}")
foreach(f include/kore/webhook/version.hpp ports/kore-webhook/vcpkg.json ports/kore-webhook/portfile.cmake
          conan/conanfile.py conan/all/conanfile.py conan/all/conandata.yml conan/config.yml CHANGELOG.md README.md LICENSE tools/release.sh)
  get_filename_component(dir "${repo}/${f}" DIRECTORY)
  file(COPY "${SOURCE_DIR}/${f}" DESTINATION "${dir}")
endforeach()

# first_section(<heading>): CHANGELOG.md with its first section replaced by <heading> and one entry.
set(entry "- release dry run: this entry moves into the 9.8.7 section")
file(READ "${repo}/CHANGELOG.md" original_changelog)
string(FIND "${original_changelog}" "\n## " first)
string(SUBSTRING "${original_changelog}" 0 ${first} intro)
string(SUBSTRING "${original_changelog}" ${first} -1 sections)
string(SUBSTRING "${sections}" 1 -1 sections)
string(FIND "${sections}" "\n## " second)
string(SUBSTRING "${sections}" ${second} -1 older_sections)
string(SUBSTRING "${older_sections}" 1 -1 older_heading)
string(FIND "${older_heading}" "\n" end)
string(SUBSTRING "${older_heading}" 0 ${end} older_heading)  # e.g. "## [0.1.0]"
function(first_section heading)
  file(WRITE "${repo}/CHANGELOG.md" "${intro}\n${heading}\n\n### Added\n${entry}\n${older_sections}")
endfunction()

# run(<output var> <expect: 0 or FAIL> <command>...): runs in the scratch repository.
function(run out expect)
  execute_process(COMMAND ${ARGN} WORKING_DIRECTORY "${repo}" OUTPUT_VARIABLE stdout ERROR_VARIABLE stderr
    RESULT_VARIABLE rc)
  if(expect STREQUAL "FAIL" AND rc EQUAL 0)
    message(FATAL_ERROR "'${ARGN}' succeeded; it must fail. It printed:\n${stdout}${stderr}")
  elseif(NOT expect STREQUAL "FAIL" AND NOT rc EQUAL 0)
    message(FATAL_ERROR "'${ARGN}' exited with ${rc}:\n${stdout}${stderr}")
  endif()
  set(${out} "${stdout}${stderr}" PARENT_SCOPE)
endfunction()
function(expect_in text what)
  foreach(needle IN LISTS ARGN)
    string(FIND "${text}" "${needle}" at)
    if(at EQUAL -1)
      message(FATAL_ERROR "${what} lacks '${needle}':\n${text}")
    endif()
  endforeach()
endfunction()

# release.sh commits with the environment's identity (a fresh CI machine has none configured).
set(ENV{GIT_AUTHOR_NAME} release-test)
set(ENV{GIT_AUTHOR_EMAIL} release-test@invalid)
set(ENV{GIT_COMMITTER_NAME} release-test)
set(ENV{GIT_COMMITTER_EMAIL} release-test@invalid)
set(git "${GIT}" -c user.name=release-test -c user.email=release-test@invalid -c commit.gpgsign=false -c tag.gpgsign=false)
run(_ 0 ${git} init -q)
run(_ 0 ${git} add -A)
run(_ 0 ${git} commit -q -m "before the release")
set(release "${BASH}" tools/release.sh)

# check_bumped(<what>): every version source agrees on 9.8.7 (packaging.version's check, without
# an install), and CHANGELOG.md has an empty [Unreleased], then the 9.8.7 section with the entry.
function(check_bumped what)
  execute_process(COMMAND "${CMAKE_COMMAND}" "-DSOURCE_DIR=${repo}" -DPROJECT_VERSION=9.8.7
    -P "${CMAKE_CURRENT_LIST_DIR}/check_version.cmake" RESULT_VARIABLE rc OUTPUT_VARIABLE stdout ERROR_VARIABLE stderr)
  if(rc)
    message(FATAL_ERROR "${what}: check_version.cmake fails:\n${stdout}${stderr}")
  endif()
  file(READ "${repo}/CHANGELOG.md" changelog)
  string(FIND "${changelog}" "\n## [Unreleased]\n\n## [9.8.7] - 2001-02-03\n" section)
  string(FIND "${changelog}" "${entry}" entry_at)
  string(FIND "${changelog}" "\n${older_heading}\n" older_at)
  if(section EQUAL -1 OR entry_at LESS section OR older_at LESS entry_at)
    message(FATAL_ERROR "${what}: CHANGELOG.md has no empty [Unreleased] followed by the 9.8.7 section "
                        "holding the entry, before the older sections:\n${changelog}")
  endif()
  expect_in("${changelog}" "${what}: CHANGELOG.md links"
    "[Unreleased]: https://github.com/kore-webhook/kore-webhook/compare/v9.8.7...HEAD"
    "[9.8.7]: https://github.com/kore-webhook/kore-webhook/compare/v")
endfunction()

# "## [Unreleased]": the dry run prints the diff and writes nothing; then the bump.
first_section("## [Unreleased]")
run(_ 0 ${git} commit -q -a -m "an [Unreleased] section")
run(dry 0 ${release} bump 9.8.7 --date 2001-02-03 --dry-run)
expect_in("${dry}" "bump --dry-run output" "+#define KORE_WEBHOOK_VERSION_MAJOR 9" "+  \"version-semver\": \"9.8.7\""
  "+## [9.8.7] - 2001-02-03" "dry run, nothing written")
run(status 0 ${git} status --porcelain)
if(NOT status STREQUAL "")
  message(FATAL_ERROR "bump --dry-run changed files:\n${status}")
endif()
run(_ 0 ${release} bump 9.8.7 --date 2001-02-03)
check_bumped("bump from an [Unreleased] section")
run(_ 0 ${git} checkout -q -- .)

# "## 9.8.7 — unreleased" (the version's own heading, as CHANGELOG.md has while a release is prepared).
first_section("## 9.8.7 — unreleased")
run(_ 0 ${release} bump 9.8.7 --date 2001-02-03)
check_bumped("bump from a '9.8.7 — unreleased' section")
run(_ FAIL ${release} bump 9.8.7)

# Tag, then the values for the registries.
run(_ 0 ${git} commit -q -a -m "kore-webhook 9.8.7")
run(_ 0 ${git} tag v9.8.7)
run(printed 0 ${release} port v9.8.7 --out "${out}")
run(_ 0 "${GIT}" archive --format=tar.gz --prefix=kore-webhook-9.8.7/ -o "${WORK_DIR}/expected.tar.gz" v9.8.7)
file(SHA512 "${WORK_DIR}/expected.tar.gz" sha512)
file(SHA256 "${WORK_DIR}/expected.tar.gz" sha256)
expect_in("${printed}" "port v9.8.7 output" "REF \"v\${VERSION}\"   (v9.8.7)" "SHA512 ${sha512}"
  "url: \"https://github.com/kore-webhook/kore-webhook/archive/refs/tags/v9.8.7.tar.gz\"" "sha256: \"${sha256}\"")
file(READ "${out}/conandata.yml" conandata)
expect_in("${conandata}" "conandata.yml" "sources:\n  \"9.8.7\":\n" "sha256: \"${sha256}\"")
file(READ "${out}/ports/kore-webhook/portfile.cmake" portfile)
expect_in("${portfile}" "the registry portfile" "SHA512 ${sha512}\n")
execute_process(COMMAND "${CMAKE_COMMAND}" "-DSOURCE_DIR=${SOURCE_DIR}" -DKIND=registry
  "-DPORT_DIR=${out}/ports/kore-webhook" "-DWORK_DIR=${WORK_DIR}/check-port"
  -P "${CMAKE_CURRENT_LIST_DIR}/check_vcpkg_port.cmake" RESULT_VARIABLE rc OUTPUT_VARIABLE stdout ERROR_VARIABLE stderr)
if(rc)
  message(FATAL_ERROR "the registry port release.sh wrote is not one:\n${stdout}${stderr}")
endif()

# --tarball: the hashes of the file given (the one downloaded from GitHub, in a real release).
run(printed 0 ${release} port v9.8.7 --out "${out}" --tarball "${WORK_DIR}/expected.tar.gz")
expect_in("${printed}" "port --tarball output" "SHA512 ${sha512}")

# Refusals.
run(_ FAIL ${release} port v9.8.8 --out "${out}")
run(_ 0 ${git} tag v5.0.0 HEAD~1)
run(refused FAIL ${release} port v5.0.0 --out "${out}")
expect_in("${refused}" "port of a tag that was not bumped" "not 5.0.0")

# release: the whole release in one run, from the commit with the [Unreleased] section.
run(_ 0 ${git} checkout -q -b release-run HEAD~1)
run(_ 0 ${git} checkout -q -- .)
file(APPEND "${repo}/CHANGELOG.md" "\n")
run(_ FAIL ${release} release 9.8.7 --date 2001-02-03 --out "${WORK_DIR}/out-release")
run(_ 0 ${git} checkout -q -- .)
run(printed 0 ${release} release 9.8.7 --date 2001-02-03 --out "${WORK_DIR}/out-release")
run(subjects 0 ${git} log -2 --format=%s)
expect_in("${subjects}" "release's two commits" "Release 9.8.7" "README pins the 9.8.7 release commit")
run(commit 0 ${git} rev-parse HEAD~1)
string(STRIP "${commit}" commit)
check_bumped("release 9.8.7")
file(READ "${repo}/README.md" readme)
expect_in("${readme}" "README after release" "  GIT_TAG ${commit})  # the release commit of 9.8.7\n"
  "find_package(kore_webhook 9.8 CONFIG REQUIRED)")
run(_ 0 ${release} check)
run(_ 0 "${GIT}" archive --format=tar.gz --prefix=kore-webhook-${commit}/ -o "${WORK_DIR}/commit.tar.gz" ${commit})
file(SHA512 "${WORK_DIR}/commit.tar.gz" sha512)
file(SHA256 "${WORK_DIR}/commit.tar.gz" sha256)
file(READ "${WORK_DIR}/out-release/ports/kore-webhook/portfile.cmake" portfile)
expect_in("${portfile}" "the registry portfile of a release commit" "REF ${commit} " "SHA512 ${sha512}\n")
file(READ "${WORK_DIR}/out-release/conandata.yml" conandata)
expect_in("${conandata}" "conandata.yml of a release commit"
  "url: \"https://github.com/kore-webhook/kore-webhook/archive/${commit}.tar.gz\"" "sha256: \"${sha256}\"")
# The Conan Center recipe: the new entry first, the older ones kept, in the work tree as committed.
file(READ "${WORK_DIR}/out-release/conan/all/conandata.yml" cci_data)
expect_in("${cci_data}" "conan/all/conandata.yml after release"
  "sources:\n  \"9.8.7\":\n    url: \"https://github.com/kore-webhook/kore-webhook/archive/${commit}.tar.gz\"\n    sha256: \"${sha256}\"\n  \"0.2.0\":\n")
file(READ "${repo}/conan/all/conandata.yml" committed)
if(NOT committed STREQUAL cci_data)
  message(FATAL_ERROR "release did not commit conan/all/conandata.yml as it wrote it:\n${committed}")
endif()
file(READ "${repo}/conan/config.yml" config)
expect_in("${config}" "conan/config.yml after release" "versions:\n  \"9.8.7\":\n    folder: all\n  \"0.2.0\":\n    folder: all\n")
run(status 0 ${git} status --porcelain --untracked-files=no)
if(NOT status STREQUAL "")
  message(FATAL_ERROR "release left changes uncommitted:\n${status}")
endif()
execute_process(COMMAND "${CMAKE_COMMAND}" "-DSOURCE_DIR=${SOURCE_DIR}" -DKIND=registry
  "-DPORT_DIR=${WORK_DIR}/out-release/ports/kore-webhook" "-DWORK_DIR=${WORK_DIR}/check-release-port"
  -P "${CMAKE_CURRENT_LIST_DIR}/check_vcpkg_port.cmake" RESULT_VARIABLE rc OUTPUT_VARIABLE stdout ERROR_VARIABLE stderr)
if(rc)
  message(FATAL_ERROR "the registry port of the release commit is not one:\n${stdout}${stderr}")
endif()
# check refuses README pinned to no commit, or to a commit of another version.
string(REPLACE "GIT_TAG ${commit}" "GIT_TAG 0123456789012345678901234567890123456789" broken "${readme}")
file(WRITE "${repo}/README.md" "${broken}")
run(refused FAIL ${release} check)
expect_in("${refused}" "check of a pin that is no commit" "no commit of this repository")
run(before 0 ${git} rev-parse HEAD~2)
string(STRIP "${before}" before)
string(REPLACE "GIT_TAG ${commit}" "GIT_TAG ${before}" broken "${readme}")
file(WRITE "${repo}/README.md" "${broken}")
run(refused FAIL ${release} check)
expect_in("${refused}" "check of a pin of another version" "not 9.8.7")
message(STATUS "release.sh: bump, port v9.8.7 (SHA512 ${sha512}) release 9.8.7 (commit ${commit}), check and the refusals as expected")
