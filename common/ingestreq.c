/*  ingestreq: IngestRequest with its values read by hand. See ingestreq.h. */
#include "ingestreq.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "varint.h"

#define F_SUBMISSION 2 /* IngestRequest */
#define F_HISTORY    3
#define F_VALUES     4 /* Submission */

static void *
s_alloc (ProtobufCAllocator *a, size_t size)
{
    return a->alloc (a->allocator_data, size ? size : 1);
}

/* A string field's bytes into *DST, NUL-terminated, from A. */
static void
s_string (ProtobufCAllocator *a, const socin_wire_field_t *f, char **dst)
{
    char *s = s_alloc (a, f->len + 1);
    memcpy (s, f->data, f->len);
    s[f->len] = 0;
    *dst = s;
}

/* Reads the DataValue in LEN bytes at DATA into V (initialised); false when it holds anything
   but its fields with their wire types. */
static bool
s_value (ProtobufCAllocator *a, const uint8_t *data, size_t len, Socin__V1__DataValue *v)
{
    const uint8_t *p = data, *end = data + len;
    socin_wire_field_t f;
    while (p < end) {
        if (!socin_wire_field (&p, end, &f)) return false;
        char **str = NULL;
        protobuf_c_boolean *flag = NULL;
        switch (f.number) {
        case 1: str = &v->indicator; break;
        case 2: str = &v->unit; break;
        case 3: str = &v->period; break;
        case 4: str = &v->disaggregation; break;
        case 5: str = &v->value; break;
        case 7: str = &v->comment; break;
        case 60: str = &v->stored_by; break;
        case 6: flag = &v->delete_; break;
        case 61: flag = &v->followup; break;
        default: return false;
        }
        if (str && f.wire == SOCIN_WIRE_LEN)
            s_string (a, &f, str);
        else if (flag && f.wire == SOCIN_WIRE_VARINT)
            *flag = f.value != 0;
        else
            return false;
    }
    return true;
}

/* The request with its submission's values read by hand, or NULL to leave it to protobuf-c. */
static Socin__V1__IngestRequest *
s_unpack (ProtobufCAllocator *a, size_t len, const uint8_t *data)
{
    /* The request: one submission, no history query (a oneof takes the last of them). */
    const uint8_t *p = data, *end = data + len;
    socin_wire_field_t f, sub = {0};
    int nsubs = 0;
    while (p < end) {
        if (!socin_wire_field (&p, end, &f)) return NULL;
        if (f.number == F_HISTORY) return NULL;
        if (f.number == F_SUBMISSION) {
            if (f.wire != SOCIN_WIRE_LEN) return NULL;
            sub = f;
            nsubs++;
        }
    }
    if (nsubs != 1) return NULL;
    /* The submission without its values, in the request without its submission's values. */
    size_t nvalues = 0;
    for (p = sub.data; p < sub.data + sub.len;) {
        if (!socin_wire_field (&p, sub.data + sub.len, &f)) return NULL;
        if (f.number == F_VALUES && f.wire != SOCIN_WIRE_LEN) return NULL;
        nvalues += f.number == F_VALUES;
    }
    if (!nvalues) return NULL;
    uint8_t *rest = socin_malloc (len + 16), *w = rest;
    size_t head = (size_t)(sub.start - data);
    memcpy (w, data, head);
    w += head;
    *w++ = (F_SUBMISSION << 3) | SOCIN_WIRE_LEN;
    uint8_t *sublen_at = w;
    w += 10; /* room for the length, moved into place below */
    uint8_t *body = w;
    for (p = sub.data; p < sub.data + sub.len;) {
        socin_wire_field (&p, sub.data + sub.len, &f);
        if (f.number == F_VALUES) continue;
        memcpy (w, f.start, (size_t)(p - f.start));
        w += p - f.start;
    }
    size_t bodylen = (size_t)(w - body);
    uint8_t *after = socin_varint_put (sublen_at, bodylen);
    memmove (after, body, bodylen);
    w = after + bodylen;
    const uint8_t *tail = sub.data + sub.len;
    memcpy (w, tail, (size_t)(end - tail));
    w += end - tail;
    Socin__V1__IngestRequest *req =
        socin__v1__ingest_request__unpack (a, (size_t)(w - rest), rest);
    free (rest);
    if (!req || req->body_case != SOCIN__V1__INGEST_REQUEST__BODY_SUBMISSION) return NULL;
    /* The values, into one array. */
    Socin__V1__DataValue *values = s_alloc (a, nvalues * sizeof *values);
    Socin__V1__DataValue **ptrs = s_alloc (a, nvalues * sizeof *ptrs);
    size_t n = 0;
    for (p = sub.data; p < sub.data + sub.len;) {
        socin_wire_field (&p, sub.data + sub.len, &f);
        if (f.number != F_VALUES) continue;
        socin__v1__data_value__init (&values[n]);
        if (!s_value (a, f.data, f.len, &values[n])) return NULL;
        ptrs[n] = &values[n];
        n++;
    }
    req->submission->values = ptrs;
    req->submission->n_values = n;
    return req;
}

Socin__V1__IngestRequest *
socin_ingest_request_unpack (ProtobufCAllocator *allocator, size_t len, const uint8_t *data)
{
    Socin__V1__IngestRequest *req = allocator ? s_unpack (allocator, len, data) : NULL;
    return req ? req : socin__v1__ingest_request__unpack (allocator, len, data);
}
