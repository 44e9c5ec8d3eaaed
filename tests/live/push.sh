#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# --push: the recording sent to a Pyroscope ingest endpoint. No Pyroscope server package exists
# here, so the test starts its own HTTP receiver (python3's http.server) that logs each request
# and answers 200, 500 or only after a delay. Checked: one POST to /ingest whose query names the
# application, host, comm and the --push-label labels, from/until matching the snapshot's start
# and duration, format=pprof; the X-Scope-OrgID header from --push-tenant; a multipart body whose
# "profile" field is gzipped pprof that go tool pprof reads, with the call tree's samples. With
# the server down, answering 500 (three attempts) or too slow for --push-timeout, record exits 1
# with one line that names the failure and the local file, and the local snapshot is whole. Bad
# --push values are usage errors before anything runs. The live screen pushes when it quits.
# --push-every 1 over a 4 s run: a part a second and the rest, contiguous (each from the last
# until), whose samples (go tool pprof) add up to the recording's; to a server that answers after
# 3 s, every interval is still recorded (the parts go from a thread) and every part arrives.

. "$TESTLIB"
require_root
[ -n "${PYTHON3:-}" ] || PYTHON3=$(command -v python3)
[ -n "$PYTHON3" ] || skip_all "python3 is not installed (the test's HTTP receiver)"
: "${GO:=$(command -v go)}"
make_tmpdir
cpu_lock

R=$RINGSIDE
CT=$WORKLOADS/calltree
host=$(hostname)
export HOME="$T" PPROF_TMPDIR="$T"

cat >"$T/recv.py" <<'PY'
import http.server, json, os, sys, time, urllib.parse, email.parser, email.policy
portfile, mode, logdir = sys.argv[1], sys.argv[2], sys.argv[3]
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        n = len([f for f in os.listdir(logdir) if f.endswith('.json')]) + 1
        body = self.rfile.read(int(self.headers.get('Content-Length', '0')))
        u = urllib.parse.urlsplit(self.path)
        rec = {'method': 'POST', 'path': u.path,
               'query': {k: v[0] for k, v in urllib.parse.parse_qs(u.query).items()},
               'headers': {k.lower(): v for k, v in self.headers.items()}}
        msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            b'Content-Type: ' + self.headers.get('Content-Type', '').encode() + b'\r\n\r\n' + body)
        for part in (msg.iter_parts() if msg.is_multipart() else []):
            if part.get_param('name', header='content-disposition') == 'profile':
                with open(os.path.join(logdir, 'req-%d.pb.gz' % n), 'wb') as f:
                    f.write(part.get_payload(decode=True))
        with open(os.path.join(logdir, 'req-%d.json' % n), 'w') as f:
            json.dump(rec, f)
        if mode == 'slow':
            time.sleep(3)
        code = 500 if mode == 'fail' else 200
        self.send_response(code)
        self.send_header('Content-Length', '0')
        self.end_headers()
    def log_message(self, *a):
        pass
s = http.server.ThreadingHTTPServer(('127.0.0.1', 0), H)
with open(portfile + '.tmp', 'w') as f:
    f.write(str(s.server_address[1]))
os.rename(portfile + '.tmp', portfile)
s.serve_forever()
PY

# recv MODE: start a receiver logging into $T/MODE/, sets PORT and RECV_PID.
recv() {
	mkdir -p "$T/$1"
	"$PYTHON3" "$T/recv.py" "$T/$1.port" "$1" "$T/$1" 2>"$T/$1.recv.err" &
	RECV_PID=$!
	track "$RECV_PID"
	for _ in $(seq 50); do
		[ -s "$T/$1.port" ] && break
		sleep 0.1
	done
	PORT=$(cat "$T/$1.port")
}
nreq() { ls "$T/$1"/req-*.json 2>/dev/null | wc -l; }
q() { "$JQ" -r "$2" "$1"; }

# --- a server that takes it
recv ok
"$R" record -F 999 -g fp -o "$T/ok.json" --push "http://127.0.0.1:$PORT/" \
	--push-label env=test --push-label team=perf --push-tenant acme -- "$CT" 2 2>"$T/ok.err"
ok $? "record --push to a server that answers 200 exits 0"
ok "$([ "$(nreq ok)" = 1 ]; echo $?)" "... one request ($(nreq ok))"
r=$T/ok/req-1.json
check "... POST /ingest" sh -c "[ \"\$($JQ -r '.method + \" \" + .path' '$r')\" = 'POST /ingest' ]"
name=$(q "$r" .query.name)
diag "name=$name"
ok "$([ "$name" = "calltree{host=$host,comm=calltree,env=test,team=perf}" ]; echo $?)" \
	"... name: the command, host, comm and the --push-label labels"
check "... format=pprof, spyName=ringside, sampleRate=999" sh -c \
	"[ \"\$($JQ -r '.query.format + \" \" + .query.spyName + \" \" + .query.sampleRate' '$r')\" = 'pprof ringside 999' ]"
start=$("$JQ" '.meta.start_unix_ns / 1e9 | floor' "$T/ok.json")
from=$(q "$r" .query.from)
until=$(q "$r" .query.until)
diag "from=$from until=$until snapshot start=$start"
ok "$([ "$from" = "$start" ] && [ $((until - from)) -ge 1 ] && [ $((until - from)) -le 4 ]; echo $?)" \
	"... from is the snapshot's start, until its end"
check "... X-Scope-OrgID: acme" sh -c "[ \"\$($JQ -r '.headers[\"x-scope-orgid\"]' '$r')\" = acme ]"
check "... multipart/form-data" sh -c "$JQ -r '.headers[\"content-type\"]' '$r' | grep -q '^multipart/form-data; boundary='"
check "... whose profile field is sound gzip" gzip -t "$T/ok/req-1.pb.gz"
if [ -n "$GO" ] && [ -x "$GO" ]; then
	n=$(sed -n 's/^ringside: \([0-9]*\) samples.*/\1/p' "$T/ok.err")
	timeout 120 "$GO" tool pprof -symbolize=none -sample_index=samples -top "$T/ok/req-1.pb.gz" \
		>"$T/ok.top" 2>/dev/null
	ok "$(grep -q "Total samples = $n *$" "$T/ok.top" && grep -q ' w_spin$' "$T/ok.top"; echo $?)" \
		"... that go tool pprof reads: all $n samples, w_spin among them"
else
	skip "... that go tool pprof reads" "go is not installed (./install-deps.sh installs golang-go)"
fi
kill "$RECV_PID"

# --- in parts: --push-every 1 over a 4 s run
recv parts
"$R" record -F 999 -g fp -o "$T/parts.json" --push "http://127.0.0.1:$PORT" --push-every 1 \
	-- "$CT" 4 2>"$T/parts.err"
ok $? "record --push-every 1 -- calltree 4 exits 0"
np=$(nreq parts)
diag "parts: $np requests; [from, until]: $(for i in $(seq "$np"); do
	q "$T/parts/req-$i.json" '"[" + .query.from + "," + .query.until + "]"'; done | tr '\n' ' ')"
ok "$([ "$np" -ge 4 ] && [ "$np" -le 6 ]; echo $?)" "... 4 to 6 parts, one a second and the rest ($np)"
start=$("$JQ" '.meta.start_unix_ns / 1e9 | floor' "$T/parts.json")
# Each part starts where the one before ended, the first at the recording's start.
ok "$(prev=$start; bad=0; for i in $(seq "$np"); do
	[ "$(q "$T/parts/req-$i.json" .query.from)" = "$prev" ] || bad=1
	prev=$(q "$T/parts/req-$i.json" .query.until)
done; echo $bad)" "... each part's from is the last one's until, the first the snapshot's start"
if [ -n "$GO" ] && [ -x "$GO" ]; then
	n=$(sed -n 's/^ringside: \([0-9]*\) samples.*/\1/p' "$T/parts.err")
	sum=0
	for i in $(seq "$np"); do
		k=$(timeout 120 "$GO" tool pprof -symbolize=none -sample_index=samples -top \
			"$T/parts/req-$i.pb.gz" 2>/dev/null | sed -n 's/.*Total samples = \([0-9]*\) *$/\1/p')
		sum=$((sum + ${k:-0}))
	done
	ok "$([ "$sum" = "$n" ] && [ "$n" -gt 0 ]; echo $?)" \
		"... the parts' samples (go tool pprof) add up to the recording's $n ($sum)"
else
	skip "... the parts' samples add up" "go is not installed (./install-deps.sh installs golang-go)"
fi
kill "$RECV_PID"

# --- in parts to a server that takes 3 s a request: the recording does not wait on it
recv slow
"$R" record -F 999 -o "$T/slowp.json" --push "http://127.0.0.1:$PORT" --push-every 1 \
	-- "$CT" 4 2>"$T/slowp.err"
ok $? "record --push-every 1 to a server answering after 3 s exits 0 (every part went)"
iv=$(sed -n 's/^ringside: wrote .* (\([0-9]*\) intervals.*/\1/p' "$T/slowp.err")
ok "$([ "${iv:-0}" -ge 4 ]; echo $?)" \
	"... every 1 s interval recorded while the parts waited on the server (${iv:-none} intervals)"
ok "$([ "$(nreq slow)" -ge 4 ]; echo $?)" "... and the server got every part ($(nreq slow))"
kill "$RECV_PID"
rm -rf "$T/slow" "$T/slow.port"

# --- the server down: the port of a receiver that is gone
recv gone
kill "$RECV_PID"
wait "$RECV_PID" 2>/dev/null
"$R" record -F 999 -o "$T/down.json" --push "http://127.0.0.1:$PORT" -- "$CT" 1 2>"$T/down.err"
rc=$?
grep 'push to' "$T/down.err" | sed 's/^/# /'
ok "$([ "$rc" = 1 ] && [ "$(grep -c 'push to' "$T/down.err")" = 1 ] &&
	grep -q "after 3 attempts: .*; the recording is in $T/down.json" "$T/down.err"; echo $?)" \
	"server down: exit 1, one line naming the failure and the local file (status $rc)"
check "... the local snapshot is whole" "$JQ" -e '.stacks and .meta.duration_ns > 0' "$T/down.json"

# --- 500: three attempts, then the same
recv fail
"$R" record -F 999 -o "$T/fail.json" --push "http://127.0.0.1:$PORT" -- "$CT" 1 2>"$T/fail.err"
rc=$?
grep 'push to' "$T/fail.err" | sed 's/^/# /'
ok "$([ "$rc" = 1 ] && grep -q "after 3 attempts: HTTP 500; the recording is in" "$T/fail.err"; echo $?)" \
	"HTTP 500: exit 1 saying so (status $rc)"
ok "$([ "$(nreq fail)" = 3 ]; echo $?)" "... after three attempts ($(nreq fail))"
check "... the local snapshot is whole" "$JQ" -e '.stacks and .meta.duration_ns > 0' "$T/fail.json"
kill "$RECV_PID"

# --- too slow for --push-timeout
recv slow
"$R" record -F 999 -o "$T/slow.json" --push "http://127.0.0.1:$PORT" --push-timeout 0.5 \
	-- "$CT" 1 2>"$T/slow.err"
rc=$?
grep 'push to' "$T/slow.err" | sed 's/^/# /'
ok "$([ "$rc" = 1 ] && grep -qi "push to .*tim.*out.*; the recording is in" "$T/slow.err"; echo $?)" \
	"a server slower than --push-timeout: exit 1 saying it timed out (status $rc)"
check "... the local snapshot is whole" "$JQ" -e '.stacks and .meta.duration_ns > 0' "$T/slow.json"
kill "$RECV_PID"

# --- bad values, refused before anything runs
"$R" record -o "$T/bad1.json" --push ftp://x -- "$CT" 1 2>"$T/bad1.err"
ok "$([ $? = 2 ] && grep -q 'http:// or https://' "$T/bad1.err"; echo $?)" "--push ftp://x: usage error"
"$R" record -o "$T/bad2.json" --push http://x --push-label 'a b' -- "$CT" 1 2>"$T/bad2.err"
ok "$([ $? = 2 ] && grep -q "push-label 'a b' is not NAME=VALUE" "$T/bad2.err"; echo $?)" \
	"--push-label 'a b': usage error"
"$R" record -o "$T/bad3.json" --push http://x --push-every 0.5 -- "$CT" 1 2>"$T/bad3.err"
ok "$([ $? = 2 ] && grep -q "push-every wants seconds from 1" "$T/bad3.err"; echo $?)" \
	"--push-every 0.5: usage error"
check "... none wrote a file" sh -c "! ls '$T'/bad1.json '$T'/bad2.json '$T'/bad3.json 2>/dev/null | grep -q ."

# --- the live screen pushes when it quits
recv live
# (--push-every 0: one push at the end, however long a slow machine takes to show the screen)
screen_start 120 40 "$R" -I 250 -o "$T/live.json" --push "http://127.0.0.1:$PORT" --push-every 0 \
	-- "$CT" 30
screen_wait 'calltree|w_spin' 20 || diag "the screen did not show the workload"
sleep 1
screen_keys q
rc=$(screen_exit 30)
ok "$([ "$rc" = 0 ]; echo $?)" "the live screen quits (status $rc)"
ok "$([ "$(nreq live)" = 1 ] && [ -s "$T/live/req-1.pb.gz" ]; echo $?)" "... having pushed its profile once"
screen_stop
kill "$RECV_PID"

done_testing
