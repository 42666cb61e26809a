/*
 * stmt_results.c - EXTERNAL_LINKS results: chunk files and the signed links to them.
 *
 * Files: DATA_DIR/statement-results/<statement_id>/<chunk_index>.<json|arrow|csv>, each a
 * complete document of its format:
 *   JSON_ARRAY    [["v",null,...],...]  compact, values as the INLINE strings
 *   CSV           RFC 4180 (CRLF line ends; a field with , " CR or LF is quoted, quotes
 *                 doubled), values as the JSON_ARRAY strings, NULL as null (Databricks'
 *                 documented encoding); the header row only in chunk 0
 *   ARROW_STREAM  an Arrow IPC stream (schema, record batches, end marker): arrow_ipc.h
 * A chunk is closed after LH_STATEMENT_LINK_CHUNK_ROWS rows or LH_STATEMENT_LINK_CHUNK_BYTES
 * bytes (Arrow: checked between record batches, so one engine batch may pass the byte
 * bound). row_limit and byte_limit (default LH_STATEMENT_LINKS_BYTES_MAX) truncate the
 * result; byte_limit counts internal sizes (fixed widths, string bytes), as Databricks'
 * does, not the bytes of the chosen format.
 *
 * Links: <workspace_host>/api/2.0/sql/statement-results/<id>/<file>?expires=..&signature=..
 * signed with api/signed_url.h, valid LH_STATEMENT_LINK_TTL_MS or until the results
 * expire, whichever is first. The download route needs no token (clients must not send
 * one, as to cloud storage) and answers the file with Range support.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>

#include "api/sql/arrow_ipc.h"
#include "api/sql/stmt_internal.h"
#include "common/json.h"
#include "common/limits.h"
#include "common/util.h"
#include "compute/func/format.h"

static const char *const file_ext[] = {"json", "arrow", "csv"};
static const char *const file_mime[] = {"application/json", "application/vnd.apache.arrow.stream",
                                        "text/csv"};

static bool put(lh_byte_buf_t *b, const void *p, size_t n)
{
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n)
            cap *= 2;
        uint8_t *q = realloc(b->bytes, cap);
        if (q == NULL)
            return false;
        b->bytes = q;
        b->cap = cap;
    }
    memcpy(b->bytes + b->len, p, n);
    b->len += n;
    return true;
}

static bool puts_(lh_byte_buf_t *b, const char *s)
{
    return put(b, s, strlen(s));
}

/* ---- encodings ----------------------------------------------------------------------- */

static bool utf8_valid(const uint8_t *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        uint8_t c = s[i];
        size_t k = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        if (k == 0 || i + k > n)
            return false;
        for (size_t j = 1; j < k; j++)
            if ((s[i + j] & 0xC0) != 0x80)
                return false;
        i += k;
    }
    return true;
}

static bool json_string_out(lh_byte_buf_t *b, const char *s, size_t n)
{
    if (!utf8_valid((const uint8_t *)s, n)) { /* a BINARY: as Spark shows it (as INLINE) */
        char *fix = malloc(3 * n + 1);
        if (fix == NULL)
            return false;
        size_t m = lh_format_utf8_lossy(s, n, fix);
        bool ok = utf8_valid((const uint8_t *)fix, m) ? json_string_out(b, fix, m)
                                                      : puts_(b, "\"\\ufffd\"");
        free(fix);
        return ok;
    }
    bool ok = put(b, "\"", 1);
    size_t run = 0;
    for (size_t i = 0; i < n && ok; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        ok = put(b, s + run, i - run);
        char esc[8];
        if (c == '"' || c == '\\')
            snprintf(esc, sizeof esc, "\\%c", c);
        else if (c == '\n')
            snprintf(esc, sizeof esc, "\\n");
        else if (c == '\t')
            snprintf(esc, sizeof esc, "\\t");
        else if (c == '\r')
            snprintf(esc, sizeof esc, "\\r");
        else
            snprintf(esc, sizeof esc, "\\u%04x", c);
        ok = ok && puts_(b, esc);
        run = i + 1;
    }
    return ok && put(b, s + run, n - run) && put(b, "\"", 1);
}

static bool csv_field(lh_byte_buf_t *b, const char *s, size_t n)
{
    bool quote = false;
    for (size_t i = 0; i < n && !quote; i++)
        quote = s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n';
    if (!quote)
        return put(b, s, n);
    bool ok = put(b, "\"", 1);
    size_t run = 0;
    for (size_t i = 0; i < n && ok; i++) {
        if (s[i] != '"')
            continue;
        ok = put(b, s + run, i + 1 - run) && put(b, "\"", 1);
        run = i + 1;
    }
    return ok && put(b, s + run, n - run) && put(b, "\"", 1);
}

static bool text_row(lh_byte_buf_t *b, st_format f, const lh_batch_t *bt, size_t r,
                     const lh_tz_t *tz, bool first)
{
    bool ok = f == FMT_CSV ? true : puts_(b, first ? "[" : ",[");
    for (int k = 0; k < bt->col_count && ok; k++) {
        if (k > 0)
            ok = put(b, ",", 1);
        if (!lh_vec_is_valid(bt->cols[k], r)) {
            ok = ok && puts_(b, "null");
            continue;
        }
        char buf[LH_FMT_MAX];
        const char *text;
        size_t n = lh_format_vec(bt->cols[k], r, tz, LH_FMT_RESULT, buf, &text);
        ok = ok && (f == FMT_CSV ? csv_field(b, text, n) : json_string_out(b, text, n));
    }
    return ok && puts_(b, f == FMT_CSV ? "\r\n" : "]");
}

/* Bytes of row r as the engine holds it: what byte_limit counts. */
static int64_t row_bytes(const lh_batch_t *b, size_t r)
{
    int64_t n = 0;
    for (int k = 0; k < b->col_count; k++) {
        const lh_vec_t *v = b->cols[k];
        if (!lh_vec_is_valid(v, r))
            n += 1;
        else if (v->type.id == LH_TYPE_STRING || v->type.id == LH_TYPE_BINARY)
            n += lh_vec_get_str(v, r).len;
        else
            n += (int64_t)lh_type_width(v->type);
    }
    return n;
}

/* ---- chunk files --------------------------------------------------------------------- */

static void chunk_dir(char *out, size_t size, const char *data_dir, const char *id)
{
    snprintf(out, size, "%s/statement-results/%s", data_dir, id);
}

lh_err lh_links_schema(stmt *st, const lh_query_columns_t *cols, lh_errbuf *eb)
{
    links_writer *lw = &st->lw;
    lh_links_writer_free(lw);
    lw->col_names = calloc((size_t)cols->count + 1, sizeof *lw->col_names);
    lw->col_types = calloc((size_t)cols->count + 1, sizeof *lw->col_types);
    LH_FAIL_IF(lw->col_names == NULL || lw->col_types == NULL, LH_E_NOMEM, eb, "out of memory");
    lw->col_count = cols->count;
    for (int i = 0; i < cols->count; i++) {
        lw->col_names[i] = strdup(cols->names[i]);
        lw->col_types[i] = cols->types[i];
        LH_FAIL_IF(lw->col_names[i] == NULL, LH_E_NOMEM, eb, "out of memory");
    }
    return LH_OK;
}

void lh_links_writer_free(links_writer *lw)
{
    for (int i = 0; lw->col_names && i < lw->col_count; i++)
        free(lw->col_names[i]);
    free(lw->col_names);
    free(lw->col_types);
    free(lw->buf.bytes);
    *lw = (links_writer){0};
}

static lh_err open_chunk(stmt *st, lh_errbuf *eb)
{
    links_writer *lw = &st->lw;
    lw->buf.len = 0;
    lw->rows = 0;
    lw->open = true;
    bool ok = true;
    if (st->format == FMT_ARROW_STREAM)
        return lh_arrow_write_schema(&lw->buf, lw->col_count, (const char *const *)lw->col_names,
                                     lw->col_types, eb);
    if (st->format == FMT_JSON_ARRAY)
        ok = put(&lw->buf, "[", 1);
    else if (st->chunk_count == 0) { /* CSV: the header row, in the first chunk only */
        for (int i = 0; i < lw->col_count && ok; i++)
            ok = (i == 0 || put(&lw->buf, ",", 1)) &&
                 csv_field(&lw->buf, lw->col_names[i], strlen(lw->col_names[i]));
        ok = ok && puts_(&lw->buf, "\r\n");
    }
    LH_FAIL_IF(!ok, LH_E_NOMEM, eb, "out of memory");
    return LH_OK;
}

static lh_err write_file(const char *path, const lh_byte_buf_t *b, lh_errbuf *eb)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    LH_FAIL_IF(fd < 0, LH_E_IO, eb, "cannot create a result file: %s", strerror(errno));
    size_t done = 0;
    while (done < b->len) {
        ssize_t w = write(fd, b->bytes + done, b->len - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            int err = errno;
            close(fd);
            LH_FAIL(LH_E_IO, eb, "cannot write a result file: %s", strerror(err));
        }
        done += (size_t)w;
    }
    LH_FAIL_IF(close(fd) != 0, LH_E_IO, eb, "cannot write a result file: %s", strerror(errno));
    return LH_OK;
}

/* Close the open chunk: end its document, write its file, publish it (st->mu held). */
static lh_err flush_chunk(stmt *st, lh_errbuf *eb)
{
    links_writer *lw = &st->lw;
    if (!lw->open)
        return LH_OK;
    if (st->format == FMT_ARROW_STREAM)
        LH_TRY(lh_arrow_write_eos(&lw->buf, eb));
    else if (st->format == FMT_JSON_ARRAY)
        LH_FAIL_IF(!put(&lw->buf, "]", 1), LH_E_NOMEM, eb, "out of memory");
    const char *data_dir = st->owner->ctx->data_dir;
    char dir[4200], path[4300];
    snprintf(dir, sizeof dir, "%s/statement-results", data_dir);
    mkdir(dir, 0700);
    chunk_dir(dir, sizeof dir, data_dir, st->id);
    mkdir(dir, 0700);
    snprintf(path, sizeof path, "%s/%d.%s", dir, st->chunk_count, file_ext[st->format]);
    LH_TRY(write_file(path, &lw->buf, eb));
    if (st->chunk_count == st->chunk_cap) {
        int cap = st->chunk_cap ? st->chunk_cap * 2 : 8;
        chunk *nc = realloc(st->chunks, (size_t)cap * sizeof *nc);
        LH_FAIL_IF(nc == NULL, LH_E_NOMEM, eb, "out of memory");
        st->chunks = nc;
        st->chunk_cap = cap;
    }
    st->chunks[st->chunk_count++] =
        (chunk){st->total_rows - lw->rows, lw->rows, (int64_t)lw->buf.len, NULL};
    st->total_bytes += (int64_t)lw->buf.len;
    lw->open = false;
    lw->rows = 0;
    lw->buf.len = 0;
    return LH_OK;
}

/* May one more row of rb bytes go in? Sets truncated when not. */
static bool room_for(stmt *st, int64_t rb)
{
    int64_t byte_limit = st->byte_limit > 0 ? st->byte_limit : LH_STATEMENT_LINKS_BYTES_MAX;
    if ((st->row_limit > 0 && st->total_rows >= st->row_limit) ||
        st->limit_bytes + rb > byte_limit) {
        st->truncated = true;
        return false;
    }
    return true;
}

static bool chunk_full(const stmt *st)
{
    return st->lw.rows >= LH_STATEMENT_LINK_CHUNK_ROWS ||
           (int64_t)st->lw.buf.len >= LH_STATEMENT_LINK_CHUNK_BYTES;
}

static lh_err text_batch(stmt *st, const lh_batch_t *b, const lh_tz_t *tz, lh_errbuf *eb)
{
    for (size_t r = 0; r < b->row_count && !st->truncated; r++) {
        int64_t rb = row_bytes(b, r);
        if (!room_for(st, rb))
            break;
        if (st->lw.open && chunk_full(st))
            LH_TRY(flush_chunk(st, eb));
        if (!st->lw.open)
            LH_TRY(open_chunk(st, eb));
        LH_FAIL_IF(!text_row(&st->lw.buf, st->format, b, r, tz, st->lw.rows == 0), LH_E_NOMEM, eb,
                   "out of memory");
        st->lw.rows++;
        st->total_rows++;
        st->limit_bytes += rb;
    }
    return LH_OK;
}

static lh_err arrow_batch(stmt *st, const lh_batch_t *b, lh_errbuf *eb)
{
    size_t r = 0;
    while (r < b->row_count && !st->truncated) {
        if (st->lw.open && chunk_full(st))
            LH_TRY(flush_chunk(st, eb));
        size_t n = 0;
        while (r + n < b->row_count && st->lw.rows + (int64_t)n < LH_STATEMENT_LINK_CHUNK_ROWS) {
            int64_t rb = row_bytes(b, r + n);
            st->total_rows += (int64_t)n; /* room_for counts the rows taken so far */
            bool ok = room_for(st, rb);
            st->total_rows -= (int64_t)n;
            if (!ok)
                break;
            st->limit_bytes += rb;
            n++;
        }
        if (n == 0)
            break;
        if (!st->lw.open)
            LH_TRY(open_chunk(st, eb));
        LH_TRY(lh_arrow_write_batch(&st->lw.buf, b, r, n, eb));
        st->lw.rows += (int64_t)n;
        st->total_rows += (int64_t)n;
        r += n;
    }
    return LH_OK;
}

lh_err lh_links_batch(stmt *st, const lh_batch_t *b, const lh_tz_t *tz, lh_errbuf *eb)
{
    pthread_mutex_lock(&st->mu);
    lh_err e = st->format == FMT_ARROW_STREAM ? arrow_batch(st, b, eb) : text_batch(st, b, tz, eb);
    pthread_mutex_unlock(&st->mu);
    return e;
}

lh_err lh_links_finish(stmt *st, lh_errbuf *eb)
{
    pthread_mutex_lock(&st->mu);
    lh_err e = flush_chunk(st, eb);
    pthread_mutex_unlock(&st->mu);
    return e;
}

void lh_links_remove(const char *data_dir, const char *id)
{
    char dir[4200], path[4500];
    chunk_dir(dir, sizeof dir, data_dir, id);
    DIR *d = opendir(dir);
    if (d == NULL)
        return;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        unlink(path);
    }
    closedir(d);
    rmdir(dir);
}

/* ---- links --------------------------------------------------------------------------- */

static void iso_time(int64_t ms, char out[32])
{
    time_t secs = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + n, 32 - n, ".%03dZ", (int)(ms % 1000));
}

json_t *lh_links_result(const stmt *st, int i)
{
    const lh_statements_t *s = st->owner;
    const chunk *c = &st->chunks[i];
    char path[160], query[160], url[1024], exp[32];
    snprintf(path, sizeof path, "/api/2.0/sql/statement-results/%s/%d.%s", st->id, i,
             file_ext[st->format]);
    int64_t expires = lh_now_ms() + LH_STATEMENT_LINK_TTL_MS;
    if (st->expires_ms > 0 && st->expires_ms < expires)
        expires = st->expires_ms;
    lh_signed_url_sign(s->signer, path, expires, query, sizeof query);
    snprintf(url, sizeof url, "%s%s?%s", s->ctx->workspace_host ? s->ctx->workspace_host : "", path,
             query);
    iso_time(expires, exp);
    json_t *link =
        json_pack("{s:i, s:I, s:I, s:I, s:s, s:s}", "chunk_index", i, "row_offset",
                  (json_int_t)c->row_offset, "row_count", (json_int_t)c->row_count, "byte_count",
                  (json_int_t)c->byte_count, "external_link", url, "expiration", exp);
    if (link != NULL && i + 1 < st->chunk_count) {
        char next[128];
        lh_json_set_int(link, "next_chunk_index", i + 1);
        snprintf(next, sizeof next, "/api/2.0/sql/statements/%s/result/chunks/%d", st->id, i + 1);
        json_object_set_new(link, "next_chunk_internal_link", json_string(next));
    }
    return json_pack("{s:[o]}", "external_links", link);
}

/* "<digits>.<ext>" -> its format, or -1. */
static int file_format(const char *file)
{
    const char *dot = strchr(file, '.');
    if (dot == NULL || dot == file || dot - file > 9)
        return -1;
    for (const char *p = file; p < dot; p++)
        if (*p < '0' || *p > '9')
            return -1;
    for (int f = 0; f < 3; f++)
        if (strcmp(dot + 1, file_ext[f]) == 0)
            return f;
    return -1;
}

static bool id_ok(const char *id)
{
    size_t n = strlen(id);
    if (n == 0 || n >= 40)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f') || id[i] == '-'))
            return false;
    return true;
}

lh_err lh_links_download(lh_req_t *req, lh_errbuf *eb)
{
    const lh_statements_t *s = req->ctx->statements;
    const char *id = lh_req_path_param(req, 0), *file = lh_req_path_param(req, 1);
    const char *expires = NULL, *signature = NULL;
    int f = file ? file_format(file) : -1;
    LH_FAIL_IF(s == NULL || id == NULL || !id_ok(id) || f < 0, LH_E_PERMISSION, eb,
               "The link is not valid");
    lh_json_get_str(req->params, "expires", LH_OPTIONAL, &expires, NULL);
    lh_json_get_str(req->params, "signature", LH_OPTIONAL, &signature, NULL);
    char path[160], disk[4300];
    snprintf(path, sizeof path, "/api/2.0/sql/statement-results/%s/%s", id, file);
    LH_TRY(lh_signed_url_verify(s->signer, path, expires, signature, lh_now_ms(), eb));
    snprintf(disk, sizeof disk, "%s/statement-results/%s/%s", req->ctx->data_dir, id, file);
    int fd = open(disk, O_RDONLY | O_CLOEXEC);
    LH_FAIL_IF(fd < 0, LH_E_NOT_FOUND, eb,
               "The result chunk no longer exists (the statement's results expired)");
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        close(fd);
        LH_FAIL(LH_E_IO, eb, "cannot read the result chunk");
    }
    lh_req_send_file(req, fd, (uint64_t)sb.st_size, file_mime[f]);
    return LH_OK;
}
