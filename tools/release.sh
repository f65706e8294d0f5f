#!/usr/bin/env bash
# Prepares a kore-webhook release and prints what the package registries need for its tag.
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
#   tools/release.sh port <vX.Y.Z> [--tarball FILE] [--out DIR]
#       For a release tag: the tarball GitHub serves for it, its SHA512 for vcpkg and SHA256 for
#       Conan. Writes, from the tag's own files, the registry port (DIR/ports/kore-webhook: the
#       overlay port with vcpkg_from_github(REF, SHA512) instead of the checkout) and
#       DIR/conandata.yml (DIR defaults to build/release), and prints the values.
#       The tarball is made with `git archive` of the tag, as GitHub makes it; give --tarball with
#       the file downloaded from GitHub once the tag is pushed to hash the bytes users will get.
#
# Release steps: tools/release.sh bump X.Y.Z; review and commit; git tag -a vX.Y.Z; push the
# tag; tools/release.sh port vX.Y.Z --tarball <downloaded tarball>; submit the printed values.
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
    echo "next: review (git diff), commit, git tag -a v${version} -m 'kore-webhook ${version}', push the tag,"
    echo "      then: tools/release.sh port v${version} --tarball <the tag's tarball downloaded from GitHub>"
  fi
  # README is not checked by packaging.version: show where it still names the old version.
  if grep -n -F -e "${old}" -e "v${old%.*}" README.md 2>/dev/null | sed 's/^/README.md:/' > "${work}/readme"; then
    echo "README.md still names ${old} on these lines (update them if they mean the latest release):"
    cat "${work}/readme"
  fi
}

cmd_port() {
  local tag="" tarball="" out=""
  while [ $# -gt 0 ]; do
    case "$1" in
      --tarball) tarball=${2:-}; shift 2 ;;
      --out) out=${2:-}; shift 2 ;;
      -*) usage ;;
      *) [ -z "${tag}" ] || usage; tag=$1; shift ;;
    esac
  done
  [[ "${tag}" =~ ^v((0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*))$ ]] ||
    die "give the release tag, vMAJOR.MINOR.PATCH, not '${tag}'"
  local version=${BASH_REMATCH[1]}
  # Paths given are relative to where the script is run from; the default is the project's build/.
  [ -z "${out}" ] || out=$(absolute "${out}")
  [ -z "${tarball}" ] || tarball=$(absolute "${tarball}")
  cd "${root}"
  [ -n "${out}" ] || out="${root}/build/release"
  git rev-parse -q --verify "refs/tags/${tag}" > /dev/null || die "no tag ${tag} in ${root}"

  # The tag must be a bumped release: its own files say its version.
  local at_tag
  at_tag=$(git show "${tag}:${version_header}" | header_version)
  [ "${at_tag}" = "${version}" ] || die "${tag}:${version_header} says '${at_tag}', not ${version} (run bump before tagging)"
  at_tag=$(git show "${tag}:${port_manifest}" | manifest_version)
  [ "${at_tag}" = "${version}" ] || die "${tag}:${port_manifest} says '${at_tag}', not ${version}"
  local repo
  repo=$(git show "${tag}:${port_manifest}" | github_repo /dev/stdin)
  [ -n "${repo}" ] || die "${tag}:${port_manifest} has no https://github.com/<owner>/<name> homepage"
  mkdir -p "${out}"

  # GitHub's /archive/<tag>.tar.gz is `git archive` of the tag under <name>-<version>/.
  local made_by
  if [ -z "${tarball}" ]; then
    tarball="${out}/${repo#*/}-${tag}.tar.gz"
    git archive --format=tar.gz --prefix="${repo#*/}-${version}/" -o "${tarball}" "${tag}"
    made_by="git archive of ${tag} (confirm with --tarball and GitHub's own file once the tag is pushed)"
  else
    [ -f "${tarball}" ] || die "no file ${tarball}"
    made_by="${tarball}"
  fi
  local sha512 sha256
  sha512=$(cmake -E sha512sum "${tarball}" | cut -d' ' -f1)
  sha256=$(cmake -E sha256sum "${tarball}" | cut -d' ' -f1)

  # The registry port: the tag's overlay port with its source block replaced by the download.
  local port_dir="${out}/ports/kore-webhook"
  rm -rf "${port_dir}"
  mkdir -p "${port_dir}"
  git show "${tag}:${port_manifest}" > "${port_dir}/vcpkg.json"
  git show "${tag}:${port_file}" | awk -v repo="${repo}" -v sha512="${sha512}" '
    /^# BEGIN source$/ {
      print "vcpkg_from_github("
      print "    OUT_SOURCE_PATH SOURCE_PATH"
      print "    REPO " repo
      print "    REF \"v${VERSION}\""
      print "    SHA512 " sha512
      print "    HEAD_REF main"
      print ")"
      skipping = 1; found++; next
    }
    /^# END source$/ { skipping = 0; next }
    !skipping { print }
    END { if (found != 1 || skipping) { print "no single # BEGIN source ... # END source block" > "/dev/stderr"; exit 3 } }
  ' > "${port_dir}/portfile.cmake" || die "${tag}:${port_file}: see above"

  local url="https://github.com/${repo}/archive/refs/tags/${tag}.tar.gz"
  cat > "${out}/conandata.yml" <<EOF
sources:
  "${version}":
    url: "${url}"
    sha256: "${sha256}"
EOF

  cat <<EOF
kore-webhook ${version}, tag ${tag}
tarball: ${made_by}
  SHA512 ${sha512}
  SHA256 ${sha256}

vcpkg registry port (${port_dir}):
  REF "v\${VERSION}"   (${tag})
  SHA512 ${sha512}

conandata.yml (${out}/conandata.yml):
$(cat "${out}/conandata.yml")
EOF
}

[ $# -ge 1 ] || usage
command=$1
shift
case "${command}" in
  bump) cmd_bump "$@" ;;
  port) cmd_port "$@" ;;
  -h | --help | help) usage ;;
  *) usage ;;
esac
