/*  error: coded failures and the messages people read. See error.h. */
#include "error.h"

#include "socin/v1/errors.pb-c.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

const char *
socin_error_name (int code)
{
    const ProtobufCEnumValue *v =
        protobuf_c_enum_descriptor_get_value (&socin__v1__error_code__descriptor, code);
    if (!v) {
        static __thread char buf[32];
        snprintf (buf, sizeof buf, "ERROR_%d", code);
        return buf;
    }
    return v->name + strlen ("ERROR_CODE_");
}

int
socin_error_set (char *err, size_t errlen, const char *format, ...)
{
    if (err && errlen > 0) {
        va_list args;
        va_start (args, format);
        vsnprintf (err, errlen, format, args);
        va_end (args);
    }
    return -1;
}

void
socin_error_vformat (char *text, size_t len, const char *format, va_list args)
{
    if (!len) return;
    vsnprintf (text, len, format, args);
    size_t bad;
    if (!socin_utf8_valid (text, strlen (text), &bad)) text[bad] = 0;
}

void
socin_error_msg_vset (socin_error_msg_t *self, int code, const char *format, va_list args)
{
    socin_error_vformat (self->text, sizeof self->text, format, args);
    socin__v1__error__init (&self->error);
    self->error.code = code;
    self->error.message = self->text;
}

void
socin_error_quote (const char *text, size_t len, char *quoted)
{
    size_t shown = len <= SOCIN_QUOTE_SHOWN ? len : SOCIN_QUOTE_SHOWN - 3;
    size_t at = 0;
    quoted[at++] = '"';
    for (size_t i = 0; i < shown; i++) {
        unsigned char c = (unsigned char)text[i];
        quoted[at++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
    }
    if (shown < len) {
        memcpy (quoted + at, "...", 3);
        at += 3;
    }
    quoted[at++] = '"';
    quoted[at] = 0;
}

size_t
socin_utf8_seq (const unsigned char *s, size_t len)
{
    uint32_t c = s[0], min;
    size_t need;
    if (c < 0x80) return 1;
    if ((c & 0xE0) == 0xC0)
        need = 1, min = 0x80, c &= 0x1F;
    else if ((c & 0xF0) == 0xE0)
        need = 2, min = 0x800, c &= 0x0F;
    else if ((c & 0xF8) == 0xF0)
        need = 3, min = 0x10000, c &= 0x07;
    else
        return 0;
    if (len <= need) return 0;
    for (size_t k = 1; k <= need; k++) {
        if ((s[k] & 0xC0) != 0x80) return 0;
        c = c << 6 | (s[k] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return 0;
    return need + 1;
}

bool
socin_utf8_valid (const char *text, size_t len, size_t *bad)
{
    const unsigned char *s = (const unsigned char *)text;
    for (size_t i = 0; i < len;) {
        size_t n = socin_utf8_seq (s + i, len - i);
        if (!n) {
            if (bad) *bad = i;
            return false;
        }
        i += n;
    }
    return true;
}
