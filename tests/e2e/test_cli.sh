#!/bin/bash
# End-to-end tests of bin/socin against a whole local stack (deploy/local/up): registry,
# reporting and the ingests of the first two kraje (CZ010 Praha, CZ020 Středočeský), with the
# embedded sample territory and the stack's clock fixed at 2026-03-15 so that 2025 is open.
#
# Each case prints "ok - ..." or "FAIL - ..." (with a few lines of detail); the last line is
# "N passed, M failed" and the exit status is non-zero when anything failed.
# Needs SOCIN_BIN (the bin/ directory), SOCIN_ROOT (the repository), SOCIN_SHARED (../shared),
# as tests/run sets them. SOCIN_E2E_KEEP=1 keeps the temporary directory (stack logs) afterwards.
set -u

SOCIN_ROOT=${SOCIN_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
SOCIN_BIN=$(cd "${SOCIN_BIN:-$SOCIN_ROOT/bin}" && pwd)
SOCIN_SHARED=${SOCIN_SHARED:-$(cd "$SOCIN_ROOT/.." && pwd)/shared}
sample=$SOCIN_ROOT/services/registry/data/sample_territory.csv
catalogue=$SOCIN_ROOT/services/registry/data/catalogue.ini
official=$SOCIN_SHARED/data/cz/struktura_uzemi_cr.csv
dhis2=$SOCIN_SHARED/data/dhis2

. "$SOCIN_ROOT/tests/e2e/lib.sh"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/socin-e2e.XXXXXX") || { echo "cannot make a temporary directory"; echo "0 passed, 1 failed"; exit 1; }
stack=$tmp/stack
files=$tmp/f
started=0
mkdir -p "$files"

cleanup () {
    [ "$started" = 1 ] && "$SOCIN_ROOT/deploy/local/down" "$stack" >/dev/null 2>&1
    if [ -n "${SOCIN_E2E_KEEP:-}" ]; then echo "# kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- cases and expectations ----

# expect_same FILE EXPECTED_FILE: identical text.
expect_same () {
    if ! cmp -s "$1" "$2"; then
        problem "$(basename "$1") differs from what was expected (- expected, + got):"
        problem "$(diff "$2" "$1" | grep '^[<>]' | head -n 10 | sed 's/^</-/; s/^>/+/')"
    fi
}

# sx ARGS...: runs socin in the directory of the test's files (so messages name short file
# names); stdout in $tmp/out, stderr in $tmp/err, the exit code in $rc.
sx () {
    (cd "$files" && exec "$SOCIN_BIN/socin" "$@") >"$tmp/out" 2>"$tmp/err"
    rc=$?
}
# Answers come in milliseconds; 10 s (not the default 30) keeps a stuck service from eating the
# time limit (a later --timeout-ms wins).
admin () { sx --timeout-ms 10000 --config "$stack/client.conf" "$@"; }         # submitter "local" (CZ), ingest-CZ010
office () { sx --timeout-ms 10000 --config "$stack/regions/CZ020.conf" "$@"; } # the regional office of CZ020
q () { "$SOCIN_BIN/socin" --timeout-ms 10000 --config "$stack/client.conf" "$@" 2>/dev/null; } # a quiet query
ctl () { "$SOCIN_BIN/socin" ctl "$stack/$1/ctl.sock" "${@:2}" 2>/dev/null; }

last_seq () { ctl "ingest-$1" backlog | sed -n 's/^last_seq://p'; }
stored () { ctl "ingest-$1" status | sed -n 's/^values://p'; }
stored_events () { ctl "ingest-$1" status | sed -n 's/^events://p'; }
state () { echo "$(last_seq CZ010)/$(last_seq CZ020)/$(stored CZ010)/$(stored CZ020)/$(stored_events CZ020)"; }

# Waits until reporting has applied everything the two ingests accepted (10 s at most).
wait_applied () {
    local i=0 s last applied sources behind
    while :; do
        behind=0
        sources=$(ctl reporting sources)
        for s in CZ010 CZ020; do
            last=$(last_seq "$s")
            applied=$(printf '%s\n' "$sources" | sed -n "s/^$s:applied=\([0-9]*\).*/\1/p")
            [ "${applied:-0}" -ge "${last:-0}" ] || behind=1
        done
        [ $behind = 0 ] && return 0
        i=$((i + 1))
        [ $i -lt 200 ] || { problem "reporting did not apply everything within 10 s: $sources"; return 1; }
        sleep 0.05
    done
}

# Waits until every replica has the registry's latest change (10 s at most).
wait_replicas () {
    local i=0 seq got d
    seq=$(ctl registry seq | sed -n 's/^seq://p')
    for d in ingest-CZ010 ingest-CZ020 reporting; do
        while :; do
            got=$(ctl "$d" status | sed -n 's/^replica_seq://p')
            [ "${got:-0}" -ge "${seq:-0}" ] && break
            i=$((i + 1))
            [ $i -lt 200 ] || { problem "$d's replica is at ${got:-0}, the registry at $seq"; return 1; }
            sleep 0.05
        done
    done
}

# ---- the data the test sends, and what reporting must make of it ----

# The ledger: how each value was sent (csv: values.csv, json: values.json, both by the CZ020
# office; adm: admin.csv by the admin through ingest-CZ010; later upd, del, mix), its kraj,
# indicator, period, unit, disaggregation ("-": none) and value ("-": deleted). The expected
# figures are computed from it: the last line of a key wins.
ledger=$tmp/ledger
cat >"$ledger" <<'EOF'
csv CZ020 PART_EVENTS 202503 532053 event_type=public_meeting 3
csv CZ020 PART_EVENTS 202503 531057 event_type=public_meeting 2
csv CZ020 PART_PARTICIPANTS 202503 532053 - 45
csv CZ020 PART_PARTICIPANTS 202503 531057 - 30
csv CZ020 PART_VULNERABLE 202503 532053 target_group=roma 4
csv CZ020 EMP_JOBSEEKERS 202503 532053 sex=f 1200
csv CZ020 EMP_JOBSEEKERS 202503 531057 sex=f 310
csv CZ020 POP_15_64 2025 532053 - 44000
csv CZ020 POP_15_64 2025 531057 - 12900
json CZ020 PART_EVENTS 202503 533165 event_type=public_meeting 4
json CZ020 PART_PARTICIPANTS 202503 533165 - 60
json CZ020 EMP_JOBSEEKERS 202503 533165 sex=f 800
json CZ020 POP_15_64 2025 533165 - 21000
json CZ020 PART_EVENTS 202504 534676 event_type=public_meeting 1
adm CZ010 PART_EVENTS 202503 554782 event_type=public_meeting 7
adm CZ010 PART_PARTICIPANTS 202503 554782 - 500
EOF

csv_header=dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value,storedby,lastupdated,comment,followup
# csv_of FMT: the ledger's FMT lines as a DHIS2 CSV file.
csv_of () {
    echo "$csv_header"
    awk -v f="$1" '$1 == f { printf "%s,%s,%s,%s,,%s,,,,\n", $3, $4, $5, $6 == "-" ? "" : $6, $7 }' "$ledger"
}

# expect_figure IND PERIOD-PREFIX KRAJ DISAGG: "value,values,units" as the ledger makes them
# (sum of the latest values; KRAJ "" for all, DISAGG "" for any).
figure () {
    awk -v ind="$1" -v p="$2" -v k="$3" -v d="$4" '
        { key = $3 " " $4 " " $5 " " $6; val[key] = $7; kraj[key] = $2; unit[key] = $5 }
        END {
            for (key in val) {
                split(key, f, " ")
                if (f[1] != ind || substr(f[2], 1, length(p)) != p) continue
                if (k != "" && kraj[key] != k) continue
                if (d != "" && f[4] != d) continue
                if (val[key] == "-") continue
                s += val[key]; n++; u[unit[key]] = 1
            }
            nu = 0; for (x in u) nu++
            printf "%s,%d,%d\n", n ? s : "", n, nu
        }' "$ledger"
}

# ==== usage and help (no daemon needed) ====

begin "every subcommand has --help (exit 0, usage on stdout)"
for c in submit report registry keys ctl; do
    sx "$c" --help
    [ "$rc" = 0 ] || problem "socin $c --help: exit $rc"
    head -n 1 "$tmp/out" | grep -q "^usage: socin $c" || problem "socin $c --help: first line '$(head -n 1 "$tmp/out")'"
done
sx --help; expect_rc 0; expect_line "$tmp/out" "usage: socin [SETTINGS] COMMAND [ARGS]"
sx help submit; expect_rc 0
head -n 1 "$tmp/out" | grep -q '^usage: socin submit' || problem "socin help submit: $(head -n 1 "$tmp/out")"
sx help; expect_rc 0
expect_line "$tmp/out" "exit codes: 0 done (everything accepted), 1 partly accepted, 2 nothing accepted or"
end

begin "wrong usage exits 64: unknown option, missing FILE, unknown subcommand, no command"
sx submit --bogus x.csv; expect_rc 64
expect_line "$tmp/err" "socin: unknown option '--bogus'"
sx submit; expect_rc 64
expect_line "$tmp/err" "usage: socin submit [--dry-run] [--atomic] [--delete] [--id PREFIX] FILE..."
sx frobnicate; expect_rc 64
expect_line "$tmp/err" "socin: unknown command 'frobnicate' (socin help lists the commands)"
sx; expect_rc 64
sx report; expect_rc 64
sx report nope; expect_rc 64; expect_line "$tmp/err" "socin: unknown report 'nope'"
sx report values --period 2025; expect_rc 64; expect_line "$tmp/err" "socin: report values needs --indicator"
sx report rollup --indicator PART_EVENTS --period 2025 --level galaxy; expect_rc 64
expect_line "$tmp/err" "socin: --level 'galaxy' is not country, kraj, okres, orp, municipality or district"
sx --format xml report sources; expect_rc 64; expect_line "$tmp/err" "socin: --format must be table, csv or json"
sx submit --batch 0 x.csv; expect_rc 64; expect_line "$tmp/err" "socin: --batch must be 1 to 100000"
sx keys old x; expect_rc 64
sx ctl; expect_rc 64
end

# ==== the stack ====

begin "deploy/local/up starts a two-region stack (CZ010, CZ020) with --today 2026-03-15"
"$SOCIN_ROOT/deploy/local/up" "$stack" --regions 2 --today 2026-03-15 >"$tmp/up.log" 2>&1
up_rc=$?
[ -d "$stack/pids" ] && started=1 && watched=$stack
expect_eq "up's exit code" 0 "$up_rc"
for f in client.conf regions/CZ010.conf regions/CZ020.conf; do
    [ -f "$stack/$f" ] || problem "$f is missing"
done
[ -f "$stack/regions/CZ031.conf" ] && problem "a third region was started"
end
if [ "$up_rc" != 0 ]; then
    sed 's/^/    /' "$tmp/up.log" | tail -n 8
    echo "$pass passed, $((fail + 1)) failed"
    exit 1
fi

begin "deploy/local/up again restarts a daemon killed with -9 and leaves the live ones alone"
watched=""
reg_pid=$(cat "$stack/pids/registry.pid"); rep_pid=$(cat "$stack/pids/reporting.pid")
kill -9 "$rep_pid"
i=0; while kill -0 "$rep_pid" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
"$SOCIN_ROOT/deploy/local/up" "$stack" --regions 2 --today 2026-03-15 >"$tmp/up2.log" 2>&1
expect_eq "up's exit code" 0 "$?"
expect_eq "registry pid" "$reg_pid" "$(cat "$stack/pids/registry.pid")"
new_pid=$(cat "$stack/pids/reporting.pid")
[ "$new_pid" != "$rep_pid" ] && kill -0 "$new_pid" 2>/dev/null || problem "reporting was not started again"
expect_line "$tmp/up2.log" "reporting: not running, started again"
grep -q "^registry: running (pid $reg_pid), left as it is$" "$tmp/up2.log" || problem "up2.log: $(head -c 300 "$tmp/up2.log")"
ctl reporting status | grep -q '^svc:reporting$\|^service:reporting$\|reporting' || problem "reporting does not answer"
watched=$stack
end

begin "a daemon on a simulated clock (up --today) shows its date and moves to another; a bad date is refused"
out=$(ctl ingest-CZ010 today)
expect_eq "today" "today:2026-03-15 clock:simulated" "$(echo $out)"
out=$(ctl ingest-CZ010 today 2026-04-02)
expect_eq "moved" "today:2026-04-02 clock:simulated" "$(echo $out)"
out=$("$SOCIN_BIN/socin" ctl "$stack/ingest-CZ010/ctl.sock" today 2026-02-30 2>&1)
case $out in *"February 2026 has 28 days"*|*"2026-02-30"*) ;; *) problem "a bad date: $out" ;; esac
out=$(ctl ingest-CZ010 today 2026-03-15)
expect_eq "back" "today:2026-03-15 clock:simulated" "$(echo $out)"
end

# ==== registry ====

begin "registry list units --under CZ020 --level municipality: the sample's municipalities of CZ020"
admin --format csv registry list units --under CZ020 --level municipality; expect_rc 0
# The sample's municipalities whose okres (second parent) lies in CZ020, as code,name.
awk -F, '$2 == "municipality" { split($4, p, ";"); if (substr(p[2], 1, 5) == "CZ020") print $1 "," $3 }' "$sample" | sort >"$tmp/expected"
expect_line "$tmp/out" "code,level,name,parents,kind,population,valid_from,valid_to,parents_from,earlier_parents"
sed 1d "$tmp/out" | cut -d, -f1,3 | sort >"$tmp/got"
expect_same "$tmp/got" "$tmp/expected"
expect_line "$tmp/out" '532053,municipality,Kladno,"2109,CZ0203",Statutární město,68896,,,,'
cp "$tmp/out" "$tmp/units-cz020.csv"
n=$(wc -l <"$tmp/expected")
[ "$n" -ge 6 ] || problem "only $n municipalities under CZ020 in the sample"
# Every unit the ledger names as CZ020's is one of them.
for u in $(awk '$2 == "CZ020" { print $5 }' "$ledger" | sort -u); do
    grep -q "^$u," "$tmp/expected" || problem "ledger unit $u is not under CZ020"
done
end

begin "registry list units: okresy and ORP of CZ020, districts of Praha (--under/--level)"
for level in okres orp; do
    admin --format csv registry list units --under CZ020 --level $level; expect_rc 0
    awk -F, -v l=$level '$2 == l && $4 == "CZ020" { print $1 }' "$sample" | sort >"$tmp/expected"
    sed 1d "$tmp/out" | cut -d, -f1 | sort >"$tmp/got"
    expect_same "$tmp/got" "$tmp/expected"
done
admin --format csv registry list units --under CZ010 --level district; expect_rc 0
expect_eq "districts of Praha" "$(awk -F, '$2 == "district" && $4 == "554782"' "$sample" | wc -l)" "$(sed 1d "$tmp/out" | wc -l)"
expect_line "$tmp/out" "500097,district,Praha 3,554782,Městská část,,,,,"
admin --format csv registry list units --under CZ010 --level municipality; expect_rc 0
expect_eq "municipalities of CZ010" "554782" "$(sed 1d "$tmp/out" | cut -d, -f1 | tr '\n' ' ' | sed 's/ $//')"
end

begin "registry list indicators/datasets/targets/groups/dimensions match the catalogue"
for kind in indicator dataset target group; do
    admin --format csv registry list ${kind}s; expect_rc 0
    sed -n "s/^\[$kind \([A-Za-z0-9_]*\)\]\$/\1/p" "$catalogue" | sort >"$tmp/expected"
    sed 1d "$tmp/out" | cut -d, -f1 | sort >"$tmp/got"
    expect_same "$tmp/got" "$tmp/expected"
done
admin --format csv registry list indicators
expect_line "$tmp/out" "PART_EVENTS,integer,sum,monthly,event_type,participation,0..10000,Participatory events"
expect_line "$tmp/out" "EMP_SHARE,derived (EMP_JOBSEEKERS / POP_15_64 * 100),last,monthly,,employment,,Share of unemployed persons"
admin --format csv registry list targets
expect_line "$tmp/out" "CZ0046_PUBLIC,OGP CZ0046,municipality,20,2025-01-01..2028-12-31,2028-12-31,Obce využívající participativní postupy"
admin --format csv registry list groups
members=$(sed -n '/^\[group CASE_2021_W3\]/,/^\[/s/^members = //p' "$catalogue" | sed 's/ //g')
expect_line "$tmp/out" "CASE_2021_W3,cohort,$(echo "$members" | tr ',' '\n' | wc -l),\"Koordinovaný přístup (CASE 2021+), 3. vlna\",\"$members\""
admin --format csv registry list dimensions; expect_rc 0
expect_eq "dimension options" "$(grep -c '^option = ' "$catalogue")" "$(sed 1d "$tmp/out" | wc -l)"
expect_line "$tmp/out" "event_type,public_meeting,Veřejné projednání,Public meeting"
admin --format csv registry list datasets --unit 532053; expect_rc 0
expect_eq "data sets Kladno reports" "$(grep -c '^\[dataset ' "$catalogue")" "$(sed 1d "$tmp/out" | wc -l)"
admin registry list planets; expect_rc 64
end

begin "registry list submitters: the admin's and each office's"
admin --format csv registry list submitters; expect_rc 0
expect_eq "submitters" "local office-CZ010 office-CZ020" "$(sed 1d "$tmp/out" | cut -d, -f1 | sort | tr '\n' ' ' | sed 's/ $//')"
pub=$(sed -n 's/^ *public-key = "\(.*\)"$/\1/p' "$stack/keys/submitters/office-CZ020.cert")
expect_line "$tmp/out" "office-CZ020,$pub,CZ020,(all),no"
grep -q '^local,.*,CZ,(all),no$' "$tmp/out" || problem "no line for submitter local covering CZ"
end

begin "registry show 532053: Kladno and its ancestors; an unknown unit exits 2"
admin --format csv registry show 532053; expect_rc 0
cat >"$tmp/expected" <<'EOF'
code,level,name,parents,kind,population,valid_from,valid_to,parents_from,earlier_parents
532053,municipality,Kladno,"2109,CZ0203",Statutární město,68896,,,,
2109,orp,Kladno,CZ020,,,,,,
CZ0203,okres,Kladno,CZ020,,,,,,
CZ020,kraj,Středočeský kraj,CZ,,,,,,
CZ,country,Česká republika,,,,,,,
EOF
expect_same "$tmp/out" "$tmp/expected"
admin registry show NOPE; expect_rc 2
expect_line "$tmp/err" "socin: NOT_FOUND: unit 'NOPE' is not in the registry"
end

begin "registry import-territory --dry-run of the official ČSÚ file: exact counts, nothing changed"
if [ ! -f "$official" ]; then
    problem "$official is missing"
else
    # The units the official file describes (country, kraje, okresy, ORP, municipalities) as
    # code|level|name|parents|kind, against the embedded sample's: added when the sample lacks
    # the code, else updated (the first official edition replaces the sample: each of its units
    # stops being a sample unit, even when everything the file says is the same); sample units of
    # levels kraj..municipality that the file lacks would be closed.
    awk -F'","' '
        NR == 1 { for (i = 1; i <= NF; i++) { h = $i; gsub(/"/, "", h); c[h] = i }; next }
        {
            gsub(/^"|"$/, "")
            kraj = $c["kraj_csu_cis108_nuts_kod"]; okres = $c["okres_csu_cis109_nuts_kod"]; orp = $c["orp_csu_cis65_kod"]
            u["CZ"] = "country|" $c["stat_text"] "||"
            u[kraj] = "kraj|" $c["kraj_text"] "|CZ|"
            u[okres] = "okres|" $c["okres_text"] "|" kraj "|"
            u[orp] = "orp|" $c["orp_text"] "|" kraj "|"
            u[$c["obec_kod"]] = "municipality|" $c["obec_text"] "|" orp ";" okres "|" $c["obec_typ"]
        }
        END { for (k in u) print k "|" u[k] }' "$official" | sort >"$tmp/official.units"
    grep -v '^#' "$sample" | awk -F, 'NR > 1 { print $1 "|" $2 "|" $3 "|" $4 "|" $5 }' | sort >"$tmp/sample.units"
    counts=$(awk -F'|' '
        FNR == NR { s[$1] = $0; lvl[$1] = $2; next }
        { f[$1] = 1; if (!($1 in s)) a++; else upd++ }
        END {
            for (k in s) if (!(k in f) && lvl[k] != "country" && lvl[k] != "district") closed++
            printf "%d %d %d %d\n", a, upd, 0, closed
        }' "$tmp/sample.units" "$tmp/official.units")
    set -- $counts
    seq_before=$(ctl registry seq | sed -n 's/^seq://p')
    admin --format json registry import-territory --dry-run "$official"; expect_rc 0
    expect_eq "dry run summary" "{\"added\": $1, \"updated\": $2, \"unchanged\": $3, \"closed\": $4, \"seq\": $seq_before, \"dry_run\": true}" "$(cat "$tmp/out")"
    admin registry import-territory --dry-run "$official"; expect_rc 0
    expect_eq "dry run in words" "dry run: would have added $1, updated $2, unchanged $3, closed $4 (registry seq $seq_before)" "$(cat "$tmp/out")"
    expect_eq "registry seq after the dry runs" "$seq_before" "$(ctl registry seq | sed -n 's/^seq://p')"
    expect_eq "municipalities after the dry runs" "$(grep -c ',municipality,' "$sample")" "$(q --format csv registry list units --level municipality | sed 1d | wc -l)"
    expect_eq "official municipalities" "$(($(wc -l <"$official") - 1))" "$(grep -c '|municipality|' "$tmp/official.units")"
fi
end

# ==== keys ====

begin "keys new: NAME.cert and NAME.cert_secret (0600), the printed key is the file's; no overwrite"
sx keys new tester --dir keys; expect_rc 0
k=$files/keys
{ [ -f "$k/tester.cert" ] && [ -f "$k/tester.cert_secret" ]; } || problem "certificate files missing: $(ls "$k" 2>&1)"
expect_eq "secret file mode" 600 "$(stat -c %a "$k/tester.cert_secret" 2>/dev/null)"
tester_pub=$(sed -n 's/^ *public-key = "\(.*\)"$/\1/p' "$k/tester.cert")
expect_eq "public key length" 40 "${#tester_pub}"
expect_line "$tmp/out" "public_key:$tester_pub"
expect_line "$tmp/out" "certificate:keys/tester.cert"
expect_line "$tmp/out" "secret:keys/tester.cert_secret"
grep -q 'secret-key' "$k/tester.cert" && problem "the public certificate holds the secret key"
grep -q 'secret-key' "$k/tester.cert_secret" || problem "the secret certificate holds no secret key"
sx keys new tester --dir keys; expect_rc 2
expect_line "$tmp/err" "socin: keys/tester.cert_secret exists already; choose another name or remove it"
expect_eq "public key after the refused second run" "$tester_pub" "$(sed -n 's/^ *public-key = "\(.*\)"$/\1/p' "$k/tester.cert")"
sx keys new 'bad name' --dir keys; expect_rc 64
expect_line "$tmp/err" "socin: the name 'bad name' may only hold letters, digits, '.', '-' and '_'"
sx --format json keys new reader1 --dir keys; expect_rc 0
reader_pub=$(sed -n 's/^ *public-key = "\(.*\)"$/\1/p' "$k/reader1.cert")
expect_eq "keys new --format json" "{\"name\": \"reader1\", \"public_key\": \"$reader_pub\", \"certificate\": \"keys/reader1.cert\"}" "$(cat "$tmp/out")"
end

# ==== submitting values ====

csv_of csv >"$files/values.csv"
# The JSON file: the CZ020 office's json lines, one object per line (line 3 onwards), the
# yearly ones relying on the top-level "period"; numbers as JSON numbers for PART_EVENTS.
{
    echo '{"period": "2025",'
    echo ' "dataValues": ['
    awk '$1 == "json" {
        printf "%s  {\"dataElement\": \"%s\", ", n++ ? ",\n" : "", $3
        if ($4 != "2025") printf "\"period\": \"%s\", ", $4
        printf "\"orgUnit\": \"%s\", ", $5
        if ($6 != "-") printf "\"categoryOptionCombo\": \"%s\", ", $6
        if ($3 == "PART_EVENTS") printf "\"value\": %s}", $7; else printf "\"value\": \"%s\"}", $7
    } END { print "" }' "$ledger"
    echo ' ]}'
} >"$files/values.json"
csv_of adm >"$files/admin.csv"
n_csv=$(grep -c '^csv ' "$ledger"); n_json=$(grep -c '^json ' "$ledger"); n_adm=$(grep -c '^adm ' "$ledger")

begin "submit a DHIS2 CSV file (CZ020 office): every row imported, exit 0"
office submit values.csv; expect_rc 0
expect_line "$tmp/out" "values.csv: $n_csv items in 1 submission: imported $n_csv, updated 0, ignored 0, deleted 0, rejected 0"
expect_line "$tmp/out" "status: success: every item was accepted"
end

begin "submit a dataValueSets JSON file (CZ020 office, top-level period): every value imported, exit 0"
office --format json submit values.json; expect_rc 0
cat >"$tmp/expected" <<EOF
{"status": "success: every item was accepted", "dry_run": false, "files": [
 {"file": "values.json", "items": $n_json, "submissions": 1, "imported": $n_json, "updated": 0, "ignored": 0, "deleted": 0, "rejected": 0, "replayed": 0, "error": null, "conflicts": [], "warnings": []}
]}
EOF
expect_same "$tmp/out" "$tmp/expected"
end

begin "submit through client.conf (admin, submitter local, ingest-CZ010): Praha's values imported"
admin --format csv submit admin.csv; expect_rc 0
expect_eq "conflicts" "file,line,code,field,value,message" "$(cat "$tmp/out")"
admin submit --id admin-again admin.csv; expect_rc 0
expect_line "$tmp/out" "admin.csv: $n_adm items in 1 submission: imported 0, updated 0, ignored $n_adm, deleted 0, rejected 0"
end

begin "reporting applies what the ingests accepted (sources against backlog last_seq)"
wait_applied
expect_eq "CZ020 seq" 2 "$(last_seq CZ020)"
expect_eq "CZ010 seq" 1 "$(last_seq CZ010)"
expect_eq "values stored by ingest-CZ020" $((n_csv + n_json)) "$(stored CZ020)"
admin --format csv report sources; expect_rc 0
grep -q '^CZ020,2,0,2026-03-15T' "$tmp/out" || problem "report sources: $(tr '\n' ' ' <"$tmp/out")"
grep -q '^CZ010,1,0,2026-03-15T' "$tmp/out" || problem "report sources: $(tr '\n' ' ' <"$tmp/out")"
end

# values_rows IND PERIOD UNDER: expected "unit,period,value,values,units" lines of report values.
values_rows () {
    awk -v ind="$1" -v p="$2" -v k="$3" '
        { key = $3 " " $4 " " $5 " " $6; val[key] = $7; kraj[key] = $2 }
        END {
            for (key in val) {
                split(key, f, " ")
                if (f[1] != ind || f[2] != p || val[key] == "-" || (k != "CZ" && kraj[key] != k)) continue
                s[f[3]] += val[key]; n[f[3]]++
            }
            for (u in s) printf "%s,%s,%s,%d,1\n", u, p, s[u], n[u]
        }' "$ledger" | sort
}

begin "report values reads back exactly what was sent (CSV and JSON files, per unit)"
for spec in "PART_EVENTS 202503 CZ020" "PART_PARTICIPANTS 202503 CZ" "EMP_JOBSEEKERS 202503 CZ020" "POP_15_64 2025 CZ020" "PART_EVENTS 202504 CZ"; do
    set -- $spec
    admin --format csv report values --indicator "$1" --period "$2" --under "$3"; expect_rc 0
    values_rows "$1" "$2" "$3" >"$tmp/expected"
    sed 1d "$tmp/out" | cut -d, -f1,3- | sort >"$tmp/got"
    [ -s "$tmp/expected" ] || problem "nothing expected for $spec"
    expect_same "$tmp/got" "$tmp/expected"
done
admin --format csv report values --indicator PART_EVENTS --period 202503 --unit 532053 --disaggregation '*'; expect_rc 0
expect_eq "Kladno's public meetings" "$(printf 'unit,name,period,disaggregation,value,values,units\n532053,Kladno,202503,event_type=public_meeting,3,1,1')" "$(cat "$tmp/out")"
admin --format csv report values --indicator EMP_JOBSEEKERS --period 202503 --unit 533165 --disaggregation sex=f; expect_rc 0
expect_line "$tmp/out" "533165,Kolín,202503,sex=f,800,1,1"
end

# expect_rollup IND PERIOD [DISAGG]: national and by-kraj roll-ups against the ledger.
expect_rollup () {
    local ind=$1 p=$2 d=${3:-} dcol="" dopt=()
    [ -n "$d" ] && { dcol="$d,"; dopt=(--disaggregation "$d"); }
    admin --format csv report rollup --indicator "$ind" --period "$p" ${dopt[@]+"${dopt[@]}"}; expect_rc 0
    expect_eq "$ind $p $d national" "CZ,Česká republika,country,$p,$dcol$(figure "$ind" "$p" "" "$d")" "$(sed -n 2p "$tmp/out")"
    expect_eq "$ind $p national rows" 1 "$(sed 1d "$tmp/out" | wc -l)"
    admin --format csv report rollup --indicator "$ind" --period "$p" --level kraj ${dopt[@]+"${dopt[@]}"}; expect_rc 0
    expect_eq "$ind $p kraje" 14 "$(sed 1d "$tmp/out" | wc -l)"
    expect_line "$tmp/out" "CZ010,Hlavní město Praha,kraj,$p,$dcol$(figure "$ind" "$p" CZ010 "$d")"
    expect_line "$tmp/out" "CZ020,Středočeský kraj,kraj,$p,$dcol$(figure "$ind" "$p" CZ020 "$d")"
    expect_line "$tmp/out" "CZ080,Moravskoslezský kraj,kraj,$p,$dcol,0,0"
}

begin "report rollup: national and by kraj, computed from what was sent"
expect_rollup PART_EVENTS 202503
expect_rollup PART_EVENTS 2025
expect_rollup PART_EVENTS 202503 event_type=public_meeting
expect_rollup PART_PARTICIPANTS 202503
expect_rollup EMP_JOBSEEKERS 202503 sex=f
expect_rollup POP_15_64 2025
end

begin "report rollup of the derived EMP_SHARE: sum of job seekers / sum of population 15-64"
admin --format csv report rollup --indicator EMP_SHARE --period 202503 --level kraj; expect_rc 0
num=$(figure EMP_JOBSEEKERS 202503 CZ020 "" | cut -d, -f1); den=$(figure POP_15_64 2025 CZ020 "" | cut -d, -f1)
share=$(awk -v n="$num" -v d="$den" 'BEGIN { printf "%.6f", n * 100 / d }' | sed 's/0*$//; s/\.$//')
grep -q "^CZ020,Středočeský kraj,kraj,202503,$share,$num,$den," "$tmp/out" || problem "EMP_SHARE CZ020: expected $share = $num / $den; $(grep '^CZ020' "$tmp/out")"
end

begin "report rollup --group CASE_2021_W3 and --level okres --under CZ020"
admin --format csv report rollup --indicator PART_PARTICIPANTS --period 202503 --group CASE_2021_W3; expect_rc 0
# Kladno (532053) is the group's only member that reported.
expect_eq "group row" "CASE_2021_W3,$(sed -n '/^\[group CASE_2021_W3\]/,/^\[/s/^name = //p' "$catalogue" | sed 's/.*/"&"/'),group,202503,45,1,1" "$(sed -n 2p "$tmp/out")"
admin --format csv report rollup --indicator PART_EVENTS --period 202503 --level okres --under CZ020; expect_rc 0
expect_eq "okresy of CZ020" 12 "$(sed 1d "$tmp/out" | wc -l)"
expect_line "$tmp/out" "CZ0203,Kladno,okres,202503,3,1,1"
expect_line "$tmp/out" "CZ0204,Kolín,okres,202503,4,1,1"
end

begin "report completeness of DS_PARTICIPATION 202503 by kraj, with the missing units"
admin --format csv report completeness --dataset DS_PARTICIPATION --period 202503 --under CZ020 --missing; expect_rc 0
n20=$(sed 1d "$tmp/units-cz020.csv" | wc -l)
reported=$(awk '$2 == "CZ020" && $4 == "202503" && $3 ~ /^PART_/ { print $5 }' "$ledger" | sort -u | wc -l)
pct=$(awk -v a=1 -v b="$n20" 'BEGIN { printf "%.1f", a * 100 / b }' | sed 's/\.0$//')
# Kladno sent all three indicators of the data set, the others one or two; none on time (2026).
expect_line "$tmp/out" "CZ020,Středočeský kraj,$n20,$reported,1,0,$pct,0,0,0,0"
sed -n '/^row,missing_unit$/,$p' "$tmp/out" | sed 1d | cut -d, -f2 | sort >"$tmp/got"
sed 1d "$tmp/units-cz020.csv" | cut -d, -f1 | grep -vxF -f <(awk '$2 == "CZ020" && $4 == "202503" && $3 ~ /^PART_/ { print $5 }' "$ledger") | sort >"$tmp/expected"
expect_same "$tmp/got" "$tmp/expected"
admin --format json report completeness --dataset DS_PARTICIPATION --period 202503 --under CZ020 --missing; expect_rc 0
# One JSON document: {"completeness": [...], "missing": [...]}.
expect_eq "first line" '{"completeness": [' "$(head -n 1 "$tmp/out")"
expect_line "$tmp/out" ', "missing": ['
expect_eq "missing units in JSON" "$(wc -l <"$tmp/expected")" "$(grep -c '^ {"row": "CZ020", "missing_unit": "[0-9]*"}' "$tmp/out")"
if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import json, sys; d = json.load(sys.stdin); assert len(d["completeness"]) == 1, d' <"$tmp/out" 2>"$tmp/py" || problem "completeness --missing --format json is not one JSON document: $(tail -n 1 "$tmp/py")"
fi
admin --format json report completeness --dataset DS_PARTICIPATION --period 202503 --level kraj; expect_rc 0
grep -Fq "{\"unit\": \"CZ020\", \"name\": \"Středočeský kraj\", \"expected\": $n20, \"reported\": $reported, \"complete\": 1, \"on_time\": 0, \"complete_pct\": $pct, \"on_time_pct\": 0, \"approved_municipality\": 0, \"approved_region\": 0, \"approved_centre\": 0}" "$tmp/out" || problem "completeness JSON: $(grep CZ020 "$tmp/out")"
end

# ==== resending, updating, deleting ====

begin "sending the same file again changes nothing: the stored summary is replayed, exit 0"
before=$(state)
office submit values.csv; expect_rc 0
expect_line "$tmp/out" "values.csv: $n_csv items in 1 submission: imported $n_csv, updated 0, ignored 0, deleted 0, rejected 0"
office --format json submit values.json; expect_rc 0
grep -Fq "\"imported\": $n_json, \"updated\": 0" "$tmp/out" || problem "JSON replay: $(cat "$tmp/out")"
expect_eq "ingest state (last_seq, values)" "$before" "$(state)"
end

begin "the same values under new submission ids are all ignored (unchanged), exit 0"
before=$(state)
office submit --id resend values.csv values.json; expect_rc 0
expect_line "$tmp/out" "values.csv: $n_csv items in 1 submission: imported 0, updated 0, ignored $n_csv, deleted 0, rejected 0"
expect_line "$tmp/out" "values.json: $n_json items in 1 submission: imported 0, updated 0, ignored $n_json, deleted 0, rejected 0"
expect_eq "ingest state (last_seq, values)" "$before" "$(state)"
end

begin "submit --dry-run validates and counts but stores nothing"
before=$(state)
{ echo "$csv_header"; echo "PART_PARTICIPANTS,202505,532053,,,77,,,,"; } >"$files/dry.csv"
office submit --dry-run dry.csv; expect_rc 0
expect_line "$tmp/out" "dry.csv: 1 items in 1 submission: (dry run) imported 1, updated 0, ignored 0, deleted 0, rejected 0"
expect_eq "ingest state" "$before" "$(state)"
end

begin "a second submission updating one value: report history shows the change, roll-ups follow"
{ echo "$csv_header"; echo "PART_PARTICIPANTS,202503,532053,,,50,,,corrected count,"; } >"$files/update.csv"
office submit update.csv; expect_rc 0
expect_line "$tmp/out" "update.csv: 1 items in 1 submission: imported 0, updated 1, ignored 0, deleted 0, rejected 0"
echo "upd CZ020 PART_PARTICIPANTS 202503 532053 - 50" >>"$ledger"
wait_applied
admin --format csv report history --indicator PART_PARTICIPANTS --unit 532053 --period 202503; expect_rc 0
expect_eq "history entries" 2 "$(sed 1d "$tmp/out" | wc -l)"
sed 1d "$tmp/out" | cut -d, -f2- | sed 's/-[0-9a-f]\{12\},/-ID,/' >"$tmp/got"
cat >"$tmp/expected" <<'EOF'
,45,no,office-CZ020,values.csv-1-ID,CZ020,1,,,no
45,50,no,office-CZ020,update.csv-1-ID,CZ020,3,corrected count,,no
EOF
expect_same "$tmp/got" "$tmp/expected"
grep -c '^2026-03-15T' "$tmp/out" | grep -qx 2 || problem "history dates are not the stack's day: $(cut -d, -f1 "$tmp/out" | tr '\n' ' ')"
admin report history --indicator PART_PARTICIPANTS --unit 532053 --period 202503; expect_rc 0
expect_line "$tmp/out" "current value: 50"
expect_rollup PART_PARTICIPANTS 202503
end

begin "submit --delete: a value without a value deletes the stored one (dataValueSets layout)"
# The layout of the DHIS2 file dataValueSetJDeleteNoValue.json, with socin codes.
cat >"$files/delete.json" <<'EOF'
{
  "dataValues": [
    {
      "period": "2025",
      "orgUnit": "533165",
      "dataElement": "POP_15_64"
    }
  ]
}
EOF
office --format csv submit delete.json; expect_rc 2
expect_line "$tmp/out" "delete.json,3,MISSING_FIELD,value,,\"value is empty (to delete the stored value, set delete)\""
office submit --delete delete.json; expect_rc 0
expect_line "$tmp/out" "delete.json: 1 items in 1 submission: imported 0, updated 0, ignored 0, deleted 1, rejected 0"
echo "del CZ020 POP_15_64 2025 533165 - -" >>"$ledger"
wait_applied
admin --format csv report values --indicator POP_15_64 --period 2025 --unit 533165; expect_rc 0
expect_eq "values after the deletion" "unit,name,period,value,values,units" "$(cat "$tmp/out")"
admin --format csv report history --indicator POP_15_64 --unit 533165 --period 2025; expect_rc 0
sed -n 3p "$tmp/out" | grep -q '^2026-03-15T[0-9:]*Z,21000,,yes,office-CZ020,delete.json-1-' || problem "history of the deletion: $(tr '\n' ' ' <"$tmp/out")"
expect_rollup POP_15_64 2025
end

# ==== files that cannot be read ====

# expect_refused FILE MESSAGE: exit 2, the message, nothing sent or stored.
expect_refused () {
    local before
    before=$(state)
    office submit "$1"; expect_rc 2
    expect_line "$tmp/out" "$1: 0 items in 0 submissions: imported 0, updated 0, ignored 0, deleted 0, rejected 0"
    expect_line "$tmp/out" "  error: $2; nothing of the file was sent"
    expect_line "$tmp/out" "status: failed: nothing was accepted"
    office --format json submit "$1"; expect_rc 2
    grep -Fq "\"items\": 0, \"submissions\": 0, \"imported\": 0," "$tmp/out" || problem "JSON summary: $(cat "$tmp/out")"
    expect_eq "ingest state" "$before" "$(state)"
}

begin "a CSV header with the wrong number of columns is refused (line 1, exit 2, nothing stored)"
printf 'dataelement,period,orgunit\nPART_PARTICIPANTS,202507,532053\n' >"$files/header.csv"
expect_refused header.csv "header.csv line 1: the header row has 3 columns; expected 6 to 10: $csv_header"
end

begin "a row with missing columns is refused, naming its line (exit 2, nothing stored)"
printf '%s\nPART_PARTICIPANTS,202507,532053,,,5,,,,\nPART_PARTICIPANTS,202507,531057,,\n' "$csv_header" >"$files/short.csv"
expect_refused short.csv "short.csv line 3: 5 columns; a data value row has at least 6 (dataelement, period, orgunit, categoryoptioncombo, attributeoptioncombo, value)"
end

begin "invalid UTF-8 is refused, naming its line (exit 2, nothing stored)"
printf '%s\nPART_PARTICIPANTS,202507,532053,,,5,,,,\nPART_PARTICIPANTS,202507,531057,,,6,,,Kladno \xe9\xe9,\n' "$csv_header" >"$files/latin2.csv"
expect_refused latin2.csv "latin2.csv line 3: the text is not valid UTF-8 (byte 0xE9)"
end

begin "a JSON file with a syntax error is refused, naming its line (exit 2, nothing stored)"
cat >"$files/broken.json" <<'EOF'
{"dataValues": [
  {"dataElement": "PART_PARTICIPANTS", "period": "202507", "orgUnit": "532053", "value": "5"},
  {"dataElement": "PART_PARTICIPANTS" "period": "202507", "orgUnit": "531057", "value": "6"}
]}
EOF
expect_refused broken.json "broken.json line 3: expected ',' or '}' after an object member, found '\"'"
end

# ==== items the ingest rejects ====

cat >"$files/bad.csv" <<EOF
$csv_header
NO_SUCH,202507,532053,,,5,,,,
PART_PARTICIPANTS,202507,999999,,,5,,,,
PART_PARTICIPANTS,202513,532053,,,5,,,,
POP_15_64,2025Q5,532053,,,5,,,,
PART_PARTICIPANTS,202507,532053,,,"12,5",,,,
PART_PARTICIPANTS,202508,532053,,,1e3,,,,
EOF
cat >"$files/bad.json" <<'EOF'
{"dataValues": [
  {"dataElement": "NO_SUCH", "period": "202507", "orgUnit": "532053", "value": "5"},
  {"dataElement": "PART_PARTICIPANTS", "period": "202507", "orgUnit": "999999", "value": "5"},
  {"dataElement": "PART_PARTICIPANTS", "period": "202513", "orgUnit": "532053", "value": "5"},
  {"dataElement": "POP_15_64", "period": "2025Q5", "orgUnit": "532053", "value": "5"},
  {"dataElement": "PART_PARTICIPANTS", "period": "202507", "orgUnit": "532053", "value": "12,5"},
  {"dataElement": "PART_PARTICIPANTS", "period": "202508", "orgUnit": "532053", "value": 1e3}
]}
EOF
# The conflicts both files give, as file,line,code,field,value,message (the field in the
# file's own naming: dataelement/orgunit in CSV, dataElement/orgUnit in JSON).
bad_conflicts () {
    local f=$1 ind=$2 unit=$3
    cat <<EOF
file,line,code,field,value,message
$f,2,UNKNOWN_INDICATOR,$ind,NO_SUCH,"indicator ""NO_SUCH"" is not in the catalogue (socin registry list indicators shows the codes)"
$f,3,UNKNOWN_UNIT,$unit,999999,"unit ""999999"" is not in the registry (municipalities have 6-digit ČSÚ codes such as 582786)"
$f,4,MALFORMED_PERIOD,period,202513,"""202513"": month 13 does not exist (months are 01 to 12)"
$f,5,MALFORMED_PERIOD,period,2025Q5,"""2025Q5"": quarter 5 does not exist (quarters are Q1 to Q4)"
$f,6,MALFORMED_VALUE,value,"12,5","""12,5"" is not a number: unexpected ',' at position 3 (use '.' for decimals)"
$f,7,MALFORMED_VALUE,value,1e3,"""1e3"" is not a number: unexpected 'e' at position 2 (exponents are not accepted; write all the digits)"
EOF
}

begin "CSV items with unknown codes, malformed periods and numbers: each rejected with its line, code and column; exit 2, nothing stored"
before=$(state)
office --format csv submit bad.csv; expect_rc 2
bad_conflicts bad.csv dataelement orgunit >"$tmp/expected"
expect_same "$tmp/out" "$tmp/expected"
office submit bad.csv; expect_rc 2
expect_line "$tmp/out" "bad.csv: 6 items in 1 submission: imported 0, updated 0, ignored 0, deleted 0, rejected 6"
expect_line "$tmp/out" "status: failed: nothing was accepted"
expect_eq "ingest state" "$before" "$(state)"
end

begin "JSON items with the same faults: lines of their objects, fields dataElement/orgUnit; exit 2, nothing stored"
before=$(state)
office --format csv submit bad.json; expect_rc 2
bad_conflicts bad.json dataElement orgUnit >"$tmp/expected"
expect_same "$tmp/out" "$tmp/expected"
office --format json submit bad.json; expect_rc 2
grep -Fq '{"line": 3, "code": "UNKNOWN_UNIT", "field": "orgUnit", "value": "999999", "message": "unit \"999999\" is not in the registry (municipalities have 6-digit ČSÚ codes such as 582786)"}' "$tmp/out" || problem "JSON conflict of line 3: $(grep '"line": 3' "$tmp/out")"
expect_eq "ingest state" "$before" "$(state)"
end

begin "a file mixing good and bad rows: exit 1, the good ones stored"
cat >"$files/mixed.csv" <<EOF
$csv_header
PART_PARTICIPANTS,202506,531057,,,17,,,,
PART_PARTICIPANTS,202506,999998,,,17,,,,
PART_PARTICIPANTS,202506,533165,,,12.5,,,,
PART_PARTICIPANTS,202506,535419,,,8,,,,
EOF
office --format csv submit mixed.csv; expect_rc 1
cat >"$tmp/expected" <<'EOF'
file,line,code,field,value,message
mixed.csv,3,UNKNOWN_UNIT,orgunit,999998,"unit ""999998"" is not in the registry (municipalities have 6-digit ČSÚ codes such as 582786)"
mixed.csv,4,WRONG_VALUE_TYPE,value,12.5,value 12.5 is not a whole number; PART_PARTICIPANTS counts whole persons
EOF
expect_same "$tmp/out" "$tmp/expected"
office submit --id mixed-again mixed.csv; expect_rc 1
expect_line "$tmp/out" "mixed.csv: 4 items in 1 submission: imported 0, updated 0, ignored 2, deleted 0, rejected 2"
expect_line "$tmp/out" "status: partial: some items were rejected"
echo "mix CZ020 PART_PARTICIPANTS 202506 531057 - 17" >>"$ledger"
echo "mix CZ020 PART_PARTICIPANTS 202506 535419 - 8" >>"$ledger"
wait_applied
admin --format csv report values --indicator PART_PARTICIPANTS --period 202506; expect_rc 0
values_rows PART_PARTICIPANTS 202506 CZ >"$tmp/expected"
sed 1d "$tmp/out" | cut -d, -f1,3- | sort >"$tmp/got"
expect_same "$tmp/got" "$tmp/expected"
end

begin "the regional office's key cannot submit outside its territory (Praha from CZ020: OUTSIDE_TERRITORY, exit 2)"
before=$(state)
printf '%s\nPART_PARTICIPANTS,202507,554782,,,90,,,,\n' "$csv_header" >"$files/praha.csv"
office --format csv submit praha.csv; expect_rc 2
expect_line "$tmp/out" "praha.csv,2,OUTSIDE_TERRITORY,orgunit,554782,unit 554782 (municipality Praha) is outside the territory of submitter office-CZ020 (CZ020)"
sx --timeout-ms 10000 --config "$stack/regions/CZ010.conf" --format csv submit mixed.csv; expect_rc 2
expect_line "$tmp/out" "mixed.csv,2,OUTSIDE_TERRITORY,orgunit,531057,unit 531057 (municipality Beroun) is outside the territory of submitter office-CZ010 (CZ010)"
# The admin may report anywhere, but ingest-CZ010 serves Praha only.
admin --format csv submit --id admin-cz020 mixed.csv; expect_rc 2
expect_line "$tmp/out" "mixed.csv,2,OUTSIDE_TERRITORY,orgunit,531057,unit 531057 (municipality Beroun) is outside the territory this ingest serves (CZ010); submit it to the ingest of its region"
expect_eq "ingest state" "$before" "$(state)"
end

# ==== the real DHIS2 files ====

begin "DHIS2 dataValueSetBooleanTest.csv: all 18 rows rejected (lines 2..19, UNKNOWN_INDICATOR first), exit 2"
before=$(state)
(cd "$dhis2" && exec "$SOCIN_BIN/socin" --timeout-ms 10000 --config "$stack/regions/CZ020.conf" --format csv submit dataValueSetBooleanTest.csv) >"$tmp/out" 2>"$tmp/err"
rc=$?
expect_rc 2
awk -F, 'NR > 1 { gsub(/"/, "", $1); printf "dataValueSetBooleanTest.csv,%d,UNKNOWN_INDICATOR,dataelement,%s\n", NR, $1 }' "$dhis2/dataValueSetBooleanTest.csv" >"$tmp/expected"
sed 1d "$tmp/out" | cut -d, -f1-5 >"$tmp/got"
expect_same "$tmp/got" "$tmp/expected"
expect_eq "rejected rows" 18 "$(sed 1d "$tmp/out" | wc -l)"
expect_line "$tmp/out" 'dataValueSetBooleanTest.csv,19,UNKNOWN_INDICATOR,dataelement,jH26dja2f31,"indicator ""jH26dja2f31"" is not in the catalogue (socin registry list indicators shows the codes)"'
expect_eq "ingest state" "$before" "$(state)"
end

begin "DHIS2 dataValueSetJ.json: its one value rejected naming line 3 (the object), exit 2"
before=$(state)
(cd "$dhis2" && exec "$SOCIN_BIN/socin" --timeout-ms 10000 --config "$stack/regions/CZ020.conf" submit dataValueSetJ.json) >"$tmp/out" 2>"$tmp/err"
rc=$?
expect_rc 2
expect_line "$tmp/out" "dataValueSetJ.json: 1 items in 1 submission: imported 0, updated 0, ignored 0, deleted 0, rejected 1"
grep -q '^dataValueSetJ.json  *3  UNKNOWN_INDICATOR  dataElement  f7n9E0hX8qk  indicator "f7n9E0hX8qk" is not in the catalogue' "$tmp/out" || problem "conflict line: $(grep UNKNOWN "$tmp/out")"
expect_eq "ingest state" "$before" "$(state)"
end

begin "DHIS2 dataValueSetJDeleteNoValue.json --delete: the deletion rejected on line 3, exit 2"
before=$(state)
(cd "$dhis2" && exec "$SOCIN_BIN/socin" --timeout-ms 10000 --config "$stack/regions/CZ020.conf" --format json submit --delete dataValueSetJDeleteNoValue.json) >"$tmp/out" 2>"$tmp/err"
rc=$?
expect_rc 2
grep -Fq '"items": 1, "submissions": 1, "imported": 0, "updated": 0, "ignored": 0, "deleted": 0, "rejected": 1, "replayed": 0, "error": null' "$tmp/out" || problem "summary: $(cat "$tmp/out")"
grep -Fq '{"line": 3, "code": "UNKNOWN_INDICATOR", "field": "dataElement", "value": "f7n9E0hX8qk"' "$tmp/out" || problem "conflict: $(cat "$tmp/out")"
expect_eq "ingest state" "$before" "$(state)"
end

# ==== participation events and the CZ0046 target ====

# id unit date type open participants roma seniors kraj (the CZ020 office sends the CZ020
# ones, the admin Praha's). Qualify for CZ0046_PUBLIC: open, of the four types, 2025-2028.
cat >"$tmp/events" <<'EOF'
e1 532053 2025-04-10 public_meeting true 40 5 7 CZ020
e2 531057 2025-05-02 round_table true 12 0 0 CZ020
e3 533165 2025-06-20 survey true 100 0 3 CZ020
e4 534676 2025-07-01 focus_group false 9 0 0 CZ020
e5 535419 2025-09-15 working_group true 20 2 0 CZ020
e6 539911 2024-11-05 public_meeting true 30 0 0 CZ020
e7 532053 2025-10-01 focus_group true 15 0 1 CZ020
e8 533955 2026-02-01 public_meeting true 25 0 0 CZ020
p1 554782 2025-03-03 public_meeting true 200 10 20 CZ010
EOF
events_json () {
    echo '{"events": ['
    awk -v k="$1" '$9 == k {
        printf "%s  {\"event_id\": \"%s\", \"unit\": \"%s\", \"date\": \"%s\", \"type\": \"%s\", \"topic\": \"housing\", \"participants\": %d, \"vulnerable\": {\"roma\": %d, \"seniors\": %d}, \"open_to_public\": %s, \"platform_includes_vulnerable\": false}", n++ ? ",\n" : "", $1, $2, $3, $4, $6, $7, $8, $5
    } END { print "" }' "$tmp/events"
    echo ']}'
}
events_json CZ020 >"$files/events.json"
events_json CZ010 >"$files/events-praha.json"

begin "events JSON (socin's format) imported: exit 0, exact counts"
office submit events.json; expect_rc 0
n=$(grep -c 'CZ020$' "$tmp/events")
expect_line "$tmp/out" "events.json: $n items in 1 submission: imported $n, updated 0, ignored 0, deleted 0, rejected 0"
admin submit events-praha.json; expect_rc 0
expect_line "$tmp/out" "events-praha.json: 1 items in 1 submission: imported 1, updated 0, ignored 0, deleted 0, rejected 0"
expect_eq "events stored by ingest-CZ020" "$n" "$(stored_events CZ020)"
wait_applied
end

begin "bad events: unknown type, outside territory, malformed and future dates, each on its line (exit 2)"
cat >"$files/bad-events.json" <<'EOF'
{"events": [
  {"event_id": "x1", "unit": "532053", "date": "2025-04-10", "type": "party", "participants": 4},
  {"event_id": "x2", "unit": "554782", "date": "2025-04-10", "type": "public_meeting", "participants": 4},
  {"event_id": "x3", "unit": "532053", "date": "2025-13-10", "type": "public_meeting", "participants": 4},
  {"event_id": "x4", "unit": "532053", "date": "2027-01-10", "type": "public_meeting", "participants": 4},
  {"event_id": "x5", "unit": "CZ020", "date": "2025-01-10", "type": "public_meeting", "participants": 4}
]}
EOF
before=$(state)
office --format csv submit bad-events.json; expect_rc 2
cat >"$tmp/expected" <<'EOF'
file,line,code,field,value,message
bad-events.json,2,UNKNOWN_EVENT_TYPE,type,,"unknown event type ""party"" (expected one of public_meeting, round_table, focus_group, working_group, survey, family_interviews)"
bad-events.json,3,OUTSIDE_TERRITORY,unit,554782,unit 554782 (municipality Praha) is outside the territory of submitter office-CZ020 (CZ020)
bad-events.json,4,MALFORMED_DATE,date,2025-13-10,"""2025-13-10"": month 13 does not exist (months are 01 to 12)"
bad-events.json,5,FUTURE_PERIOD,date,2027-01-10,date 2027-01-10 is in the future (today is 2026-03-15)
bad-events.json,6,WRONG_UNIT_LEVEL,unit,CZ020,unit CZ020 (kraj Středočeský kraj) is not a municipality or city district; events are held by those
EOF
expect_same "$tmp/out" "$tmp/expected"
expect_eq "ingest state" "$before" "$(state)"
end

# participation_row KRAJ|CZ: "events,participants,municipalities,roma,...,seniors,..." for 2025.
participation_row () {
    awk -v k="$1" '
        substr($3, 1, 4) == "2025" && (k == "CZ" || $9 == k) { e++; p += $6; r += $7; s += $8; m[$2] = 1 }
        END { nm = 0; for (x in m) nm++; printf "%d,%d,%d,%d,0,0,%d,0,0\n", e, p, nm, r, s }' "$tmp/events"
}

begin "report participation 2025: exact events, participants and municipalities per kraj"
admin --format csv report participation --period 2025 --level kraj; expect_rc 0
expect_line "$tmp/out" "unit,name,events,participants,municipalities,roma,migrants,children,seniors,disabled,homeless"
expect_line "$tmp/out" "CZ010,Hlavní město Praha,$(participation_row CZ010)"
expect_line "$tmp/out" "CZ020,Středočeský kraj,$(participation_row CZ020)"
expect_line "$tmp/out" "CZ064,Jihomoravský kraj,0,0,0,0,0,0,0,0,0"
admin --format csv report participation --period 2025; expect_rc 0
expect_line "$tmp/out" "CZ,Česká republika,$(participation_row CZ)"
admin --format csv report participation --period 2025 --under CZ020 --level kraj --by-type; expect_rc 0
expect_line "$tmp/out" "CZ020,Středočeský kraj,focus_group,2,24,2,0,0,0,1,0,0"
expect_line "$tmp/out" "CZ020,Středočeský kraj,survey,1,100,1,0,0,0,3,0,0"
end

begin "report targets: CZ0046_PUBLIC counts the municipalities with open public events (JSON)"
qualifying=$(awk '$5 == "true" && $3 >= "2025-01-01" && $3 <= "2028-12-31" && $4 ~ /^(public_meeting|round_table|focus_group|working_group)$/ { print $2 }' "$tmp/events" | sort -u)
nq=$(echo "$qualifying" | wc -l)
admin --format json report targets --target CZ0046_PUBLIC; expect_rc 0
expect_line "$tmp/out" " {\"target\": \"CZ0046_PUBLIC\", \"commitment\": \"OGP CZ0046\", \"current\": $nq, \"threshold\": 20, \"met\": \"no\", \"deadline\": \"2028-12-31\", \"name\": \"Obce využívající participativní postupy\"}"
admin --format json report targets --units; expect_rc 0
# One JSON document: {"targets": [...], "units": [...]}.
expect_eq "first line" '{"targets": [' "$(head -n 1 "$tmp/out")"
expect_eq "last line" '}' "$(tail -n 1 "$tmp/out")"
expect_eq "arrays" 2 "$(grep -c '^\]' "$tmp/out")"
expect_line "$tmp/out" ', "units": ['
sed -n 's/^ {"target": "CZ0046_PUBLIC", "unit": "\([0-9]*\)", "name": "[^"]*"},\{0,1\}$/\1/p' "$tmp/out" | sort >"$tmp/got"
echo "$qualifying" >"$tmp/expected"
expect_same "$tmp/got" "$tmp/expected"
grep -q '^ {"target": "CZ0046_PUBLIC", "unit": "532053", "name": "Kladno"}' "$tmp/out" || problem "Kladno is not listed by name"
if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import json, sys; d = json.load(sys.stdin); assert isinstance(d, dict) and d["targets"] and d["units"], d' <"$tmp/out" 2>"$tmp/py" || problem "targets --units --format json is not one JSON document: $(tail -n 1 "$tmp/py")"
fi
admin --format csv report targets --as-of 2025-12-31 --target CZ0046_PUBLIC; expect_rc 0
before_2026=$(awk '$5 == "true" && $3 >= "2025-01-01" && $3 <= "2025-12-31" && $4 ~ /^(public_meeting|round_table|focus_group|working_group)$/ { print $2 }' "$tmp/events" | sort -u | wc -l)
expect_line "$tmp/out" "CZ0046_PUBLIC,OGP CZ0046,$before_2026,20,no,2028-12-31,Obce využívající participativní postupy"
admin report targets --target NOPE; expect_rc 2
expect_line "$tmp/err" "socin: NOT_FOUND: target 'NOPE' is not in the catalogue"
end

# ==== changing the registry ====

begin "registry import-catalogue of a small file adds an indicator (dry run first; again: unchanged)"
cat >"$files/catalogue.ini" <<'EOF'
# one more indicator, in no data set
[indicator E2E_VISITS]
name_cs = Návštěvy
name_en = Visits
measure = visits
type = integer
aggregation = sum
range = 0..1000
area = participation
period = monthly
EOF
seq0=$(ctl registry seq | sed -n 's/^seq://p')
admin registry import-catalogue --dry-run catalogue.ini; expect_rc 0
expect_eq "dry run" "dry run: would have added 1, updated 0, unchanged 0, closed 0 (registry seq $seq0)" "$(cat "$tmp/out")"
admin --format csv registry import-catalogue catalogue.ini; expect_rc 0
expect_eq "import" "$(printf 'added,updated,unchanged,closed,seq,dry_run\n1,0,0,0,%d,false' $((seq0 + 1)))" "$(cat "$tmp/out")"
admin registry import-catalogue catalogue.ini; expect_rc 0
expect_eq "again" "added 0, updated 0, unchanged 1, closed 0 (registry seq $((seq0 + 1)))" "$(cat "$tmp/out")"
admin --format csv registry list indicators --area participation; expect_rc 0
expect_line "$tmp/out" "E2E_VISITS,integer,sum,monthly,,participation,0..1000,Visits"
wait_replicas
printf '%s\nE2E_VISITS,202503,532053,,,3,,,,\n' "$csv_header" >"$files/visits.csv"
office --format csv submit visits.csv; expect_rc 2
grep -q '^visits.csv,2,INDICATOR_NOT_IN_DATASET,dataelement,E2E_VISITS,' "$tmp/out" || problem "the ingest's replica: $(tail -n 1 "$tmp/out")"
printf '[indicator BROKEN\n' >"$files/broken.ini"
admin registry import-catalogue broken.ini; expect_rc 2
expect_line "$tmp/err" "socin: broken.ini: nothing was changed"
expect_eq "registry seq after the refused file" $((seq0 + 1)) "$(ctl registry seq | sed -n 's/^seq://p')"
end

begin "registry add-submitter with a key from keys new: the new key submits for its territory only"
admin registry add-submitter tester --key keys/tester.cert --territory 532053 533165; expect_rc 0
seq1=$(ctl registry seq | sed -n 's/^seq://p')
expect_eq "add-submitter" "added 1, updated 0, unchanged 0, closed 0 (registry seq $seq1)" "$(cat "$tmp/out")"
admin --format csv registry list submitters; expect_rc 0
expect_line "$tmp/out" "tester,$tester_pub,\"532053,533165\",(all),no"
admin registry add-submitter nokey --territory 532053; expect_rc 64
expect_line "$tmp/err" "socin: --key FILE is required (make one with: socin keys new NAME)"
admin registry add-submitter tester2 --key keys/tester.cert; expect_rc 64
expect_line "$tmp/err" "socin: --territory CODE... is required: the units the submitter may report for"
wait_replicas
printf '%s\nPART_PARTICIPANTS,202507,532053,,,11,,,,\nPART_PARTICIPANTS,202507,531057,,,12,,,,\n' "$csv_header" >"$files/tester.csv"
office --identity "$files/keys/tester.cert" --format csv submit tester.csv; expect_rc 1
expect_line "$tmp/out" "tester.csv,3,OUTSIDE_TERRITORY,orgunit,531057,\"unit 531057 (municipality Beroun) is outside the territory of submitter tester (532053, 533165)\""
echo "tst CZ020 PART_PARTICIPANTS 202507 532053 - 11" >>"$ledger"
wait_applied
admin --format csv report history --indicator PART_PARTICIPANTS --unit 532053 --period 202507; expect_rc 0
grep -q '^2026-03-15T[0-9:]*Z,,11,no,tester,tester.csv-1-[0-9a-f]*,CZ020,' "$tmp/out" || problem "history: $(tr '\n' ' ' <"$tmp/out")"
end

begin "registry add-peer with the reader role: the key may query reporting"
admin registry add-peer reader1 --key keys/reader1.cert --role reader; expect_rc 0
seq2=$(ctl registry seq | sed -n 's/^seq://p')
expect_eq "add-peer" "added 1, updated 0, unchanged 0, closed 0 (registry seq $seq2)" "$(cat "$tmp/out")"
admin registry add-peer reader2 --key keys/reader1.cert --role king; expect_rc 64
expect_line "$tmp/err" "socin: --role must be admin, reader, ingest or reporting"
wait_replicas
admin --identity "$files/keys/reader1.cert" --timeout-ms 5000 --format csv report rollup --indicator PART_EVENTS --period 202503; expect_rc 0
expect_eq "rollup as reader1" "CZ,Česká republika,country,202503,$(figure PART_EVENTS 202503 "" "")" "$(sed -n 2p "$tmp/out")"
end

# ==== control sockets ====

begin "ctl: status and help answer; an unknown command exits 2 with 'error: unknown command'"
sx ctl "$stack/reporting/ctl.sock" status; expect_rc 0
expect_line "$tmp/out" "service:reporting"
expect_line "$tmp/out" "state:running"
sx ctl "$stack/ingest-CZ020/ctl.sock" status; expect_rc 0
expect_line "$tmp/out" "source:CZ020"
sx ctl "$stack/registry/ctl.sock"; expect_rc 0
grep -q '^status  ' "$tmp/out" || problem "ctl help lists no status: $(head -n 3 "$tmp/out")"
sx ctl "$stack/ingest-CZ020/ctl.sock" help; expect_rc 0
grep -q '^backlog  ' "$tmp/out" || problem "the ingest's help lists no backlog"
sx ctl "$stack/registry/ctl.sock" frobnicate; expect_rc 2
expect_line "$tmp/err" "error: unknown command 'frobnicate' (help lists the commands)"
sx ctl "$stack/nothing.sock" status; expect_rc 69
expect_line "$tmp/err" "socin: cannot connect to $stack/nothing.sock: No such file or directory (is the daemon running?)"
sx --home "$stack" ctl reporting status; expect_rc 0
expect_line "$tmp/out" "service:reporting"
end

# ==== services that do not answer ====

# The three kinds of silence, told apart from the connection's events; each ends with exit 69
# within --timeout-ms (run under `timeout 5`: the old three tries of 2 s each were killed).
bounded () { (cd "$files" && exec timeout 5 "$SOCIN_BIN/socin" --config "$stack/client.conf" --timeout-ms 2000 "$@") >"$tmp/out" 2>"$tmp/err"; rc=$?; }

begin "nothing listening (a dead ipc endpoint, a closed tcp port): 'nothing answers there', exit 69"
before=$(state)
bounded --ingest "ipc://$tmp/dead.ipc" submit values.csv; expect_rc 69
expect_line "$tmp/out" "  error: ingest at ipc://$tmp/dead.ipc: nothing answers there (is the daemon running?)"
expect_line "$tmp/out" "status: unanswered: the ingest did not answer"
expect_eq "ingest state" "$before" "$(state)"
bounded --reporting "ipc://$tmp/dead.ipc" report sources; expect_rc 69
expect_line "$tmp/err" "socin: reporting at ipc://$tmp/dead.ipc: nothing answers there (is the daemon running?)"
bounded --registry "tcp://127.0.0.1:1" registry list targets; expect_rc 69
expect_line "$tmp/err" "socin: registry at tcp://127.0.0.1:1: nothing answers there (is the daemon running?)"
end

begin "a key the service does not know: 'does not know this key', exit 69"
sx keys new stranger --dir keys; expect_rc 0
before=$(state)
bounded --identity "$files/keys/stranger.cert" submit values.csv; expect_rc 69
expect_line "$tmp/out" "  error: ingest at $(sed -n 's/^ingest = //p' "$stack/client.conf"): the service does not know this key (register it: socin registry add-submitter/add-peer)"
expect_eq "ingest state" "$before" "$(state)"
bounded --identity "$files/keys/stranger.cert" registry list targets; expect_rc 69
expect_line "$tmp/err" "socin: registry at $(sed -n 's/^registry = //p' "$stack/client.conf"): the service does not know this key (register it: socin registry add-submitter/add-peer)"
end

begin "a server key that is not the service's: 'the server's key is not the one configured', exit 69"
bounded --ingest-key "$files/keys/stranger.cert" submit values.csv; expect_rc 69
expect_line "$tmp/out" "  error: ingest at $(sed -n 's/^ingest = //p' "$stack/client.conf"): the server's key is not the one configured (ingest_key)"
bounded --registry-key "$stack/keys/reporting.cert" registry list targets; expect_rc 69
expect_line "$tmp/err" "socin: registry at $(sed -n 's/^registry = //p' "$stack/client.conf"): the server's key is not the one configured (registry_key)"
end

# ==== output formats ====

begin "--format csv of report rollup: a header and 14 rows of 7 fields"
admin --format csv report rollup --indicator PART_PARTICIPANTS --period 202503 --level kraj; expect_rc 0
expect_eq "header" "unit,name,level,period,value,values,units" "$(head -n 1 "$tmp/out")"
# Fields outside double quotes, counted per line.
bad=$(awk '{ line = $0; gsub(/"[^"]*"/, "Q", line); n = split(line, f, ","); if (n != 7) print NR ": " $0 }' "$tmp/out")
[ -z "$bad" ] || problem "lines without 7 fields: $bad"
expect_eq "rows" 14 "$(sed 1d "$tmp/out" | wc -l)"
expect_eq "sum of the kraje" "$(figure PART_PARTICIPANTS 202503 "" "" | cut -d, -f1)" "$(awk -F, 'NR > 1 { s += $5 } END { print s }' "$tmp/out")"
end

begin "--format json of report rollup: an array of one object per kraj with numbers"
admin --format json report rollup --indicator PART_PARTICIPANTS --period 202503 --level kraj; expect_rc 0
expect_eq "first line" "[" "$(head -n 1 "$tmp/out")"
expect_eq "last line" "]" "$(tail -n 1 "$tmp/out")"
bad=$(sed '1d;$d' "$tmp/out" | grep -Ev '^ \{"unit": "CZ0[0-9]{2}", "name": "[^"]+", "level": "kraj", "period": "202503", "value": ([0-9]+|null), "values": [0-9]+, "units": [0-9]+\},?$')
[ -z "$bad" ] || problem "unexpected lines: $bad"
expect_eq "objects" 14 "$(sed '1d;$d' "$tmp/out" | wc -l)"
expect_line "$tmp/out" " {\"unit\": \"CZ020\", \"name\": \"Středočeský kraj\", \"level\": \"kraj\", \"period\": \"202503\", \"value\": $(figure PART_PARTICIPANTS 202503 CZ020 "" | cut -d, -f1), \"values\": 3, \"units\": 3},"
if command -v python3 >/dev/null 2>&1; then
    total=$(python3 -c 'import json, sys; print(sum(r["value"] or 0 for r in json.load(sys.stdin)))' <"$tmp/out" 2>&1)
    expect_eq "python3: sum of the kraje" "$(figure PART_PARTICIPANTS 202503 "" "" | cut -d, -f1)" "$total"
fi
end

# ==== submitted text in the output ====

begin "submitted text cannot drive the terminal (table: control characters as \xHH, UTF-8 kept) nor run as a spreadsheet formula (CSV: a leading quote, not before -12.5)"
# A comment with an OSC title, a screen clear and a colour; a comment with a formula; a
# negative number the ingest rejects (PART_PARTICIPANTS counts people).
{
    echo "$csv_header"
    printf 'PART_PARTICIPANTS,202509,532053,,,7,,,\033]0;owned\007\033[2J\033[31mStředočeský,\n'
    echo 'PART_PARTICIPANTS,202510,532053,,,8,,,"=HYPERLINK(""http://evil.example"",""x"")",'
    echo 'PART_PARTICIPANTS,202511,532053,,,-12.5,,,,'
} >"$files/inject.csv"
office --format csv submit inject.csv; expect_rc 1
grep -q '^inject\.csv,4,[A-Z_]*,value,-12\.5,' "$tmp/out" || problem "the rejected -12.5 is not a plain number in CSV: $(grep inject "$tmp/out")"
expect_no_line "$tmp/out" "'-12.5"
wait_applied
admin report history --indicator PART_PARTICIPANTS --unit 532053 --period 202509; expect_rc 0
! grep -q $'[\x01-\x08\x0b-\x1f\x7f]' "$tmp/out" || problem "control characters reach the terminal: $(od -c "$tmp/out" | grep -m 2 '033\|007')"
grep -qF '\x1B]0;owned\x07\x1B[2J\x1B[31mStředočeský' "$tmp/out" || problem "comment not shown escaped: $(sed -n 2p "$tmp/out")"
admin --format csv report history --indicator PART_PARTICIPANTS --unit 532053 --period 202510; expect_rc 0
grep -qF ',"'"'"'=HYPERLINK(""http://evil.example"",""x"")"' "$tmp/out" || problem "formula not neutralised: $(sed -n 2p "$tmp/out")"
admin --format json report history --indicator PART_PARTICIPANTS --unit 532053 --period 202510; expect_rc 0
grep -qF '"comment": "=HYPERLINK(\"http://evil.example\",\"x\")"' "$tmp/out" || problem "JSON changed the comment: $(grep comment "$tmp/out")"
end

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
