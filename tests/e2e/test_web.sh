#!/bin/bash
# End-to-end tests of socin-web against a whole local stack (deploy/local/up, four regions, the
# official ČSÚ territory with one municipality renamed to carry a script, clock at 2026-03-15):
# curl checks status codes, scoping by token, the public mode and every security case (path
# traversal, oversized and malformed requests, script injection through a unit's name and a
# value's comment); Debian's chromium in headless mode loads the dashboard and the map, and the
# figures it shows are compared with `socin report ... --format json`. The screenshots are kept
# in $SOCIN_BUILD/artefacts/web/ (build/ by default).
#
# Each case prints "ok - ..." or "FAIL - ..."; the last line is "N passed, M failed".
# Needs SOCIN_BIN, SOCIN_ROOT, SOCIN_SHARED as tests/run sets them; chromium-headless-shell and
# curl (make deps). SOCIN_E2E_KEEP=1 keeps the temporary directory afterwards.
set -u

SOCIN_ROOT=${SOCIN_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
SOCIN_BIN=$(cd "${SOCIN_BIN:-$SOCIN_ROOT/bin}" && pwd)
SOCIN_SHARED=${SOCIN_SHARED:-$(cd "$SOCIN_ROOT/.." && pwd)/shared}
SOCIN_BUILD=${SOCIN_BUILD:-$SOCIN_ROOT/build}
artefacts=$SOCIN_BUILD/artefacts/web
official=$SOCIN_SHARED/data/cz/struktura_uzemi_cr.csv

. "$SOCIN_ROOT/tests/e2e/lib.sh"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/socin-web.XXXXXX") || { echo "cannot make a temporary directory"; echo "0 passed, 1 failed"; exit 1; }
stack=$tmp/stack
started=0
mkdir -p "$artefacts"

cleanup () {
    [ "$started" = 1 ] && "$SOCIN_ROOT/deploy/local/down" "$stack" >/dev/null 2>&1
    if [ -n "${SOCIN_E2E_KEEP:-}" ]; then echo "# kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for tool in curl jq chromium-headless-shell; do
    command -v $tool >/dev/null || { echo "FAIL - $tool is not installed (make deps)"; echo "0 passed, 1 failed"; exit 1; }
done
[ -f "$official" ] || { echo "FAIL - $official is missing"; echo "0 passed, 1 failed"; exit 1; }

q () { "$SOCIN_BIN/socin" --timeout-ms 10000 --config "$stack/client.conf" "$@" 2>"$tmp/err"; }
# get PATH [CURL ARGS...]: the body in $tmp/body, headers in $tmp/head, the status in $code.
get () {
    local path=$1; shift
    code=$(curl -s --path-as-is -o "$tmp/body" -D "$tmp/head" -w '%{http_code}' "$@" "$url${path#/}")
}
expect_code () { [ "$code" = "$1" ] || problem "$2: status $code, expected $1 ($(head -c 200 "$tmp/body"))"; }
expect_body () { grep -Fq -- "$1" "$tmp/body" || problem "the answer lacks '$1': $(head -c 300 "$tmp/body")"; }
expect_not_body () { ! grep -Fq -- "$1" "$tmp/body" || problem "the answer holds '$1'"; }
# browser OUT URL [ARGS...]: chromium-headless-shell with a fresh profile.
browser () {
    local profile; profile=$(mktemp -d "$tmp/chromium.XXXXXX")
    timeout 60 chromium-headless-shell --no-sandbox --headless --disable-gpu --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync --hide-scrollbars \
        --user-data-dir="$profile" "${@:2}" "$1" 2>>"$tmp/chromium.log"
}
# login_url PAGE: signs in with $token and goes to PAGE.
login_url () { echo "${url}login?token=$token&next=$(printf %s "$1" | sed 's/&/%26/g; s/?/%3F/g; s/=/%3D/g; s|/|%2F|g')"; }

# ==== the stack ====

begin "deploy/local/up starts a four-region stack with socin-web, on the official territory"
sed 's/^\("2026-01-01",\)"Kladno","532053"/\1"Kladno <script>alert(1)<\/script>","532053"/' "$official" >"$tmp/territory.csv"
grep -q 'Kladno <script>' "$tmp/territory.csv" || problem "the renamed municipality is not in the territory file"
"$SOCIN_ROOT/deploy/local/up" "$stack" --regions 4 --today 2026-03-15 --territory "$tmp/territory.csv" >"$tmp/up.log" 2>&1
up_rc=$?
[ -d "$stack/pids" ] && started=1 && watched=$stack
expect_eq "up's exit code" 0 "$up_rc"
url=$(cat "$stack/web.url" 2>/dev/null)
case $url in http://127.0.0.1:*/) ;; *) problem "no URL of socin-web in web.url: '$url'" ;; esac
end
if [ "$up_rc" != 0 ] || [ -z "$url" ]; then
    tail -n 8 "$tmp/up.log" | sed 's/^/    /'
    echo "$pass passed, $((fail + 1)) failed"
    exit 1
fi

begin "regional offices submit a quarter of events, one value with a comment carrying a script"
n=0
for s in CZ010 CZ020 CZ031 CZ032; do
    q --format csv registry list units --under $s --level municipality | awk -F, 'NR > 1 { print $1 }' | head -n 3 >"$tmp/units-$s"
    {
        echo "dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value,storedby,lastupdated,comment,followup"
        i=0
        while read -r unit; do
            i=$((i + 1)); n=$((n + 1))
            echo "PART_EVENTS,202503,$unit,event_type=public_meeting,,$((i * n)),,,,"
            echo "PART_PARTICIPANTS,202503,$unit,,,$((i * 10 + n)),,,,"
        done <"$tmp/units-$s"
        [ $s = CZ020 ] && echo 'PART_EVENTS,202502,532053,event_type=public_meeting,,2,,,"<script>alert(""comment"")</script>",'
    } >"$tmp/$s.csv"
    (cd "$tmp" && "$SOCIN_BIN/socin" --timeout-ms 10000 --config "$stack/regions/$s.conf" submit "$s.csv") >"$tmp/submit-$s" 2>&1 ||
        problem "$s: submit failed: $(tail -n 3 "$tmp/submit-$s")"
done
# Wait until reporting has applied every batch.
for i in $(seq 200); do
    behind=0
    for s in CZ010 CZ020 CZ031 CZ032; do
        last=$("$SOCIN_BIN/socin" ctl "$stack/ingest-$s/ctl.sock" backlog | sed -n 's/^last_seq://p')
        applied=$("$SOCIN_BIN/socin" ctl "$stack/reporting/ctl.sock" sources | sed -n "s/^$s:applied=\([0-9]*\).*/\1/p")
        [ "${applied:-0}" -ge "${last:-0}" ] || behind=1
    done
    [ $behind = 0 ] && break
    sleep 0.1
done
[ $behind = 0 ] || problem "reporting did not apply every batch"
end

# The plans: one in CZ020 (a municipality of the office's), one in Praha (CZ010), one in Brno
# (CZ064, no progress). The figures below are computed from these lines.
begin "the registry takes three plans and the offices report their measures' progress for 2025Q4"
u20=$(head -n 1 "$tmp/units-CZ020")
cat >"$tmp/plans.csv" <<CSV
plan,kind,name,owner,valid_from,valid_to,areas,participative,measure,title,area,start,end,budget_own,budget_ope_plus,budget_irop
LAP-E2E-20,lap,LAP e2e,$u20,2024-01-01,2027-12-31,housing,true,1,Housing,housing,2024-01-01,2026-12-31,100000,50000,
LAP-E2E-20,lap,LAP e2e,$u20,2024-01-01,2027-12-31,housing,true,2,Jobs,employment,2024-01-01,2025-06-30,20000,,30000
LAP-E2E-20,lap,LAP e2e,$u20,2024-01-01,2027-12-31,housing,true,3,Schools,housing,2024-01-01,2026-12-31,10000,,
LAP-E2E-20,lap,LAP e2e,$u20,2024-01-01,2027-12-31,housing,true,4,Flats,housing,2024-01-01,2025-09-30,40000,,
STR-E2E-10,strategic,Strategie e2e,554782,2024-01-01,2027-12-31,housing,false,1,Social work,housing,2024-01-01,2026-12-31,300000,,
STR-E2E-10,strategic,Strategie e2e,554782,2024-01-01,2027-12-31,housing,false,2,Outreach,housing,2024-01-01,2027-12-31,70000,,
LAP-E2E-64,lap,LAP Brno e2e,582786,2024-01-01,2027-12-31,housing,true,1,Housing,housing,2024-01-01,2026-12-31,5000,,
LAP-E2E-64,lap,LAP Brno e2e,582786,2024-01-01,2027-12-31,housing,true,2,Jobs,employment,2024-01-01,2025-03-31,7000,,
CSV
q registry import-plans "$tmp/plans.csv" >"$tmp/import-plans" || problem "import-plans failed: $(cat "$tmp/err")"
printf '%s\n' "plan,measure,period,status,spent_own,spent_ope_plus,output_value,comment" \
    "LAP-E2E-20,1,2025Q4,in_progress,30000,10000,," "LAP-E2E-20,2,2025Q4,in_progress,5000,,," \
    "LAP-E2E-20,3,2025Q4,delayed,,,," "LAP-E2E-20,4,2025Q4,done,38000,,," >"$tmp/progress-CZ020.csv"
printf '%s\n' "plan,measure,period,status,spent_own,spent_ope_plus,output_value,comment" \
    "STR-E2E-10,1,2025Q4,done,250000,,," >"$tmp/progress-CZ010.csv"
for s in CZ020 CZ010; do
    (cd "$tmp" && "$SOCIN_BIN/socin" --timeout-ms 10000 --config "$stack/regions/$s.conf" submit "progress-$s.csv") >"$tmp/psubmit-$s" 2>&1 ||
        problem "$s: progress submit failed: $(tail -n 3 "$tmp/psubmit-$s")"
done
for i in $(seq 200); do
    done_now=$(q report plans --as-of 2025-12-31 --format json | jq -r '.[0].done' 2>/dev/null)
    [ "$done_now" = 2 ] && break
    sleep 0.1
done
expect_eq "measures done in the country by 2025-12-31" 2 "$done_now"
end

begin "socin token issue gives the admin a token for the whole country and an analyst one for CZ020"
token=$(q token issue admin --label "e2e admin" | sed -n 's/^token://p')
"$SOCIN_BIN/socin" keys new analyst --dir "$tmp" >/dev/null
q registry add-peer analyst --key "$tmp/analyst.cert" --role reader >/dev/null || problem "add-peer analyst failed"
q token issue analyst --territory CZ020 >"$tmp/analyst"
scoped=$(sed -n 's/^token://p' "$tmp/analyst")
scoped_id=$(sed -n 's/^id://p' "$tmp/analyst")
case $token in socin_*) ;; *) problem "no admin token: $(cat "$tmp/err")" ;; esac
case $scoped in socin_*) ;; *) problem "no analyst token: $(cat "$tmp/err")" ;; esac
# socin-web's key reaches reporting through the registry's replicas: wait until it answers.
for i in $(seq 100); do
    get /api/targets -H "Authorization: Bearer $token"
    [ "$code" = 200 ] && ! grep -q '"error"' "$tmp/body" && break
    sleep 0.1
done
grep -q '"error"' "$tmp/body" && problem "socin-web gets no answer from reporting: $(head -c 200 "$tmp/body")"
end

# ==== public mode, tokens, scope ====

begin "without a token the dashboard shows only what is public (targets); the map and the API need a token"
get /
expect_code 200 "/"
expect_body 'data-target="CZ0046'
expect_not_body 'id="participation"'
expect_not_body 'id="t-indicator"'
get /map
expect_code 401 "/map without a token"
get "/api/rollup?indicator=PART_EVENTS&period=2025"
expect_code 401 "/api/rollup without a token"
get /api/targets
expect_code 200 "/api/targets (public)"
end

begin "a token signs in (cookie, 303) or goes as a bearer header; a bad or revoked one gets 401"
get "/login?token=$token&next=/map"
expect_code 303 "/login"
grep -qi '^Set-Cookie: socin_token=socin_.*HttpOnly; SameSite=Strict' "$tmp/head" || problem "no HttpOnly SameSite cookie: $(grep -i cookie "$tmp/head")"
grep -qi '^Location: /map' "$tmp/head" || problem "no redirect to /map"
get "/?period=2025" -H "Authorization: Bearer $token"
expect_code 200 "/ with the admin token"
expect_body 'id="t-indicator"'
expect_body 'id="t-missing-DS_PARTICIPATION"'
get / -H "Authorization: Bearer socin_$(printf '%064d' 0)"
expect_code 401 "an unknown token"
get / -H "Authorization: Bearer nonsense"
expect_code 401 "a malformed token"
get / -H "Cookie: socin_token=$scoped"
expect_code 200 "the analyst's token"
end

begin "a token scoped to CZ020 sees CZ020 and below, and gets 403 naming any other unit"
get "/api/rollup?indicator=PART_EVENTS&period=2025&level=okres&unit=CZ020" -H "Authorization: Bearer $scoped"
expect_code 200 "okresy of CZ020"
expect_body '"unit": "CZ0203"'
expect_not_body '"unit": "CZ0100"'
get /unit/554782 -H "Authorization: Bearer $scoped"
expect_code 403 "Praha's page"
expect_body "554782"
get "/api/rollup?indicator=PART_EVENTS&period=2025&level=kraj" -H "Authorization: Bearer $scoped"
expect_code 200 "a rollup with no unit starts at the token's territory"
expect_not_body '"unit": "CZ010"'
get "/api/pivot?dx=PART_EVENTS&pe=2025&ou=CZ;LEVEL-kraj" -H "Authorization: Bearer $scoped"
expect_code 403 "a pivot over the country"
expect_body "CZ"
get "/map?unit=CZ031" -H "Authorization: Bearer $scoped"
expect_code 403 "the map of CZ031"
get / -H "Authorization: Bearer $scoped"
expect_body "Středočeský kraj"
end

begin "a revoked token is refused by the registry (socin-web follows within token_cache_ms)"
q token revoke "$scoped_id" >/dev/null || problem "revoke failed: $(cat "$tmp/err")"
"$SOCIN_BIN/socin" token check "$scoped" --config "$stack/client.conf" >/dev/null 2>&1 && problem "the registry still accepts the revoked token"
end

# ==== security ====

begin "path traversal (/../, %2e%2e, encoded slashes) is refused and reads no file"
for p in "/../../../../etc/passwd" "/%2e%2e/%2e%2e/etc/passwd" "/static/..%2f..%2f..%2fetc%2fpasswd" "/unit/..%2F..%2Fetc" "/static/socin.css/../../etc/passwd"; do
    get "$p"
    case $code in 400|404) ;; *) problem "$p: status $code" ;; esac
    expect_not_body "root:"
done
end

begin "oversized and malformed requests get 4xx, and the daemon keeps serving"
long=$(head -c 40000 /dev/zero | tr '\0' a)
get "/?indicator=$long"
case $code in 400|414) ;; *) problem "a 40 kB URL: status $code" ;; esac
get / -H "X-Big: $long"
case $code in 400|431) ;; *) problem "a 40 kB header: status $code" ;; esac
get "/?period=2025X9"
expect_code 400 "a malformed period"
get "/?period=%ff%fe"
expect_code 400 "invalid UTF-8"
get "/?%3Cscript%3Ealert(1)%3C/script%3E=1"
expect_code 400 "an unknown argument"
expect_not_body "<script>"
expect_body "&lt;script&gt;"
get "/?level=%3Cimg%20src%3Dx%3E"
expect_code 400 "a bad level"
expect_not_body "<img"
get / -X DELETE
expect_code 405 "DELETE"
get /nowhere
expect_code 404 "an unknown page"
get /healthz
expect_code 200 "/healthz after all that"
end

begin "script in a unit's name and in a comment reaches pages escaped, never as markup"
get "/unit/532053?period=2025&indicator=PART_EVENTS" -H "Authorization: Bearer $token"
expect_code 200 "Kladno's page"
expect_body "Kladno &lt;script&gt;alert(1)&lt;/script&gt;"
expect_not_body "<script>"
get "/history?unit=532053&indicator=PART_EVENTS&period=202502&disaggregation=event_type%3Dpublic_meeting" -H "Authorization: Bearer $token"
expect_code 200 "the history page"
expect_body "&lt;script&gt;alert(&quot;comment&quot;)&lt;/script&gt;"
expect_not_body "<script>"
get "/api/history?unit=532053&indicator=PART_EVENTS&period=202502&disaggregation=event_type%3Dpublic_meeting" -H "Authorization: Bearer $token"
expect_body '\u003cscript\u003e'
get "/history?unit=532053&indicator=PART_EVENTS&period=202502&disaggregation=event_type%3Dpublic_meeting&format=csv&table=history" -H "Authorization: Bearer $token"
expect_body '<script>alert(""comment"")</script>'
grep -qi '^Content-Type: text/csv' "$tmp/head" || problem "the CSV download is not text/csv"
grep -qi "^Content-Security-Policy: default-src 'none'" "$tmp/head" || problem "no Content-Security-Policy"
end

# ==== figures: the page against socin report ====

# pairs: "code=value" lines from `socin report ... --format json` (rows without a value left out).
cli_pairs () { sed -n 's/.*"unit": "\([^"]*\)".*"value": \([^,}]*\).*/\1=\2/p' | grep -v '=null$' | sort; }

begin "every table downloads as CSV and JSON, and /api/rollup equals socin report rollup"
get "/api/rollup?indicator=PART_EVENTS&period=2025&level=kraj" -H "Authorization: Bearer $token"
expect_code 200 "/api/rollup"
sed -n 's/.*"unit": "\([^"]*\)".*"value": \([^,}]*\).*/\1=\2/p' "$tmp/body" | grep -v '=null$' | sort >"$tmp/api.pairs"
q report rollup --indicator PART_EVENTS --period 2025 --level kraj --format json | cli_pairs >"$tmp/cli.pairs"
[ -s "$tmp/cli.pairs" ] || problem "socin report gave no figures"
cmp -s "$tmp/api.pairs" "$tmp/cli.pairs" || problem "API $(tr '\n' ' ' <"$tmp/api.pairs") != CLI $(tr '\n' ' ' <"$tmp/cli.pairs")"
get "/?period=2025&format=csv&table=indicator" -H "Authorization: Bearer $token"
expect_code 200 "the dashboard's table as CSV"
head -n 1 "$tmp/body" | grep -q '^unit,name,level,period,value' || problem "CSV header: $(head -n 1 "$tmp/body")"
get "/?period=2025&format=json&table=participation" -H "Authorization: Bearer $token"
expect_body '"id": "participation"'
end

begin "chromium loads the map; each kraj's colour-coded figure equals socin report rollup"
browser "$(login_url "/map?indicator=PART_EVENTS&period=2025")" --dump-dom >"$tmp/map.dom"
grep -o 'data-code="CZ0[0-9]*" data-value="[^"]*"' "$tmp/map.dom" | sed 's/data-code="\([^"]*\)" data-value="\([^"]*\)"/\1=\2/' |
    grep -v '=$' | sort >"$tmp/map.pairs"
[ "$(grep -c 'data-code="CZ0' "$tmp/map.dom")" = 14 ] || problem "the map does not hold the 14 kraje"
cmp -s "$tmp/map.pairs" "$tmp/cli.pairs" || problem "map $(tr '\n' ' ' <"$tmp/map.pairs") != CLI $(tr '\n' ' ' <"$tmp/cli.pairs")"
[ "$(wc -l <"$tmp/map.pairs")" -ge 4 ] || problem "fewer than four kraje have a value on the map"
browser "$(login_url "/map?indicator=PART_EVENTS&period=2025")" --screenshot="$artefacts/map.png" --window-size=1200,900 >/dev/null
[ -s "$artefacts/map.png" ] || problem "no screenshot: $(tail -n 3 "$tmp/chromium.log")"
note "screenshot: $artefacts/map.png"
end

begin "chromium loads the dashboard; targets and the monthly series equal socin report"
browser "$(login_url "/?period=2025&indicator=PART_EVENTS")" --dump-dom >"$tmp/dash.dom"
grep -o 'data-target="[^"]*" data-current="[0-9]*"' "$tmp/dash.dom" | sed 's/data-target="\([^"]*\)" data-current="\([0-9]*\)"/\1=\2/' |
    sort >"$tmp/dash.targets"
q report targets --format json | sed -n 's/.*"target": "\([^"]*\)".*"current": \([0-9]*\).*/\1=\2/p' | sort >"$tmp/cli.targets"
[ -s "$tmp/cli.targets" ] || problem "socin report targets gave no targets"
cmp -s "$tmp/dash.targets" "$tmp/cli.targets" || problem "targets $(tr '\n' ' ' <"$tmp/dash.targets") != CLI $(tr '\n' ' ' <"$tmp/cli.targets")"
for m in 202502 202503; do
    page=$(grep -o "data-period=\"$m\" data-value=\"[^\"]*\"" "$tmp/dash.dom" | sed 's/.*data-value="\([^"]*\)"/\1/')
    cli=$(q report rollup --indicator PART_EVENTS --period $m --format json | sed -n 's/.*"value": \([^,}]*\).*/\1/p')
    expect_eq "PART_EVENTS in $m" "$cli" "$page"
done
grep -q 'id="t-missing-DS_PARTICIPATION"' "$tmp/dash.dom" || problem "no missing units of DS_PARTICIPATION"
browser "$(login_url "/?period=2025&indicator=PART_EVENTS")" --screenshot="$artefacts/dashboard.png" --window-size=1200,3000 >/dev/null
[ -s "$artefacts/dashboard.png" ] || problem "no dashboard screenshot"
note "screenshot: $artefacts/dashboard.png"
end

begin "the dashboard's plan fulfilment equals socin report plans (shares, rows by kraj, late measures) and the plan files' money"
get "/?period=2025&format=json" -H "Authorization: Bearer $token"
expect_code 200 "the dashboard as JSON"
jq -c '.tables[] | select(.id == "plans-total") | .rows[] | [.unit, .plans, .measures, .done, .delayed, .overdue, .done_pct, .done_budget_pct, .budget, .spent]' "$tmp/body" >"$tmp/web.plans"
q report plans --as-of 2025-12-31 --format json |
    jq -c '.[] | [.unit, .plans, .measures, .done, .delayed, .overdue, ."done_%", ."done_budget_%", .budget, .spent]' >"$tmp/cli.plans"
[ -s "$tmp/cli.plans" ] || problem "socin report plans gave nothing: $(cat "$tmp/err")"
cmp -s "$tmp/web.plans" "$tmp/cli.plans" || problem "plans: page $(cat "$tmp/web.plans") != CLI $(cat "$tmp/cli.plans")"
# Computed from the plans file: 8 measures, 2 done, 1 delayed, 2 overdue (ends 2025-06-30 and 2025-03-31).
expect_eq "the country's plans row" '["CZ",3,8,2,1,2,25,53.797468,632000,333000]' "$(cat "$tmp/web.plans")"
jq -c '.tables[] | select(.id == "plans") | .rows[] | [.unit, .measures, .done, .done_pct, .spent]' "$tmp/body" >"$tmp/web.kraje"
q report plans --level kraj --as-of 2025-12-31 --format json |
    jq -c '.[] | [.unit, .measures, .done, ."done_%", .spent]' >"$tmp/cli.kraje"
cmp -s "$tmp/web.kraje" "$tmp/cli.kraje" || problem "plans by kraj: page $(tr '\n' ' ' <"$tmp/web.kraje") != CLI $(tr '\n' ' ' <"$tmp/cli.kraje")"
jq -r '.tables[] | select(.id == "late") | .rows[] | "\(.plan) \(.measure) \(.owner) \(.status) \(.overdue)"' "$tmp/body" >"$tmp/web.late"
q report plans --late --as-of 2025-12-31 --format json | jq -r '.[] | "\(.plan) \(.measure) \(.owner) \(.status) \(.overdue)"' >"$tmp/cli.late"
cmp -s "$tmp/web.late" "$tmp/cli.late" || problem "late: page $(tr '\n' ';' <"$tmp/web.late") != CLI $(tr '\n' ';' <"$tmp/cli.late")"
expect_eq "late measures" "LAP-E2E-20 2 $u20 in_progress yes;LAP-E2E-20 3 $u20 delayed no;LAP-E2E-64 2 582786 planned yes;" "$(tr '\n' ';' <"$tmp/web.late")"
expect_eq "planned and spent by funding source" '["own",552000,323000]["ope_plus",50000,10000]["irop",30000,0]' \
    "$(jq -c '.tables[] | select(.id == "funding") | .rows[] | [.source, .planned, .spent]' "$tmp/body" | tr -d '\n')"
get "/?period=2025&format=csv&table=late" -H "Authorization: Bearer $token"
head -n 1 "$tmp/body" | grep -q '^plan,measure,owner,owner_name,status' || problem "late CSV header: $(head -n 1 "$tmp/body")"
browser "$(login_url "/?period=2025&indicator=PART_EVENTS")" --dump-dom >"$tmp/dash.dom"
share=$(grep -o 'data-plans="CZ" data-done-share="[^"]*" data-done-budget-share="[^"]*"' "$tmp/dash.dom" |
    sed 's/.*data-done-share="\([^"]*\)" data-done-budget-share="\([^"]*\)"/[\1,\2]/' | jq -c .)
cli_share=$(q report plans --as-of 2025-12-31 --format json | jq -c '.[0] | [."done_%", ."done_budget_%"]')
expect_eq "the shares chromium shows" "$cli_share" "$share"
get "/unit/CZ020?period=2025" -H "Authorization: Bearer $token"
expect_body 'id="t-plans-total"'
expect_body 'id="t-late"'
end

begin "/api/pivot is one PivotQuery and equals socin report pivot (relative periods too)"
get "/api/pivot?dx=PART_EVENTS;PART_PARTICIPANTS&pe=202503;LAST_12_MONTHS&ou=CZ;LEVEL-kraj" -H "Authorization: Bearer $token"
expect_code 200 "/api/pivot"
jq -r '.tables[0].rows[] | "\(.ou) \(.dx) \(.pe)=\(.value)"' "$tmp/body" | sort >"$tmp/web.pivot"
q report pivot --dx PART_EVENTS,PART_PARTICIPANTS --pe 202503,LAST_12_MONTHS --ou CZ,LEVEL-kraj --format json |
    jq -r '.[] | .ou as $o | to_entries[] | select(.key != "ou" and .key != "name") | "\($o) \(.key | rtrimstr("#"))=\(.value)"' |
    sort >"$tmp/cli.pivot"
# 202503 is one of the twelve months before 2026-03 (the clock): reporting drops the duplicate.
[ "$(wc -l <"$tmp/cli.pivot")" = $((14 * 2 * 12)) ] || problem "the CLI's pivot has $(wc -l <"$tmp/cli.pivot") cells, expected 14 x 2 x 12"
cmp -s "$tmp/web.pivot" "$tmp/cli.pivot" || problem "pivot: $(diff "$tmp/web.pivot" "$tmp/cli.pivot" | head -n 6 | tr '\n' ' ')"
grep -q ' PART_EVENTS 202503=[1-9]' "$tmp/web.pivot" || problem "no figure for 202503 in the pivot"
get "/api/pivot?dx=NO_SUCH&pe=2025" -H "Authorization: Bearer $token"
expect_code 404 "a pivot of an unknown indicator"
end

begin "a reader key limited to CZ064: its token sees CZ064 only (403 naming CZ010), a wider one is refused"
"$SOCIN_BIN/socin" keys new reader64 --dir "$tmp" >/dev/null
q registry add-peer reader64 --key "$tmp/reader64.cert" --role reader --territory CZ064 >/dev/null || problem "add-peer reader64 failed: $(cat "$tmp/err")"
q token issue reader64 --territory CZ >/dev/null && problem "a token for the country was issued to a reader of CZ064"
grep -q 'OUTSIDE_SCOPE' "$tmp/err" || problem "the wider token's refusal: $(cat "$tmp/err")"
r64=$(q token issue reader64 --label "reader of CZ064" | sed -n 's/^token://p')
case $r64 in socin_*) ;; *) problem "no token for reader64: $(cat "$tmp/err")" ;; esac
get "/api/rollup?indicator=PART_EVENTS&period=2025&unit=CZ010" -H "Authorization: Bearer $r64"
expect_code 403 "CZ010 with the CZ064 reader's token"
expect_body "CZ010"
get "/?period=2025&unit=CZ010" -H "Authorization: Bearer $r64"
expect_code 403 "the dashboard of CZ010"
get "/api/pivot?dx=PART_EVENTS&pe=2025&ou=CZ010" -H "Authorization: Bearer $r64"
expect_code 403 "a pivot of CZ010"
get "/api/rollup?indicator=PART_EVENTS&period=2025" -H "Authorization: Bearer $r64"
expect_code 200 "a rollup of the reader's territory"
expect_eq "the rollup's unit" CZ064 "$(jq -r '.tables[0].rows[0].unit' "$tmp/body")"
get "/api/pivot?dx=PART_EVENTS&pe=2025&ou=USER_ORGUNIT;LEVEL-okres" -H "Authorization: Bearer $r64"
expect_code 200 "the reader's okresy"
others=$(jq -r '.tables[0].rows[].ou' "$tmp/body" | grep -vc '^CZ064')
expect_eq "okresy outside CZ064 in the pivot" 0 "$others"
get "/?period=2025&format=json&table=plans-total" -H "Authorization: Bearer $r64"
expect_code 200 "the reader's plans"
expect_eq "the reader's plans" "$(q report plans --under CZ064 --as-of 2025-12-31 --format json | jq -c '.[] | [.unit, .plans, .measures, .overdue]')" \
    "$(jq -c '.rows[] | [.unit, .plans, .measures, .overdue]' "$tmp/body")"
expect_eq "Brno's plan in the reader's figures" '["CZ064",1,2,1]' "$(jq -c '.rows[] | [.unit, .plans, .measures, .overdue]' "$tmp/body")"
end

begin "drill-down: country → kraj → okres → municipality, each page linking the next"
get "/unit/CZ?period=2025" -H "Authorization: Bearer $token"
expect_body 'href="/unit/CZ020?'
get "/unit/CZ020?period=2025" -H "Authorization: Bearer $token"
expect_body 'href="/unit/CZ0203?'
get "/unit/CZ0203?period=2025" -H "Authorization: Bearer $token"
expect_body 'href="/unit/532053?'
get "/unit/532053?period=2025" -H "Authorization: Bearer $token"
expect_code 200 "a municipality's page"
expect_body 'id="t-values"'
expect_body 'href="/history?unit=532053&amp;indicator=PART_EVENTS'
end

begin "stopped at once (SIGTERM, then SIGINT) while a page waits for reporting: the page gets 503, socin-web exits cleanly"
watched=""
rep_pid=$(cat "$stack/pids/reporting.pid"); web_pid=$(cat "$stack/pids/web.pid")
kill -STOP "$rep_pid"
curl -s -o "$tmp/waiting" -w '%{http_code}' --max-time 20 -H "Authorization: Bearer $token" \
    "${url}?period=202508" >"$tmp/waiting.code" 2>/dev/null &
curl_pid=$!
sleep 1
kill -TERM "$web_pid"
sleep 0.3
kill -INT "$web_pid"   # a second signal while draining: stop now, not when reporting answers
i=0; while kill -0 "$web_pid" 2>/dev/null && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
kill -CONT "$rep_pid"
wait "$curl_pid"
kill -0 "$web_pid" 2>/dev/null && problem "socin-web still runs 10 s after SIGTERM"
expect_eq "the waiting page's status" 503 "$(cat "$tmp/waiting.code")"
grep -q 'Fatal error' "$stack/logs/web.log" && problem "web.log: $(grep 'Fatal error' "$stack/logs/web.log")"
grep -q 'event=daemon.stopped' "$stack/logs/web.log" || problem "no daemon.stopped in web.log"
end

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
