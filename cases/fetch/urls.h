/*
 * cases/fetch/urls.h - fetch's list of URLs: checked one by one (http or
 * https only, a hidden byte shown as \xHH) and read from a --urls file
 * (UTF-8, a byte-order mark and CRLF line ends accepted, # comments).
 * The list owns its strings (Malloc'ed copies).
 */
#ifndef GILBENCH_FETCH_URLS_H
#define GILBENCH_FETCH_URLS_H

#include <stddef.h>

#include "opts.h"

/* 0 for an http(s) URL; else 2 with a one-line reason in err naming its
 * source `what` (an option, or a file and line). */
int urls_check(const char *url, const char *what, char *err, size_t errlen);

/* Check url and append a copy to urls; 0, or 2 as urls_check(). */
int urls_add(struct opt_list *urls, const char *url, const char *what, char *err,
             size_t errlen);

/* Append every URL of the file at path (one a line); 0, or 2 with a reason
 * (unreadable, not UTF-8, a bad URL with its line, or no URL at all). */
int urls_read_file(struct opt_list *urls, const char *path, char *err, size_t errlen);

/* A URL whose path ends in /bytes/N must deliver exactly N bytes: N, or -1
 * for any other URL. */
long long urls_bytes_size(const char *url);

#endif
