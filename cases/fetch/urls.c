/* cases/fetch/urls.c - see urls.h */
#include "fetch/urls.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "checked.h"

/* s with every byte outside printable ASCII as \xHH, so that an invisible
 * byte-order mark or control character shows in a message. */
static void escape_bytes(const char *s, char *out, size_t outlen)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p && n + 5 < outlen; p++)
        n += (size_t)snprintf(out + n, outlen - n, *p >= 0x20 && *p < 0x7f ? "%c" : "\\x%02X",
                              *p);
    out[n] = '\0';
}

/* 0 for an http(s) URL, else 2 with a reason; `what` names its source. */
int urls_check(const char *url, const char *what, char *err, size_t errlen)
{
    if (strncmp(url, "http://", 7) == 0 || strncmp(url, "https://", 8) == 0)
        return 0;
    char shown[256];
    escape_bytes(url, shown, sizeof shown);
    snprintf(err, errlen, "%s: expected an http:// or https:// URL, got '%s'%s", what, shown,
             strncmp(url, "\xEF\xBB\xBF", 3) == 0 ? " (a byte-order mark before it)" : "");
    return 2;
}

int urls_add(struct opt_list *urls, const char *url, const char *what, char *err, size_t errlen)
{
    if (urls_check(url, what, err, errlen) != 0)
        return 2;
    size_t len = strlen(url) + 1;
    char *copy = memcpy(Malloc(len), url, len);
    if (urls->len == urls->cap) {
        urls->cap = urls->cap ? 2 * urls->cap : 16;
        urls->items = Realloc(urls->items, urls->cap * sizeof *urls->items);
    }
    urls->items[urls->len++] = copy;
    return 0;
}

/* The encoding a byte-order mark at the start of the file announces, when
 * it is not UTF-8 (Notepad's "Unicode" is UTF-16 LE); NULL otherwise. */
static const char *wide_encoding(const char *line, ssize_t len)
{
    const unsigned char *b = (const unsigned char *)line;
    if (len >= 4 && ((b[0] == 0xFF && b[1] == 0xFE && b[2] == 0 && b[3] == 0) ||
                     (b[0] == 0 && b[1] == 0 && b[2] == 0xFE && b[3] == 0xFF)))
        return "UTF-32";
    if (len >= 2 && ((b[0] == 0xFF && b[1] == 0xFE) || (b[0] == 0xFE && b[1] == 0xFF)))
        return "UTF-16";
    return NULL;
}

int urls_read_file(struct opt_list *urls, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        snprintf(err, errlen, "--urls: cannot read '%s': %s", path, strerror(errno));
        return 2;
    }
    char *line = NULL, what[300];
    size_t cap = 0;
    ssize_t len;
    int rc = 0, lineno = 0;
    while (rc == 0 && (len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        const char *wide = lineno == 1 ? wide_encoding(line, len) : NULL;
        /* A NUL byte: UTF-16 or UTF-32 without a byte-order mark (or not text). */
        if (wide || memchr(line, '\0', (size_t)len)) {
            snprintf(err, errlen, "--urls: '%.200s' is %s, not UTF-8 text (line %d); save it "
                     "as UTF-8", path, wide ? wide : "UTF-16 or binary (it holds NUL bytes)",
                     lineno);
            rc = 2;
            break;
        }
        char *s = line;
        /* Editors on Windows start a UTF-8 file with a byte-order mark;
         * like the trailing CR below, it is not part of the URL. */
        if (lineno == 1 && strncmp(s, "\xEF\xBB\xBF", 3) == 0)
            s += 3;
        s += strspn(s, " \t");
        s[strcspn(s, " \t\r\n")] = '\0';
        if (*s == '\0' || *s == '#')
            continue;
        snprintf(what, sizeof what, "--urls: %.200s line %d", path, lineno);
        rc = urls_add(urls, s, what, err, errlen);
    }
    free(line);
    fclose(f);
    if (rc == 0 && urls->len == 0) {
        snprintf(err, errlen, "--urls: no URL in '%s'", path);
        rc = 2;
    }
    return rc;
}

long long urls_bytes_size(const char *url)
{
    const char *p = strstr(url, "/bytes/");
    if (p == NULL)
        return -1;
    char *end;
    errno = 0;
    long long n = strtoll(p + 7, &end, 10);
    bool digits = p[7] >= '0' && p[7] <= '9';
    return digits && errno == 0 && (*end == '\0' || *end == '?') ? n : -1;
}
