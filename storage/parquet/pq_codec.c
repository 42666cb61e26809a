/*
 * pq_codec.c - page codecs over Debian's libzstd, libsnappy (C API) and zlib.
 * Raw page bytes go to the library with no framing (formats.md 1.5): snappy raw blocks,
 * gzip RFC 1952 members (possibly several concatenated), one zstd frame.
 */
#include "storage/parquet/pq_codec.h"

#include <snappy-c.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "storage/parquet/pq_format.h"

int lh_pq_codec_supported(int codec)
{
    return codec == PQ_CODEC_UNCOMPRESSED || codec == PQ_CODEC_SNAPPY || codec == PQ_CODEC_GZIP ||
           codec == PQ_CODEC_ZSTD;
}

const char *lh_pq_codec_name(int codec)
{
    static const char *const names[] = {"UNCOMPRESSED", "SNAPPY", "GZIP", "LZO",
                                        "BROTLI",       "LZ4",    "ZSTD", "LZ4_RAW"};
    if (codec < 0 || codec > PQ_CODEC_LZ4_RAW)
        return "UNKNOWN";
    return names[codec];
}

static lh_err gunzip(const uint8_t *src, size_t src_len, uint8_t *dst, size_t dst_len,
                     lh_errbuf *eb)
{
    size_t in_off = 0, out_off = 0;
    while (in_off < src_len && out_off <= dst_len) {
        z_stream zs;
        memset(&zs, 0, sizeof zs);
        if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
            LH_FAIL(LH_E_NOMEM, eb, "gzip: inflateInit2 failed");
        zs.next_in = (Bytef *)(src + in_off);
        zs.avail_in = (uInt)(src_len - in_off);
        zs.next_out = dst + out_off;
        zs.avail_out = (uInt)(dst_len - out_off);
        int rc = inflate(&zs, Z_FINISH);
        size_t consumed = (src_len - in_off) - zs.avail_in;
        size_t produced = (dst_len - out_off) - zs.avail_out;
        inflateEnd(&zs);
        if (rc != Z_STREAM_END)
            LH_FAIL(LH_E_CORRUPT, eb, "gzip: corrupt page data (zlib %d)", rc);
        in_off += consumed;
        out_off += produced;
        if (consumed == 0)
            break;
    }
    LH_FAIL_IF(out_off != dst_len, LH_E_CORRUPT, eb,
               "gzip: page decompressed to %zu bytes, header says %zu", out_off, dst_len);
    return LH_OK;
}

lh_err lh_pq_decompress(int codec, const uint8_t *src, size_t src_len, uint8_t *dst, size_t dst_len,
                        lh_errbuf *eb)
{
    if (codec == PQ_CODEC_UNCOMPRESSED) {
        LH_FAIL_IF(src_len != dst_len, LH_E_CORRUPT, eb,
                   "uncompressed page: %zu stored bytes, header says %zu", src_len, dst_len);
        if (dst_len)
            memcpy(dst, src, dst_len);
        return LH_OK;
    }
    LH_FAIL_IF(!lh_pq_codec_supported(codec), LH_E_UNSUPPORTED, eb,
               "unsupported compression codec %s", lh_pq_codec_name(codec));
    if (src_len == 0) {
        LH_FAIL_IF(dst_len != 0, LH_E_CORRUPT, eb, "empty compressed page, expected %zu bytes",
                   dst_len);
        return LH_OK;
    }
    if (codec == PQ_CODEC_SNAPPY) {
        size_t n = 0;
        LH_FAIL_IF(snappy_uncompressed_length((const char *)src, src_len, &n) != SNAPPY_OK ||
                       n != dst_len,
                   LH_E_CORRUPT, eb, "snappy: corrupt page header");
        LH_FAIL_IF(snappy_uncompress((const char *)src, src_len, (char *)dst, &n) != SNAPPY_OK ||
                       n != dst_len,
                   LH_E_CORRUPT, eb, "snappy: corrupt page data");
        return LH_OK;
    }
    if (codec == PQ_CODEC_GZIP)
        return gunzip(src, src_len, dst, dst_len, eb);
    size_t n = ZSTD_decompress(dst, dst_len, src, src_len);
    LH_FAIL_IF(ZSTD_isError(n), LH_E_CORRUPT, eb, "zstd: %s", ZSTD_getErrorName(n));
    LH_FAIL_IF(n != dst_len, LH_E_CORRUPT, eb,
               "zstd: page decompressed to %zu bytes, header says %zu", n, dst_len);
    return LH_OK;
}

size_t lh_pq_compress_bound(int codec, size_t n)
{
    switch (codec) {
    case PQ_CODEC_SNAPPY:
        return snappy_max_compressed_length(n);
    case PQ_CODEC_GZIP:
        return compressBound((uLong)n) + 32;
    case PQ_CODEC_ZSTD:
        return ZSTD_compressBound(n);
    default:
        return n;
    }
}

static lh_err gzip_compress(int level, const uint8_t *src, size_t src_len, uint8_t *dst,
                            size_t dst_cap, size_t *out_len, lh_errbuf *eb)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (deflateInit2(&zs, level > 0 && level <= 9 ? level : 6, Z_DEFLATED, 16 + MAX_WBITS, 8,
                     Z_DEFAULT_STRATEGY) != Z_OK)
        LH_FAIL(LH_E_NOMEM, eb, "gzip: deflateInit2 failed");
    zs.next_in = (Bytef *)src;
    zs.avail_in = (uInt)src_len;
    zs.next_out = dst;
    zs.avail_out = (uInt)dst_cap;
    int rc = deflate(&zs, Z_FINISH);
    *out_len = dst_cap - zs.avail_out;
    deflateEnd(&zs);
    LH_FAIL_IF(rc != Z_STREAM_END, LH_E_INTERNAL, eb, "gzip: deflate failed (%d)", rc);
    return LH_OK;
}

lh_err lh_pq_compress(int codec, int level, const uint8_t *src, size_t src_len, uint8_t *dst,
                      size_t dst_cap, size_t *out_len, lh_errbuf *eb)
{
    switch (codec) {
    case PQ_CODEC_UNCOMPRESSED:
        LH_ASSERT(dst_cap >= src_len);
        if (src_len)
            memcpy(dst, src, src_len);
        *out_len = src_len;
        return LH_OK;
    case PQ_CODEC_SNAPPY: {
        size_t n = dst_cap;
        LH_FAIL_IF(snappy_compress((const char *)src, src_len, (char *)dst, &n) != SNAPPY_OK,
                   LH_E_INTERNAL, eb, "snappy: compress failed");
        *out_len = n;
        return LH_OK;
    }
    case PQ_CODEC_GZIP:
        return gzip_compress(level, src, src_len, dst, dst_cap, out_len, eb);
    case PQ_CODEC_ZSTD: {
        size_t n = ZSTD_compress(dst, dst_cap, src, src_len, level ? level : 3);
        LH_FAIL_IF(ZSTD_isError(n), LH_E_INTERNAL, eb, "zstd: %s", ZSTD_getErrorName(n));
        *out_len = n;
        return LH_OK;
    }
    default:
        LH_FAIL(LH_E_UNSUPPORTED, eb, "unsupported compression codec %s", lh_pq_codec_name(codec));
    }
}
