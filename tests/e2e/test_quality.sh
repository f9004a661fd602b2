#!/bin/bash
# End-to-end tests of the data-quality commands of bin/socin against a local stack
# (deploy/local/up --regions 0: one national ingest, the embedded sample territory, the clock at
# 2026-03-15): validation rules in the registry (registry list rules, show rule), their warnings
# in socin submit's import summary (table, CSV, JSON), report violations, report outliers,
# followup mark|unmark with report followups, and approve [--withdraw] step by step with report
# approval and completeness's approval columns.
#
# Every expected figure is computed here from the files this script submits (awk), never read
# back from the service under test. The last line is "N passed, M failed".
set -u

SOCIN_ROOT=${SOCIN_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
SOCIN_BIN=$(cd "${SOCIN_BIN:-$SOCIN_ROOT/bin}" && pwd)
. "$SOCIN_ROOT/tests/e2e/lib.sh"
temp_dir socin-quality
files=$tmp/f
mkdir -p "$files"

# run CONF ARGS...: socin with client settings CONF, in the files' directory; stdout $tmp/out,
# stderr $tmp/err, exit code $rc.
run () {
    local conf=$1; shift
    (cd "$files" && exec "$SOCIN_BIN/socin" --timeout-ms 10000 --config "$conf" "$@") >"$tmp/out" 2>"$tmp/err"
    rc=$?
}
admin () { run "$stack/client.conf" "$@"; } # submitter "local" for the whole country
ctl () { "$SOCIN_BIN/socin" ctl "$stack/$1/ctl.sock" "${@:2}" 2>/dev/null; }
last_seq () { ctl ingest-CZ backlog | sed -n 's/^last_seq://p'; }
# expect_same FILE EXPECTED_FILE
expect_same () {
    cmp -s "$1" "$2" || problem "$(basename "$1") differs (- expected, + got): $(diff "$2" "$1" | grep '^[<>]' | head -n 8 | sed 's/^</-/; s/^>/+/' | tr '\n' '|')"
}
# expect_summary TEXT: the one-item command's answer after its submission id.
expect_summary () { expect_eq "summary" "$1" "$(sed 's/^[^:]*: //' "$tmp/out")"; }
# expect_refused CODE: exit 2, stderr starting with the error code.
expect_refused () {
    expect_rc 2
    grep -q "^socin: $1: " "$tmp/err" || problem "not refused with $1: $(head -c 300 "$tmp/err")"
}
# Waits until reporting applied every batch of the ingest, and its replica the registry's last change.
wait_applied () {
    local i=0 want got
    want=$(last_seq)
    while :; do
        got=$(ctl reporting sources | sed -n 's/^CZ:applied=\([0-9]*\).*/\1/p')
        [ "${got:-0}" -ge "${want:-0}" ] && break
        i=$((i + 1)); [ $i -lt 200 ] || { problem "reporting applied ${got:-0} of ${want:-0}"; return 1; }
        sleep 0.05
    done
}
wait_replicas () {
    local i=0 seq d got
    seq=$(ctl registry seq | sed -n 's/^seq://p')
    for d in reporting ingest-CZ; do
        while :; do
            got=$(ctl "$d" status | sed -n 's/^replica_seq://p')
            [ "${got:-0}" -ge "$seq" ] && break
            i=$((i + 1)); [ $i -lt 200 ] || { problem "$d's replica at ${got:-0}, registry at $seq"; return 1; }
            sleep 0.05
        done
    done
}

if ! local_stack --regions 0 --today 2026-03-15 --web-port none; then
    echo "FAIL - the stack does not start: $(tail -n 3 "$tmp/up.log")"; echo "0 passed, 1 failed"; exit 1
fi
watched=$stack

cat >"$files/rules.ini" <<'EOF'
[rule R_VULNERABLE]
name = Vulnerable participants within participants
left = PART_VULNERABLE
operator = <=
right = PART_PARTICIPANTS
importance = high
message = more participants from vulnerable groups than participants

[rule R_HOUSEHOLDS]
left = SH_HOUSEHOLDS
operator = <=
right = SH_FLATS * 4
message = more households than four per social flat
EOF
# The rules as registry list rules shows them (CSV), in code order: code, importance (medium
# when absent), "left operator right", name, message.
awk -F' = ' '/^\[rule / { if (c) print r; c = substr($0, 7, length($0) - 7); n = ""; m = ""; imp = "medium" }
    $1 == "name" { n = $2 } $1 == "message" { m = $2 } $1 == "importance" { imp = $2 }
    $1 == "left" { l = $2 } $1 == "operator" { o = $2 } $1 == "right" { rt = $2 }
    { r = c "," imp "," l " " o " " rt "," n "," m }
    END { print r }' "$files/rules.ini" | sort >"$tmp/rules.want"
# Unit names of kraj CZ064's municipalities, from the registry: code,name.
admin --format csv registry list units --level municipality --under CZ064
sed 1d "$tmp/out" | cut -d, -f1,3 >"$files/names.csv"

begin "registry list rules lists the catalogue's rules in code order; show rule one; an unknown rule is NOT_FOUND"
admin registry import-catalogue rules.ini; expect_rc 0
expect_eq "import" "added 2, updated 0, unchanged 0, closed 0" "$(sed 's/ (registry seq .*//' "$tmp/out")"
admin --format csv registry list rules; expect_rc 0
expect_line "$tmp/out" "code,importance,rule,name,message"
sed 1d "$tmp/out" >"$tmp/rules.got"; expect_same "$tmp/rules.got" "$tmp/rules.want"
admin --format csv registry show rule R_HOUSEHOLDS; expect_rc 0
expect_eq "show rule" "$(grep '^R_HOUSEHOLDS,' "$tmp/rules.want")" "$(sed 1d "$tmp/out")"
admin --format json registry list rules --importance high; expect_rc 0
want=$(grep '^R_VULNERABLE,' "$tmp/rules.want" | awk -F, '{ printf "{\"code\": \"%s\", \"importance\": \"%s\", \"rule\": \"%s\", \"name\": \"%s\", \"message\": \"%s\"}", $1, $2, $3, $4, $5 }')
expect_eq "high rules" "[ $want]" "$(tr -d '\n' <"$tmp/out")"
admin registry list rules; expect_rc 0
expect_eq "table rows" "3" "$(wc -l <"$tmp/out")"
admin registry show rule NOPE; expect_refused NOT_FOUND
expect_line "$tmp/err" "socin: NOT_FOUND: 'NOPE' is not in the registry"
wait_replicas
end

# Brno (582786) breaks R_VULNERABLE with 12 > 10; Blansko's breakdowns 3 + 4 <= 9 hold;
# Hodonín (586021) 9 households > 2 flats * 4; Vyškov (592889) 12 <= 3 * 4 holds; Břeclav
# (584291) sends one side only.
cat >"$files/f1.csv" <<'EOF'
dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value
PART_VULNERABLE,202601,582786,,,12
PART_PARTICIPANTS,202601,582786,,,10
PART_VULNERABLE,202601,581283,target_group=roma,,3
PART_VULNERABLE,202601,581283,target_group=children,,4
PART_PARTICIPANTS,202601,581283,,,9
PART_PARTICIPANTS,202601,584291,,,30
SH_FLATS,2026Q1,586021,,,2
SH_HOUSEHOLDS,2026Q1,586021,,,9
SH_FLATS,2026Q1,592889,,,3
SH_HOUSEHOLDS,2026Q1,592889,,,12
EOF
# The warnings the rules give, computed from the file: unit,period,rule,left,right (the rules'
# importance and message from rules.ini), sorted by unit, period and rule.
awk -F, 'NR > 1 { k = $3 "," $2; v[k, $1] += $6; has[k, $1] = 1; keys[k] = 1 }
    END { for (k in keys) {
        if (has[k, "PART_VULNERABLE"] && has[k, "PART_PARTICIPANTS"] && v[k, "PART_VULNERABLE"] > v[k, "PART_PARTICIPANTS"])
            print k ",R_VULNERABLE," v[k, "PART_VULNERABLE"] "," v[k, "PART_PARTICIPANTS"]
        if (has[k, "SH_HOUSEHOLDS"] && has[k, "SH_FLATS"] && v[k, "SH_HOUSEHOLDS"] > 4 * v[k, "SH_FLATS"])
            print k ",R_HOUSEHOLDS," v[k, "SH_HOUSEHOLDS"] "," 4 * v[k, "SH_FLATS"] } }' "$files/f1.csv" |
    sort -t, -k1,1 -k2,2 -k3,3 >"$tmp/warn"
# As socin submit's CSV block: file,rule,importance,unit,period,left,operator,right,message.
awk -F, 'NR == FNR { imp[$1] = $2; msg[$1] = $5; next }
    { print "f1.csv," $3 "," imp[$3] "," $1 "," $2 "," $4 ",<=," $5 "," msg[$3] }' "$tmp/rules.want" "$tmp/warn" >"$tmp/warn.csv"

begin "a submission whose values break rules is stored whole, with a warning per unit, period and rule (table, CSV, JSON)"
[ "$(wc -l <"$tmp/warn")" = 2 ] || problem "the file should break two rules: $(cat "$tmp/warn")"
admin submit --dry-run f1.csv; expect_rc 0
expect_line "$tmp/out" "  2 validation rule warnings: the values are accepted, but break the rules below"
admin --format csv submit f1.csv; expect_rc 0
{ echo "file,line,code,field,value,message"; echo; echo "file,rule,importance,unit,period,left,operator,right,message"; cat "$tmp/warn.csv"; } >"$tmp/want"
expect_same "$tmp/out" "$tmp/want"
# Resent: the stored answer, with the same warnings.
admin submit f1.csv; expect_rc 0
expect_line "$tmp/out" "f1.csv: 10 items in 1 submission: imported 10, updated 0, ignored 0, deleted 0, rejected 0"
expect_line "$tmp/out" "  1 of the submissions had been sent before: these are their stored answers, and nothing changed"
expect_line "$tmp/out" "  2 validation rule warnings: the values are accepted, but break the rules below"
expect_line "$tmp/out" "status: success: every item was accepted; the values break validation rules (see the warnings)"
while IFS=, read -r f rule imp unit period l op r msg; do
    grep -Eq "^f1\.csv +$rule +$imp +$unit +$period +$l +<= +$r +$msg$" "$tmp/out" || problem "no table row for $rule $unit $period"
done <"$tmp/warn.csv"
admin --format json submit f1.csv; expect_rc 0
while IFS=, read -r f rule imp unit period l op r msg; do
    lr=$(awk -F' = ' -v c="[rule $rule]" '$0 == c { on = 1; next } /^\[/ { on = 0 } on && $1 == "left" { l = $2 } on && $1 == "right" { r = $2 } END { print l "|" r }' "$files/rules.ini")
    expect_line "$tmp/out" "   {\"rule\": \"$rule\", \"importance\": \"$imp\", \"unit\": \"$unit\", \"period\": \"$period\", \"left_value\": \"$l\", \"operator\": \"<=\", \"right_value\": \"$r\", \"left\": \"${lr%|*}\", \"right\": \"${lr#*|}\", \"message\": \"$msg\"}$([ "$rule" = R_HOUSEHOLDS ] && echo ']}' || echo ',')"
done <"$tmp/warn.csv"
wait_applied
admin --format csv report values --indicator PART_VULNERABLE --period 202601 --unit 582786; expect_rc 0
grep -q "^582786,Brno,202601,12" "$tmp/out" || problem "Brno's 12 was not stored: $(cat "$tmp/out")"
end

begin "report violations lists each municipality that breaks a rule, with both sides; units without both are skipped"
admin --format csv report violations --period 202601 --level municipality --under CZ064 --rule R_VULNERABLE; expect_rc 0
awk -F, 'NR == FNR { name[$1] = $2; next } $3 == "R_VULNERABLE" { print $3 ",high," $1 "," name[$1] "," $2 "," $4 ",<=," $5 ",more participants from vulnerable groups than participants" }' \
    "$files/names.csv" "$tmp/warn" >"$tmp/want.rows"
{ echo "rule,importance,unit,name,period,left,operator,right,message"; cat "$tmp/want.rows"; } >"$tmp/want"
expect_same "$tmp/out" "$tmp/want"
# Brno and Blansko have both sides; every other municipality of the kraj is skipped.
admin report violations --period 202601 --level municipality --under CZ064 --rule R_VULNERABLE; expect_rc 0
expect_line "$tmp/out" "1 rule(s) evaluated, $(( $(wc -l <"$files/names.csv") - 2 )) unit-rule pair(s) skipped (a side without values)"
admin --format csv report violations --period 2026Q1 --level municipality --under CZ064 --rule R_HOUSEHOLDS; expect_rc 0
awk -F, 'NR == FNR { name[$1] = $2; next } $3 == "R_HOUSEHOLDS" { print $3 ",medium," $1 "," name[$1] "," $2 "," $4 ",<=," $5 ",more households than four per social flat" }' \
    "$files/names.csv" "$tmp/warn" >"$tmp/want.rows"
expect_eq "R_HOUSEHOLDS rows" "$(cat "$tmp/want.rows")" "$(sed 1d "$tmp/out")"
admin report violations --period 202601 --rule NOPE; expect_refused NOT_FOUND
end

# Six months of history and July for three municipalities of CZ064: Hodonín rises 11..16 then
# jumps to 40; Vyškov's flat 20 then 21 (no spread: any other value is an outlier); Břeclav's
# 10/14 alternate and July's 12 is their mean.
{
    echo "dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value"
    for m in 1 2 3 4 5 6; do
        printf 'PART_PARTICIPANTS,20250%s,586021,,,%s\n' "$m" $((10 + m))
        printf 'PART_PARTICIPANTS,20250%s,592889,,,20\n' "$m"
        printf 'PART_PARTICIPANTS,20250%s,584291,,,%s\n' "$m" $((m % 2 ? 10 : 14))
    done
    echo "PART_PARTICIPANTS,202507,586021,,,40"
    echo "PART_PARTICIPANTS,202507,592889,,,21"
    echo "PART_PARTICIPANTS,202507,584291,,,12"
} >"$files/f3.csv"
# unit,name,value,mean,min,max,zscore(2 places, empty without spread),history; and whether it
# is an outlier by zscore at threshold T and by minmax.
outliers_want () { # METHOD THRESHOLD
    awk -F, -v method="$1" -v t="$2" 'NR == FNR { name[$1] = $2; next }
        FNR > 1 && $1 == "PART_PARTICIPANTS" { if ($2 == "202507") x[$3] = $6; else { n[$3]++; s[$3] += $6; q[$3] += $6 * $6
            if (!($3 in lo) || $6 < lo[$3]) lo[$3] = $6; if (!($3 in hi) || $6 > hi[$3]) hi[$3] = $6; h[$3] = h[$3] (h[$3] == "" ? "" : " ") $2 "=" $6 } }
        END { for (u in x) { mean = s[u] / n[u]; sd = sqrt(q[u] / n[u] - mean * mean); d = x[u] - mean; if (d < 0) d = -d
            out = method == "minmax" ? (x[u] < lo[u] || x[u] > hi[u]) : (sd == 0 ? d > 0 : d > t * sd)
            score = method == "minmax" || sd == 0 ? "" : sprintf("%.2f", d / sd)
            if (out) print u "," name[u] "," x[u] "," mean "," lo[u] "," hi[u] "," score "," h[u] } }' \
        "$files/names.csv" "$files/f3.csv" | sort
}

begin "report outliers sets each unit's figure against its own history (zscore, a threshold, minmax)"
admin submit f3.csv; expect_rc 0
wait_applied
for args in "zscore 3" "zscore 20" "minmax 3"; do
    set -- $args
    admin --format csv report outliers --indicator PART_PARTICIPANTS --period 202507 --under CZ064 --level municipality --history 6 --method "$1" --threshold "$2"
    expect_rc 0
    { echo "unit,name,value,mean,min,max,score,history"; outliers_want "$1" "$2"; } >"$tmp/want"
    expect_same "$tmp/out" "$tmp/want"
    note "$1 $2: $(sed 1d "$tmp/want" | cut -d, -f1 | tr '\n' ' ')"
done
admin report outliers --indicator PART_PARTICIPANTS --period 202507 --under CZ064 --level municipality --history 6; expect_rc 0
expect_line "$tmp/out" "PART_PARTICIPANTS 202507 (zscore): 3 unit(s) with a value, 3 with enough history"
end

begin "followup mark lists a stored value with its comment in report followups; unmark clears it; a value not stored is NO_SUCH_VALUE"
admin followup mark PART_VULNERABLE 582786 202601 --comment "check the count"; expect_rc 0
expect_summary "imported 1, updated 0, ignored 0, deleted 0, rejected 0"
admin followup mark PART_EVENTS 582786 202601; expect_refused NO_SUCH_VALUE
expect_summary "imported 0, updated 0, ignored 0, deleted 0, rejected 1"
wait_applied
admin --format csv report followups --under CZ064; expect_rc 0
brno=$(awk -F, '$1 == "582786" { print $2 }' "$files/names.csv")
v=$(awk -F, '$1 == "PART_VULNERABLE" && $3 == "582786" && $2 == "202601" { print $6 }' "$files/f1.csv")
printf 'unit,name,period,indicator,disaggregation,value,comment,submitter\n582786,%s,202601,PART_VULNERABLE,,%s,check the count,local\n' "$brno" "$v" >"$tmp/want"
expect_same "$tmp/out" "$tmp/want"
admin --format csv report followups --under CZ0641; expect_rc 0
expect_eq "followups under okres Blansko" "unit,name,period,indicator,disaggregation,value,comment,submitter" "$(cat "$tmp/out")"
admin followup unmark PART_VULNERABLE 582786 202601; expect_rc 0
expect_summary "imported 0, updated 0, ignored 0, deleted 1, rejected 0"
wait_applied
admin --format csv report followups --under CZ064; expect_rc 0
expect_eq "followups after unmark" "unit,name,period,indicator,disaggregation,value,comment,submitter" "$(cat "$tmp/out")"
end

begin "approve goes step by step by the keys allowed, locks the data until withdrawn, and shows in report approval and completeness"
mkdir -p "$tmp/keys"
for who in brno:582786 jmk:CZ064; do
    "$SOCIN_BIN/socin" keys new "${who%%:*}" --dir "$tmp/keys" >/dev/null
    admin registry add-submitter "${who%%:*}" --key "$tmp/keys/${who%%:*}.cert" --territory "${who#*:}"; expect_rc 0
    sed "s|^identity = .*|identity = $tmp/keys/${who%%:*}.cert|" "$stack/client.conf" >"$tmp/${who%%:*}.conf"
done
wait_replicas
brno () { run "$tmp/brno.conf" "$@"; }
jmk () { run "$tmp/jmk.conf" "$@"; }
A="DS_PARTICIPATION 202601 582786"
jmk approve $A region; expect_refused APPROVAL_ORDER
brno approve $A municipality --comment checked; expect_rc 0; s1=$(last_seq)
expect_summary "imported 1, updated 0, ignored 0, deleted 0, rejected 0"
brno approve $A region; expect_refused NOT_APPROVER
jmk approve $A region; expect_rc 0; s2=$(last_seq)
brno approve $A centre; expect_refused NOT_APPROVER
admin approve $A centre; expect_rc 0; s3=$(last_seq)
brno approve $A municipality --withdraw; expect_refused APPROVAL_ORDER
printf 'dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value\nPART_PARTICIPANTS,202601,582786,,,15\n' >"$files/f2.csv"
brno --format csv submit f2.csv; expect_rc 2
grep -q '^f2.csv,2,DATA_APPROVED,period,202601,' "$tmp/out" || problem "the value was not refused as approved: $(cat "$tmp/out")"
wait_applied
admin --format csv report approval --dataset DS_PARTICIPATION --period 202601 --unit 582786; expect_rc 0
printf 'municipality,brno,CZ,%s,checked\nregion,jmk,CZ,%s,\ncentre,local,CZ,%s,\n' "$s1" "$s2" "$s3" >"$tmp/want"
sed 1d "$tmp/out" | cut -d, -f2- >"$tmp/got"; expect_same "$tmp/got" "$tmp/want"
admin report approval --dataset DS_PARTICIPATION --period 202601 --unit 582786; expect_rc 0
expect_line "$tmp/out" "DS_PARTICIPATION 202601 582786: approved to the centre step"
# Completeness by okres: Brno-město's one municipality approved at every step, no other.
admin --format csv report completeness --dataset DS_PARTICIPATION --period 202601 --under CZ064 --level okres; expect_rc 0
expect_eq "approval columns" "approved_municipality,approved_region,approved_centre" "$(head -n 1 "$tmp/out" | cut -d, -f9-)"
okres=$(sed 1d "$tmp/out" | cut -d, -f1)
sed 1d "$tmp/out" | cut -d, -f1,9- >"$tmp/got"
admin --format csv registry show 582786
brno_okres=$(sed -n 2p "$tmp/out" | awk -F'"' '{ split($2, p, ","); print p[2] }')
for o in $okres; do [ "$o" = "$brno_okres" ] && echo "$o,1,1,1" || echo "$o,0,0,0"; done >"$tmp/want"
expect_same "$tmp/got" "$tmp/want"
# Withdrawn from the top down, the data is open again.
admin approve $A centre --withdraw; expect_rc 0
jmk approve $A region --withdraw; expect_rc 0
brno approve $A municipality --withdraw; expect_rc 0
expect_summary "imported 0, updated 0, ignored 0, deleted 1, rejected 0"
brno submit --id f2-open f2.csv; expect_rc 0
expect_line "$tmp/out" "f2.csv: 1 items in 1 submission: imported 0, updated 1, ignored 0, deleted 0, rejected 0"
wait_applied
admin --format csv report approval --dataset DS_PARTICIPATION --period 202601 --unit 582786; expect_rc 0
expect_eq "history steps" "municipality region centre region municipality none" "$(sed 1d "$tmp/out" | cut -d, -f2 | tr '\n' ' ' | sed 's/ $//')"
admin --format csv report completeness --dataset DS_PARTICIPATION --period 202601 --under CZ0642; expect_rc 0
expect_eq "approval columns after withdrawal" "CZ0642,0,0,0" "$(sed 1d "$tmp/out" | cut -d, -f1,9-)"
end

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
