#!/bin/bash
# The Debian package, as an operator gets it. `make deb` builds it with dpkg-buildpackage and
# lintian finds no error or warning; its files and conffiles are checked with dpkg-deb. Then it
# is installed for real with `dpkg -i`, maintainer scripts and all, into a scratch root: the
# machine's /usr, /etc and /var seen through overlays in a private mount namespace (an empty /run,
# a network namespace of its own with only loopback), so nothing of the machine changes and the
# package's loopback ports clash with nobody. There `systemd-analyze verify` checks the units as
# installed, and since no systemd runs as PID 1, the test starts the three daemons exactly as the
# units' ExecStartPre and ExecStart lines say, as their User and Group, with the umask and the
# state, runtime and configuration directories the units give them, with the configuration the
# package installs in /etc/socin: it submits as the administrator, reads the roll-up, and stops
# them with SIGTERM. Last, `dpkg --purge` removes the package.
#
# The namespace part needs root, unshare and overlayfs; where they are missing it says so
# ("SKIP - ...") and counts only the cases outside. Each case prints "ok - ..." or "FAIL - ...";
# the last line is "N passed, M failed". Needs SOCIN_ROOT (tests/run sets it).
set -u

SOCIN_ROOT=${SOCIN_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$SOCIN_ROOT/tests/e2e/lib.sh"

# ==== outside: build and inspect the package ====

if [ "${1:-}" != --inside ]; then
    tmp=$(mktemp -d /tmp/socin-deb.XXXXXX) || { echo "cannot make a temporary directory"; echo "0 passed, 1 failed"; exit 1; }
    trap 'rm -rf "$tmp"' EXIT
    trap 'exit 130' INT TERM

    begin "make deb builds the package with dpkg-buildpackage in build/deb/ and lintian finds no error or warning"
    make --no-print-directory -C "$SOCIN_ROOT" deb >"$tmp/out" 2>&1 || problem "make deb failed: $(grep -E '^[EW]: |error' "$tmp/out" | head -n 8) $(tail -n 4 "$tmp/out")"
    deb=$(ls "$SOCIN_ROOT"/build/deb/socin_*_"$(dpkg --print-architecture)".deb 2>/dev/null | head -n 1)
    [ -n "$deb" ] || problem "no socin_*.deb in build/deb/"
    end
    if [ -z "$deb" ]; then echo "$pass passed, $fail failed"; exit 1; fi

    begin "the package holds the daemons in /usr/sbin, socin in /usr/bin, the units, sysusers and tmpfiles snippets, the man pages, and /etc/socin/*.conf as conffiles"
    dpkg-deb -c "$deb" | awk '{ print $NF }' | sed 's|^\./|/|' >"$tmp/files"
    for f in /usr/bin/socin /usr/sbin/socin-registry /usr/sbin/socin-ingest /usr/sbin/socin-reporting \
        /lib/systemd/system/socin-registry.service /lib/systemd/system/socin-reporting.service \
        /lib/systemd/system/socin-ingest@.service /usr/lib/sysusers.d/socin.conf /usr/lib/tmpfiles.d/socin.conf \
        /usr/share/man/man1/socin.1.gz /usr/share/man/man5/socin.conf.5.gz /usr/share/man/man8/socin-registry.8.gz \
        /usr/share/man/man8/socin-ingest.8.gz /usr/share/man/man8/socin-reporting.8.gz \
        /usr/share/socin/catalogue.ini /usr/share/socin/proto/socin/v1/ingest.proto /usr/share/doc/socin/clients.md \
        /usr/share/doc/socin/examples/clients/submit.py /etc/socin/registry.conf /etc/socin/keys/; do
        expect_line "$tmp/files" "$f"
    done
    expect_no_line "$tmp/files" "/usr/local"
    dpkg-deb -I "$deb" conffiles >"$tmp/conffiles" 2>&1
    expect_eq "conffiles" "/etc/socin/client-admin.conf /etc/socin/ingest-CZ.conf /etc/socin/registry.conf /etc/socin/reporting.conf" \
        "$(sort "$tmp/conffiles" | tr '\n' ' ' | sed 's/ $//')"
    end

    # ---- can this machine make the scratch root? ----
    skip () {
        echo "SKIP - the package is not installed and run here: $1"
        echo "$pass passed, $fail failed"
        [ "$fail" -eq 0 ]
        exit
    }
    if [ "$(id -u)" != 0 ]; then
        skip "not running as root (dpkg -i and the mounts of the scratch root need it)"
    elif ! command -v unshare >/dev/null 2>&1 || ! command -v ip >/dev/null 2>&1; then
        skip "unshare (util-linux) or ip (iproute2) is missing"
    fi
    mkdir -p "$tmp/probe/l" "$tmp/probe/u" "$tmp/probe/w" "$tmp/probe/m"
    why=$(unshare --mount --net --propagation private sh -c \
        "mount -t overlay overlay -o lowerdir=$tmp/probe/l,upperdir=$tmp/probe/u,workdir=$tmp/probe/w $tmp/probe/m && ip link set lo up" 2>&1) ||
        skip "cannot make a mount and network namespace with an overlay: $why"
    # The rest runs in the namespaces; it removes $tmp itself.
    trap - EXIT
    exec unshare --mount --net --propagation private "$0" --inside "$deb" "$tmp" "$pass" "$fail"
fi

# ==== inside: a scratch root made of overlays, the package installed into it ====

deb=$2
tmp=$3
pass=$4
fail=$5
run=$tmp/run # what the test started: pids/, logs/ (lib.sh's $watched)
mkdir -p "$run/pids" "$run/logs"
mounted=""
cleanup () {
    local f pid i
    for f in "$run"/pids/*.pid; do
        [ -e "$f" ] || continue
        pid=$(cat "$f")
        kill -TERM "$pid" 2>/dev/null || continue
        for i in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null
    done
    for f in $mounted; do umount -l "$f"; done
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

case $tmp in /usr/*|/etc/*|/var/*|/run/*) echo "FAIL - the temporary directory $tmp is under a directory the scratch root overlays"; echo "$pass passed, $((fail + 1)) failed"; exit 1 ;; esac
for d in usr etc var; do
    mkdir -p "$tmp/ov/$d/up" "$tmp/ov/$d/work"
    mount -t overlay overlay -o "lowerdir=/$d,upperdir=$tmp/ov/$d/up,workdir=$tmp/ov/$d/work" "/$d" || { echo "FAIL - cannot overlay /$d"; exit 1; }
    mounted="/$d $mounted"
done
# Without systemd as PID 1: an empty /run (so the maintainer scripts see no /run/systemd/system).
mount -t tmpfs -o mode=755 tmpfs /run && mounted="/run $mounted"
ip link set lo up

begin "dpkg -i installs the package into the scratch root: the socin user (sysusers), its directories (tmpfiles), the configuration, and no unit enabled or started"
DEBIAN_FRONTEND=noninteractive dpkg -i "$deb" >"$tmp/out" 2>&1 || problem "dpkg -i failed: $(tail -n 6 "$tmp/out")"
getent passwd socin >"$tmp/pw" || problem "no socin user after dpkg -i"
expect_eq "socin's home" /var/lib/socin "$(cut -d: -f6 "$tmp/pw")"
expect_eq "/var/lib/socin" "socin:socin 750" "$(stat -c '%U:%G %a' /var/lib/socin 2>&1)"
expect_eq "/var/lib/socin/keys" "socin:socin 750" "$(stat -c '%U:%G %a' /var/lib/socin/keys 2>&1)"
for f in registry.conf reporting.conf ingest-CZ.conf client-admin.conf; do
    cmp -s "/etc/socin/$f" "$SOCIN_ROOT/deploy/etc/socin/$f" || problem "/etc/socin/$f is not deploy/etc/socin/$f"
done
[ -d /run/socin ] || problem "/run/socin was not made (tmpfiles)"
enabled=$(find /etc/systemd/system -name 'socin*' 2>/dev/null)
[ -z "$enabled" ] || problem "units enabled at installation: $enabled"
[ -z "$(find /run -name 'ctl.sock' 2>/dev/null)" ] || problem "a daemon already runs: $(find /run -name ctl.sock)"
end

begin "systemd-analyze verify passes on the installed units, as installed (socin-registry, socin-reporting, socin-ingest@CZ)"
(cd /lib/systemd/system && systemd-analyze verify socin-registry.service socin-reporting.service socin-ingest@CZ.service) >"$tmp/out" 2>&1
[ -s "$tmp/out" ] && problem "systemd-analyze verify: $(head -c 600 "$tmp/out")"
end

# unit_get UNIT KEY: the values of KEY= in the installed unit UNIT (socin-ingest@CZ reads the
# template with %i as CZ), one per line.
unit_get () {
    local file inst=""
    case $1 in
    *@*) file=/lib/systemd/system/${1%@*}@.service; inst=${1#*@} ;;
    *) file=/lib/systemd/system/$1.service ;;
    esac
    sed -n "s/^$2=//p" "$file" | sed "s/%i/$inst/g"
}
# as_unit UNIT COMMAND...: runs COMMAND as the unit's Exec lines run: its User and Group (with
# their supplementary groups), its UMask, systemd's environment for a service with User= and
# directories (HOME, USER, LOGNAME, SHELL, PATH, STATE_DIRECTORY, RUNTIME_DIRECTORY,
# CONFIGURATION_DIRECTORY), from / . It replaces the shell it runs in: call it in a subshell.
as_unit () {
    local u=$1 user group pw w state="" runtime="" conf=""
    shift
    user=$(unit_get "$u" User); group=$(unit_get "$u" Group)
    pw=$(getent passwd "$user")
    for w in $(unit_get "$u" StateDirectory); do state=$state${state:+:}/var/lib/$w; done
    for w in $(unit_get "$u" RuntimeDirectory); do runtime=$runtime${runtime:+:}/run/$w; done
    for w in $(unit_get "$u" ConfigurationDirectory); do conf=$conf${conf:+:}/etc/$w; done
    cd / && exec env -i HOME="$(echo "$pw" | cut -d: -f6)" USER="$user" LOGNAME="$user" SHELL="$(echo "$pw" | cut -d: -f7)" \
        PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin STATE_DIRECTORY="$state" RUNTIME_DIRECTORY="$runtime" \
        CONFIGURATION_DIRECTORY="$conf" setpriv --reuid="$user" --regid="$group" --init-groups \
        /bin/sh -c 'umask "$0"; exec "$@"' "$(unit_get "$u" UMask)" "$@"
}
# prepare UNIT: the directories systemd makes before starting it (StateDirectory=,
# RuntimeDirectory= with their modes, owned by User and Group; ConfigurationDirectory= must exist).
prepare () {
    local u=$1 w owner
    owner=$(unit_get "$u" User):$(unit_get "$u" Group)
    for w in $(unit_get "$u" StateDirectory); do
        install -d -o "${owner%:*}" -g "${owner#*:}" -m "$(unit_get "$u" StateDirectoryMode)" "/var/lib/$w"
    done
    for w in $(unit_get "$u" RuntimeDirectory); do
        install -d -o "${owner%:*}" -g "${owner#*:}" -m "$(unit_get "$u" RuntimeDirectoryMode)" "/run/$w"
    done
    for w in $(unit_get "$u" ConfigurationDirectory); do
        [ -d "/etc/$w" ] || problem "$u: ConfigurationDirectory /etc/$w does not exist"
    done
}
# start UNIT CONTROL_SOCKET: prepare, ExecStartPre (must exit 0), then ExecStart in the
# background (logs in $run/logs, pid in $run/pids); waits until the control socket answers.
start () {
    local u=$1 sock=$2 pre cmd pid i
    pre=$(unit_get "$u" ExecStartPre); cmd=$(unit_get "$u" ExecStart)
    case "$pre$cmd" in [-+!@:]*) problem "$u: an Exec line with a prefix this test does not emulate"; return 1 ;; esac
    prepare "$u"
    # shellcheck disable=SC2086 # the Exec lines are plain words, as systemd splits them
    (as_unit "$u" $pre) >"$run/logs/$u.pre" 2>&1 || { problem "$u: ExecStartPre=$pre failed: $(cat "$run/logs/$u.pre")"; return 1; }
    # shellcheck disable=SC2086
    (as_unit "$u" $cmd) >>"$run/logs/$u.log" 2>&1 &
    pid=$!
    echo $pid >"$run/pids/$u.pid"
    for i in $(seq 1 200); do
        socin ctl "$sock" status >/dev/null 2>&1 && return 0
        kill -0 $pid 2>/dev/null || { problem "$u died: $(tail -n 4 "$run/logs/$u.log")"; return 1; }
        sleep 0.1
    done
    problem "$u: $sock did not answer within 20 s"
    return 1
}
# admin ARGS...: the socin command as the administrator's settings say (as the socin user, who
# can read the bootstrap admin key).
admin () { (as_unit socin-registry /usr/bin/socin --timeout-ms 10000 --config /etc/socin/client-admin.conf "$@"); }
field () { socin ctl "$1" status 2>/dev/null | sed -n "s/^$2://p"; }

begin "the three daemons start as their units' ExecStartPre and ExecStart say, as the socin user, with the installed configuration"
start socin-registry /run/socin/registry/ctl.sock &&
    start socin-reporting /run/socin/reporting/ctl.sock &&
    start socin-ingest@CZ /run/socin/ingest-CZ/ctl.sock
for p in "$run"/pids/*.pid; do
    [ -e "$p" ] || continue
    expect_eq "user of $(basename "$p" .pid)" socin "$(ps -o user= -p "$(cat "$p")" | tr -d ' ')"
done
for f in registry.cert reporting.cert ingest-CZ.cert admin.cert; do
    [ -f "/var/lib/socin/keys/$f" ] || problem "/var/lib/socin/keys/$f was not published"
done
expect_eq "control socket" "socin 600" "$(stat -c '%U %a' /run/socin/registry/ctl.sock 2>&1)"
end
watched=$run

begin "the administrator submits through the installed ingest, and reporting's roll-up has the values"
period=$(date -d "$(date +%Y-%m-15) -1 month" +%Y%m)
i=0
while [ "$(field /run/socin/ingest-CZ/ctl.sock replica_state)" != live ]; do
    i=$((i + 1)); [ $i -lt 200 ] || { problem "the ingest's replica is not live after 20 s"; break; }
    sleep 0.1
done
printf '%s\n' dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value,storedby,lastupdated,comment,followup \
    "PART_EVENTS,$period,554782,event_type=public_meeting,,3,,,," "PART_EVENTS,$period,500496,event_type=round_table,,4,,,," >"$tmp/values.csv"
admin submit - <"$tmp/values.csv" >"$tmp/out" 2>&1 || problem "socin submit: $(cat "$tmp/out")"
grep -q "imported 2, updated 0, ignored 0, deleted 0, rejected 0" "$tmp/out" || problem "unexpected summary: $(cat "$tmp/out")"
i=0
while :; do
    admin --format csv report rollup --indicator PART_EVENTS --period "$period" >"$tmp/out" 2>&1
    [ "$(sed -n 2p "$tmp/out" | cut -d, -f1,5,6)" = "CZ,7,2" ] && break
    i=$((i + 1)); [ $i -lt 100 ] || { problem "the national roll-up of $period is not 7 from 2 values: $(cat "$tmp/out")"; break; }
    sleep 0.1
done
end

begin "SIGTERM stops each daemon: it drains and exits 0 well within the units' TimeoutStopSec, and its control socket goes"
watched=""
for u in socin-ingest@CZ socin-reporting socin-registry; do
    [ -f "$run/pids/$u.pid" ] || continue
    pid=$(cat "$run/pids/$u.pid")
    t0=$(date +%s)
    kill -TERM "$pid"
    wait "$pid"
    code=$?
    rm -f "$run/pids/$u.pid"
    expect_eq "$u's exit status" 0 "$code"
    limit=$(unit_get "$u" TimeoutStopSec); limit=${limit%s}
    [ $(($(date +%s) - t0)) -lt "$limit" ] || problem "$u took $(($(date +%s) - t0)) s to stop"
    grep -q 'level=info' "$run/logs/$u.log" || problem "$u logged nothing"
done
[ -z "$(find /run/socin -name ctl.sock 2>/dev/null)" ] || problem "control sockets left: $(find /run/socin -name ctl.sock)"
end

begin "dpkg --purge removes the package: binaries, units and configuration"
DEBIAN_FRONTEND=noninteractive dpkg --purge socin >"$tmp/out" 2>&1 || problem "dpkg --purge failed: $(tail -n 6 "$tmp/out")"
for f in /usr/sbin/socin-registry /usr/bin/socin /lib/systemd/system/socin-registry.service /etc/socin/registry.conf; do
    [ -e "$f" ] && problem "$f is still there"
done
end

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
