#!/bin/bash
# Territory through time, as a new user meets it: a stack started on the embedded sample
# territory, the official ČSÚ file imported over it, the city districts from RÚIAN's list, a
# later edition dated 2027-01-01 (--valid-from) that moves Desná (563552) from ORP Tanvald
# (5108) to ORP Jablonec nad Nisou (5103) and adds Nová Desná (599990, split off), groups from a
# CSV, and unit edits. Values keep their unit; roll-ups of 2026 and 2027 each follow their own
# year's territory, and Praha's figure is its own value where it reported one, else its
# districts'. The stack's clock is 2028-01-15, so 2025-2027 are open.
#
# The last line is "N passed, M failed". Needs SOCIN_BIN, SOCIN_ROOT and SOCIN_SHARED as
# tests/run sets them; reads the official files from $SOCIN_SHARED/data/cz (never copies them).
set -u

SOCIN_ROOT=${SOCIN_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
SOCIN_BIN=$(cd "${SOCIN_BIN:-$SOCIN_ROOT/bin}" && pwd)
SOCIN_SHARED=${SOCIN_SHARED:-$(cd "$SOCIN_ROOT/.." && pwd)/shared}
cz=$SOCIN_SHARED/data/cz

. "$SOCIN_ROOT/tests/e2e/lib.sh"
temp_dir socin-terr
files=$tmp/f
mkdir -p "$files"

sx () {
    (cd "$files" && exec "$SOCIN_BIN/socin" --timeout-ms 30000 --config "$stack/client.conf" "$@") >"$tmp/out" 2>"$tmp/err"
    rc=$?
}
ctl () { "$SOCIN_BIN/socin" ctl "$stack/$1/ctl.sock" "${@:2}" 2>/dev/null; }
# The registry's change sequence now.
reg_seq () { ctl registry seq | sed -n 's/^seq://p'; }

# Waits until the ingest and reporting replicas hold everything the registry has (20 s).
wait_replicas () {
    local i=0 seq got d
    seq=$(reg_seq)
    for d in ingest-CZ reporting; do
        while :; do
            got=$(ctl "$d" status | sed -n 's/^replica_seq://p')
            [ "${got:-0}" -ge "${seq:-0}" ] && break
            i=$((i + 1))
            [ $i -lt 400 ] || { problem "$d's replica is at ${got:-0}, the registry at $seq"; return 1; }
            sleep 0.05
        done
    done
}

# Waits until reporting applied everything the ingest accepted (20 s).
wait_applied () {
    local i=0 last applied
    while :; do
        last=$(ctl ingest-CZ backlog | sed -n 's/^last_seq://p')
        applied=$(ctl reporting sources | sed -n 's/^CZ:applied=\([0-9]*\).*/\1/p')
        [ "${applied:-0}" -ge "${last:-0}" ] && return 0
        i=$((i + 1))
        [ $i -lt 400 ] || { problem "reporting applied ${applied:-0} of ${last:-0}"; return 1; }
        sleep 0.05
    done
}

# rollup PERIOD ARGS...: the roll-up of T_COUNT as CSV rows without the header.
rollup () { local p=$1; shift; sx --format csv report rollup --indicator T_COUNT --period "$p" "$@"; sed -i 1d "$tmp/out"; }

# ---- the files ----

cat >"$files/t.ini" <<'EOF'
[indicator T_COUNT]
name_cs = Testovací počet
name_en = Test count
measure = persons
type = integer
aggregation = sum
period = yearly

[dataset T_DS]
name = Municipalities
period = yearly
indicators = T_COUNT
territories = CZ
deadline = 30
timely = 30
lock = 3650

[dataset T_DS_DISTRICTS]
name = City districts of Praha and Brno
period = yearly
indicators = T_COUNT
territories = 554782, 582786
level = district
deadline = 30
timely = 30
lock = 3650
EOF

# The 2027 edition: Desná to ORP Jablonec nad Nisou, Nová Desná split off it (in ORP Tanvald).
sed -e '/"563552"/s/"Tanvald","5108","787","563820"/"Jablonec nad Nisou","5103","779","563510"/' "$cz/struktura_uzemi_cr.csv" >"$files/edition2027.csv"
grep '"563552"' "$cz/struktura_uzemi_cr.csv" | sed -e 's/"563552"/"599990"/; s/"Desná"/"Nová Desná"/' >>"$files/edition2027.csv"

# ==== cases ====

begin "a stack starts on the embedded sample territory"
local_stack --regions 0 --today 2028-01-15 || problem "up failed: $(tail -n 5 "$tmp/up.log")"
watched=$stack
ctl registry counts >"$tmp/counts"
expect_line "$tmp/counts" "municipality:108/108"
end

begin "the official file replaces the sample: the file's counts, and no first day for its units"
sx registry import-territory "$cz/struktura_uzemi_cr.csv"; expect_rc 0
ctl registry counts >"$tmp/counts"
for l in "country:1/1" "kraj:14/14" "okres:77/77" "orp:206/206" "municipality:6258/6258"; do expect_line "$tmp/counts" "$l"; done
# Kněževes is not in the sample: it exists before the edition's day.
sx --format csv registry show 581721; expect_rc 0
expect_line "$tmp/out" '581721,municipality,Kněževes,"6202,CZ0641",Obec,,,,,'
end

begin "import-districts: 140 districts (two undivided-city rows skipped), the sample's 10 updated"
sx registry import-districts "$cz/districts.csv"; expect_rc 0
expect_line "$tmp/out" "added 130, updated 10, unchanged 0, closed 0 (registry seq $(reg_seq))"
ctl registry counts >"$tmp/counts"
expect_line "$tmp/counts" "district:140/140"
sx --format csv registry list units --under 563889 --level district; expect_rc 0
expect_eq "Liberec's districts" "556891" "$(sed 1d "$tmp/out" | cut -d, -f1 | tr '\n' ' ' | sed 's/ $//')"
sx --format csv registry list units --under 554821 --level district; expect_rc 0
expect_eq "Ostrava's districts" "23" "$(sed 1d "$tmp/out" | wc -l)"
sx --format csv registry show 555321; expect_rc 2
end

begin "a later edition with --valid-from: Desná moved with dated parents, Nová Desná begins on its day"
sx registry import-catalogue t.ini; expect_rc 0
sx registry import-territory edition2027.csv --valid-from 2027-01-01; expect_rc 0
expect_line "$tmp/out" "added 1, updated 1, unchanged 6555, closed 0 (registry seq $(reg_seq))"
sx --format csv registry show 563552
expect_line "$tmp/out" '563552,municipality,Desná,"5103,CZ0512",Město,,,,2027-01-01,"5108,CZ0512 until 2026-12-31"'
sx --format csv registry show 599990
expect_line "$tmp/out" '599990,municipality,Nová Desná,"5108,CZ0512",Město,,2027-01-01,,,'
sx --format csv registry list units --under 5108 --level municipality --as-of 2026-12-31
grep -q '^563552,' "$tmp/out" || problem "Desná is not under ORP Tanvald on 2026-12-31"
sx --format csv registry list units --under 5108 --level municipality --as-of 2027-01-01
grep -q '^563552,' "$tmp/out" && problem "Desná is still under ORP Tanvald on 2027-01-01"
# An edition dated before that move is refused and changes nothing.
before=$(reg_seq)
sx registry import-territory "$cz/struktura_uzemi_cr.csv" --valid-from 2026-06-01; expect_rc 2
grep -q "TERRITORY_OUT_OF_ORDER: unit 563552: its parents changed on 2027-01-01, after 2026-06-01" "$tmp/err" || problem "stderr: $(cat "$tmp/err")"
expect_eq "registry seq" "$before" "$(reg_seq)"
end

cat >"$files/values.csv" <<'EOF'
dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value,storedby,lastupdated,comment,followup
T_COUNT,2025,581721,,,2,,,,
T_COUNT,2026,563552,,,5,,,,
T_COUNT,2027,563552,,,7,,,,
T_COUNT,2027,599990,,,11,,,,
T_COUNT,2026,554782,,,100,,,,
T_COUNT,2026,500054,,,10,,,,
T_COUNT,2026,500089,,,20,,,,
T_COUNT,2027,500054,,,3,,,,
T_COUNT,2027,500089,,,4,,,,
T_COUNT,2026,532053,,,6,,,,
EOF

begin "values: 2025 for a municipality absent from the sample is taken; Nová Desná's 2026 is not"
wait_replicas
echo "T_COUNT,2026,599990,,,1,,,," >>"$files/values.csv"
sx submit values.csv; expect_rc 1
grep -q "UNIT_NOT_VALID_IN_PERIOD .*599990" "$tmp/out" || problem "no refusal of 599990 in 2026: $(cat "$tmp/out")"
grep -q "imported 10, updated 0, ignored 0, deleted 0, rejected 1" "$tmp/out" || problem "summary: $(head -n 1 "$tmp/out")"
wait_applied
end

begin "roll-ups follow each year's territory: ORP Tanvald 2026 = 5, 2027 = 11; Jablonec 2026 none, 2027 = 7"
rollup 2026 --level orp --under CZ051
expect_line "$tmp/out" "5108,Tanvald,orp,2026,5,1,1"
expect_line "$tmp/out" "5103,Jablonec nad Nisou,orp,2026,,0,0"
rollup 2027 --level orp --under CZ051
expect_line "$tmp/out" "5108,Tanvald,orp,2027,11,1,1"
expect_line "$tmp/out" "5103,Jablonec nad Nisou,orp,2027,7,1,1"
# The okres path: both years in okres Jablonec nad Nisou.
rollup 2026 --under CZ0512; expect_line "$tmp/out" "CZ0512,Jablonec nad Nisou,okres,2026,5,1,1"
rollup 2027 --under CZ0512; expect_line "$tmp/out" "CZ0512,Jablonec nad Nisou,okres,2027,18,2,2"
rollup 2025; expect_line "$tmp/out" "CZ,Česká republika,country,2025,2,1,1"
end

begin "districts: Praha's own 2026 value (100) is its figure, not 100 + 30; in 2027 its districts' 3 + 4"
rollup 2026 --level municipality --under CZ010; expect_line "$tmp/out" "554782,Praha,municipality,2026,100,1,1"
rollup 2026 --level kraj --under CZ010; expect_line "$tmp/out" "CZ010,Hlavní město Praha,kraj,2026,100,1,1"
rollup 2027 --level municipality --under CZ010; expect_line "$tmp/out" "554782,Praha,municipality,2027,7,2,1"
rollup 2027 --level kraj --under CZ010; expect_line "$tmp/out" "CZ010,Hlavní město Praha,kraj,2027,7,2,1"
rollup 2027 --level district --under 554782
expect_line "$tmp/out" "500054,Praha 1,district,2027,3,1,1"
expect_line "$tmp/out" "500089,Praha 2,district,2027,4,1,1"
# The country: 2026 = Praha 100 + Desná 5 + Kladno 6; 2027 = Praha 7 + Desná 7 + Nová Desná 11.
rollup 2026; expect_line "$tmp/out" "CZ,Česká republika,country,2026,111,3,3"
rollup 2027; expect_line "$tmp/out" "CZ,Česká republika,country,2027,25,4,3"
sx --format csv report completeness --dataset T_DS_DISTRICTS --period 2027 --level municipality --under CZ010; expect_rc 0
expect_line "$tmp/out" "554782,Praha,57,2,2,2,3.5,3.5,0,0,0"
end

cat >"$files/groups.csv" <<'EOF'
# An example of the format, not real membership.
group_code,kind,name,member_code,valid_from,valid_to
T_SVAZEK,association,Svazek obcí (příklad),563552,,
T_SVAZEK,association,Svazek obcí (příklad),599990,2027-01-01,
T_SVAZEK,association,Svazek obcí (příklad),999999,,
EOF

begin "groups from a CSV: all or nothing with the line named; a member's term counts from its day"
before=$(reg_seq)
sx registry import-groups groups.csv; expect_rc 2
expect_line "$tmp/err" "socin: MALFORMED_FILE: line 5: member_code '999999' is not a known unit"
expect_eq "registry seq" "$before" "$(reg_seq)"
sed -i '$d' "$files/groups.csv"
echo "T_SVAZEK,mas,Svazek obcí (příklad),532053,," >>"$files/groups.csv"
sx registry import-groups groups.csv; expect_rc 2
expect_line "$tmp/err" "socin: MALFORMED_FILE: line 5: group T_SVAZEK is mas 'Svazek obcí (příklad)' here but association 'Svazek obcí (příklad)' on line 3"
sed -i '$d' "$files/groups.csv"
sx registry import-groups groups.csv; expect_rc 0
expect_line "$tmp/out" "added 1, updated 0, unchanged 0, closed 0 (registry seq $(reg_seq))"
wait_replicas
sx registry import-groups "$SOCIN_ROOT/docs/examples/groups.csv" --dry-run; expect_rc 0
expect_line "$tmp/out" "dry run: would have added 5, updated 0, unchanged 0, closed 0 (registry seq $(reg_seq))"
rollup 2026 --group T_SVAZEK; expect_line "$tmp/out" "T_SVAZEK,Svazek obcí (příklad),group,2026,5,1,1"
rollup 2027 --group T_SVAZEK; expect_line "$tmp/out" "T_SVAZEK,Svazek obcí (příklad),group,2027,18,2,2"
end

begin "a catalogue group with an unknown member is refused naming the line of its members"
printf '# groups\n\n[group T_BAD]\nname = Bad\nkind = mas\nmembers = 563552, 999999\n' >"$files/bad.ini"
sx registry import-catalogue bad.ini; expect_rc 2
expect_line "$tmp/err" "socin: MALFORMED_FILE: line 6: group T_BAD: member '999999' is not a known unit"
end

begin "edit-unit: rename, move with a day, refusals; show --history lists the earlier versions"
sx registry edit-unit 563552 --move-to 5108 --move-to CZ0512 --move-from 2026-06-01; expect_rc 2
grep -q "TERRITORY_OUT_OF_ORDER" "$tmp/err" || problem "stderr: $(cat "$tmp/err")"
sx registry edit-unit 5108 --close-on 2027-12-31; expect_rc 2
grep -q "INVALID_ARGUMENT: unit 5108 has 10 units beneath it open after 2027-12-31" "$tmp/err" || problem "stderr: $(cat "$tmp/err")"
sx registry edit-unit NOPE --rename X; expect_rc 2
sx registry edit-unit 563552 --rename "Desná v Jizerských horách"; expect_rc 0
sx --format csv registry show 563552 --history; expect_rc 0
expect_line "$tmp/out" '563552,municipality,Desná v Jizerských horách,"5103,CZ0512",Město,,,,2027-01-01,"5108,CZ0512 until 2026-12-31"'
expect_line "$tmp/out" '563552,municipality,Desná,"5108,CZ0512",Město,,,,,'
expect_line "$tmp/out" '563552,municipality,Desná,"5103,CZ0512",Město,,,,2027-01-01,"5108,CZ0512 until 2026-12-31"'
end

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
