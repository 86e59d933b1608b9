#!/usr/bin/env bash
# fixit.sh - the two Quick start commands (see README.md):
#   ./fixit.sh run [--demo]   install what is missing, build, run fixitd on
#                             deploy/fixit.example.yaml
#   ./fixit.sh test           install, build (-Werror) and run every test,
#                             then again under address+undefined sanitizers
# Other verbs: deps (install only), build, check (fixitd -n on a config).
set -euo pipefail
cd "$(dirname "$0")"

PKGS=(build-essential cmake pkg-config python3 libmicrohttpd-dev
      libcurl4-openssl-dev libjansson-dev libssl-dev libsqlite3-dev
      libyaml-dev libxml2-dev sqlite3 clang-format)

deps() {
	local missing=()
	for p in "${PKGS[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q "install ok installed" || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	echo "fixit.sh: installing ${missing[*]}"
	local sudo=""
	[ "$(id -u)" -eq 0 ] || sudo="sudo"
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
		--no-install-recommends "${missing[@]}"
}

build() {	# build DIR [cmake args...]
	local dir=$1; shift
	cmake -S . -B "$dir" -DFIXIT_WERROR=ON "$@" >/dev/null
	cmake --build "$dir" -j"$(nproc)"
}

case "${1:-}" in
deps)
	deps ;;
build)
	deps; build build ;;
run)
	shift
	deps; build build
	mkdir -p run
	cd run
	echo "fixit.sh: fixitd on deploy/fixit.example.yaml (database run/fixit.db; Ctrl-C stops)"
	exec ../build/fixitd -c ../deploy/fixit.example.yaml "$@" ;;
check)
	shift
	deps; build build
	exec build/fixitd -n -c "${1:-deploy/fixit.example.yaml}" ;;
test)
	deps
	build build
	(cd build && ctest --output-on-failure -j2)
	echo "fixit.sh: again under address+undefined sanitizers"
	build build-asan -DFIXIT_SANITIZE=address -DCMAKE_BUILD_TYPE=Debug
	(cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		ctest --output-on-failure -j2) ;;
*)
	echo "usage: ./fixit.sh run [--demo] | test | deps | build | check [FILE]" >&2
	exit 2 ;;
esac
