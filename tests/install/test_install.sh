#!/bin/bash
# make install as GNU's conventions have it: everything under prefix (PREFIX), each path below
# DESTDIR; the units name the installed daemons; the configuration an operator edited survives a
# second install; make uninstall takes it all away again but the configuration. No root needed:
# every install goes into the test's temporary directory.
#
# Each case prints "ok - ..." or "FAIL - ..."; the last line is "N passed, M failed".
# Needs SOCIN_ROOT, SOCIN_BIN, SOCIN_BUILD (tests/run sets them).
set -u

SOCIN_ROOT=${SOCIN_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
SOCIN_BIN=$(cd "${SOCIN_BIN:-$SOCIN_ROOT/bin}" && pwd)
SOCIN_BUILD=${SOCIN_BUILD:-$SOCIN_ROOT/build}

. "$SOCIN_ROOT/tests/e2e/lib.sh"
temp_dir socin-install

# mk TARGET VAR=VALUE...: make in the repository with the binaries under test; output in $tmp/out.
mk () { make --no-print-directory -C "$SOCIN_ROOT" BUILD="$SOCIN_BUILD" BIN="$SOCIN_BIN" "$@" >"$tmp/out" 2>&1; rc=$?; }
# expect_file ROOT PATH MODE: PATH exists below ROOT with MODE (octal, as stat prints it).
expect_file () {
    if [ ! -f "$1$2" ]; then problem "$2 is not installed"; return; fi
    [ "$(stat -c %a "$1$2")" = "$3" ] || problem "$2 has mode $(stat -c %a "$1$2"), expected $3"
}

root=$tmp/root
begin "make install DESTDIR=... puts the binaries, units, sysusers and tmpfiles snippets, configuration, man pages and data under /usr/local and /etc/socin"
mk install DESTDIR="$root"
[ $rc = 0 ] || problem "make install failed: $(tail -n 5 "$tmp/out")"
for f in /usr/local/bin/socin /usr/local/sbin/socin-registry /usr/local/sbin/socin-ingest /usr/local/sbin/socin-reporting; do
    expect_file "$root" "$f" 755
done
for f in /usr/local/lib/systemd/system/socin-registry.service /usr/local/lib/systemd/system/socin-reporting.service \
    /usr/local/lib/systemd/system/socin-ingest@.service /usr/local/lib/sysusers.d/socin.conf \
    /usr/local/lib/tmpfiles.d/socin.conf /etc/socin/registry.conf /etc/socin/reporting.conf \
    /etc/socin/ingest-CZ.conf /etc/socin/client-admin.conf /usr/local/share/man/man1/socin.1 \
    /usr/local/share/man/man5/socin.conf.5 /usr/local/share/man/man8/socin-registry.8 \
    /usr/local/share/man/man8/socin-ingest.8 /usr/local/share/man/man8/socin-reporting.8 \
    /usr/local/share/socin/catalogue.ini /usr/local/share/socin/proto/socin/v1/ingest.proto \
    /usr/local/share/doc/socin/clients.md /usr/local/share/doc/socin/operations.md \
    /usr/local/share/doc/socin/examples/ingest-CZ064.conf /usr/local/share/doc/socin/examples/clients/submit.c \
    /usr/local/share/doc/socin/examples/clients/submit.py; do
    expect_file "$root" "$f" 644
done
[ -d "$root/etc/socin/keys" ] || problem "/etc/socin/keys is not made"
cmp -s "$root/usr/local/share/socin/catalogue.ini" "$SOCIN_ROOT/services/registry/data/catalogue.ini" ||
    problem "the installed catalogue is not the embedded one"
stray=$(cd "$root" && find . -type f | grep -Ev '^\./(usr/local|etc/socin)/')
[ -z "$stray" ] || problem "files outside /usr/local and /etc/socin: $stray"
end

begin "the installed units start the installed daemons: ExecStartPre (-n) and ExecStart name /usr/local/sbin, nothing left to substitute"
for u in socin-registry socin-reporting socin-ingest@; do
    f=$root/usr/local/lib/systemd/system/$u.service
    [ -f "$f" ] || continue
    d=${u%@}
    c=$([ "$u" = socin-ingest@ ] && echo "/etc/socin/ingest-%i.conf" || echo "/etc/socin/${d#socin-}.conf")
    expect_line "$f" "ExecStartPre=/usr/local/sbin/$d -c $c -n"
    expect_line "$f" "ExecStart=/usr/local/sbin/$d -c $c"
    expect_no_line "$f" "@sbindir@"
done
end

begin "the installed configuration passes each installed daemon's -n, and the socin command reads client-admin.conf"
for d in registry reporting; do
    "$root/usr/local/sbin/socin-$d" -c "$root/etc/socin/$d.conf" -n >"$tmp/out" 2>&1 || problem "socin-$d -n: $(cat "$tmp/out")"
done
"$root/usr/local/sbin/socin-ingest" -c "$root/etc/socin/ingest-CZ.conf" -n >"$tmp/out" 2>&1 || problem "socin-ingest -n: $(cat "$tmp/out")"
"$root/usr/local/bin/socin" --config "$root/etc/socin/client-admin.conf" help >/dev/null 2>"$tmp/out" || problem "socin --config client-admin.conf: $(cat "$tmp/out")"
end

begin "a second make install keeps the configuration the operator edited"
echo "log_level = debug" >>"$root/etc/socin/registry.conf"
mk install DESTDIR="$root"
[ $rc = 0 ] || problem "make install failed: $(tail -n 5 "$tmp/out")"
expect_line "$root/etc/socin/registry.conf" "log_level = debug"
grep -q "keeping .*/etc/socin/registry.conf" "$tmp/out" || problem "make install did not say it kept registry.conf"
end

begin "make uninstall removes what make install put there, except the configuration"
mk uninstall DESTDIR="$root"
[ $rc = 0 ] || problem "make uninstall failed: $(tail -n 5 "$tmp/out")"
left=$(cd "$root" && find . -type f | grep -v '^\./etc/socin/' | head -n 5)
[ -z "$left" ] || problem "left behind: $left"
[ -f "$root/etc/socin/registry.conf" ] || problem "the configuration was removed"
end

begin "PREFIX=/opt/socin (and prefix, sbindir, unitdir) move the files, and the units follow"
mk install DESTDIR="$tmp/opt" PREFIX=/opt/socin
[ $rc = 0 ] || problem "make install PREFIX=/opt/socin failed: $(tail -n 5 "$tmp/out")"
expect_line "$tmp/opt/opt/socin/lib/systemd/system/socin-registry.service" "ExecStart=/opt/socin/sbin/socin-registry -c /etc/socin/registry.conf"
expect_file "$tmp/opt" /opt/socin/share/man/man8/socin-ingest.8 644
mk install DESTDIR="$tmp/usr" prefix=/usr sbindir=/usr/lib/socin unitdir=/lib/systemd/system
[ $rc = 0 ] || problem "make install prefix=/usr ... failed: $(tail -n 5 "$tmp/out")"
expect_line "$tmp/usr/lib/systemd/system/socin-ingest@.service" "ExecStart=/usr/lib/socin/socin-ingest -c /etc/socin/ingest-%i.conf"
expect_file "$tmp/usr" /usr/lib/socin/socin-ingest 755
expect_file "$tmp/usr" /usr/bin/socin 755
end

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
