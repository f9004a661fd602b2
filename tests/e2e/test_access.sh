#!/bin/bash
# End-to-end tests of who reads what, pivots and exports, with bin/socin against two local
# stacks (deploy/local/up, embedded sample territory, clock at 2026-03-15): stack A with the
# ingests of CZ010 and CZ020, fed a demo year of CZ020 (deploy/local/demo-feed) by its
# regional office; stack B, fresh, into which A's DHIS2 export is submitted.
#
# Proves: a regional office's own key reads its kraj (roll-ups, completeness, pivots, exports)
# and is refused at once, with OUTSIDE_SCOPE naming the unit, over every query outside it; a
# reader limited with add-peer --territory likewise; a key registered as nothing gets
# PERMISSION_DENIED; no key writes outside its territory; a pivot's figures are the feed's sums;
# every export format holds every stored value once; a DHIS2 round trip gives the same
# roll-ups; storedby and followup reach the history and the exports, attributeoptioncombo joins
# the disaggregation or is refused.
# The last line is "N passed, M failed".
set -u

SOCIN_ROOT=${SOCIN_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
SOCIN_BIN=$(cd "${SOCIN_BIN:-$SOCIN_ROOT/bin}" && pwd)
. "$SOCIN_ROOT/tests/e2e/lib.sh"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/socin-access.XXXXXX") || { echo "0 passed, 1 failed"; exit 1; }
a=$tmp/a
b=$tmp/b
files=$tmp/f
mkdir -p "$files"
cleanup () {
    "$SOCIN_ROOT/deploy/local/down" "$a" >/dev/null 2>&1
    "$SOCIN_ROOT/deploy/local/down" "$b" >/dev/null 2>&1
    if [ -n "${SOCIN_E2E_KEEP:-}" ]; then echo "# kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# run CONF ARGS...: socin with client settings CONF; stdout $tmp/out, stderr $tmp/err, $rc.
run () {
    local conf=$1; shift
    (cd "$files" && exec "$SOCIN_BIN/socin" --timeout-ms 10000 --config "$conf" "$@") >"$tmp/out" 2>"$tmp/err"
    rc=$?
}
admin () { run "$a/client.conf" "$@"; }
office () { run "$a/regions/CZ020.conf" "$@"; }
ctl () { "$SOCIN_BIN/socin" ctl "$1/$2/ctl.sock" "${@:3}" 2>/dev/null; }

# Waits until reporting of stack S has applied every batch of its ingests (10 s at most).
wait_applied () {
    local s=$1 i=0 d want got
    for d in "$s"/ingest-*; do
        want=$(ctl "$s" "$(basename "$d")" backlog | sed -n 's/^last_seq://p')
        while :; do
            got=$(ctl "$s" reporting sources | sed -n "s/^$(basename "$d" | sed 's/ingest-//'):applied=\([0-9]*\).*/\1/p")
            [ "${got:-0}" -ge "${want:-0}" ] && break
            i=$((i + 1)); [ $i -lt 200 ] || { problem "reporting applied ${got:-0} of ${want:-0} from $d"; return 1; }
            sleep 0.05
        done
    done
}
# Waits until reporting's replica in stack S has the registry's latest change.
wait_replica () {
    local s=$1 i=0 seq got
    seq=$(ctl "$s" registry seq | sed -n 's/^seq://p')
    while :; do
        got=$(ctl "$s" reporting status | sed -n 's/^replica_seq://p')
        [ "${got:-0}" -ge "${seq:-0}" ] && return 0
        i=$((i + 1)); [ $i -lt 200 ] || { problem "reporting's replica at ${got:-0}, registry at $seq"; return 1; }
        sleep 0.05
    done
}
# expect_refused UNIT: the last command was refused with OUTSIDE_SCOPE naming UNIT.
expect_refused () {
    expect_rc 2
    grep -q "^socin: OUTSIDE_SCOPE ($1): " "$tmp/err" || problem "not refused naming $1: $(head -c 300 "$tmp/err")"
}

if ! SOCIN_HOME=$a "$SOCIN_ROOT/deploy/local/up" "$a" --regions 2 --today 2026-03-15 >"$tmp/up-a.log" 2>&1; then
    echo "FAIL - stack A does not start: $(tail -n 3 "$tmp/up-a.log")"; echo "0 passed, 1 failed"; exit 1
fi
watched=$a

# ---- the data: a demo year of CZ020, sent by its regional office ----
begin "the regional office of CZ020 submits a demo year of its municipalities"
admin --format csv registry list units --level municipality --under CZ020; expect_rc 0
cp "$tmp/out" "$files/units20.csv"
"$SOCIN_ROOT/deploy/local/demo-feed" "$files/units20.csv" 2025 "$files/feed20" || problem "demo-feed failed"
office submit feed20.csv; expect_rc 0
wait_applied "$a"
values=$(( $(wc -l <"$files/feed20.csv") - 1 ))
expect_eq "values stored at ingest-CZ020" "$values" "$(ctl "$a" ingest-CZ020 status | sed -n 's/^values://p')"
end

# municipality -> okres, from the registry's listing (parents "ORP,OKRES").
awk -F'"' 'NR > 1 { split($1, c, ","); split($2, p, ","); print c[1], p[2] }' "$files/units20.csv" >"$files/okres.txt"

begin "a regional office's own key reads its kraj: roll-ups, completeness, values, a pivot"
office --format csv report rollup --indicator PART_EVENTS --period 2025 --under CZ020; expect_rc 0
want=$(awk -F, '$1 == "PART_EVENTS" { s += $6 } END { print s + 0 }' "$files/feed20.csv")
grep -q "^CZ020,Středočeský kraj,kraj,2025,$want," "$tmp/out" || problem "CZ020 PART_EVENTS 2025 is not $want: $(tail -n 1 "$tmp/out")"
office --format csv report completeness --dataset DS_PARTICIPATION --period 202503 --under CZ020 --level okres; expect_rc 0
[ "$(sed 1d "$tmp/out" | wc -l)" -ge 10 ] || problem "completeness by okres: $(head -c 200 "$tmp/out")"
office --format csv report pivot --dx PART_EVENTS,PART_PARTICIPANTS --pe LAST_4_QUARTERS --ou CZ020,LEVEL-okres --rows ou --columns dx,pe --relative-to 2026-01-10; expect_rc 0
expect_line "$tmp/out" "ou,name,PART_EVENTS 2025Q1,PART_EVENTS 2025Q2,PART_EVENTS 2025Q3,PART_EVENTS 2025Q4,PART_PARTICIPANTS 2025Q1,PART_PARTICIPANTS 2025Q2,PART_PARTICIPANTS 2025Q3,PART_PARTICIPANTS 2025Q4"
# Each okres and quarter: the feed's sum (units that reported nothing show no figure).
awk -F, 'NR == FNR { ok[$1] = $2; next } FNR > 1 && ($1 == "PART_EVENTS" || $1 == "PART_PARTICIPANTS") {
        q = int((substr($2, 5, 2) + 2) / 3); k = ok[$3] SUBSEP $1 SUBSEP q; s[k] += $6; seen[ok[$3]] = 1 }
    END { for (o in seen) { line = o; for (i = 0; i < 2; i++) for (q = 1; q <= 4; q++) {
              ind = i ? "PART_PARTICIPANTS" : "PART_EVENTS"; line = line "," s[o, ind, q] + 0 }
          print line } }' FS=' ' "$files/okres.txt" FS=, "$files/feed20.csv" | sort >"$tmp/want"
sed 1d "$tmp/out" | awk -F, '$3 != "" { print $1 "," $3 "," $4 "," $5 "," $6 "," $7 "," $8 "," $9 "," $10 }' | sort >"$tmp/got"
cmp -s "$tmp/want" "$tmp/got" || problem "pivot differs from the feed: $(diff "$tmp/want" "$tmp/got" | head -n 6 | tr '\n' ' ')"
note "$(wc -l <"$tmp/got") okresy x 2 indicators x 4 quarters match the feed"
end

begin "a regional office is refused at once, naming the unit, over every query outside its kraj"
m10=$(awk -F, '$2 == "municipality" && $4 ~ /CZ010/ { print $1; exit }' "$SOCIN_ROOT/services/registry/data/sample_territory.csv")
[ -n "$m10" ] || m10=500054
office report rollup --indicator PART_EVENTS --period 2025 --level kraj; expect_refused CZ
office report rollup --indicator PART_EVENTS --period 2025 --under CZ010; expect_refused CZ010
office report rollup --indicator PART_EVENTS --period 2025 --group CASE_2021_W3; expect_refused CASE_2021_W3
office report values --indicator PART_EVENTS --period 202503 --unit 554782; expect_refused 554782
office report completeness --dataset DS_PARTICIPATION --period 202503 --under CZ010; expect_refused CZ010
office report participation --period 2025 --under CZ010; expect_refused CZ010
office report history --indicator PART_EVENTS --period 202503 --unit 554782; expect_refused 554782
office report pivot --dx PART_EVENTS --pe 2025 --ou CZ020,CZ010; expect_refused CZ010
office report pivot --dx PART_EVENTS --pe 2025 --ou GROUP-CASE_2021_W3; expect_refused CASE_2021_W3
office export csv --ou CZ010; expect_refused CZ010
end

begin "an office's target progress counts its own municipalities only"
admin --format csv report targets --units; expect_rc 0
sed -n '/^target,unit,name$/,$p' "$tmp/out" | awk -F, 'NR == FNR { m[$1] = 1; next } FNR > 1 && ($2 in m) { n[$1]++ } END { for (t in n) print t, n[t] }' "$files/okres.txt" - | sort >"$tmp/want"
office --format json report targets; expect_rc 0
grep -o '"target": "[A-Z0-9_]*", "commitment": "[^"]*", "current": [0-9]*' "$tmp/out" | sed 's/"target": "\([^"]*\)".*"current": \([0-9]*\)/\1 \2/' | awk '$2 > 0' | sort >"$tmp/got"
cmp -s "$tmp/want" "$tmp/got" || problem "office target counts: want $(tr '\n' ' ' <"$tmp/want") got $(tr '\n' ' ' <"$tmp/got")"
end

begin "a reader limited with add-peer --territory reads that territory and nothing else"
"$SOCIN_BIN/socin" keys new analyst-10 --dir "$files" >/dev/null
"$SOCIN_BIN/socin" keys new analyst-all --dir "$files" >/dev/null
admin registry add-peer analyst-10 --key "$files/analyst-10.cert" --role reader --territory CZ010,CZ020; expect_rc 0
admin registry add-peer analyst-10 --key "$files/analyst-10.cert" --role reader --territory CZ010; expect_rc 0
admin registry add-peer analyst-all --key "$files/analyst-all.cert" --role reader; expect_rc 0
admin registry add-peer boss --key "$files/analyst-all.cert" --role admin --territory CZ010; expect_rc 2
grep -q "only a reader can be limited" "$tmp/err" || problem "a limited admin: $(cat "$tmp/err")"
wait_replica "$a"
sed "s|^identity = .*|identity = $files/analyst-10.cert|" "$a/client.conf" >"$files/analyst-10.conf"
sed "s|^identity = .*|identity = $files/analyst-all.cert|" "$a/client.conf" >"$files/analyst-all.conf"
run "$files/analyst-10.conf" report rollup --indicator PART_EVENTS --period 2025 --under CZ010 --level okres; expect_rc 0
run "$files/analyst-10.conf" report rollup --indicator PART_EVENTS --period 2025 --under CZ020; expect_refused CZ020
run "$files/analyst-10.conf" report pivot --dx PART_EVENTS --pe 2025; expect_rc 0
grep -q "^CZ010 " "$tmp/out" || problem "USER_ORGUNIT of analyst-10 is not CZ010: $(head -n 3 "$tmp/out")"
run "$files/analyst-all.conf" --format csv report rollup --indicator PART_EVENTS --period 2025 --level kraj; expect_rc 0
grep -q "^CZ020,Středočeský kraj,kraj,2025,$want," "$tmp/out" || problem "an unlimited reader: $(cat "$tmp/out")"
end

begin "a key registered as nothing gets PERMISSION_DENIED, not silence"
"$SOCIN_BIN/socin" keys new stranger --dir "$files" >/dev/null
sed "s|^identity = .*|identity = $files/stranger.cert|" "$a/client.conf" >"$files/stranger.conf"
run "$files/stranger.conf" --timeout-ms 5000 report sources; expect_rc 2
grep -q "^socin: PERMISSION_DENIED: " "$tmp/err" || problem "stranger: $(cat "$tmp/err")"
end

begin "no key writes outside its territory"
before=$(ctl "$a" ingest-CZ020 status | sed -n 's/^values://p')
printf 'dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value\nPOP_15_64,2025,554782,,,100\n' >"$files/outside.csv"
office --format csv submit outside.csv; expect_rc 2
grep -q ',OUTSIDE_TERRITORY,orgunit,554782,' "$tmp/out" || problem "office writing for Praha: $(cat "$tmp/out")"
run "$files/analyst-all.conf" registry add-peer x --key "$files/stranger.cert" --role admin; expect_rc 2
grep -q "PERMISSION_DENIED" "$tmp/err" || problem "a reader changed the registry: $(cat "$tmp/err")"
run "$files/analyst-10.conf" --timeout-ms 2000 --ingest "ipc://$a/run/ingest-CZ010.ipc" --ingest-key "$a/keys/ingest-CZ010.cert" submit outside.csv
[ "$rc" != 0 ] || problem "a reader's submission was accepted"
expect_eq "values at ingest-CZ020" "$before" "$(ctl "$a" ingest-CZ020 status | sed -n 's/^values://p')"
end

begin "exports hold every stored value once, in csv, json, dhis2 and sdmx"
for f in csv json dhis2 sdmx; do
    office export "$f" --output "export.$f" --page-values 97; expect_rc 0
done
expect_eq "csv rows" "$values" "$(( $(wc -l <"$files/export.csv") - 1 ))"
expect_eq "json values" "$values" "$(grep -c '^{"indicator": ' "$files/export.json")"
expect_eq "dhis2 values" "$values" "$(grep -c '^{"dataElement": ' "$files/export.dhis2")"
expect_eq "sdmx rows" "$values" "$(grep -c '^dataflow,SOCIN:DF_SOCIN(1.0),I,' "$files/export.sdmx")"
expect_eq "sdmx header" "STRUCTURE,STRUCTURE_ID,ACTION,FREQ,INDICATOR,REF_AREA,EVENT_TYPE,FUNDING_SOURCE,SEX,TARGET_GROUP,TIME_PERIOD,OBS_VALUE,OBS_COMMENT" "$(head -n 1 "$files/export.sdmx")"
# The same (indicator, unit, period, disaggregation, value) set as the feed.
awk -F, 'NR > 1 { print $1 "|" $3 "|" $2 "|" $4 "|" $6 }' "$files/feed20.csv" | sort >"$tmp/want"
awk -F, 'NR > 1 { print $1 "|" $3 "|" $6 "|" $7 "|" $8 }' "$files/export.csv" | sort >"$tmp/got"
cmp -s "$tmp/want" "$tmp/got" || problem "csv export differs from the feed: $(diff "$tmp/want" "$tmp/got" | head -n 4 | tr '\n' ' ')"
grep -q '^PART_EVENTS,Participativní akce,[0-9]*,[^,]*,municipality,2025' "$files/export.csv" || problem "csv names: $(sed -n 2p "$files/export.csv")"
grep -q '^dataflow,SOCIN:DF_SOCIN(1.0),I,M,EMP_JOBSEEKERS,[0-9]*,_T,_T,f,_T,2025-01,' "$files/export.sdmx" || problem "sdmx row: $(grep -m 1 EMP_JOBSEEKERS "$files/export.sdmx")"
office export csv --pe 202503 --dx PART_EVENTS --output q1.csv; expect_rc 0
expect_eq "PART_EVENTS 202503 rows" "$(awk -F, '$1 == "PART_EVENTS" && $2 == "202503"' "$files/feed20.csv" | wc -l)" "$(( $(wc -l <"$files/q1.csv") - 1 ))"
end

begin "storedby and followup reach the history and the exports; attributeoptioncombo joins the disaggregation or is refused"
m20=$(awk 'NR == 1 { print $1 }' "$files/okres.txt")
cat >"$files/dhis2cols.csv" <<CSV
dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value,storedby,lastupdated,comment,followup
EMP_JOBSEEKERS,202511,$m20,,sex=f,7,jana.novakova,,checked,true
EMP_JOBSEEKERS,202511,$m20,,sex=m,9,jana.novakova,,,false
POP_15_64,2024,$m20,,HllvX50cXC0,1234,petr,,,
POP_15_64,2023,$m20,,ab12CD34ef5,99,petr,,,
CSV
office --format csv submit dhis2cols.csv; expect_rc 1
grep -q '^dhis2cols\.csv,5,UNKNOWN_DISAGGREGATION,attributeoptioncombo,' "$tmp/out" || problem "the unknown attribute combination: $(cat "$tmp/out")"
wait_applied "$a"
admin --format csv report history --indicator EMP_JOBSEEKERS --unit "$m20" --period 202511 --disaggregation sex=f; expect_rc 0
grep -q ',checked,jana.novakova,yes$' "$tmp/out" || problem "history: $(cat "$tmp/out")"
admin --format csv report values --indicator EMP_JOBSEEKERS --period 202511 --unit "$m20" --disaggregation '*'; expect_rc 0
grep -q "^$m20,.*,sex=m,9," "$tmp/out" && grep -q "^$m20,.*,sex=f,7," "$tmp/out" || problem "rows differing only in attributeoptioncombo: $(cat "$tmp/out")"
office export csv --pe 202511 --dx EMP_JOBSEEKERS --ou "$m20" --output f.csv; expect_rc 0
grep -q ",sex=f,7,[^,]*,office-CZ020,jana.novakova,checked,true$" "$files/f.csv" || problem "export: $(cat "$files/f.csv")"
end

begin "a DHIS2 export submitted into a fresh stack gives identical roll-ups"
office export dhis2 --output roundtrip.json; expect_rc 0
if SOCIN_HOME=$b "$SOCIN_ROOT/deploy/local/up" "$b" --regions 0 --today 2026-03-15 >"$tmp/up-b.log" 2>&1; then
    run "$b/client.conf" submit roundtrip.json; expect_rc 0
    wait_applied "$b"
    pivot="report pivot --dx PART_EVENTS,PART_PARTICIPANTS,EMP_JOBSEEKERS,EMP_SHARE,POP_15_64 --pe MONTHS_THIS_YEAR,2025 --ou CZ020,LEVEL-okres --relative-to 2025-06-30"
    admin --format csv $pivot; expect_rc 0; cp "$tmp/out" "$tmp/pivot-a"
    run "$b/client.conf" --format csv $pivot; expect_rc 0
    cmp -s "$tmp/pivot-a" "$tmp/out" || problem "roll-ups differ: $(diff "$tmp/pivot-a" "$tmp/out" | head -n 4 | tr '\n' ' ')"
    [ "$(grep -c ',[0-9]' "$tmp/out")" -ge 3 ] || problem "the pivot is empty: $(head -n 3 "$tmp/out")"
    note "$(( $(wc -l <"$tmp/out") - 1 )) okresy x 5 indicators x 13 periods alike"
else
    problem "stack B does not start: $(tail -n 3 "$tmp/up-b.log")"
fi
end

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
