#!/bin/sh
# check_package_install.sh DEB - installs the Debian package on this
# machine and checks what its maintainer scripts do, then purges it:
#   install: the system user fixit, /var/lib/fixit fixit:fixit 0700,
#     /etc/fixit/fixit.yaml from the example (and fixitd -n accepts it),
#     /etc/credstore 0700, the unit enabled (the multi-user.target.wants
#     link) and not started;
#   reinstall over it: a changed config is kept, a disabled unit stays
#     disabled;
#   remove: the binary gone, the unit masked, the config kept;
#   purge: the config gone, the database kept.
# Root only, and only where nothing of fixit is installed yet (no package,
# no user fixit, no /var/lib/fixit): .ci/run runs it on CI's machine, not
# CTest. Leaves the machine as it found it (the user and /var/lib/fixit
# it made are removed at the end).
deb=$1
pass=0
fail=0
ok() {
	what=$1
	shift
	if "$@" >/tmp/fixit-pkg-check.out 2>&1; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL: $what"
		sed 's/^/    /' /tmp/fixit-pkg-check.out | head -20
	fi
}
if [ "$(id -u)" -ne 0 ] || dpkg-query -W fixit >/dev/null 2>&1 ||
    getent passwd fixit >/dev/null || [ -e /var/lib/fixit ] ||
    [ -e /etc/fixit ]; then
	echo "check_package_install: not root, or fixit already here: skipped"
	exit 0
fi
wants=/etc/systemd/system/multi-user.target.wants/fixitd.service
had_credstore=0
[ -d /etc/credstore ] && had_credstore=1

ok "dpkg -i" dpkg -i "$deb"
ok "the user fixit is a system user" sh -c \
	'[ "$(getent passwd fixit | cut -d: -f3)" -lt 1000 ] &&
	getent passwd fixit | grep -q ":/var/lib/fixit:/usr/sbin/nologin$"'
ok "the group fixit" getent group fixit
ok "/var/lib/fixit is fixit:fixit 0700" test \
	"$(stat -c '%U:%G %a' /var/lib/fixit)" = "fixit:fixit 700"
ok "/etc/fixit/fixit.yaml is the example" \
	cmp /etc/fixit/fixit.yaml /usr/share/fixit/fixit.example.yaml
ok "the installed fixitd accepts it" /usr/sbin/fixitd -n -c /etc/fixit/fixit.yaml
ok "/etc/credstore is 0700" test "$(stat -c %a /etc/credstore)" = 700
ok "the unit is enabled" test -L "$wants"
ok "and not started" sh -c '! pgrep -u fixit'
echo "# changed" >>/etc/fixit/fixit.yaml
rm -f "$wants"
ok "dpkg -i again (upgrade)" dpkg -i "$deb"
ok "the changed config is kept" grep -q '^# changed$' /etc/fixit/fixit.yaml
ok "the disabled unit stays disabled" test ! -e "$wants"
ok "dpkg -r" dpkg -r fixit
ok "the binary is gone" test ! -e /usr/sbin/fixitd
ok "the unit is masked" test "$(readlink /etc/systemd/system/fixitd.service)" \
	= /dev/null
ok "the config is kept" test -f /etc/fixit/fixit.yaml
ok "dpkg -P" dpkg -P fixit
ok "the config is gone" test ! -e /etc/fixit
ok "the unit is not masked any more" test ! -e /etc/systemd/system/fixitd.service
ok "the database directory is kept" test -d /var/lib/fixit

# leave the machine as it was
deluser --quiet --system fixit >/dev/null 2>&1 || userdel fixit
getent group fixit >/dev/null && groupdel fixit
rm -rf /var/lib/fixit
[ "$had_credstore" -eq 1 ] || rmdir /etc/credstore
rm -f /tmp/fixit-pkg-check.out
echo "check_package_install: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
