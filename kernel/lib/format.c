/* SPDX-License-Identifier: MIT */
/* kernel/lib/format.c — printf-style formatting core: integers, characters, strings, pointers. */
#include <stdbool.h>
#include <stdint.h>
#include <lib/format.h>

/*
 * One conversion specification, as C99 7.19.6.1 lays it out:
 *
 *   %  [flags]  [width]  [.precision]  [length]  conversion
 *      -0+ #    n or *   .n or .*      hh h l ll z j t L
 *
 * A field is printed as
 *
 *   [spaces] [sign] [0x] [zeros from flag 0] [zeros from precision] digits [spaces]
 *
 * where the leading spaces (right-justified) or the trailing spaces (flag -)
 * or the flag-0 zeros fill the field up to its width.
 */

#define FMT_LEFT     (1u << 0)   /* - */
#define FMT_ZERO     (1u << 1)   /* 0 */
#define FMT_PLUS     (1u << 2)   /* + */
#define FMT_SPACE    (1u << 3)   /* space */
#define FMT_ALT      (1u << 4)   /* # */

#define FMT_INT_MAX  ((int)(~0u >> 1))
#define FMT_NO_PREC  (-1)
#define FMT_DIGITS   (sizeof(uintmax_t) * 8 / 3 + 2)   /* octal digits of UINTMAX_MAX, and spare */

_Static_assert(sizeof(size_t) == sizeof(ptrdiff_t), "%zd and %tu read the other type");

enum fmt_len { FMT_LEN_NONE, FMT_LEN_HH, FMT_LEN_H, FMT_LEN_L, FMT_LEN_LL,
               FMT_LEN_Z, FMT_LEN_J, FMT_LEN_T, FMT_LEN_BIG_L };

struct fmt_spec {
    unsigned     flags;          /* FMT_* */
    int          width;          /* 0 if none */
    int          prec;           /* FMT_NO_PREC if none */
    enum fmt_len len;
    char         conv;           /* '\0' if the format ended inside the specification */
};

/* The sink and what has gone into it. */
struct fmt_out {
    fmt_putc_fn putc;
    void       *ctx;
    size_t      count;
};

/* fmt_vsnprintf()'s sink state. */
struct fmt_buf {
    char  *buf;
    size_t size;
    size_t pos;                  /* characters produced so far, stored or not */
};

static void fmt_emit(struct fmt_out *o, char c)
{
    o->putc(o->ctx, c);
    o->count++;
}

static void fmt_repeat(struct fmt_out *o, char c, long long n)
{
    for (; n > 0; n--)
        fmt_emit(o, c);
}

/* Read a decimal number, saturating at INT_MAX. */
static int fmt_number_parse(const char **pp)
{
    const char *p = *pp;
    int n = 0;

    for (; *p >= '0' && *p <= '9'; p++) {
        int d = *p - '0';

        n = n > (FMT_INT_MAX - d) / 10 ? FMT_INT_MAX : n * 10 + d;
    }
    *pp = p;
    return n;
}

/* Parse the specification after '%', taking * arguments from *ap; *pp ends past the conversion. */
static void fmt_spec_parse(const char **pp, va_list *ap, struct fmt_spec *s)
{
    const char *p = *pp;

    s->flags = 0;
    for (;; p++) {
        if (*p == '-')      s->flags |= FMT_LEFT;
        else if (*p == '0') s->flags |= FMT_ZERO;
        else if (*p == '+') s->flags |= FMT_PLUS;
        else if (*p == ' ') s->flags |= FMT_SPACE;
        else if (*p == '#') s->flags |= FMT_ALT;
        else break;
    }

    s->width = 0;
    if (*p == '*') {
        int w = va_arg(*ap, int);

        p++;
        if (w < 0) {
            s->flags |= FMT_LEFT;
            w = w < -FMT_INT_MAX ? FMT_INT_MAX : -w;
        }
        s->width = w;
    } else {
        s->width = fmt_number_parse(&p);
    }

    s->prec = FMT_NO_PREC;
    if (*p == '.') {
        p++;
        if (*p == '*') {
            int pr = va_arg(*ap, int);

            p++;
            s->prec = pr < 0 ? FMT_NO_PREC : pr;
        } else {
            s->prec = fmt_number_parse(&p);
        }
    }

    s->len = FMT_LEN_NONE;
    switch (*p) {
    case 'h': p++; s->len = FMT_LEN_H;  if (*p == 'h') { p++; s->len = FMT_LEN_HH; } break;
    case 'l': p++; s->len = FMT_LEN_L;  if (*p == 'l') { p++; s->len = FMT_LEN_LL; } break;
    case 'z': p++; s->len = FMT_LEN_Z;     break;
    case 'j': p++; s->len = FMT_LEN_J;     break;
    case 't': p++; s->len = FMT_LEN_T;     break;
    case 'L': p++; s->len = FMT_LEN_BIG_L; break;
    default: break;
    }

    s->conv = *p;
    if (*p != '\0')
        p++;
    *pp = p;
}

/* Fetch the argument of a signed integer conversion, narrowed as its length modifier says. */
static intmax_t fmt_arg_signed(va_list *ap, enum fmt_len len)
{
    switch (len) {
    case FMT_LEN_HH: return (signed char)va_arg(*ap, int);
    case FMT_LEN_H:  return (short)va_arg(*ap, int);
    case FMT_LEN_L:  return va_arg(*ap, long);
    case FMT_LEN_LL: return va_arg(*ap, long long);
    case FMT_LEN_Z:  return va_arg(*ap, ptrdiff_t);   /* the signed type of size_t's width */
    case FMT_LEN_J:  return va_arg(*ap, intmax_t);
    case FMT_LEN_T:  return va_arg(*ap, ptrdiff_t);
    default:         return va_arg(*ap, int);
    }
}

/* Fetch the argument of an unsigned integer conversion, narrowed as its length modifier says. */
static uintmax_t fmt_arg_unsigned(va_list *ap, enum fmt_len len)
{
    switch (len) {
    case FMT_LEN_HH: return (unsigned char)va_arg(*ap, unsigned int);
    case FMT_LEN_H:  return (unsigned short)va_arg(*ap, unsigned int);
    case FMT_LEN_L:  return va_arg(*ap, unsigned long);
    case FMT_LEN_LL: return va_arg(*ap, unsigned long long);
    case FMT_LEN_Z:  return va_arg(*ap, size_t);
    case FMT_LEN_J:  return va_arg(*ap, uintmax_t);
    case FMT_LEN_T:  return va_arg(*ap, size_t);      /* the unsigned type of ptrdiff_t's width */
    default:         return va_arg(*ap, unsigned int);
    }
}

/* Print an integer field: sign or 0x prefix, precision zeros, digits, padding. */
static void fmt_integer(struct fmt_out *o, const struct fmt_spec *s, uintmax_t mag, char sign,
                        unsigned base, bool prefix)
{
    const char *set = s->conv == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
    char digits[FMT_DIGITS];     /* least significant first */
    int n = 0;
    long long zeros, len, pad;

    if (!(mag == 0 && s->prec == 0)) {
        do {
            digits[n++] = set[mag % base];
            mag /= base;
        } while (mag != 0);
    }
    zeros = s->prec > n ? (long long)s->prec - n : 0;
    if (s->conv == 'o' && (s->flags & FMT_ALT) && zeros == 0 && (n == 0 || digits[n - 1] != '0'))
        zeros = 1;               /* # makes the first octal digit a 0 */

    len = (sign ? 1 : 0) + (prefix ? 2 : 0) + zeros + n;
    pad = s->width > len ? s->width - len : 0;
    if (!(s->flags & FMT_LEFT) && !((s->flags & FMT_ZERO) && s->prec == FMT_NO_PREC))
        fmt_repeat(o, ' ', pad);
    if (sign)
        fmt_emit(o, sign);
    if (prefix) {
        fmt_emit(o, '0');
        fmt_emit(o, s->conv == 'X' ? 'X' : 'x');
    }
    if (!(s->flags & FMT_LEFT) && (s->flags & FMT_ZERO) && s->prec == FMT_NO_PREC)
        fmt_repeat(o, '0', pad);
    fmt_repeat(o, '0', zeros);
    while (n > 0)
        fmt_emit(o, digits[--n]);
    if (s->flags & FMT_LEFT)
        fmt_repeat(o, ' ', pad);
}

/* Print n characters of str in a field of the spec's width. */
static void fmt_text(struct fmt_out *o, const struct fmt_spec *s, const char *str, long long n)
{
    long long pad = s->width > n ? s->width - n : 0;

    if (!(s->flags & FMT_LEFT))
        fmt_repeat(o, ' ', pad);
    for (long long i = 0; i < n; i++)
        fmt_emit(o, str[i]);
    if (s->flags & FMT_LEFT)
        fmt_repeat(o, ' ', pad);
}

/* Length of str, reading at most max characters (max < 0: no limit). */
static long long fmt_strnlen(const char *str, long long max)
{
    long long n = 0;

    while ((max < 0 || n < max) && str[n] != '\0')
        n++;
    return n;
}

/* Print one conversion whose specification spans [start, end). */
static void fmt_convert(struct fmt_out *o, const struct fmt_spec *s, va_list *ap,
                        const char *start, const char *end)
{
    const char *str;
    char c;
    intmax_t v;
    uintmax_t u;

    switch (s->conv) {
    case 'd':
    case 'i':
        v = fmt_arg_signed(ap, s->len);
        u = v < 0 ? (uintmax_t)0 - (uintmax_t)v : (uintmax_t)v;
        c = v < 0 ? '-' : (s->flags & FMT_PLUS) ? '+' : (s->flags & FMT_SPACE) ? ' ' : 0;
        fmt_integer(o, s, u, c, 10, false);
        return;
    case 'u':
        fmt_integer(o, s, fmt_arg_unsigned(ap, s->len), 0, 10, false);
        return;
    case 'o':
        fmt_integer(o, s, fmt_arg_unsigned(ap, s->len), 0, 8, false);
        return;
    case 'x':
    case 'X':
        u = fmt_arg_unsigned(ap, s->len);
        fmt_integer(o, s, u, 0, 16, (s->flags & FMT_ALT) && u != 0);
        return;
    case 'p':
        fmt_integer(o, s, (uintptr_t)va_arg(*ap, void *), 0, 16, true);
        return;
    case 'c':
        if (s->len == FMT_LEN_L) {
            (void)va_arg(*ap, unsigned int);   /* wint_t: wide characters are not supported */
            fmt_text(o, s, "?", 1);
            return;
        }
        c = (char)va_arg(*ap, int);
        fmt_text(o, s, &c, 1);
        return;
    case 's':
        str = va_arg(*ap, const char *);
        if (s->len == FMT_LEN_L)
            str = "?";                         /* wide strings are not supported */
        else if (str == NULL)
            str = "(null)";
        fmt_text(o, s, str, fmt_strnlen(str, s->prec));
        return;
    case 'n':
        (void)va_arg(*ap, void *);             /* never write through an argument */
        return;
    case 'f': case 'F': case 'e': case 'E': case 'g': case 'G': case 'a': case 'A':
        fmt_emit(o, '?');                      /* no floating point (-mno-sse); nothing consumed */
        return;
    case '%':
        fmt_emit(o, '%');
        return;
    default:
        for (; start < end; start++)           /* unknown: echo the specification */
            fmt_emit(o, *start);
        return;
    }
}

/* Format fmt with the arguments in ap into a sink; characters produced or -1 past INT_MAX. */
int fmt_vformat(fmt_putc_fn putc, void *ctx, const char *fmt, va_list ap)
{
    struct fmt_out o = { putc, ctx, 0 };
    struct fmt_spec s;
    va_list args;
    const char *p = fmt, *start;

    if (putc == NULL || fmt == NULL)
        return -1;
    va_copy(args, ap);
    while (*p != '\0') {
        if (*p != '%') {
            fmt_emit(&o, *p++);
            continue;
        }
        start = p++;
        fmt_spec_parse(&p, &args, &s);
        fmt_convert(&o, &s, &args, start, p);
    }
    va_end(args);
    return o.count > (size_t)FMT_INT_MAX ? -1 : (int)o.count;
}

/* fmt_vsnprintf()'s sink: store while there is room for the NUL, count always. */
static void fmt_buf_putc(void *ctx, char c)
{
    struct fmt_buf *b = ctx;

    if (b->pos + 1 < b->size)
        b->buf[b->pos] = c;
    b->pos++;
}

/* C99 vsnprintf: NUL-terminated if size > 0; returns the untruncated length. */
int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct fmt_buf b = { buf, buf == NULL ? 0 : size, 0 };
    int n = fmt_vformat(fmt_buf_putc, &b, fmt, ap);

    if (b.size > 0)
        b.buf[b.pos < b.size ? b.pos : b.size - 1] = '\0';
    return n;
}

/* C99 snprintf. */
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = fmt_vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
