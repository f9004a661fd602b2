#!/bin/bash
# Multi-host behaviour for real: a centre host (registry, reporting) and three region hosts
# (ingest for CZ020, CZ064, CZ080), each a Linux network namespace with its own address on one
# switch (deploy/netns/up), every connection ZeroMQ over TCP with CURVE. Regions are cut off
# from the centre and healed (deploy/netns/partition, heal: the host's switch port goes down),
# the registry is stopped and started, ingests are restarted while cut off; every figure
# reporting gives is checked against what the test sent.
#
# Needs root and network namespaces (ip netns): where they cannot be made, the test says so
# ("SKIP - ...") and ends "0 passed, 0 failed" — nothing is faked without them.
# Each case prints "ok - ..." or "FAIL - ..."; the last line is "N passed, M failed".
# Needs SOCIN_BIN, SOCIN_ROOT (tests/run sets them). SOCIN_E2E_KEEP=1 keeps the temporary
# directory (logs of every daemon) afterwards.
set -u

SOCIN_ROOT=${SOCIN_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
SOCIN_BIN=$(cd "${SOCIN_BIN:-$SOCIN_ROOT/bin}" && pwd)
export SOCIN_BIN
netns=$SOCIN_ROOT/deploy/netns
sample=$SOCIN_ROOT/services/registry/data/sample_territory.csv
regions="CZ020 CZ064 CZ080"

# ---- can this machine make network namespaces? ----

skip () {
    echo "SKIP - network namespaces unavailable here: $1"
    echo "0 passed, 0 failed"
    exit 0
}
probe=socin-probe-$$
if [ "$(id -u)" != 0 ]; then
    skip "not running as root (ip netns needs CAP_SYS_ADMIN and CAP_NET_ADMIN)"
elif ! command -v ip >/dev/null 2>&1; then
    skip "the ip command (Debian package iproute2) is not installed"
elif ! why=$(ip netns add "$probe" 2>&1); then
    skip "ip netns add: $why"
else
    why=$({ ip -n "$probe" link add br0 type bridge && ip -n "$probe" link add v0 type veth peer name v1 &&
        ip netns exec "$probe" true; } 2>&1)
    ok=$?
    ip netns del "$probe" 2>/dev/null
    [ $ok = 0 ] || skip "cannot make a bridge and a veth pair inside a namespace, or enter it: $why"
fi

. "$SOCIN_ROOT/tests/e2e/lib.sh"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/socin-netns.XXXXXX") || { echo "cannot make a temporary directory"; echo "0 passed, 1 failed"; exit 1; }
topo=$tmp/t
files=$tmp/f
mkdir -p "$files"
up=0

cleanup () {
    [ "$up" = 1 ] && "$netns/down" "$topo" >/dev/null 2>&1
    if [ -n "${SOCIN_E2E_KEEP:-}" ]; then echo "# kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- cases and expectations ----

# on HOST ARGS...: socin on HOST (inside its namespace) in the directory of the test's files;
# stdout in $tmp/out, stderr in $tmp/err, the exit code in $rc.
on () {
    local h=$1
    shift
    (cd "$files" && exec "$netns/exec" "$topo" "$h" "$SOCIN_BIN/socin" --timeout-ms 10000 "$@") >"$tmp/out" 2>"$tmp/err"
    rc=$?
}
# The hosts' files are under $topo/hosts/HOST/{etc/socin,var/lib/socin,run/socin}.
admin () { on centre --config "$topo/hosts/centre/etc/socin/client-admin.conf" "$@"; } # the administrator, at the centre
office () { local r=$1; shift; on "$r" --config "$topo/hosts/$r/etc/socin/client-$r.conf" "$@"; } # a regional office, on its region's host

q () { "$netns/exec" "$topo" centre "$SOCIN_BIN/socin" --timeout-ms 10000 --config "$topo/hosts/centre/etc/socin/client-admin.conf" "$@" 2>/dev/null; }

sock_of () { case $1 in registry|reporting) echo "$topo/hosts/centre/run/socin/$1/ctl.sock" ;; *) echo "$topo/hosts/$1/run/socin/ingest-$1/ctl.sock" ;; esac; }
ctl () { "$SOCIN_BIN/socin" ctl "$(sock_of "$1")" "${@:2}" 2>/dev/null; }
field () { ctl "$1" status | sed -n "s/^$2://p"; } # field DAEMON KEY: one line of its status
registry_seq () { ctl registry seq | sed -n 's/^seq://p'; }
applied () { ctl reporting sources | sed -n "s/^$1:applied=\([0-9]*\).*/\1/p"; }

# wait_for SECONDS WHAT COMMAND...: polls COMMAND every 0.1 s until it succeeds; a problem
# naming WHAT (and status 1) when it has not within SECONDS.
wait_for () {
    local limit=$1 what=$2 i=0
    shift 2
    while ! "$@"; do
        i=$((i + 1))
        if [ $i -ge $((limit * 10)) ]; then
            problem "$what: not within $limit s"
            return 1
        fi
        sleep 0.1
    done
}
replica_live () { [ "$(field "$1" replica_state)" = live ] && [ "$(field "$1" replica_seq)" -ge "$(registry_seq)" ]; }
# Everything the region's ingest accepted, reporting applied.
drained () { local l; l=$(field "$1" last_seq); [ "$(field "$1" backlog_batches)" = 0 ] && [ "$(applied "$1")" = "$l" ]; }
all_drained () { local r; for r in $regions; do drained "$r" || return 1; done; }

# ---- the data the test sends, and what reporting must make of it ----

# The ledger: one line per value sent — file tag, kraj, indicator, period, unit, value (the
# disaggregation is the indicator's usual one, see csv_of). The expected figures come from it:
# the last line of a key wins.
ledger=$tmp/ledger
: >"$ledger"
# Four municipalities of each region's kraj (the sample territory's, by code).
units_of () {
    awk -F, -v k="$1" '$2 == "municipality" { split($4, p, ";"); if (substr(p[2], 1, 5) == k) print $1 }' "$sample" | sort | head -n 4
}
# add TAG KRAJ INDICATOR PERIOD BASE [N]: a value for each of the kraj's four units, or the
# first N of them (BASE+1, BASE+2, ...).
add () {
    local n=0 u
    for u in $(units_of "$2" | head -n "${6:-4}"); do
        n=$((n + 1))
        echo "$1 $2 $3 $4 $u $(($5 + n))" >>"$ledger"
    done
}
# csv_of TAG: the ledger's TAG lines as a DHIS2 CSV file, $files/TAG.csv.
csv_of () {
    {
        echo dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value,storedby,lastupdated,comment,followup
        awk -v t="$1" '$1 == t { d = $3 == "PART_EVENTS" ? "event_type=public_meeting" : ""; printf "%s,%s,%s,%s,,%s,,,,\n", $3, $4, $5, d, $6 }' "$ledger"
    } >"$files/$1.csv"
}
# figure IND PERIOD KRAJ: "value,values,units" of the roll-up as the ledger makes it (KRAJ
# empty: the whole country), leaving out the tags in $unseen (files reporting has not got yet).
unseen=""
figure () {
    awk -v ind="$1" -v p="$2" -v k="$3" -v skip=" $unseen " '
        index(skip, " " $1 " ") { next }
        $3 == ind && $4 == p && (k == "" || $2 == k) { key = $5; val[key] = $6 }
        END { n = 0; for (key in val) { s += val[key]; n++ } printf "%s,%d,%d\n", n ? s : "", n, n }' "$ledger"
}
kraj_name () { awk -F, -v k="$1" '$1 == k && $2 == "kraj" { print $3 }' "$sample"; }
# expect_rollups IND PERIOD...: for each period, the national line and each region's kraj line
# of report rollup are exactly what the ledger says.
expect_rollups () {
    local ind=$1 p r
    shift
    for p in "$@"; do
        admin --format csv report rollup --indicator "$ind" --period "$p"
        expect_rc 0
        expect_eq "$ind $p national" "CZ,Česká republika,country,$p,$(figure "$ind" "$p" "")" "$(sed -n 2p "$tmp/out")"
        admin --format csv report rollup --indicator "$ind" --period "$p" --level kraj
        expect_rc 0
        for r in $regions; do
            expect_line "$tmp/out" "$r,$(kraj_name "$r"),kraj,$p,$(figure "$ind" "$p" "$r")"
        done
    done
}
# expect_summary FILE ITEMS IMPORTED UPDATED IGNORED REJECTED: socin submit's line for FILE.
expect_summary () {
    expect_line "$tmp/out" "$1: $2 items in 1 submission: imported $3, updated $4, ignored $5, deleted 0, rejected $6"
}
# since T0: seconds from T0 (date +%s.%N) until now, one decimal.
since () { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }
# kraj_figure IND PERIOD KRAJ: the value reporting gives for the kraj now.
kraj_figure () { q --format csv report rollup --indicator "$1" --period "$2" --level kraj | awk -F, -v k="$3" '$1 == k { print ($5 == "" ? "nothing" : $5 " (" $6 " values)") }'; }

# ==== the deployment material ====

begin "deploy/config: the committed example files are deploy/config/generate's output and each passes socin-X -c FILE -n"
"$SOCIN_ROOT/deploy/config/generate" "$tmp/gen" >"$tmp/err" 2>&1 || problem "generate failed: $(head -c 300 "$tmp/err")"
for f in "$tmp"/gen/*.conf; do
    cmp -s "$f" "$SOCIN_ROOT/deploy/config/$(basename "$f")" || problem "deploy/config/$(basename "$f") is not what generate writes"
done
expect_eq "generated files" "31" "$(ls "$tmp"/gen/*.conf | wc -l)"
for f in "$SOCIN_ROOT"/deploy/config/*.conf; do
    [ -e "$tmp/gen/$(basename "$f")" ] || problem "deploy/config/$(basename "$f") is not written by generate"
    case $(basename "$f") in
    registry.conf) b=socin-registry ;;
    reporting.conf) b=socin-reporting ;;
    ingest-*.conf) b=socin-ingest ;;
    *) continue ;;
    esac
    "$SOCIN_BIN/$b" -c "$f" -n >"$tmp/out" 2>&1 || problem "$b -c $(basename "$f") -n: $(head -c 300 "$tmp/out")"
done
# The client files are read by the socin command without complaint.
for f in "$SOCIN_ROOT"/deploy/config/client-*.conf; do
    "$SOCIN_BIN/socin" --config "$f" help >/dev/null 2>"$tmp/err" || problem "socin --config $(basename "$f"): $(head -c 300 "$tmp/err")"
done
end

# The units themselves are checked as installed (systemd-analyze verify, and the daemons run as
# their Exec lines say) by tests/install/test_deb.sh.

# ==== the topology ====

begin "the topology comes up: centre 10.61.0.1, region hosts 10.61.0.20, .64, .80; each ingest's replica live and forwarding over TCP with CURVE"
"$netns/up" "$topo" --sources CZ020,CZ064,CZ080 --today 2026-03-15 >"$tmp/up.log" 2>&1
up_rc=$?
[ -f "$topo/topology" ] && up=1 && watched=$topo
expect_eq "up's exit code" 0 "$up_rc"
if [ "$up_rc" = 0 ]; then
    prefix=$(awk '$1 == "switch" { sub(/-net$/, "", $2); print $2 }' "$topo/topology")
    expect_eq "hosts" "centre:10.61.0.1 CZ020:10.61.0.20 CZ064:10.61.0.64 CZ080:10.61.0.80" "$(awk 'NR > 1 { printf "%s%s:%s", (NR > 2 ? " " : ""), $1, $3 }' "$topo/topology")"
    expect_eq "namespaces" "$prefix-CZ020 $prefix-CZ064 $prefix-CZ080 $prefix-centre $prefix-net" "$(ip netns list | awk -v p="$prefix-" 'index($1, p) == 1 { print $1 }' | sort | tr '\n' ' ' | sed 's/ $//')"
    for r in $regions; do
        expect_eq "$r replica" live "$(field "$r" replica_state)"
        expect_eq "$r replica seq" "$(registry_seq)" "$(field "$r" replica_seq)"
        expect_eq "$r forwarding" forwarding "$(field "$r" forward_state)"
    done
    expect_eq "reporting replica" live "$(field reporting replica_state)"
    # The connections, seen on the centre: each region host's address at the registry's two
    # endpoints and at reporting's forwarding endpoint, established over TCP.
    "$netns/exec" "$topo" centre ss -Htn state established >"$tmp/ss"
    for r in $regions; do
        n=${r#CZ0}
        for port in 7701 7702 7712; do
            grep -Eq "10\.61\.0\.1:$port +10\.61\.0\.$n:" "$tmp/ss" || problem "no TCP connection from $r (10.61.0.$n) to the centre's port $port: $(tr '\n' ' ' <"$tmp/ss" | head -c 300)"
        done
    done
    # Hosts share nothing but the switch: no IPC or loopback endpoint in any configuration.
    grep -Eq 'ipc://|127\.0\.0\.1' "$topo"/hosts/*/etc/socin/*.conf && problem "a configuration names an IPC or loopback endpoint"
else
    sed 's/^/    /' "$tmp/up.log" | tail -n 12
fi
end
[ "$up_rc" = 0 ] || { echo "$pass passed, $fail failed"; exit 1; }

begin "CURVE on every TCP endpoint: a key the registry does not know gets no answer across hosts; its handshake is refused"
refused_before=$(ctl registry stats | sed -n 's/^handshakes_refused://p')
"$SOCIN_BIN/socin" keys new stranger --dir "$files/keys" >/dev/null
on CZ064 --timeout-ms 2000 --registry tcp://10.61.0.1:7701 --registry-key "$topo/hosts/CZ064/etc/socin/keys/registry.cert" \
    --identity "$files/keys/stranger.cert" registry list indicators
expect_rc 69
refused_after=$(ctl registry stats | sed -n 's/^handshakes_refused://p')
[ "${refused_after:-0}" -gt "${refused_before:-0}" ] || problem "the registry refused no handshake ($refused_before, then $refused_after)"
# Registered at the centre as a reader (socin registry add-peer), the same key is answered.
admin registry add-peer stranger --key "$files/keys/stranger.cert" --role reader
expect_rc 0
on CZ064 --registry tcp://10.61.0.1:7701 --registry-key "$topo/hosts/CZ064/etc/socin/keys/registry.cert" \
    --identity "$files/keys/stranger.cert" --format csv registry list indicators
expect_rc 0
grep -q '^PART_EVENTS,' "$tmp/out" || problem "the reader's registry list has no PART_EVENTS"
end

begin "a server key given as a certificate file whose path is 40 characters long is read from the file"
# '/' and '.' are Z85 characters: such a path is also a well-formed Z85 key, and was once
# taken for one (no answer from a server with another key).
k=$files/k
while [ $((${#k} + 5)) -lt 40 ]; do k=${k}x; done
k=$k.cert
if [ ${#k} = 40 ] && echo "$k" | grep -Eq '^[0-9A-Za-z.:+=^!/*?&<>()@%$#-]+$'; then
    cp "$topo/hosts/centre/var/lib/socin/keys/reporting.cert" "$k"
    admin --timeout-ms 5000 --reporting-key "$k" --format csv report sources
    expect_rc 0
    expect_line "$tmp/out" "source,applied,lag,last_contact"
else
    note "the temporary directory's name is too long for a 40-character path: nothing to check"
fi
end

begin "SIGHUP (the units' ExecReload) reloads every daemon's configuration; each keeps running and answering"
for d in registry reporting $regions; do
    case $d in registry|reporting) name=$d ;; *) name=ingest-$d ;; esac
    pid=$(cat "$topo/pids/$name.pid")
    before=$(grep -c 'event=config.reloaded' "$topo/logs/$name.log")
    kill -HUP "$pid"
    wait_for 5 "$name logs config.reloaded" eval "[ \$(grep -c 'event=config.reloaded' '$topo/logs/$name.log') -gt $before ]"
    kill -0 "$pid" 2>/dev/null || problem "$name (pid $pid) exited on SIGHUP"
    [ "$(field "$d" state)" = running ] || problem "$name does not answer as running after SIGHUP"
done
# A changed file takes effect: log_level in CZ020's configuration, then back.
conf=$topo/hosts/CZ020/etc/socin/ingest-CZ020.conf
for level in debug info; do
    sed -i "s/^log_level = .*/log_level = $level/" "$conf"
    kill -HUP "$(cat "$topo/pids/ingest-CZ020.pid")"
    wait_for 5 "ingest-CZ020's log level becomes $level" eval "[ \"\$(ctl CZ020 log-level)\" = log_level:$level ]"
done
end

# ==== values across hosts ====

for r in $regions; do
    base=$(( ${r#CZ0} * 10 ))
    add "a-$r" "$r" PART_EVENTS 202503 "$base"
    add "a-$r" "$r" PART_PARTICIPANTS 202503 $((base * 10))
    csv_of "a-$r"
done

begin "values submitted on each region host arrive in reporting at the centre: exact roll-ups by kraj and nationally"
for r in $regions; do
    office "$r" submit "a-$r.csv"
    expect_rc 0
    expect_summary "a-$r.csv" 8 8 0 0 0
done
wait_for 20 "reporting applies every region's batches" all_drained
expect_rollups PART_EVENTS 202503
expect_rollups PART_PARTICIPANTS 202503
admin --format csv report sources
expect_rc 0
for r in $regions; do grep -q "^$r,1,0," "$tmp/out" || problem "report sources: $r is not at 1 with lag 0: $(tr '\n' ' ' <"$tmp/out")"; done
end

# ==== a region cut off from the centre ====

# While CZ064 is cut off its office sends an update of two values and four new ones (p1), then
# four more (p2); CZ020 keeps working as usual (b).
add p1-CZ064 CZ064 PART_PARTICIPANTS 202503 700 2
add p1-CZ064 CZ064 PART_EVENTS 202504 40
add p2-CZ064 CZ064 PART_PARTICIPANTS 202504 400
add b-CZ020 CZ020 PART_EVENTS 202504 20
for t in p1-CZ064 p2-CZ064 b-CZ020; do csv_of "$t"; done

begin "partition: CZ064 cut off from the centre keeps accepting submissions (exact counts); its backlog grows; reporting does not see them"
last_before=$(field CZ064 last_seq)
applied_before=$(applied CZ064)
"$netns/partition" "$topo" CZ064 || problem "partition failed"
# The centre is unreachable from CZ064 (and the reverse): no TCP connection can be made.
if "$netns/exec" "$topo" CZ064 timeout 3 bash -c 'exec 3<>/dev/tcp/10.61.0.1/7701' 2>/dev/null; then
    problem "CZ064 still reaches 10.61.0.1:7701"
fi
# A long partition: the centre's TCP gives up on CZ064's connections (after some 15 minutes
# of retransmissions; here at once, with ss -K on the centre) while CZ064's ends, which have
# nothing to send, still think them established. CZ064 must notice by itself after healing.
"$netns/exec" "$topo" centre ss -K -tn dst 10.61.0.64 >/dev/null 2>&1
if "$netns/exec" "$topo" centre ss -Htn dst 10.61.0.64 | grep -q .; then
    note "ss -K cannot close sockets on this kernel (CONFIG_INET_DIAG_DESTROY): a short partition only"
fi
office CZ064 submit p1-CZ064.csv
expect_rc 0
expect_summary p1-CZ064.csv 6 4 2 0 0
office CZ064 submit p2-CZ064.csv
expect_rc 0
expect_summary p2-CZ064.csv 4 4 0 0 0
office CZ020 submit b-CZ020.csv
expect_rc 0
expect_summary b-CZ020.csv 4 4 0 0 0
expect_eq "CZ064 last_seq" $((last_before + 2)) "$(field CZ064 last_seq)"
expect_eq "CZ064 backlog_batches" 2 "$(ctl CZ064 backlog | sed -n 's/^backlog_batches://p')"
note "cut off: CZ064 accepted 10 items (4+2 and 4) in 2 submissions; its last_seq $(field CZ064 last_seq), acked $(field CZ064 acked_seq), backlog $(ctl CZ064 backlog | sed -n 's/^backlog_batches://p') batches"
# CZ020 is not held up by CZ064's partition.
wait_for 10 "CZ020's batch is applied" drained CZ020
# Give CZ064's batches every chance to leak through before looking at reporting.
sleep 2
expect_eq "reporting's applied seq of CZ064" "$applied_before" "$(applied CZ064)"
[ "$(field CZ064 forward_state)" = forwarding ] && problem "CZ064 still says it is forwarding"
unseen="p1-CZ064 p2-CZ064"
expect_rollups PART_PARTICIPANTS 202503 202504
expect_rollups PART_EVENTS 202504
note "reporting meanwhile: CZ064 at seq $(applied CZ064); PART_PARTICIPANTS 202503 of CZ064 = $(kraj_figure PART_PARTICIPANTS 202503 CZ064), PART_PARTICIPANTS 202504 of CZ064 = $(kraj_figure PART_PARTICIPANTS 202504 CZ064), PART_EVENTS 202504 of CZ064 = $(kraj_figure PART_EVENTS 202504 CZ064); CZ020's 202504 = $(kraj_figure PART_EVENTS 202504 CZ020)"
end

begin "heal: CZ064's backlog drains to 0 and reporting converges to the exact figures"
"$netns/heal" "$topo" CZ064 || problem "heal failed"
healed=$(date +%s.%N)
wait_for 30 "CZ064's backlog drains" drained CZ064 && note "backlog 2 -> 0 batches, reporting at seq $(applied CZ064), $(since "$healed") s after healing"
expect_eq "CZ064 backlog_batches" 0 "$(ctl CZ064 backlog | sed -n 's/^backlog_batches://p')"
expect_eq "reporting's applied seq of CZ064" $((last_before + 2)) "$(applied CZ064)"
unseen=""
expect_rollups PART_PARTICIPANTS 202503 202504
expect_rollups PART_EVENTS 202503 202504
note "reporting now: PART_PARTICIPANTS 202503 of CZ064 = $(kraj_figure PART_PARTICIPANTS 202503 CZ064), 202504 = $(kraj_figure PART_PARTICIPANTS 202504 CZ064), PART_EVENTS 202504 = $(kraj_figure PART_EVENTS 202504 CZ064)"
wait_for 15 "CZ064's replica is live again" replica_live CZ064 && note "CZ064's replica live again $(since "$healed") s after healing"
end

# ==== the registry unreachable ====

add c1-CZ020 CZ020 PART_EVENTS 202505 50
add c2-CZ020 CZ020 PART_PARTICIPANTS 202505 500
for t in c1-CZ020 c2-CZ020; do csv_of "$t"; done
{
    head -n 1 "$files/c1-CZ020.csv"
    echo "PART_EVENTS,202505,999999,event_type=public_meeting,,1,,,,"
} >"$files/unknown-unit.csv"

begin "registry stopped: ingests keep validating and accepting from their persisted replicas, also after an ingest restart; replicas live again once it is back"
"$netns/stop" "$topo" registry
[ -e "$topo/pids/registry.pid" ] && problem "the registry's pid file is still there"
office CZ020 submit c1-CZ020.csv
expect_rc 0
expect_summary c1-CZ020.csv 4 4 0 0 0
office CZ020 submit unknown-unit.csv
expect_rc 2
expect_summary unknown-unit.csv 1 0 0 0 1
# CZ020's ingest restarted while the registry is down: it validates from the replica it stored.
"$netns/stop" "$topo" ingest-CZ020
"$netns/start" "$topo" ingest-CZ020 || problem "ingest-CZ020 did not start again"
records=$(field CZ020 replica_records)
[ "${records:-0}" -gt 0 ] || problem "the restarted ingest-CZ020 has no replica records"
[ "$(field CZ020 replica_state)" = live ] && problem "ingest-CZ020's replica says live with the registry down"
note "registry down: ingest-CZ020 restarted with $records replica records (state $(field CZ020 replica_state)), still validating"
office CZ020 submit c2-CZ020.csv
expect_rc 0
expect_summary c2-CZ020.csv 4 4 0 0 0
office CZ020 submit --id again unknown-unit.csv
expect_rc 2
wait_for 20 "reporting applies CZ020's batches (reporting is up)" drained CZ020
expect_rollups PART_EVENTS 202505
expect_rollups PART_PARTICIPANTS 202505
"$netns/start" "$topo" registry || problem "the registry did not start again"
for d in $regions reporting; do wait_for 20 "$d's replica is live again" replica_live "$d"; done
end

# While CZ080 is cut off, the centre registers a new submitter for CZ080 (office2) and a new
# indicator, NETNS_VISITS; CZ080's ingest is restarted meanwhile.
add d1-CZ080 CZ080 PART_EVENTS 202506 80
add e1-CZ080 CZ080 NETNS_VISITS 202506 800
for t in d1-CZ080 e1-CZ080; do csv_of "$t"; done
cat >"$files/netns.ini" <<'EOF'
[indicator NETNS_VISITS]
name_cs = Návštěvy terénních pracovníků
name_en = Field worker visits
measure = visits
type = integer
aggregation = sum
range = 0..100000
area = participation
period = monthly

[dataset DS_NETNS_FIELD]
name = Terénní práce (měsíční výkaz)
period = monthly
indicators = NETNS_VISITS
territories = CZ080
level = municipality
deadline = 30
timely = 15
lock = 730
EOF
"$SOCIN_BIN/socin" keys new office2-CZ080 --dir "$topo/hosts/CZ080/etc/socin/keys" >/dev/null
sed "s|office-CZ080.cert|office2-CZ080.cert|" "$topo/hosts/CZ080/etc/socin/client-CZ080.conf" >"$files/office2.conf"

begin "registry cut off from CZ080: changes made at the centre meanwhile (a new submitter, a new indicator) reach CZ080 after healing and take effect"
"$netns/partition" "$topo" CZ080 || problem "partition failed"
admin registry add-submitter office2-CZ080 --key "$topo/hosts/CZ080/etc/socin/keys/office2-CZ080.cert" --territory CZ080
expect_rc 0
admin registry import-catalogue netns.ini
expect_rc 0
seq=$(registry_seq)
[ "$(field CZ080 replica_seq)" -lt "$seq" ] || problem "CZ080's replica has the changes while cut off"
note "cut off: the registry at seq $seq, CZ080's replica at $(field CZ080 replica_seq)"
"$netns/stop" "$topo" ingest-CZ080
"$netns/start" "$topo" ingest-CZ080 || problem "ingest-CZ080 did not start again"
# The office keeps reporting what its (persisted) replica knows ...
office CZ080 submit d1-CZ080.csv
expect_rc 0
expect_summary d1-CZ080.csv 4 4 0 0 0
# ... but the new indicator and the new submitter are not known there yet.
office CZ080 submit --id early e1-CZ080.csv
expect_rc 2
expect_summary e1-CZ080.csv 4 0 0 0 4
on CZ080 --timeout-ms 2000 --config "$files/office2.conf" submit e1-CZ080.csv
expect_rc 69
"$netns/heal" "$topo" CZ080 || problem "heal failed"
healed=$(date +%s.%N)
wait_for 30 "CZ080's replica catches up with the registry (seq $seq)" replica_live CZ080 && note "CZ080's replica at the registry's seq $seq $(since "$healed") s after healing"
on CZ080 --config "$files/office2.conf" submit e1-CZ080.csv
expect_rc 0
expect_summary e1-CZ080.csv 4 4 0 0 0
wait_for 30 "reporting applies CZ080's batches" all_drained
expect_rollups NETNS_VISITS 202506
note "NETNS_VISITS 202506 of CZ080 in reporting: $(kraj_figure NETNS_VISITS 202506 CZ080)"
expect_rollups PART_EVENTS 202503 202504 202505 202506
expect_rollups PART_PARTICIPANTS 202503 202504 202505
end

# ==== teardown ====

begin "teardown (deploy/netns/down) leaves no namespace, link or process behind"
pids=$(cat "$topo"/pids/*.pid 2>/dev/null)
"$netns/down" "$topo"
expect_eq "down's exit code" 0 "$?"
up=0
watched=""
left=$(ip netns list | awk -v p="$prefix-" 'index($1, p) == 1 { print $1 }')
expect_eq "namespaces left" "" "$left"
for pid in $pids; do
    if kill -0 "$pid" 2>/dev/null && [ "$(sed 's/^.*) \(.\).*/\1/' "/proc/$pid/stat" 2>/dev/null)" != Z ]; then
        problem "process $pid is still running: $(tr '\0' ' ' <"/proc/$pid/cmdline")"
    fi
done
ip -o link show | grep -Eq ' p-(centre|CZ0[0-9]+)[@:]' && problem "a switch port is left in the machine's namespace"
[ -e "$topo/topology" ] && problem "$topo/topology is still there"
# Every daemon stopped cleanly (and, under make asan, without a sanitizer's report).
for f in "$topo"/logs/*.log; do
    grep -Eq 'ERROR: (Address|Leak)Sanitizer|runtime error:|level=fatal' "$f" && problem "$(basename "$f"): $(grep -Em 2 'Sanitizer|runtime error:|level=fatal' "$f")"
done
expect_eq "daemons stopped cleanly" "$(ls "$topo"/logs/*.log | wc -l)" "$(grep -l 'event=daemon.stopped' "$topo"/logs/*.log | wc -l)"
end

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
