/*  fixture: what the fuzz targets share — the registry model a fresh registry holds, built
    the way socin-registry builds it on its first start, and the checks of strings that leave
    a service in a protobuf message.

    The model is the embedded sample territory (planned as a first edition), the embedded
    default catalogue (parsed and checked), and one submitter, "fuzz", whose territory is the
    whole country (CZ) and who may report every data set. Any failure to build it aborts: a
    fuzz target must not run against a model that is not the registry's.
*/
#ifndef SOCIN_FUZZ_FIXTURE_H
#define SOCIN_FUZZ_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

#include "model.h"

/* The public key the fixture's submitter is registered under (Z85, 40 characters). */
#define FUZZ_SUBMITTER_KEY "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"

/* A new model: the sample territory, plus the default catalogue when CATALOGUE, plus the
   submitter "fuzz" when SUBMITTER (it needs the catalogue's data sets). */
socin_model_t *fuzz_model_new (bool catalogue, bool submitter);

/* The day every target takes as today (2026-03-16): the sample territory's units exist, and
   periods of 2024 to early 2026 are open, so seeds can be accepted and locked alike. */
int32_t fuzz_today (void);

/* Aborts with WHAT and the offending text when TEXT (NUL-terminated) is not valid UTF-8:
   strings a service sends in protobuf messages must stay valid UTF-8, or clients in other
   languages cannot decode the message at all. */
void fuzz_check_utf8 (const char *what, const char *text);

/* The same for every string field of MSG and of the messages inside it, at any depth (WHAT
   names the message in the report). */
void fuzz_check_message_utf8 (const char *what, const ProtobufCMessage *msg);

/* True when every string field of MSG, at any depth, is valid UTF-8. */
bool fuzz_message_utf8 (const ProtobufCMessage *msg);

/* Aborts with a message (printf-formatted) when COND is false: a broken property. */
#define FUZZ_ASSERT(cond, ...)                                                                     \
    do {                                                                                           \
        if (!(cond)) fuzz_fail (__FILE__, __LINE__, #cond, __VA_ARGS__);                           \
    } while (0)

void fuzz_fail (const char *file, int line, const char *expr, const char *fmt, ...)
    __attribute__ ((format (printf, 4, 5), noreturn));

/* A temporary directory for the process (made once, removed with its files at exit): the
   control socket and the reporting store live there. */
const char *fuzz_tmpdir (void);

/* Quiets the project's logging (errors only): the targets call it in LLVMFuzzerInitialize. */
void fuzz_quiet (void);

#endif
