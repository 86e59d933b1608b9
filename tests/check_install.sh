#!/bin/sh
# check_install.sh SRC BUILD [CPACK] - what `cmake --install` and the
# Debian package put where (cmake/Install.cmake):
#  1. cmake --install BUILD --prefix STAGE: the binary, the unit naming
#     that binary, the man page, the example config (which the installed
#     fixitd -n accepts), the docs;
#  2. where dpkg-deb is: cpack -G DEB, then its control fields (-I), its
#     maintainer scripts (sh -n, mode 0755) and its files (-c, -x): the
#     unit in the package is deploy/fixitd.service as checked in.
# Counts its checks: "check_install: N passed, N failed".
src=$1
build=$2
cpack=${3:-cpack}
pass=0
fail=0
tmp=$(mktemp -d /tmp/fixit-check-install-XXXXXX)
trap 'rm -rf "$tmp"' EXIT

ok() {	# ok WHAT COMMAND...
	what=$1
	shift
	if "$@" >"$tmp/out" 2>&1; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL: $what"
		sed 's/^/    /' "$tmp/out" | head -20
	fi
}

has() {	# has FILE PATTERN: FILE has a line matching PATTERN (grep -E)
	grep -qE -- "$2" "$1" || { echo "no /$2/ in $1"; return 1; }
}

stage=$tmp/stage
ok "cmake --install into a staging prefix" \
	cmake --install "$build" --prefix "$stage"
ok "sbin/fixitd is executable" test -x "$stage/sbin/fixitd"
unit=$stage/lib/systemd/system/fixitd.service
ok "the unit is installed" test -f "$unit"
ok "the unit starts the installed binary" \
	has "$unit" "^ExecStart=$stage/sbin/fixitd -c /etc/fixit/fixit.yaml\$"
ok "the unit checks the config with it first" \
	has "$unit" "^ExecStartPre=$stage/sbin/fixitd -n -c "
ok "the unit runs as the package's user" has "$unit" '^User=fixit$'
if command -v systemd-analyze >/dev/null 2>&1; then
	# no unknown key, bad value or missing binary: silent
	ok "systemd-analyze verify the installed unit" sh -c \
		"out=\$(systemd-analyze verify '$unit' 2>&1); echo \"\$out\";
		[ -z \"\$out\" ]"
fi
ok "the man page is gzip'd roff" gzip -t "$stage/share/man/man8/fixitd.8.gz"
ok "the man page has NAME and SYNOPSIS" sh -c \
	"gzip -dc '$stage/share/man/man8/fixitd.8.gz' | grep -q '^\.SH SYNOPSIS'"
ex=$stage/share/fixit/fixit.example.yaml
ok "the example config is installed" cmp "$ex" "$src/deploy/fixit.example.yaml"
ok "the installed fixitd accepts the installed example" \
	env -u FIXIT_SLACK_SIGNING_SECRET -u FIXIT_SLACK_BOT_TOKEN \
	"$stage/sbin/fixitd" -n -c "$ex"
ok "the price table is installed" cmp "$stage/share/fixit/prices.json" \
	"$src/deploy/prices.json"
ok "alert rules and the Slack manifest are installed" test -f \
	"$stage/share/fixit/alerts/fixit-rules.yaml" -a -f \
	"$stage/share/fixit/slack-app-manifest.yaml"
ok "the docs are installed" test -f "$stage/share/doc/fixit/README.md" -a \
	-f "$stage/share/doc/fixit/README.deploy.md"
ok "nothing is installed outside the prefix" sh -c \
	"! grep -v '^$stage/' '$build/install_manifest.txt'"

if ! command -v dpkg-deb >/dev/null 2>&1; then
	echo "check_install: dpkg-deb not found: the Debian package not built"
else
	pkg=$tmp/pkg
	ok "cpack -G DEB" "$cpack" -G DEB -B "$pkg" \
		--config "$build/CPackConfig.cmake"
	deb=$(ls "$pkg"/fixit_*.deb 2>/dev/null | head -1)
	ok "one fixit_VERSION_ARCH.deb" test -n "$deb"
	[ -n "$deb" ] || deb=/nonexistent
	dpkg-deb -I "$deb" >"$tmp/info" 2>&1
	dpkg-deb -c "$deb" >"$tmp/list" 2>&1
	ok "control: Package" has "$tmp/info" '^ Package: fixit$'
	ok "control: Version" has "$tmp/info" '^ Version: [0-9]+\.[0-9]+\.[0-9]+-1$'
	ok "control: Architecture" has "$tmp/info" "^ Architecture: $(dpkg --print-architecture)\$"
	ok "control: Maintainer" has "$tmp/info" '^ Maintainer: .+<.+@.+>$'
	ok "control: Section, Priority" sh -c \
		"grep -q '^ Section: admin$' '$tmp/info' && grep -q '^ Priority: optional$' '$tmp/info'"
	ok "control: Description" has "$tmp/info" '^ Description: .+'
	for lib in libmicrohttpd12 libcurl4 libjansson4 libssl3 libsqlite3-0 \
	    libyaml-0-2 libxml2 ca-certificates adduser; do
		ok "Depends: $lib" sh -c "sed -n 's/^ Depends: //p' '$tmp/info' |
			tr -d ' ' | tr ',' '\n' | grep -qx '$lib'"
	done
	for f in postinst prerm postrm; do
		ok "control: $f" has "$tmp/info" " [0-9]+ bytes, +[0-9]+ lines +\* +$f +#!/bin/sh"
	done
	for f in ./usr/sbin/fixitd ./usr/lib/systemd/system/fixitd.service \
	    ./usr/share/man/man8/fixitd.8.gz \
	    ./usr/share/fixit/fixit.example.yaml \
	    ./usr/share/fixit/prices.json \
	    ./usr/share/doc/fixit/README.md; do
		ok "data: $f" has "$tmp/list" " $f\$"
	done
	ok "data: fixitd is 0755 root/root" has "$tmp/list" \
		'^-rwxr-xr-x root/root .* \./usr/sbin/fixitd$'
	ok "data: nothing under /usr/local, /etc or /var" sh -c \
		"! grep -E ' \./(usr/local|etc|var)/' '$tmp/list'"
	ok "dpkg-deb -x" dpkg-deb -x "$deb" "$tmp/root"
	ok "the package's unit is deploy/fixitd.service" \
		cmp "$tmp/root/usr/lib/systemd/system/fixitd.service" \
		"$src/deploy/fixitd.service"
	ok "dpkg-deb -e" dpkg-deb -e "$deb" "$tmp/control"
	for f in postinst prerm postrm; do
		ok "$f parses" sh -n "$tmp/control/$f"
		ok "$f is 0755" test "$(stat -c %a "$tmp/control/$f")" = 755
	done
	ok "postinst makes the user, the state dir and enables the unit" \
		sh -c "grep -q 'adduser .*--system' '$tmp/control/postinst' &&
		grep -q 'chmod 0700 /var/lib/fixit' '$tmp/control/postinst' &&
		grep -q 'deb-systemd-helper enable fixitd.service' '$tmp/control/postinst' &&
		! grep -v '^[[:space:]]*#' '$tmp/control/postinst' |
		grep -qE 'systemctl (--system )?start|deb-systemd-invoke start'"
	ls -l "$deb" | awk '{print "check_install: " $5 " bytes " $NF}'
fi
echo "check_install: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
