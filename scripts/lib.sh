# scripts/lib.sh - shared by scripts/run and scripts/test (sourced, not run).
# Installs what is missing from Debian, and builds with CMake.

# Debian packages needed to build and run lakehoused (the Dockerfile mirrors this list);
# python3 runs jobs' Python tasks (spark_python_task, python_wheel_task, Python notebooks).
LH_BUILD_PACKAGES="gcc make cmake pkg-config libmicrohttpd-dev libjansson-dev libsqlite3-dev
  libcurl4-openssl-dev libssl-dev libzstd-dev libsnappy-dev zlib1g-dev libxxhash-dev libpcre2-dev
  libyaml-dev tzdata python3"
# Extra packages for the test suite: clang + its runtime (libFuzzer), Node.js for the
# black-box and client tests, curl.
LH_TEST_PACKAGES="clang libclang-rt-14-dev nodejs npm curl openssl"

lh_log() { printf '[%s] %s\n' "$(basename "$0")" "$*" >&2; }

lh_sudo() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    lh_log "need root (or sudo) to run: $*"; return 1; fi
}

# lh_apt_install PKG...: install the packages that are not installed yet.
lh_apt_install() {
  local missing=() p
  for p in "$@"; do
    if [ "$p" = npm ] && command -v npm >/dev/null; then continue; fi
    if [ "$p" = nodejs ] && command -v node >/dev/null; then continue; fi
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  lh_log "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  lh_sudo apt-get update -qq >/dev/null
  lh_sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# lh_build DIR [--target T...] [CMAKE ARGS...]: configure (once) and build into DIR
# (RelWithDebInfo unless the args say otherwise). Warnings are errors when LH_WERROR=ON
# (scripts/test sets it; a user's scripts/run does not). LH_BUILD_TARGETS="t1 t2" builds
# only those targets too. On failure the build is re-run on one job so the errors print in
# full and in order.
lh_build() {
  local dir=$1; shift
  local targets=() cargs=() t
  while [ $# -gt 0 ]; do
    if [ "$1" = --target ]; then shift; while [ $# -gt 0 ] && [[ $1 != -* ]]; do targets+=("$1"); shift; done
    else cargs+=("$1"); shift; fi
  done
  for t in ${LH_BUILD_TARGETS:-}; do targets+=("$t"); done
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLH_WERROR="${LH_WERROR:-OFF}" "${cargs[@]}" >/dev/null || return 1
  local tg=(); [ ${#targets[@]} -gt 0 ] && tg=(--target "${targets[@]}")
  if ! cmake --build "$dir" -j "$(nproc)" "${tg[@]}" >"$dir/build.log" 2>&1; then
    lh_log "build failed in $dir:"
    cmake --build "$dir" -j1 "${tg[@]}" 2>&1 | grep -v '^\[' | grep -v '^gmake' >&2
    return 1
  fi
  grep -E 'warning' "$dir/build.log" >&2 || true
}
