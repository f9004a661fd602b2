#!/bin/bash
# The example clients of docs/clients.md against a whole local stack (deploy/local/up: registry,
# reporting, the ingest of CZ010 on IPC endpoints, the clock at 2026-01-20): the C client
# (clients/submit.c, built by make into $SOCIN_BUILD/clients/submit) and the Python one
# (clients/submit.py with pyzmq and the code protoc generates from proto/ into the test's
# directory), each used as a regional office's developer would: the office's key files, the
# ingest's public certificate, an id per submission, a resend on silence.
#
# Each case prints "ok - ..." or "FAIL - ..."; the last line is "N passed, M failed".
# Needs SOCIN_BIN, SOCIN_BUILD, SOCIN_ROOT (tests/run sets them); the Python cases need
# python3 with the zmq and google.protobuf modules and protoc (Debian: python3-zmq,
# python3-protobuf, protobuf-compiler). SOCIN_E2E_KEEP=1 keeps the temporary directory.
set -u

SOCIN_ROOT=${SOCIN_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
SOCIN_BIN=$(cd "${SOCIN_BIN:-$SOCIN_ROOT/bin}" && pwd)
SOCIN_BUILD=${SOCIN_BUILD:-$SOCIN_ROOT/build}

. "$SOCIN_ROOT/tests/e2e/lib.sh"
temp_dir socin-clients

# The stack's date: 2025 is an open period.
export SOCIN_TODAY=2026-01-20
if ! local_stack --regions 1; then
    echo "FAIL - the stack did not start: $(tail -n 5 "$tmp/up.log")"
    echo "0 passed, 1 failed"
    exit 1
fi
watched=$stack

endpoint=ipc://$stack/run/ingest-CZ010.ipc
ingest_cert=$stack/keys/ingest-CZ010.cert
office=$stack/keys/submitters/office-CZ010.cert
praha=554782 # the municipality of the sample territory in CZ010
c_client=$SOCIN_BUILD/clients/submit
py_client=$SOCIN_ROOT/clients/submit.py

# A python3 with pyzmq and protobuf: Debian's (/usr/bin) before another one first on PATH.
python=""
for p in /usr/bin/python3 python3; do
    if "$p" -c 'import zmq, google.protobuf' 2>/dev/null; then python=$p; break; fi
done

# c ID [ARGS...] and py ID [ARGS...]: submit standard input as the office of CZ010 with
# submission id ID (ARGS before the positional ones, e.g. -t 1000); stdout in $tmp/out, stderr
# in $tmp/err, the exit code in $rc.
c () { local id=$1; shift; "$c_client" "$@" "$endpoint" "$ingest_cert" "${key:-$office}" "$id" >"$tmp/out" 2>"$tmp/err"; rc=$?; }
py () { local id=$1; shift; PYTHONPATH=$tmp/py "$python" "$py_client" "$@" "$endpoint" "$ingest_cert" "${key:-$office}" "$id" >"$tmp/out" 2>"$tmp/err"; rc=$?; }
admin () { "$SOCIN_BIN/socin" --timeout-ms 10000 --config "$stack/client.conf" "$@"; }
# rollup PERIOD: the CZ010 line of the PART_EVENTS roll-up by kraj ("value,values,units").
rollup () { admin --format csv report rollup --indicator PART_EVENTS --period "$1" --level kraj 2>/dev/null | awk -F, '$1 == "CZ010" { print $5 "," $6 "," $7 }'; }
# wait_rollup PERIOD EXPECTED: reporting applies what the ingest forwards within 10 s.
wait_rollup () {
    local i=0
    while [ "$(rollup "$1")" != "$2" ]; do
        i=$((i + 1))
        [ $i -lt 100 ] || { problem "roll-up of $1: expected '$2', got '$(rollup "$1")'"; return 1; }
        sleep 0.1
    done
}
wait_replica () {
    local seq i=0
    seq=$("$SOCIN_BIN/socin" ctl "$stack/registry/ctl.sock" seq | sed -n 's/^seq://p')
    while [ "$("$SOCIN_BIN/socin" ctl "$stack/ingest-CZ010/ctl.sock" status | sed -n 's/^replica_seq://p')" -lt "$seq" ]; do
        i=$((i + 1))
        [ $i -lt 100 ] || { problem "the ingest's replica did not reach the registry's sequence $seq"; return 1; }
        sleep 0.1
    done
}

# ==== C ====

begin "C client: a submission with one bad unit is answered with the counts and the conflict, and reporting rolls up the good value"
printf 'PART_EVENTS %s 202507 3 event_type=public_meeting\nPART_EVENTS 999999 202507 2 event_type=public_meeting\n' "$praha" >"$tmp/items"
c c-1 <"$tmp/items"
expect_rc 1
expect_line "$tmp/out" "c-1: WARNING imported=1 updated=0 ignored=0 deleted=0 rejected=1 replayed=no source=CZ010 seq=1"
grep -q "^conflict: item 1 UNKNOWN_UNIT unit='999999': " "$tmp/out" || problem "no UNKNOWN_UNIT conflict for item 1: $(cat "$tmp/out")"
wait_rollup 202507 "3,1,1"
end

begin "C client: the same submission id sent again gets the stored summary (replayed) and changes nothing"
printf 'PART_EVENTS %s 202507 3 event_type=public_meeting\nPART_EVENTS 999999 202507 2 event_type=public_meeting\n' "$praha" >"$tmp/items"
c c-1 <"$tmp/items"
expect_rc 1
expect_line "$tmp/out" "c-1: WARNING imported=1 updated=0 ignored=0 deleted=0 rejected=1 replayed=yes source=CZ010 seq=1"
expect_eq "the ingest's last sequence" 1 "$("$SOCIN_BIN/socin" ctl "$stack/ingest-CZ010/ctl.sock" backlog | sed -n 's/^last_seq://p')"
expect_eq "roll-up" "3,1,1" "$(rollup 202507)"
end

begin "C client: a malformed submission id is refused as a whole (BAD_SUBMISSION_ID), exit 2"
printf 'PART_EVENTS %s 202508 1 event_type=public_meeting\n' "$praha" >"$tmp/items"
c 'bad id!' <"$tmp/items"
expect_rc 2
grep -q '^refused: BAD_SUBMISSION_ID: ' "$tmp/out" || problem "no BAD_SUBMISSION_ID refusal: $(cat "$tmp/out")"
end

# ==== Python ====

if [ -z "$python" ]; then
    echo "FAIL - no python3 with the zmq and google.protobuf modules (Debian: python3-zmq python3-protobuf)"
    fail=$((fail + 1))
elif ! command -v protoc >/dev/null 2>&1; then
    echo "FAIL - protoc is not installed (Debian: protobuf-compiler)"
    fail=$((fail + 1))
else
    begin "Python: protoc --python_out makes the modules of the wire API from proto/"
    mkdir -p "$tmp/py"
    protoc --proto_path="$SOCIN_ROOT/proto" --python_out="$tmp/py" socin/v1/errors.proto socin/v1/registry.proto \
        socin/v1/ingest.proto 2>"$tmp/err" || problem "protoc: $(cat "$tmp/err")"
    end

    begin "Python client: a submission is accepted (SUCCESS, exit 0) and reporting rolls it up with the C client's value"
    printf 'PART_EVENTS %s 202507 4 event_type=round_table\n' "$praha" >"$tmp/items"
    py py-1 <"$tmp/items"
    expect_rc 0
    expect_line "$tmp/out" "py-1: SUCCESS imported=1 updated=0 ignored=0 deleted=0 rejected=0 replayed=no source=CZ010 seq=2"
    wait_rollup 202507 "7,2,1"
    end

    begin "Python client: the same id with other content is refused (SUBMISSION_ID_REUSED), exit 2"
    printf 'PART_EVENTS %s 202507 5 event_type=round_table\n' "$praha" >"$tmp/items"
    py py-1 <"$tmp/items"
    expect_rc 2
    grep -q '^refused: SUBMISSION_ID_REUSED: ' "$tmp/out" || problem "no SUBMISSION_ID_REUSED refusal: $(cat "$tmp/out")"
    end

    begin "Python client: a key pyzmq made and nobody registered hears nothing; the client says so after each attempt and exits 69"
    "$python" -c 'import sys, zmq.auth; zmq.auth.create_certificates(sys.argv[1], "py-office")' "$tmp" 2>"$tmp/err" ||
        problem "zmq.auth.create_certificates: $(cat "$tmp/err")"
    key=$tmp/py-office.key
    t0=$(date +%s)
    printf 'PART_EVENTS %s 202508 6 event_type=survey\n' "$praha" >"$tmp/items"
    py py-2 -t 700 -a 2 <"$tmp/items"
    expect_rc 69
    expect_eq "attempts reported" 2 "$(grep -c 'no answer within 700 ms' "$tmp/err")"
    [ $(($(date +%s) - t0)) -le 10 ] || problem "the client took $(($(date +%s) - t0)) s"
    end

    begin "Python client: once the key is registered (socin registry add-submitter with pyzmq's .key file), the same submission id is accepted"
    admin registry add-submitter py-office --key "$key" --territory CZ010 >"$tmp/out" 2>&1 || problem "add-submitter: $(cat "$tmp/out")"
    wait_replica
    printf 'PART_EVENTS %s 202508 6 event_type=survey\n' "$praha" >"$tmp/items"
    py py-2 -t 5000 <"$tmp/items"
    expect_rc 0
    expect_line "$tmp/out" "py-2: SUCCESS imported=1 updated=0 ignored=0 deleted=0 rejected=0 replayed=no source=CZ010 seq=3"
    wait_rollup 202508 "6,1,1"
    end

    begin "C client: the key pyzmq made works from C too (the same ZPL certificate files)"
    printf 'PART_EVENTS %s 202508 6 event_type=survey\n' "$praha" >"$tmp/items"
    c py-2 <"$tmp/items"
    expect_rc 0
    expect_line "$tmp/out" "py-2: SUCCESS imported=1 updated=0 ignored=0 deleted=0 rejected=0 replayed=yes source=CZ010 seq=3"
    end
    unset key
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
