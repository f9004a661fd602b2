#!/bin/bash
# The man pages (man/): well-formed mdoc, and complete: every configuration key each daemon
# lists with -h is in socin.conf(5) (in the daemon's section or the shared one), every setting
# `socin help` lists is in socin(1) and socin.conf(5), every control command each daemon answers
# `help` with (asked over the control socket of a running stack) is in the daemon's page — and
# the pages name no key or command the programs do not have.
#
# Each case prints "ok - ..." or "FAIL - ..."; the last line is "N passed, M failed".
# Needs SOCIN_ROOT, SOCIN_BIN (tests/run sets them); mandoc (Debian: mandoc) for the lint case.
set -u

SOCIN_ROOT=${SOCIN_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
SOCIN_BIN=$(cd "${SOCIN_BIN:-$SOCIN_ROOT/bin}" && pwd)
man=$SOCIN_ROOT/man

. "$SOCIN_ROOT/tests/e2e/lib.sh"
temp_dir socin-man

# entries PAGE MACRO: "SECTION<TAB>WORD" for each ".It MACRO WORD" line of PAGE, SECTION being the
# .Ss (or .Sh) heading above it.
entries () { awk -v m="$2" '/^\.S[hs] / { sec = substr($0, 5) } $1 == ".It" && $2 == m { print sec "\t" $3 }' "$1"; }
# in_section PAGE MACRO SECTION: the words of those entries under SECTION.
in_section () { entries "$1" "$2" | awk -F'\t' -v s="$3" '$1 == s { print $2 }' | sort -u; }
# missing WANTED HAVE: the lines of WANTED not in HAVE (both sorted lists).
missing () { comm -23 <(printf '%s\n' "$1" | sort -u) <(printf '%s\n' "$2" | sort -u) | grep -v '^$' | tr '\n' ' '; }
# keys_of DAEMON: the keys socin-DAEMON -h lists.
keys_of () { "$SOCIN_BIN/socin-$1" -h 2>&1 | sed -n 's/^  \([a-z][a-z0-9_]*\)  .*/\1/p' | sort -u; }

pages="socin.1 socin.conf.5 socin-registry.8 socin-ingest.8 socin-reporting.8"

begin "the five pages exist and mandoc -Tlint finds nothing at warning level"
for p in $pages; do [ -f "$man/$p" ] || problem "man/$p is missing"; done
if command -v mandoc >/dev/null 2>&1; then
    (cd "$man" && mandoc -Tlint -W warning $pages) >"$tmp/out" 2>&1 || problem "$(head -n 8 "$tmp/out")"
else
    problem "mandoc is not installed (Debian: mandoc)"
fi
end

shared=$(in_section "$man/socin.conf.5" Cm "Keys of every daemon")
begin "socin.conf(5) has every key of every daemon (socin-X -h), and its shared section only keys every daemon has"
for d in registry ingest reporting; do
    keys=$(keys_of "$d")
    [ -n "$keys" ] || { problem "socin-$d -h listed no keys"; continue; }
    own=$(in_section "$man/socin.conf.5" Cm "socin-$d")
    m=$(missing "$keys" "$shared"$'\n'"$own")
    [ -z "$m" ] && continue
    problem "socin-$d's keys missing from socin.conf(5): $m"
done
for d in registry ingest reporting; do
    m=$(missing "$shared" "$(keys_of "$d")")
    [ -z "$m" ] || problem "the shared section of socin.conf(5) names keys socin-$d does not have: $m"
done
end

begin "socin.conf(5) names no key a daemon does not have (each daemon's section against its -h)"
for d in registry ingest reporting; do
    m=$(missing "$(in_section "$man/socin.conf.5" Cm "socin-$d")" "$(keys_of "$d")")
    [ -z "$m" ] || problem "socin.conf(5) section socin-$d names unknown keys: $m"
done
end

begin "every setting of the socin command (socin help) is in socin(1) and socin.conf(5), and the commands in socin(1)"
"$SOCIN_BIN/socin" help >"$tmp/help" 2>&1
flags=$(sed -n 's/^  --\([a-z][a-z-]*\).*/\1/p' "$tmp/help" | sort -u)
[ -n "$flags" ] || problem "socin help listed no settings"
m=$(missing "$(printf '%s\n' $flags | sed 's/^/-/')" "$(in_section "$man/socin.1" Fl SETTINGS)")
[ -z "$m" ] || problem "settings missing from socin(1): $m"
# home and config say where the file is; every other setting is a key of the client file.
m=$(missing "$(printf '%s\n' $flags | grep -vx 'home\|config' | tr - _)" "$(in_section "$man/socin.conf.5" Cm "The socin command")")
[ -z "$m" ] || problem "client settings missing from socin.conf(5): $m"
m=$(missing "$(in_section "$man/socin.conf.5" Cm "The socin command")" "$(printf '%s\n' $flags | tr - _)")
[ -z "$m" ] || problem "socin.conf(5) names client settings socin does not have: $m"
commands=$(sed -n '/^commands:/,/^$/s/^  \([a-z]\+\) .*/\1/p' "$tmp/help" | sort -u)
[ -n "$commands" ] || problem "socin help listed no commands"
m=$(missing "$commands" "$(in_section "$man/socin.1" Cm COMMANDS)")
[ -z "$m" ] || problem "commands missing from socin(1): $m"
end

begin "every control command each daemon lists with help is in its page's CONTROL COMMANDS, and the page names no other"
if ! local_stack --regions 1; then
    problem "the stack did not start: $(tail -n 3 "$tmp/up.log")"
fi
for d in registry reporting ingest; do
    sock=$stack/$d/ctl.sock
    [ "$d" = ingest ] && sock=$stack/ingest-CZ010/ctl.sock
    cmds=$("$SOCIN_BIN/socin" ctl "$sock" help 2>&1 | sed -n 's/^\([a-z][a-z-]*\)\( .*\)\?$/\1/p' | sort -u)
    [ -n "$cmds" ] || { problem "socin-$d answered no commands to help"; continue; }
    documented=$(in_section "$man/socin-$d.8" Ic "CONTROL COMMANDS")
    m=$(missing "$cmds" "$documented")
    [ -z "$m" ] || problem "socin-$d's commands missing from socin-$d(8): $m"
    m=$(missing "$documented" "$cmds")
    [ -z "$m" ] || problem "socin-$d(8) names commands socin-$d does not have: $m"
done
end

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
