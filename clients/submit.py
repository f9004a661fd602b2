#!/usr/bin/env python3
"""submit.py: a complete minimal socin client in Python (pyzmq and protoc's Python output).

It sends one submission of indicator values to a regional ingest and prints the import
summary; docs/clients.md explains each step. The same command line as clients/submit.c:

    submit.py [-t TIMEOUT_MS] [-a ATTEMPTS] ENDPOINT INGEST_CERT MY_CERT SUBMISSION_ID < ITEMS

ENDPOINT     the ingest, e.g. tcp://10.60.0.64:7721 (or ipc:///path on the same host)
INGEST_CERT  the ingest's public certificate (ingest-CZ064.cert) or its Z85 public key
MY_CERT      this submitter's certificate; MY_CERT_secret must be beside it
ITEMS        one value per line: INDICATOR UNIT PERIOD VALUE [DISAGGREGATION]

Exit: 0 every item accepted, 1 some rejected, 2 nothing accepted or the request refused,
64 wrong usage, 69 no answer after every attempt (the ingest is down or unreachable, or this
key is not registered: a refused key hears nothing).

The Python code for the messages comes from the .proto files (Debian: protobuf-compiler,
python3-protobuf, python3-zmq):

    protoc --proto_path=/usr/share/socin/proto --python_out=gen socin/v1/errors.proto \\
        socin/v1/registry.proto socin/v1/ingest.proto
    PYTHONPATH=gen python3 submit.py ...
"""
import argparse
import os
import sys

import zmq
import zmq.auth

from socin.v1 import errors_pb2, ingest_pb2


def load_keys(my_cert, ingest_cert):
    """Our key pair and the ingest's public key. A certificate file is CZMQ's ZPL text, which
    zmq.auth reads (and writes: zmq.auth.create_certificates makes a key pair socin accepts)."""
    secret_file = my_cert if my_cert.endswith("_secret") else my_cert + "_secret"
    public, secret = zmq.auth.load_certificate(secret_file)
    if not secret:
        raise ValueError(f"no secret key in {secret_file}")
    if os.path.exists(ingest_cert):
        server, _ = zmq.auth.load_certificate(ingest_cert)
    else:
        server = ingest_cert.encode()  # a Z85 public key given as text
    return public, secret, server


def read_items(lines):
    """DataValue messages from "INDICATOR UNIT PERIOD VALUE [DISAGGREGATION]" lines."""
    values = []
    for n, line in enumerate(lines, 1):
        f = line.split()
        if not f:
            continue
        if len(f) not in (4, 5):
            raise ValueError(f"line {n}: expected INDICATOR UNIT PERIOD VALUE [DISAGGREGATION]")
        values.append(ingest_pb2.DataValue(indicator=f[0], unit=f[1], period=f[2], value=f[3],
                                           disaggregation=f[4] if len(f) == 5 else ""))
    return values


def exchange(ctx, endpoint, keys, packed, request_id, timeout_ms):
    """One attempt on a new connection: the IngestReply for REQUEST_ID, or None on silence.
    A new socket each attempt, because libzmq does not retry a handshake the server refused
    (the key may have been registered meanwhile)."""
    public, secret, server = keys
    sock = ctx.socket(zmq.DEALER)
    sock.curve_publickey, sock.curve_secretkey, sock.curve_serverkey = public, secret, server
    sock.linger = 0
    try:
        sock.connect(endpoint)
        sock.send(packed)  # one frame, no delimiter: the ingest is a ROUTER
        poller = zmq.Poller()
        poller.register(sock, zmq.POLLIN)
        while poller.poll(timeout_ms):
            reply = ingest_pb2.IngestReply()
            reply.ParseFromString(sock.recv())
            # An empty request_id answers a message the ingest could not decode.
            if reply.request_id in (request_id, ""):
                return reply
        return None
    finally:
        sock.close()


def code_name(code):
    return errors_pb2.ErrorCode.Name(code).removeprefix("ERROR_CODE_")


def print_summary(s):
    status = ingest_pb2.ImportStatus.Name(s.status).removeprefix("IMPORT_STATUS_")
    print(f"{s.submission_id}: {status} imported={s.imported} updated={s.updated} "
          f"ignored={s.ignored} deleted={s.deleted} rejected={s.rejected} "
          f"replayed={'yes' if s.replayed else 'no'} source={s.source} seq={s.source_seq}")
    for c in s.conflicts:
        print(f"conflict: item {c.index} {code_name(c.code)} {c.field}='{c.value}': {c.message}")
    if s.HasField("error"):
        print(f"refused: {code_name(s.error.code)}: {s.error.message}")
    return {ingest_pb2.IMPORT_STATUS_SUCCESS: 0, ingest_pb2.IMPORT_STATUS_WARNING: 1}.get(s.status, 2)


def main():
    ap = argparse.ArgumentParser(description="Send one submission to a socin ingest.")
    ap.add_argument("-t", type=int, default=10000, dest="timeout_ms")
    ap.add_argument("-a", type=int, default=3, dest="attempts")
    ap.add_argument("endpoint")
    ap.add_argument("ingest_cert")
    ap.add_argument("my_cert")
    ap.add_argument("submission_id")
    try:
        args = ap.parse_args()
    except SystemExit:
        return 64
    try:
        keys = load_keys(args.my_cert, args.ingest_cert)
        values = read_items(sys.stdin)
    except (OSError, ValueError) as e:
        print(f"submit.py: {e}", file=sys.stderr)
        return 64

    # The submission: one IngestRequest whose request_id is the submission id. The packed bytes
    # are resent unchanged on silence: the ingest answers a resent submission id from its stored
    # summary, so nothing is counted twice.
    request = ingest_pb2.IngestRequest(
        request_id=args.submission_id,
        submission=ingest_pb2.Submission(submission_id=args.submission_id, values=values))
    packed = request.SerializeToString()
    ctx = zmq.Context()
    try:
        for attempt in range(1, args.attempts + 1):
            reply = exchange(ctx, args.endpoint, keys, packed, args.submission_id, args.timeout_ms)
            if reply is None:
                print(f"submit.py: no answer within {args.timeout_ms} ms "
                      f"(attempt {attempt} of {args.attempts})", file=sys.stderr)
                continue
            if reply.WhichOneof("body") == "summary":
                return print_summary(reply.summary)
            print(f"refused: {code_name(reply.error.code)}: {reply.error.message}")
            return 2
    finally:
        ctx.term()
    print("submit.py: the ingest did not answer: it is down or unreachable, or this key is not "
          "registered as a submitter", file=sys.stderr)
    return 69


if __name__ == "__main__":
    sys.exit(main())
