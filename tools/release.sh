#!/usr/bin/env bash
# Prepares a kore-webhook release and writes what the package registries need for it.
#
#   tools/release.sh release <X.Y.Z> [--date YYYY-MM-DD] [--out DIR]
#       The whole release in one run, on a clean work tree (no tag is made or needed):
#         1. bump (below), README's find_package and Conan versions, committed as the release
#            commit "Release X.Y.Z";
#         2. port <that commit> (below): the registry port and the Conan Center recipe in DIR;
#            conan/all/conandata.yml and conan/config.yml gain the release's entry;
#         3. README's FetchContent GIT_TAG set to the release commit's full hash (a commit cannot
#            name its own hash, hence a second commit), checked with `check`, and committed.
#       If README's pin does not resolve to that release, README is restored and it stops.
#
#   tools/release.sh check
#       README's FetchContent GIT_TAG resolves to a commit in HEAD's history whose version.hpp
#       says the newest release of CHANGELOG.md. Exit 1, saying why, otherwise.
#
#   tools/release.sh bump <X.Y.Z> [--date YYYY-MM-DD] [--dry-run]
#       Sets the version everywhere the packaging.version test checks:
#         include/kore/webhook/version.hpp   the one version source (CMake, the Conan recipe, the
#                                            installed .pc and ConfigVersion files all read it)
#         ports/kore-webhook/vcpkg.json      version-semver (and drops a port-version)
#         CHANGELOG.md                       the [Unreleased] (or "X.Y.Z — unreleased") section
#                                            becomes "## [X.Y.Z] - <date>" under a new, empty
#                                            [Unreleased]; the comparison links follow
#       --dry-run prints the changes as a diff and writes nothing. Commits and tags nothing.
#
#   tools/release.sh port <vX.Y.Z | release commit> [--tarball FILE] [--out DIR]
#       For a release tag or a release commit (a hash): the tarball GitHub serves for it, its
#       SHA512 for vcpkg and SHA256 for Conan. Writes, from that release's own files, the
#       registry port (DIR/ports/kore-webhook: the overlay port with vcpkg_from_github(REF,
#       SHA512) instead of the checkout), DIR/conandata.yml, and the Conan Center recipe
#       DIR/conan (config.yml and all/ from conan/, all/conandata.yml with the release's entry)
#       (DIR defaults to build/release), and prints the values.
#       The tarball is made with `git archive`, as GitHub makes it; give --tarball with the file
#       downloaded from GitHub once the release is pushed to hash the bytes users will get.
#
# Release steps: tools/release.sh release X.Y.Z; review the two commits; push main;
# tools/release.sh port <release commit> --tarball <downloaded tarball>; submit DIR's port and recipe.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
version_header=include/kore/webhook/version.hpp
port_manifest=ports/kore-webhook/vcpkg.json
port_file=ports/kore-webhook/portfile.cmake
changelog=CHANGELOG.md

die() { echo "release: $*" >&2; exit 1; }
usage() { sed -n '2,/^set -e/{/^#/s/^# \{0,1\}//p;}' "${BASH_SOURCE[0]}" >&2; exit 2; }

# The GitHub owner/name, from the port's homepage (one place to change it).
github_repo() {
  sed -n 's|.*"homepage": *"https://github.com/\([^/"]*/[^/"]*\)".*|\1|p' "$1" | head -n 1
}

absolute() {
  case "$1" in
    /*) echo "$1" ;;
    *) echo "${PWD}/$1" ;;
  esac
}

# header_version <file text on stdin>: X.Y.Z from the three #define lines.
header_version() {
  awk '/^#define KORE_WEBHOOK_VERSION_(MAJOR|MINOR|PATCH) [0-9]+$/ { v[$2] = $3 }
       END { if (length(v) == 3) print v["KORE_WEBHOOK_VERSION_MAJOR"] "." v["KORE_WEBHOOK_VERSION_MINOR"] "." v["KORE_WEBHOOK_VERSION_PATCH"] }'
}

# manifest_version <vcpkg.json text on stdin>
manifest_version() {
  sed -n 's/.*"version-semver": *"\([^"]*\)".*/\1/p' | head -n 1
}

cmd_bump() {
  local version="" date="" dry_run=no
  while [ $# -gt 0 ]; do
    case "$1" in
      --date) date=${2:-}; shift 2 ;;
      --dry-run) dry_run=yes; shift ;;
      -*) usage ;;
      *) [ -z "${version}" ] || usage; version=$1; shift ;;
    esac
  done
  [[ "${version}" =~ ^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$ ]] ||
    die "the version must be MAJOR.MINOR.PATCH (numbers only, as version.hpp holds it), not '${version}'"
  local major=${BASH_REMATCH[1]} minor=${BASH_REMATCH[2]} patch=${BASH_REMATCH[3]}
  [ -n "${date}" ] || date=$(date -u +%Y-%m-%d)
  [[ "${date}" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}$ ]] || die "--date must be YYYY-MM-DD, not '${date}'"

  cd "${root}"
  local old
  old=$(header_version < "${version_header}")
  [ -n "${old}" ] || die "${version_header} has no KORE_WEBHOOK_VERSION_MAJOR/MINOR/PATCH lines"
  [ "${old}" != "${version}" ] || die "${version_header} already says ${version}"
  local repo
  repo=$(github_repo "${port_manifest}")
  [ -n "${repo}" ] || die "${port_manifest} has no https://github.com/<owner>/<name> homepage"

  work=$(mktemp -d)
  trap 'rm -rf "${work}"' EXIT
  mkdir -p "${work}/new/$(dirname "${version_header}")" "${work}/new/$(dirname "${port_manifest}")"

  sed -e "s/^#define KORE_WEBHOOK_VERSION_MAJOR [0-9]*$/#define KORE_WEBHOOK_VERSION_MAJOR ${major}/" \
      -e "s/^#define KORE_WEBHOOK_VERSION_MINOR [0-9]*$/#define KORE_WEBHOOK_VERSION_MINOR ${minor}/" \
      -e "s/^#define KORE_WEBHOOK_VERSION_PATCH [0-9]*$/#define KORE_WEBHOOK_VERSION_PATCH ${patch}/" \
      "${version_header}" > "${work}/new/${version_header}"
  [ "$(header_version < "${work}/new/${version_header}")" = "${version}" ] || die "could not rewrite ${version_header}"

  # A new version starts again at port-version 0, which vcpkg spells by leaving the field out.
  sed -e "s/\"version-semver\": *\"[^\"]*\"/\"version-semver\": \"${version}\"/" \
      -e '/^ *"port-version": *[0-9]*, *$/d' \
      "${port_manifest}" > "${work}/new/${port_manifest}"
  [ "$(manifest_version < "${work}/new/${port_manifest}")" = "${version}" ] || die "could not rewrite ${port_manifest}"
  ! grep -q '"port-version"' "${work}/new/${port_manifest}" || die "remove port-version from ${port_manifest} by hand"

  # The section to release: "## [Unreleased]", or one already headed with the version and marked
  # unreleased ("## 0.2.0 — unreleased"). It becomes "## [X.Y.Z] - <date>" under a new, empty
  # [Unreleased], and the comparison links follow. A section already released is left alone.
  local awk_status=0
  awk -v version="${version}" -v date="${date}" -v repo="${repo}" '
    { line[NR] = $0 }
    END {
      esc = version; gsub(/\./, "\\.", esc)
      heading = "^## \\[?" esc "\\]?([ \t]|$)"
      target = 0
      for (i = 1; i <= NR; i++) {
        if (line[i] ~ /^## \[[Uu]nreleased\]/) { target = i; break }
        if (line[i] ~ heading) {
          if (tolower(line[i]) ~ /unreleased/) { target = i; break }
          exit 4
        }
      }
      if (!target) { print "no \"## [Unreleased]\" or \"## " version " - unreleased\" section" > "/dev/stderr"; exit 3 }
      entries = 0; previous = ""
      for (j = target + 1; j <= NR; j++) {
        if (line[j] ~ /^## /) {
          if (match(line[j], /[0-9]+\.[0-9]+\.[0-9]+/)) previous = substr(line[j], RSTART, RLENGTH)
          break
        }
        if (line[j] ~ /[^ \t]/) entries++
      }
      if (!entries) { print "the section to release is empty: write what changed first" > "/dev/stderr"; exit 3 }
      base = "https://github.com/" repo
      if (previous != "") released = "[" version "]: " base "/compare/v" previous "...v" version
      else released = "[" version "]: " base "/releases/tag/v" version
      unreleased = "[Unreleased]: " base "/compare/v" version "...HEAD"
      linked = 0
      for (i = 1; i <= NR; i++) {
        if (i == target) { print "## [Unreleased]"; print ""; print "## [" version "] - " date; continue }
        if (line[i] ~ /^\[[Uu]nreleased\]: /) {
          if (!linked) { print unreleased; print released; linked = 1 }
          continue
        }
        if (!linked && line[i] ~ /^\[[0-9]+\.[0-9]+\.[0-9]+\]: /) { print unreleased; print released; linked = 1 }
        print line[i]
      }
      if (!linked) { print ""; print unreleased; print released }
    }' "${changelog}" > "${work}/new/${changelog}" || awk_status=$?
  case "${awk_status}" in
    0) ;;
    4)
      echo "release: ${changelog} already has a released [${version}] section; left as it is" >&2
      cp "${changelog}" "${work}/new/${changelog}"
      ;;
    *) die "${changelog}: see above" ;;
  esac

  local f
  for f in "${version_header}" "${port_manifest}" "${changelog}"; do
    if [ "${dry_run}" = yes ]; then
      diff -u --label "a/${f}" --label "b/${f}" "${f}" "${work}/new/${f}" || true
    else
      cp "${work}/new/${f}" "${f}"
    fi
  done
  if [ "${dry_run}" = yes ]; then
    echo "release: dry run, nothing written (${old} -> ${version})"
  else
    echo "release: ${old} -> ${version} in ${version_header}, ${port_manifest} and ${changelog}"
    if [ "${in_release:-no}" != yes ]; then
      echo "next: review (git diff); \`tools/release.sh release ${version}\` on the unchanged tree does the bump,"
      echo "      the release commit, README's pin and the port and recipe in one run"
    fi
  fi
  # README is not checked by packaging.version: show where it still names the old version.
  if grep -n -F -e "${old}" -e "v${old%.*}" README.md 2>/dev/null | sed 's/^/README.md:/' > "${work}/readme"; then
    echo "README.md still names ${old} on these lines (update them if they mean the latest release):"
    cat "${work}/readme"
  fi
}

# newest_release: the newest "## [X.Y.Z] - date" section of CHANGELOG.md.
newest_release() {
  sed -n 's/^## \[\([0-9]*\.[0-9]*\.[0-9]*\)\] - .*/\1/p' "${changelog}" | head -n 1
}

# readme_pin: README's FetchContent GIT_TAG.
readme_pin() {
  sed -n 's/^ *GIT_TAG \([^ )]*\).*/\1/p' README.md | head -n 1
}

# check_readme_pin <version>: README's GIT_TAG is a commit of HEAD's history that says <version>.
check_readme_pin() {
  local version=$1 pin commit at
  pin=$(readme_pin)
  [ -n "${pin}" ] || { echo "release: README.md has no FetchContent GIT_TAG line" >&2; return 1; }
  commit=$(git rev-parse -q --verify "${pin}^{commit}") ||
    { echo "release: README pins GIT_TAG ${pin}, which is no commit of this repository" >&2; return 1; }
  git merge-base --is-ancestor "${commit}" HEAD ||
    { echo "release: README pins ${pin}, which is not in the history of HEAD" >&2; return 1; }
  at=$(git show "${commit}:${version_header}" | header_version)
  [ "${at}" = "${version}" ] ||
    { echo "release: README pins ${pin}, whose ${version_header} says '${at}', not ${version}" >&2; return 1; }
  echo "release: README pins ${pin} (kore-webhook ${version}), a commit of HEAD's history"
}

cmd_check() {
  [ $# -eq 0 ] || usage
  cd "${root}"
  local version
  version=$(newest_release)
  [ -n "${version}" ] || die "${changelog} has no released '## [X.Y.Z] - <date>' section"
  check_readme_pin "${version}" || exit 1
}

# merge_conandata <conandata.yml or /dev/null> <version> <url> <sha256>: the file with this
# version's entry first and every other version's entry after it.
merge_conandata() {
  local existing=$1 version=$2 url=$3 sha256=$4
  printf 'sources:\n  "%s":\n    url: "%s"\n    sha256: "%s"\n' "${version}" "${url}" "${sha256}"
  awk -v version="${version}" '
    /^sources:/ { next }
    /^  "/ { skip = ($0 == "  \"" version "\":") }
    !skip { print }' "${existing}"
}

cmd_port() {
  local ref="" tarball="" out=""
  while [ $# -gt 0 ]; do
    case "$1" in
      --tarball) tarball=${2:-}; shift 2 ;;
      --out) out=${2:-}; shift 2 ;;
      -*) usage ;;
      *) [ -z "${ref}" ] || usage; ref=$1; shift ;;
    esac
  done
  # Paths given are relative to where the script is run from; the default is the project's build/.
  [ -z "${out}" ] || out=$(absolute "${out}")
  [ -z "${tarball}" ] || tarball=$(absolute "${tarball}")
  cd "${root}"
  [ -n "${out}" ] || out="${root}/build/release"
  local version kind
  if [[ "${ref}" =~ ^v((0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*))$ ]]; then
    version=${BASH_REMATCH[1]} kind=tag
    git rev-parse -q --verify "refs/tags/${ref}" > /dev/null || die "no tag ${ref} in ${root}"
  elif [[ "${ref}" =~ ^[0-9a-f]{7,40}$ ]]; then
    kind=commit
    ref=$(git rev-parse -q --verify "${ref}^{commit}") || die "no commit ${ref} in ${root}"
    version=$(git show "${ref}:${version_header}" | header_version)
    [ -n "${version}" ] || die "${ref}:${version_header} has no version"
  else
    die "give the release tag, vMAJOR.MINOR.PATCH, or the release commit's hash, not '${ref}'"
  fi

  # The release must be bumped: its own files say its version.
  local at_ref
  at_ref=$(git show "${ref}:${version_header}" | header_version)
  [ "${at_ref}" = "${version}" ] || die "${ref}:${version_header} says '${at_ref}', not ${version} (run bump before tagging)"
  at_ref=$(git show "${ref}:${port_manifest}" | manifest_version)
  [ "${at_ref}" = "${version}" ] || die "${ref}:${port_manifest} says '${at_ref}', not ${version}"
  local repo
  repo=$(git show "${ref}:${port_manifest}" | github_repo /dev/stdin)
  [ -n "${repo}" ] || die "${ref}:${port_manifest} has no https://github.com/<owner>/<name> homepage"
  mkdir -p "${out}"

  # GitHub's /archive/refs/tags/<tag>.tar.gz is `git archive` of the tag under <name>-<version>/,
  # its /archive/<commit>.tar.gz the same of the commit under <name>-<commit>/.
  local prefix url ref_line ref_shown
  if [ "${kind}" = tag ]; then
    prefix="${repo#*/}-${version}/"
    url="https://github.com/${repo}/archive/refs/tags/${ref}.tar.gz"
    ref_line='    REF "v${VERSION}"'
    ref_shown="REF \"v\${VERSION}\"   (${ref})"
  else
    prefix="${repo#*/}-${ref}/"
    url="https://github.com/${repo}/archive/${ref}.tar.gz"
    ref_line="    REF ${ref} # the release commit of \${VERSION}"
    ref_shown="REF ${ref}   (the release commit of ${version})"
  fi
  local made_by
  if [ -z "${tarball}" ]; then
    tarball="${out}/${repo#*/}-${ref}.tar.gz"
    git archive --format=tar.gz --prefix="${prefix}" -o "${tarball}" "${ref}"
    made_by="git archive of ${ref} (confirm with --tarball and GitHub's own file once it is pushed)"
  else
    [ -f "${tarball}" ] || die "no file ${tarball}"
    made_by="${tarball}"
  fi
  local sha512 sha256
  sha512=$(cmake -E sha512sum "${tarball}" | cut -d' ' -f1)
  sha256=$(cmake -E sha256sum "${tarball}" | cut -d' ' -f1)

  # The registry port: the release's overlay port with its source block replaced by the download.
  local port_dir="${out}/ports/kore-webhook"
  rm -rf "${port_dir}"
  mkdir -p "${port_dir}"
  git show "${ref}:${port_manifest}" > "${port_dir}/vcpkg.json"
  git show "${ref}:${port_file}" | awk -v repo="${repo}" -v sha512="${sha512}" -v ref_line="${ref_line}" '
    /^# BEGIN source$/ {
      print "vcpkg_from_github("
      print "    OUT_SOURCE_PATH SOURCE_PATH"
      print "    REPO " repo
      print ref_line
      print "    SHA512 " sha512
      print "    HEAD_REF main"
      print ")"
      skipping = 1; found++; next
    }
    /^# END source$/ { skipping = 0; next }
    !skipping { print }
    END { if (found != 1 || skipping) { print "no single # BEGIN source ... # END source block" > "/dev/stderr"; exit 3 } }
  ' > "${port_dir}/portfile.cmake" || die "${ref}:${port_file}: see above"

  merge_conandata /dev/null "${version}" "${url}" "${sha256}" > "${out}/conandata.yml"

  # The Conan Center recipe (recipes/kore-webhook/ in conan-center-index): conan/config.yml and
  # conan/all/ of this work tree, with this release's entry in all/conandata.yml and config.yml.
  local recipe="${out}/conan"
  if [ -f conan/all/conanfile.py ]; then
    rm -rf "${recipe}"
    mkdir -p "${recipe}"
    cp -R conan/all "${recipe}/all"
    local existing=conan/all/conandata.yml
    [ -f "${existing}" ] || existing=/dev/null
    merge_conandata "${existing}" "${version}" "${url}" "${sha256}" > "${recipe}/all/conandata.yml"
    existing=conan/config.yml
    [ -f "${existing}" ] || existing=/dev/null
    {
      echo "versions:"
      printf '  "%s":\n    folder: all\n' "${version}"
      awk -v version="${version}" '/^versions:/ { next } /^  "/ { skip = ($0 == "  \"" version "\":") } !skip { print }' "${existing}"
    } > "${recipe}/config.yml"
  fi

  echo "kore-webhook ${version}, ${kind} ${ref}"
  echo "tarball: ${made_by}"
  echo "  SHA512 ${sha512}"
  echo "  SHA256 ${sha256}"
  echo
  echo "vcpkg registry port (${port_dir}):"
  echo "  ${ref_shown}"
  echo "  SHA512 ${sha512}"
  echo
  echo "conandata.yml (${out}/conandata.yml):"
  cat "${out}/conandata.yml"
  [ ! -d "${recipe}" ] || echo "Conan Center recipe: ${recipe} (config.yml, all/)"
}

cmd_release() {
  local version="" date="" out=""
  while [ $# -gt 0 ]; do
    case "$1" in
      --date) date=${2:-}; shift 2 ;;
      --out) out=${2:-}; shift 2 ;;
      -*) usage ;;
      *) [ -z "${version}" ] || usage; version=$1; shift ;;
    esac
  done
  [ -n "${version}" ] || usage
  [ -z "${out}" ] || out=$(absolute "${out}")
  cd "${root}"
  [ -z "$(git status --porcelain --untracked-files=no)" ] || die "the work tree has changes: commit or stash them first"
  local old
  old=$(header_version < "${version_header}")

  # 1. The release commit: bump, and README's find_package and Conan versions.
  (in_release=yes cmd_bump "${version}" ${date:+--date "${date}"})
  sed -i -e "s/^find_package(kore_webhook [0-9][0-9.]* CONFIG REQUIRED)/find_package(kore_webhook ${version%.*} CONFIG REQUIRED)/" \
         -e "s|kore-webhook/${old//./\\.}|kore-webhook/${version}|g" README.md
  git commit -q -a -m "Release ${version} (tools/release.sh release ${version})" \
    -m "version.hpp, the vcpkg manifest, the CHANGELOG section and README's versions agree."
  local commit
  commit=$(git rev-parse HEAD)
  echo "release: release commit ${commit}"

  # 2. The registry port and the Conan Center recipe, from the release commit.
  [ -n "${out}" ] || out="${root}/build/release"
  (cmd_port "${commit}" --out "${out}")
  if [ -d "${out}/conan" ]; then
    cp "${out}/conan/all/conandata.yml" conan/all/conandata.yml
    cp "${out}/conan/config.yml" conan/config.yml
    git add conan/all/conandata.yml conan/config.yml
  fi

  # 3. README's FetchContent pin: the release commit, checked before it is committed.
  sed -i "s/^\( *GIT_TAG \)[^ )]*).*$/\1${commit})  # the release commit of ${version}/" README.md
  if ! check_readme_pin "${version}"; then
    git reset -q
    git checkout -q -- README.md conan
    die "README.md left as it was; the release commit ${commit} is made, the pin is not"
  fi
  git commit -q -a -m "README pins the ${version} release commit; conandata.yml has its tarball" \
    -m "FetchContent GIT_TAG ${commit}: a commit cannot name its own hash, hence this second commit."
  echo "release: README pins ${commit}; next: review the two commits, push main, then"
  echo "  tools/release.sh port ${commit} --tarball <GitHub's archive/${commit}.tar.gz>"
}

[ $# -ge 1 ] || usage
command=$1
shift
case "${command}" in
  release) cmd_release "$@" ;;
  check) cmd_check "$@" ;;
  bump) cmd_bump "$@" ;;
  port) cmd_port "$@" ;;
  -h | --help | help) usage ;;
  *) usage ;;
esac
