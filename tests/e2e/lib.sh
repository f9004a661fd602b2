# tests/e2e/lib.sh: cases and expectations shared by the end-to-end scripts (sourced).
#
# A case is `begin NAME`, checks that call `problem TEXT` (or the expect_* helpers), and `end`,
# which prints "ok - NAME" or "FAIL - NAME" with the problems, and counts into $pass and $fail.
# When $watched names a directory whose pids/ holds the daemons a script started (logs in
# logs/), `end` also stops the script once one of them has died: every later case would only
# wait for timeouts. The expect_* helpers read $rc and $tmp/err, which each script's command
# wrapper sets.

pass=0
fail=0
watched=""
case_name=""
case_err=""
case_notes=""

begin () { case_name=$1; case_err=""; case_notes=""; }
problem () { case_err="$case_err$1"$'\n'; }
# note TEXT: a line printed under the case's "ok" (figures worth seeing in the log).
note () { case_notes="$case_notes    # $*"$'\n'; }
end () {
    if [ -z "$case_err" ]; then
        echo "ok - $case_name"
        printf '%s' "$case_notes"
        pass=$((pass + 1))
    else
        echo "FAIL - $case_name"
        printf '%s' "$case_err" | head -n 14 | sed 's/^/    /'
        fail=$((fail + 1))
    fi
    local f name
    [ -n "$watched" ] || return 0
    for f in "$watched"/pids/*.pid; do
        [ -e "$f" ] || continue
        kill -0 "$(cat "$f")" 2>/dev/null && continue
        name=$(basename "$f" .pid)
        echo "FAIL - the daemons keep running ($name died during the case above)"
        { grep -E 'ERROR|SUMMARY|level=(error|fatal)' "$watched/logs/$name.log"; tail -n 4 "$watched/logs/$name.log"; } | head -n 12 | sed 's/^/    /'
        fail=$((fail + 1))
        echo "$pass passed, $fail failed"
        exit 1
    done
}
# expect_rc EXPECTED: the exit code of the last command run through the script's wrapper.
expect_rc () { [ "$rc" = "$1" ] || problem "exit code $rc, expected $1 (stderr: $(head -c 300 "$tmp/err"))"; }
# expect_eq WHAT EXPECTED ACTUAL
expect_eq () { [ "$2" = "$3" ] || problem "$1: expected '$2', got '$3'"; }
# expect_line FILE LINE: FILE holds exactly this line.
expect_line () { grep -Fxq -- "$2" "$1" || problem "no line '$2' in $(basename "$1"): $(head -c 400 "$1")"; }
# expect_no_line FILE TEXT: FILE has no line containing TEXT.
expect_no_line () { ! grep -Fq -- "$2" "$1" || problem "unexpected '$2' in $(basename "$1")"; }

# temp_dir NAME: makes the script's temporary directory $tmp (under $TMPDIR, else /tmp), removed
# when the script exits (kept with SOCIN_E2E_KEEP=1) after the stack local_stack started is
# stopped. When no directory can be made, the script ends as one failure.
stack=""
temp_dir () {
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX") || { echo "cannot make a temporary directory"; echo "0 passed, 1 failed"; exit 1; }
    trap s_temp_cleanup EXIT
    trap 'exit 130' INT TERM
}
s_temp_cleanup () {
    [ -n "$stack" ] && "$SOCIN_ROOT/deploy/local/down" "$stack" >/dev/null 2>&1
    if [ -n "${SOCIN_E2E_KEEP:-}" ]; then echo "# kept $tmp"; else rm -rf "$tmp"; fi
}
# local_stack ARGS...: deploy/local/up $tmp/stack ARGS (its output in $tmp/up.log) and sets
# $stack; non-zero when the stack did not come up (what did start is stopped at exit all the same).
local_stack () {
    "$SOCIN_ROOT/deploy/local/up" "$tmp/stack" "$@" >"$tmp/up.log" 2>&1
    local rc=$?
    stack=$tmp/stack
    return $rc
}
